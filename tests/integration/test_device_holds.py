"""Issue #20, patient safety: a device a security response holds stops (or keeps) a patient's
monitoring, and the care team is told. A quarantined pulse oximeter's patient gets an active
FHIR Flag ("monitoring ... stopped at T because of a security response") that the care team
reads and that ends when the device is released; a bedside monitor (a type configured
`vitals_only_device_types`) is restricted instead: its readings are still stored, its
subscriptions are refused, and its Flag says monitoring continues."""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from api_client import Api, add_user  # noqa: E402
from hub import Hub, heart_rate  # noqa: E402

FHIR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fhir")


class DeviceHoldTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub(devices=(("dev-0001", "p-001"),))
        self.hub.run("patient", "add", "--data-dir", self.hub.data_dir, "--id", "p-002",
                     "--name", "Test Patient p-002", "--birth-date", "1950-01-01")
        self.hub.enroll("dev-0002", "p-002", "bedside-monitor")
        self.hub.configure(vitals_only_device_types='["bedside-monitor"]')
        officer = add_user(self.hub, "sec", "security-officer")
        clinician = add_user(self.hub, "dr.ray", "clinician")
        for patient in ("p-001", "p-002"):
            self.hub.run("careteam", "add", "--data-dir", self.hub.data_dir, "--patient",
                         patient, "--user", "dr.ray")
        self.hub.start()
        self.api = Api(self.hub)
        self.officer = self.api.login(officer)
        self.clinician = self.api.login(clinician)
        self.seen = []

    def tearDown(self):
        self.hub.stop()
        self.hub.close()

    def subscribe_everything(self, device):
        return subprocess.run(["mosquitto_sub", "-V", "mqttv5", "-h", "localhost",
                               "-p", str(self.hub.mqtt_port), *self.hub.cert_args(device),
                               "-i", device, "-t", "#", "-C", "1", "-W", "3", "-d"],
                              capture_output=True, text=True, timeout=30)

    def held(self, device):
        deadline = time.time() + 10
        while time.time() < deadline:
            status, body, raw = self.api.get("/security/alerts", self.officer)
            if any(a["kind"] == "topic-violation" and a["entity"] == "device:" + device
                   for a in body["alerts"]):
                time.sleep(0.5)  # the playbook acts just after the alert
                return
            time.sleep(0.2)
        self.fail("no topic-violation alert on " + device)

    def flags(self, patient):
        status, bundle, raw = self.api.get("/fhir/Flag?patient=" + patient, self.clinician)
        self.assertEqual(status, 200, raw)
        self.seen.append(bundle)
        return [e["resource"] for e in bundle.get("entry", [])]

    def device_status(self, device):
        listed = self.hub.run("device", "list", "--data-dir", self.hub.data_dir).stdout
        return [line.split("\t")[3] for line in listed.splitlines()
                if line.startswith(device + "\t")][0]

    def test_a_quarantine_tells_the_care_team_until_the_device_is_released(self):
        self.assertEqual(self.flags("p-001"), [])
        self.subscribe_everything("dev-0001")
        self.held("dev-0001")
        self.assertEqual(self.device_status("dev-0001"), "quarantined")
        refused = self.hub.mosquitto_pub(heart_rate(1), device_id="dev-0001")
        self.assertIn("CONNACK (135)", refused.stdout + refused.stderr)
        [flag] = self.flags("p-001")
        self.assertEqual(flag["status"], "active")
        self.assertEqual(flag["category"][0]["coding"][0]["code"], "safety")
        self.assertIn("Monitoring from device dev-0001 (pulse-oximeter) stopped at",
                      flag["code"]["text"])
        self.assertIn("(topic-violation)", flag["code"]["text"])
        self.assertEqual(flag["subject"]["reference"], "Patient/p-001")
        # The flag is the patient's record: the care team reads it, others do not.
        self.assertEqual(self.api.get("/fhir/Flag?patient=p-001", self.officer)[0], 403)

        self.hub.run("device", "release", "--data-dir", self.hub.data_dir, "--id", "dev-0001")
        [flag] = self.flags("p-001")
        self.assertEqual(flag["status"], "inactive")
        self.assertIn("end", flag["period"])
        time.sleep(1.2)  # the hub re-reads device states once a second
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(2), device_id="dev-0001").stdout)
        self.validate()

    def test_a_vitals_only_device_keeps_streaming_and_refuses_the_rest(self):
        self.subscribe_everything("dev-0002")
        self.held("dev-0002")
        self.assertEqual(self.device_status("dev-0002"), "vitals-only")
        for seq in (1, 2):
            self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(seq), device_id="dev-0002")
                          .stdout)
        self.assertEqual(len(self.hub.observations("p-002")), 2)
        own = subprocess.run(["mosquitto_sub", "-V", "mqttv5", "-h", "localhost",
                              "-p", str(self.hub.mqtt_port), *self.hub.cert_args("dev-0002"),
                              "-i", "dev-0002", "-t", "devices/dev-0002/cmd", "-C", "1",
                              "-W", "2", "-d"], capture_output=True, text=True, timeout=30)
        self.assertIn("Subscribed (mid: 1): 135", own.stdout)  # even its own command topic
        [flag] = self.flags("p-002")
        self.assertEqual(flag["status"], "active")
        self.assertIn("continues, restricted to vital signs", flag["code"]["text"])
        # The restriction is policy, not a new offence: one alert, not one per refusal.
        time.sleep(0.5)
        status, body, raw = self.api.get("/security/alerts", self.officer)
        self.assertEqual(len([a for a in body["alerts"] if a["entity"] == "device:dev-0002"]), 1)
        self.validate()

    def validate(self):
        path = os.path.join(self.hub.root, "flags.json")
        with open(path, "w") as f:
            json.dump(self.seen, f)
        out = subprocess.run(["node", "validate.js", path], cwd=FHIR_DIR, capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)


if __name__ == "__main__":
    unittest.main()
