"""Issue #6 (first slice): the detection engine watches real traffic and raises alerts the
security officer sees over HTTPS: a cloned device (one certificate from two addresses, with
paho), brute force and password spraying (real HTTPS logins), repeated refused connections
(mosquitto_pub without a certificate). Alerts are recorded in the ledger; a clinician may not
see them; the security officer acknowledges and resolves them."""

import json
import os
import subprocess
import threading
import time
import unittest

import paho.mqtt.client as paho

from api_client import Api, add_user
from hub import Hub


def connect(hub, device_id, bind_address):
    """Connects with the device's certificate from `bind_address` (a loopback alias)."""
    d = hub.device_dir(device_id)
    client = paho.Client(client_id=device_id, protocol=paho.MQTTv311)
    client.tls_set(ca_certs=os.path.join(d, "ca.crt"),
                   certfile=os.path.join(d, device_id + ".crt"),
                   keyfile=os.path.join(d, device_id + ".key"))
    connected = threading.Event()
    client.on_connect = lambda c, u, f, rc: connected.set() if rc == 0 else None
    client.connect("localhost", hub.mqtt_port, 30, bind_address=bind_address)
    client.loop_start()
    assert connected.wait(10), "paho did not connect"
    client.disconnect()
    client.loop_stop()


class DetectionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub()
        cls.officer = add_user(cls.hub, "sec", "security-officer")
        cls.clinician = add_user(cls.hub, "dr.who", "clinician")
        for i in range(5):
            add_user(cls.hub, f"staff{i}", "nurse")
        cls.hub.start()
        cls.api = Api(cls.hub)
        cls.token = cls.api.login(cls.officer)
        # Before any test fails logins from this address (which the throttle then slows).
        cls.clinician_token = cls.api.login(cls.clinician)

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()
        cls.hub.close()

    def alerts(self, kind, entity, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, body, raw = self.api.get("/security/alerts", self.token)
            self.assertEqual(status, 200, raw)
            found = [a for a in body["alerts"] if a["kind"] == kind and a["entity"] == entity]
            if found:
                return found
            time.sleep(0.2)
        self.fail(f"no {kind} alert on {entity}: {raw}")

    def test_a_cloned_device_is_caught(self):
        started = time.time()
        connect(self.hub, "dev-0001", "127.0.0.1")
        connect(self.hub, "dev-0001", "127.0.0.2")  # the same certificate, elsewhere
        alert = self.alerts("device-clone", "device:dev-0001")[0]
        self.assertLess(time.time() - started, 5)
        self.assertEqual(alert["severity"], "high")
        self.assertEqual(alert["technique"], "T1078")
        self.assertEqual(alert["evidence"]["latest_address"], "127.0.0.2")

    def test_brute_force_and_spraying_are_caught(self):
        for _ in range(5):
            self.api.request("POST", "/auth/login", {"username": "dr.who", "password": "guess"})
        self.alerts("brute-force", "user:dr.who")
        for i in range(5):
            self.api.request("POST", "/auth/login", {"username": f"staff{i}", "password": "x"})
        self.alerts("password-spraying", "address:127.0.0.1")

    def test_refused_connections_are_caught_and_alerts_are_in_the_ledger(self):
        for _ in range(10):
            subprocess.run(["mosquitto_pub", "-h", "localhost", "-p", str(self.hub.mqtt_port),
                            "--cafile", os.path.join(self.hub.data_dir, "ca", "ca.crt"),
                            "-i", "x", "-t", "t", "-m", "m"], capture_output=True, timeout=30)
        alert = self.alerts("refused-connections", "address:127.0.0.1")[0]
        self.assertEqual(alert["evidence"]["last_reason"], "tls_handshake")
        time.sleep(1)
        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        raised = [json.loads(line)["fields"] for line in shown.splitlines()
                  if '"alert_raised"' in line]
        self.assertIn("refused-connections", [r["kind"] for r in raised])

    def test_only_the_security_officer_handles_alerts(self):
        for _ in range(5):
            self.api.request("POST", "/auth/login", {"username": "staff0", "password": "nope"})
        alert = self.alerts("brute-force", "user:staff0")[0]
        self.assertEqual(self.api.get("/security/alerts", self.clinician_token)[0], 403)
        status, _, body, raw = self.api.request(
            "POST", f"/security/alerts/{alert['id']}/acknowledge", {"note": "looking"},
            token=self.token)
        self.assertEqual(status, 200, raw)
        self.assertEqual(body["status"], "acknowledged")
        status, _, body, raw = self.api.request(
            "POST", f"/security/alerts/{alert['id']}/resolve", {"note": "user forgot"},
            token=self.token)
        self.assertEqual(body["status"], "resolved")
        listed = self.hub.run("alerts", "list", "--data-dir", self.hub.data_dir, "--status",
                              "resolved").stdout
        self.assertIn("brute-force\tuser:staff0", listed)


if __name__ == "__main__":
    unittest.main()
