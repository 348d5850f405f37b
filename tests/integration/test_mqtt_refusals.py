"""What the hub refuses, and that a refusal stores nothing and harms no other connection."""

import os
import socket
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import Hub, heart_rate, now_rfc3339, vigil_json  # noqa: E402


def tls_socket(hub, device_id="dev-0001"):
    d = hub.device_dir(device_id)
    ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
    ctx.load_cert_chain(os.path.join(d, device_id + ".crt"), os.path.join(d, device_id + ".key"))
    raw = socket.create_connection(("127.0.0.1", hub.mqtt_port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def read_until_closed(sock, limit=5.0):
    """Returns what the server sent before closing; fails if it does not close within `limit`."""
    sock.settimeout(limit)
    data = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except (ConnectionResetError, ssl.SSLError):
            return data
        if not chunk:
            return data
        data += chunk


def read_packet(sock):
    """Reads one MQTT packet; returns its first byte followed by its body."""
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed mid-packet")
            data += chunk
        return data
    first = exactly(1)
    length, shift = 0, 0
    while True:
        b = exactly(1)[0]
        length |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return first + exactly(length)


def connect_packet(client_id, version=4):
    cid = client_id.encode()
    body = b"\x00\x04MQTT" + bytes([version, 0x02, 0x00, 0x3c])
    if version == 5:
        body += b"\x00"
    body += len(cid).to_bytes(2, "big") + cid
    return bytes([0x10, len(body)]) + body


class MqttRefusalTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002"))).start()

    def tearDown(self):
        self.hub.close()

    def assertNothingStored(self):
        self.assertEqual(self.hub.observations("p-001"), [])
        self.assertEqual(self.hub.observations("p-002"), [])

    def test_certificate_from_another_ca_fails_the_handshake(self):
        d = os.path.join(self.hub.root, "rogue")
        os.makedirs(d)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{d}/rogue-ca.key",
                        "-out", f"{d}/rogue-ca.crt", "-subj", "/CN=Rogue CA", "-days", "2"],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", f"{d}/dev.key", "-out", f"{d}/dev.csr",
                        "-subj", "/CN=dev-0001"], check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-req", "-in", f"{d}/dev.csr", "-CA", f"{d}/rogue-ca.crt",
                        "-CAkey", f"{d}/rogue-ca.key", "-CAcreateserial", "-out", f"{d}/dev.crt",
                        "-days", "2"], check=True, capture_output=True)
        ca = os.path.join(self.hub.device_dir("dev-0001"), "ca.crt")
        r = subprocess.run(["mosquitto_pub", "-h", "localhost", "-p", str(self.hub.mqtt_port),
                            "--cafile", ca, "--cert", f"{d}/dev.crt", "--key", f"{d}/dev.key",
                            "-i", "dev-0001", "-q", "1", "-t", "devices/dev-0001/vitals",
                            "-m", heart_rate(1)], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertNothingStored()
        self.assertIn("TLS handshake refused", self.hub.log())

    def test_no_client_certificate_fails_the_handshake(self):
        ca = os.path.join(self.hub.device_dir("dev-0001"), "ca.crt")
        r = subprocess.run(["mosquitto_pub", "-h", "localhost", "-p", str(self.hub.mqtt_port),
                            "--cafile", ca, "-i", "dev-0001", "-q", "1", "-t",
                            "devices/dev-0001/vitals", "-m", heart_rate(1)],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertNothingStored()

    def test_tls_below_1_3_is_refused(self):
        d = self.hub.device_dir("dev-0001")
        ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
        ctx.load_cert_chain(os.path.join(d, "dev-0001.crt"), os.path.join(d, "dev-0001.key"))
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        raw = socket.create_connection(("127.0.0.1", self.hub.mqtt_port), timeout=10)
        with self.assertRaises(ssl.SSLError):
            ctx.wrap_socket(raw, server_hostname="localhost")

    def test_revoked_device_is_refused_and_its_live_connection_dropped(self):
        live = tls_socket(self.hub)
        live.sendall(connect_packet("dev-0001"))
        self.assertEqual(read_packet(live), b"\x20\x00\x00")  # CONNACK accepted (body 00 00)
        self.hub.run("device", "revoke", "--data-dir", self.hub.data_dir, "--id", "dev-0001")
        self.assertEqual(read_until_closed(live, limit=5.0), b"")  # dropped within the poll
        live.close()
        r = self.hub.mosquitto_pub(heart_rate(1), version="mqttv5")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("CONNACK (135)", r.stdout)  # 0x87 not authorized
        self.assertNothingStored()

    def test_publishing_to_another_devices_topic_is_refused(self):
        r = self.hub.mosquitto_pub(heart_rate(1), topic="devices/dev-0002/vitals", version="mqttv5")
        self.assertIn("RC:135", r.stdout)
        r = self.hub.mosquitto_pub(heart_rate(1), topic="devices/dev-0002/vitals",
                                   version="mqttv311")
        self.assertNotIn("received PUBACK", r.stdout)  # 3.1.1: the connection is closed instead
        self.assertNothingStored()
        self.assertIn('reason="topic_not_allowed"', self.metrics())

    def test_client_id_must_equal_the_certificate(self):
        r = self.hub.mosquitto_pub(heart_rate(1), client_id="dev-0002", version="mqttv5")
        self.assertIn("CONNACK (133)", r.stdout)  # 0x85 client identifier not valid
        self.assertNothingStored()

    def test_replayed_sequence_is_refused_and_not_stored(self):
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(5, 70)).stdout)
        replay = self.hub.mosquitto_pub(heart_rate(5, 99))
        self.assertIn("RC:135", replay.stdout)
        older = self.hub.mosquitto_pub(heart_rate(4, 99))
        self.assertIn("RC:135", older.stdout)
        self.assertEqual([o["valueQuantity"]["value"] for o in self.hub.observations()], [70])
        # Remembered across a restart.
        self.hub.stop()
        self.hub.start()
        self.assertIn("RC:135", self.hub.mosquitto_pub(heart_rate(5, 99)).stdout)
        self.assertEqual(len(self.hub.observations()), 1)

    def test_invalid_payloads_get_0x99_with_a_reason(self):
        cases = ["not json", vigil_json(1, [{"type": "heart_rate", "value": 900, "unit": "/min"}]),
                 vigil_json(2, [{"type": "heart_rate", "value": 70, "unit": "Hz"}]),
                 vigil_json(3, [{"type": "heart_rate", "value": 70, "unit": "/min"}],
                            ts=now_rfc3339(-3600))]
        for payload in cases:
            r = self.hub.mosquitto_pub(payload)
            self.assertIn("RC:153", r.stdout, payload)
        self.assertNothingStored()
        metrics = self.metrics()
        for reason in ("malformed_payload", "implausible_value", "unit_not_accepted", "clock_skew"):
            self.assertIn(f'vigil_messages_refused_total{{reason="{reason}"}} 1', metrics)

    def test_malformed_and_truncated_packets_close_only_that_connection(self):
        bystander = tls_socket(self.hub, "dev-0002")
        bystander.sendall(connect_packet("dev-0002", version=5))
        connack = read_packet(bystander)
        self.assertEqual(connack[0], 0x20)
        self.assertEqual(connack[2], 0x00)  # v5 reason code: success
        for truncated in [connect_packet("dev-0001")[:-3],
                          connect_packet("dev-0001") + b"\x32\x40\x00\x17devices/dev-0001/vit"]:
            s = tls_socket(self.hub)
            s.sendall(truncated)
            s.close()  # the device goes away mid-packet
        attacks = [
            b"\x00\x00",                                  # packet type 0
            b"\x10\xff\xff\xff\xff\x7f",                  # remaining length over 4 bytes
            b"\x30\x05\x00\x09abc",                       # PUBLISH before CONNECT, bad length
            connect_packet("dev-0001") + b"\x32\x04\x00\x09ab",  # topic length past the end
            connect_packet("dev-0001") + b"\x30\xff\xff\xff\x7f",  # 256 MB packet announced
            connect_packet("dev-0001") + b"\x36\x03\x00\x01t",   # QoS 3
        ]
        for attack in attacks:
            s = tls_socket(self.hub)
            s.sendall(attack)
            read_until_closed(s)  # the hub closes it (or read_until_closed times out and fails)
            s.close()
        # The hub still serves: the bystander pings, and a fresh publish is stored.
        bystander.sendall(b"\xc0\x00")
        self.assertEqual(read_packet(bystander), b"\xd0")  # PINGRESP
        bystander.close()
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(1)).stdout)
        self.assertEqual(len(self.hub.observations()), 1)
        self.assertIn('vigil_connections_refused_total{reason="protocol_error"}', self.metrics())

    def metrics(self):
        import http.client
        ctx = ssl.create_default_context(cafile=os.path.join(self.hub.device_dir("dev-0001"), "ca.crt"))
        conn = http.client.HTTPSConnection("localhost", self.hub.https_port, context=ctx, timeout=10)
        conn.request("GET", "/metrics")
        body = conn.getresponse().read().decode()
        conn.close()
        return body


if __name__ == "__main__":
    unittest.main()
