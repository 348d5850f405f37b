"""Nothing acknowledged is lost, even to kill -9; nothing readable is left on disk."""

import os
import stat
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import Hub, heart_rate  # noqa: E402
from test_mqtt_ingest import paho  # noqa: E402
import ssl  # noqa: E402


class QosOnePublisher(threading.Thread):
    """Publishes seq 1, 2, 3... with paho (QoS 1, a window of in-flight messages) until stopped or
    disconnected, and records exactly which sequence numbers were acknowledged."""

    def __init__(self, hub, first_seq=1, window=8):
        super().__init__(daemon=True)
        d = hub.device_dir("dev-0001")
        self.client = paho.Client(client_id="dev-0001", protocol=paho.MQTTv311)
        self.client.tls_set(ca_certs=os.path.join(d, "ca.crt"),
                            certfile=os.path.join(d, "dev-0001.crt"),
                            keyfile=os.path.join(d, "dev-0001.key"),
                            tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self.client.reconnect_delay_set(60, 60)  # no reconnect: the test restarts the hub itself
        self.port = hub.mqtt_port
        self.seq = first_seq
        self.window = window
        self.acked = set()
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.disconnected = threading.Event()
        self.client.on_publish = self.on_publish
        self.client.on_disconnect = lambda *a: self.disconnected.set()
        self.pending = {}

    def on_publish(self, client, userdata, mid):
        with self.lock:
            seq = self.pending.pop(mid, None)
            if seq is not None:
                self.acked.add(seq)

    def run(self):
        self.client.connect("localhost", self.port, keepalive=30)
        self.client.loop_start()
        try:
            while not self.stop_flag.is_set() and not self.disconnected.is_set():
                with self.lock:
                    room = len(self.pending) < self.window
                if not room:
                    time.sleep(0.001)
                    continue
                info = self.client.publish("devices/dev-0001/vitals", heart_rate(self.seq, 70), qos=1)
                if info.rc != paho.MQTT_ERR_SUCCESS:
                    break
                with self.lock:
                    if info.is_published():
                        self.acked.add(self.seq)
                    else:
                        self.pending[info.mid] = self.seq
                self.seq += 1
        finally:
            self.client.loop_stop()


class DurabilityTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub().start()

    def tearDown(self):
        self.hub.close()

    def stored_seqs(self):
        ids = [o["id"] for o in self.hub.observations()]
        return [int(i.split(".")[1]) for i in ids]

    def test_kill_9_during_a_qos1_stream_loses_no_acknowledged_reading(self):
        publisher = QosOnePublisher(self.hub)
        publisher.start()
        deadline = time.time() + 60
        while len(publisher.acked) < 300 and time.time() < deadline:
            time.sleep(0.01)
        self.assertGreaterEqual(len(publisher.acked), 300, "the stream did not get going")
        self.hub.kill9()
        publisher.disconnected.wait(10)
        publisher.stop_flag.set()
        publisher.join(10)
        acked = set(publisher.acked)
        self.hub.start()
        stored = self.stored_seqs()
        self.assertEqual(len(stored), len(set(stored)), "a reading was stored twice")
        self.assertTrue(acked.issubset(set(stored)),
                        f"acknowledged but lost: {sorted(acked - set(stored))[:10]}")
        # The stream resumes after the last durable sequence number.
        r = self.hub.mosquitto_pub(heart_rate(max(stored) + 1))
        self.assertIn("RC:0", r.stdout)
        # The ledger survived the crash: once its tail is signed, everything verifies.
        self.hub.run("ledger", "checkpoint", "--data-dir", self.hub.data_dir)
        verified = self.hub.run("verify", "--data-dir", self.hub.data_dir)
        self.assertIn("ledger verified", verified.stdout)

    def test_data_directory_holds_no_plaintext_and_is_private(self):
        self.hub.run("patient", "add", "--data-dir", self.hub.data_dir, "--id", "p-zz",
                     "--name", "Zebedee Quuxington", "--birth-date", "1937-12-25")
        self.hub.enroll("dev-zz", "p-zz")
        payload = ('{"seq":1,"ts":"%s","readings":[{"type":"heart_rate","value":173.25,'
                   '"unit":"/min"},{"type":"body_temperature","value":38.75,"unit":"Cel"}]}'
                   % __import__("hub").now_rfc3339())
        self.assertIn("RC:0", self.hub.mosquitto_pub(payload, device_id="dev-zz").stdout)
        self.assertEqual(len(self.hub.observations("p-zz")), 2)
        self.hub.stop()  # checkpoint the WAL into the main file too
        for needle in ["Zebedee", "Quuxington", "1937-12-25", "173.25", "38.75", "valueQuantity",
                       "beats/minute", "8867-4\",\"display"]:
            r = subprocess.run(["grep", "-r", "-a", "-l", "-F", needle, self.hub.data_dir],
                               capture_output=True, text=True)
            self.assertEqual(r.stdout, "", f"'{needle}' found in plaintext in {r.stdout}")
        for root, dirs, files in os.walk(self.hub.data_dir):
            for d in dirs:
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(root, d)).st_mode), 0o700, d)
            for f in files:
                mode = stat.S_IMODE(os.stat(os.path.join(root, f)).st_mode)
                if f.endswith(".crt") or f == "ledger.vkey":  # public by design
                    self.assertEqual(mode & 0o022, 0, f)
                else:
                    self.assertEqual(mode, 0o600, f)


if __name__ == "__main__":
    unittest.main()
