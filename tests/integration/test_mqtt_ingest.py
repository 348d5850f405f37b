"""Devices publish over mutual-TLS MQTT with real clients; readings come back as FHIR."""

import os
import ssl
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import Hub, heart_rate, now_rfc3339, vigil_json  # noqa: E402

import paho.mqtt.client as paho  # noqa: E402


def paho_publish(hub, payloads, protocol, device_id="dev-0001"):
    """Publishes QoS 1 with paho and returns the list of (mid, acknowledged) in order."""
    d = hub.device_dir(device_id)
    client = paho.Client(client_id=device_id, protocol=protocol)
    client.tls_set(ca_certs=os.path.join(d, "ca.crt"), certfile=os.path.join(d, device_id + ".crt"),
                   keyfile=os.path.join(d, device_id + ".key"), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.connect("localhost", hub.mqtt_port, keepalive=30)
    client.loop_start()
    try:
        assert connected.wait(10), "paho did not connect"
        infos = [client.publish(f"devices/{device_id}/vitals", p, qos=1) for p in payloads]
        for info in infos:
            info.wait_for_publish(timeout=10)
        return [info.is_published() for info in infos]
    finally:
        client.disconnect()
        client.loop_stop()


class MqttIngestTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub().start()

    def tearDown(self):
        self.hub.close()

    def test_mosquitto_pub_v311_and_v5_readings_read_back_as_fhir(self):
        r1 = self.hub.mosquitto_pub(heart_rate(1, 71), version="mqttv311")
        self.assertEqual(r1.returncode, 0, r1.stderr)
        r2 = self.hub.mosquitto_pub(heart_rate(2, 88), version="mqttv5")
        self.assertEqual(r2.returncode, 0, r2.stderr)
        self.assertIn("received PUBACK (Mid: 1, RC:0)", r2.stdout)
        obs = self.hub.observations()
        self.assertEqual([o["valueQuantity"]["value"] for o in obs], [71, 88])
        for o in obs:
            self.assertEqual(o["resourceType"], "Observation")
            self.assertEqual(o["code"]["coding"][0], {"system": "http://loinc.org", "code": "8867-4",
                                                      "display": "Heart rate"})
            self.assertEqual(o["valueQuantity"]["code"], "/min")
            self.assertEqual(o["subject"]["reference"], "Patient/p-001")
            self.assertEqual(o["device"]["reference"], "Device/dev-0001")

    def test_paho_v5_and_v311_publish_pipelined(self):
        acked = paho_publish(self.hub, [heart_rate(s, 60 + s) for s in range(1, 21)], paho.MQTTv5)
        self.assertTrue(all(acked))
        acked = paho_publish(self.hub, [heart_rate(s, 60 + s) for s in range(21, 31)], paho.MQTTv311)
        self.assertTrue(all(acked))
        values = [o["valueQuantity"]["value"] for o in self.hub.observations()]
        self.assertEqual(values, [60 + s for s in range(1, 31)])

    def test_senml_and_fahrenheit_normalize(self):
        senml = ('[{"bn":"urn:dev:mac:0024befffe804ff1:","n":"seq","v":1},'
                 '{"n":"body_temperature","u":"Cel","v":37.5},'
                 '{"n":"systolic_bp","u":"mmHg","v":121},{"n":"diastolic_bp","u":"mmHg","v":79},'
                 '{"n":"spo2","u":"/","v":0.96}]')
        self.assertEqual(self.hub.mosquitto_pub(senml).returncode, 0)
        fahrenheit = vigil_json(2, [{"type": "body_temperature", "value": 98.6, "unit": "degF"},
                                    {"type": "blood_glucose", "value": 5.5, "unit": "mmol/L"},
                                    {"type": "body_weight", "value": 150, "unit": "[lb_av]"}])
        self.assertEqual(self.hub.mosquitto_pub(fahrenheit).returncode, 0)
        by_code = {}
        for o in sorted(self.hub.observations(), key=lambda o: int(o["id"].split(".")[1])):
            by_code.setdefault(o["code"]["coding"][0]["code"], []).append(o)
        self.assertEqual([o["valueQuantity"]["value"] for o in by_code["8310-5"]], [37.5, 37.0])
        self.assertEqual(by_code["8310-5"][1]["valueQuantity"]["code"], "Cel")
        bp = by_code["85354-9"][0]
        self.assertEqual([c["valueQuantity"]["value"] for c in bp["component"]], [121, 79])
        self.assertEqual(bp["component"][0]["valueQuantity"]["code"], "mm[Hg]")
        self.assertEqual(by_code["59408-5"][0]["valueQuantity"]["value"], 96)
        self.assertEqual(by_code["2339-0"][0]["valueQuantity"], {
            "value": 99.09, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"})
        self.assertEqual(by_code["29463-7"][0]["valueQuantity"]["value"], 68.04)

    def test_device_enrolled_from_its_own_csr_publishes_qos0_and_qos1(self):
        d = os.path.join(self.hub.root, "dev-csr")
        os.makedirs(d)
        subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{d}/dev-csr.key",
                        "-out", f"{d}/dev-csr.csr", "-subj", "/CN=dev-csr"],
                       check=True, capture_output=True)
        out = self.hub.run("device", "enroll", "--data-dir", self.hub.data_dir, "--id", "dev-csr",
                           "--patient", "p-001", "--type", "bp-cuff", "--csr", f"{d}/dev-csr.csr",
                           "--out", d).stdout
        self.assertIn("stays on the device", out)
        with open(f"{d}/dev-csr.key") as f:  # the hub wrote no key over the device's own
            self.assertIn("PRIVATE KEY", f.read())
        base = ["mosquitto_pub", "-h", "localhost", "-p", str(self.hub.mqtt_port), "--cafile",
                f"{d}/ca.crt", "--cert", f"{d}/dev-csr.crt", "--key", f"{d}/dev-csr.key",
                "-i", "dev-csr", "-t", "devices/dev-csr/vitals"]
        bp = vigil_json(1, [{"type": "systolic_bp", "value": 131, "unit": "mm[Hg]"},
                            {"type": "diastolic_bp", "value": 84, "unit": "mm[Hg]"}])
        self.assertEqual(subprocess.run(base + ["-q", "0", "-m", bp], timeout=30).returncode, 0)
        self.assertEqual(subprocess.run(base + ["-q", "1", "-m", heart_rate(2, 77)],
                                        timeout=30).returncode, 0)
        codes = sorted(o["code"]["coding"][0]["code"] for o in self.hub.observations())
        self.assertEqual(codes, ["85354-9", "8867-4"])
        # A CSR whose subject names another device is refused.
        r = self.hub.run("device", "enroll", "--data-dir", self.hub.data_dir, "--id", "dev-other",
                         "--patient", "p-001", "--type", "bp-cuff", "--csr", f"{d}/dev-csr.csr",
                         "--out", d, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("CN differs", r.stderr)

    def test_graceful_shutdown_exits_zero(self):
        self.assertEqual(self.hub.mosquitto_pub(heart_rate(1)).returncode, 0)
        self.assertEqual(self.hub.stop(), 0)
        self.assertIn("hub stopped", self.hub.log())


if __name__ == "__main__":
    unittest.main()
