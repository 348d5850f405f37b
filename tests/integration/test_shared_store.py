"""Two hubs on one PostgreSQL store (issue #23): what one hub stores or changes, the other sees
within a second — readings, sessions, revocations, address blocks — and a message re-sent to the other hub
after a lost acknowledgement is stored once. Runs in the PostgreSQL pass of the suite."""

import os
import sys
import time
import unittest

import paho.mqtt.client as mqtt

sys.path.insert(0, os.path.dirname(__file__))
from api_client import Api, add_user  # noqa: E402
from hub import Hub, heart_rate, on_postgres  # noqa: E402


@unittest.skipUnless(on_postgres(), "two hubs share a PostgreSQL store")
class SharedStoreTest(unittest.TestCase):
    def setUp(self):
        self.a = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002")))
        self.user = add_user(self.a, "dr.shared", "clinician")
        self.a.run("careteam", "add", "--data-dir", self.a.data_dir, "--patient", "p-001",
                   "--user", "dr.shared")
        self.b = self.a.twin()
        self.a.start()
        self.b.start()

    def tearDown(self):
        for hub in (self.b, self.a):
            hub.stop()
        self.b.close()
        self.a.close()

    def test_a_reading_stored_by_one_hub_is_read_through_the_other(self):
        self.assertIn("RC:0", self.a.mosquitto_pub(heart_rate(1, bpm=81)).stdout)
        api_b = Api(self.b)
        token = api_b.login(self.user)
        status, bundle, raw = api_b.get("/fhir/Observation?patient=p-001", token)
        self.assertEqual(status, 200, raw)
        self.assertEqual([e["resource"]["valueQuantity"]["value"] for e in bundle["entry"]], [81])

    def test_a_message_resent_to_the_other_hub_is_stored_once(self):
        # The device's acknowledgement from hub a was lost; it re-sends the same bytes to hub b
        # (built once: the timestamp in them must not move across a second boundary).
        message = heart_rate(7, bpm=70)
        self.assertIn("RC:0", self.a.mosquitto_pub(message).stdout)
        again = self.b.mosquitto_pub(message)
        self.assertIn("RC:0", again.stdout, again.stdout + again.stderr)
        self.assertEqual(len(self.a.observations()), 1)
        # A different message under a used sequence number is a replay, refused by either hub.
        replay = self.b.mosquitto_pub(heart_rate(7, bpm=140))
        self.assertNotIn("PUBACK (Mid: 1, RC:0)", replay.stdout)
        self.assertEqual([o["valueQuantity"]["value"] for o in self.a.observations()], [70])

    def test_a_session_ended_on_one_hub_is_refused_by_the_other(self):
        api_a, api_b = Api(self.a), Api(self.b)
        token = api_a.login(self.user)
        self.assertEqual(api_b.get("/fhir/Patient/p-001", token)[0], 200)
        status, _, _, _ = api_b.request("POST", "/auth/logout", token=token)
        self.assertIn(status, (200, 204))
        self.assertEqual(api_a.get("/fhir/Patient/p-001", token)[0], 401)

    def test_an_address_blocked_by_one_hub_may_not_sign_in_on_the_other(self):
        api_a, api_b = Api(self.a), Api(self.b)
        for i in range(5):  # password spraying at hub a
            api_a.request("POST", "/auth/login", {"username": f"guess{i}", "password": "x"},
                          source="127.0.0.5")

        def refused_by_b():
            status, _, _, raw = api_b.request("POST", "/auth/login",
                                              {"username": "dr.shared", "password": "x"},
                                              source="127.0.0.5")
            return status == 429 and "address_blocked" in raw

        deadline = time.time() + 10
        while not refused_by_b() and time.time() < deadline:
            time.sleep(0.1)
        self.assertTrue(refused_by_b(), "hub b let the address hub a blocked sign in")
        self.assertIn("127.0.0.5\t", self.b.run("address", "list", "--data-dir",
                                                self.b.data_dir).stdout)
        api_b.login(self.user)  # from another address: not affected

    def test_a_device_revoked_on_one_hub_is_cut_off_by_the_other_within_seconds(self):
        d = self.b.device_dir("dev-0002")
        client = mqtt.Client(client_id="dev-0002", protocol=mqtt.MQTTv311)
        client.tls_set(ca_certs=os.path.join(d, "ca.crt"), certfile=os.path.join(d, "dev-0002.crt"),
                       keyfile=os.path.join(d, "dev-0002.key"))
        dropped = []
        client.on_disconnect = lambda *args: dropped.append(time.time())
        client.connect("localhost", self.b.mqtt_port)
        client.loop_start()
        try:
            deadline = time.time() + 10
            while not client.is_connected() and time.time() < deadline:
                time.sleep(0.05)
            self.assertTrue(client.is_connected())
            revoked = time.time()
            self.a.run("device", "revoke", "--data-dir", self.a.data_dir, "--id", "dev-0002")
            while not dropped and time.time() < revoked + 10:
                time.sleep(0.05)
            self.assertTrue(dropped, "hub b kept the revoked device's connection")
            self.assertLess(dropped[0] - revoked, 3.0)
        finally:
            client.loop_stop()
            client.disconnect()
        refused = self.b.mosquitto_pub(heart_rate(1), device_id="dev-0002")
        self.assertNotIn("RC:0", refused.stdout)


if __name__ == "__main__":
    unittest.main()
