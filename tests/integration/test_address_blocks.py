"""Issue #20/#23: an address a containment playbook blocked from signing in is visible
(`vigil address list`, GET /security/address-blocks), survives a restart, and is lifted by a
person with a reason the ledger records (`vigil address unblock`, the security API); the hub
lets the address sign in again within a second or two, without a restart."""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from api_client import Api, add_user  # noqa: E402
from hub import Hub  # noqa: E402


class AddressBlockTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub()
        self.officer = add_user(self.hub, "sec", "security-officer")
        self.clinician = add_user(self.hub, "dr.lee", "clinician")
        self.nurses = [add_user(self.hub, f"staff{i}", "nurse") for i in range(5)]
        self.hub.start()
        self.api = Api(self.hub)
        self.officer_token = self.api.login(self.officer)
        self.clinician_token = self.api.login(self.clinician)

    def tearDown(self):
        self.hub.stop()
        self.hub.close()

    def spray_until_blocked(self, source):
        for nurse in self.nurses:
            self.api.request("POST", "/auth/login",
                             {"username": nurse.username, "password": "Winter2026!"},
                             source=source)
        self.assertTrue(self.eventually(lambda: self.blocked(source)),
                        "the spraying address was not blocked")

    def blocked(self, source):
        status, _, body, raw = self.api.request(
            "POST", "/auth/login", {"username": "nobody", "password": "x"}, source=source)
        return status == 429 and "address_blocked" in raw

    @staticmethod
    def eventually(condition, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return True
            time.sleep(0.1)
        return False

    def test_a_block_is_listed_holds_across_a_restart_and_is_lifted_from_the_cli(self):
        self.spray_until_blocked("127.0.0.3")
        listed = self.hub.run("address", "list", "--data-dir", self.hub.data_dir).stdout
        self.assertIn("127.0.0.3\t", listed)
        self.assertIn("(password-spraying)", listed)
        self.assertNotIn("127.0.0.1", listed)

        self.hub.stop()
        self.hub.start()
        self.assertTrue(self.blocked("127.0.0.3"), "a restart lifted the block")
        self.assertFalse(self.blocked("127.0.0.1"))

        refused = self.hub.run("address", "unblock", "--data-dir", self.hub.data_dir,
                               "--address", "127.0.0.3", check=False)
        self.assertNotEqual(refused.returncode, 0)  # --reason is required
        self.assertTrue(self.blocked("127.0.0.3"))
        self.hub.run("address", "unblock", "--data-dir", self.hub.data_dir, "--address",
                     "127.0.0.3", "--reason", "ward 7's gateway; a nurse mistyped")
        # The running hub takes it from the store within a second: no restart.
        self.assertTrue(self.eventually(lambda: not self.blocked("127.0.0.3"), timeout=5))
        self.api.login(self.nurses[1], source="127.0.0.3")

        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        lifted = [json.loads(line)["fields"] for line in shown.splitlines()
                  if '"address_unblocked"' in line]
        self.assertEqual(len(lifted), 1, shown[-2000:])
        self.assertEqual(lifted[0]["address"], "127.0.0.3")
        self.assertEqual(lifted[0]["reason"], "ward 7's gateway; a nurse mistyped")
        self.assertTrue(lifted[0]["by"].startswith("os:"), lifted[0])
        again = self.hub.run("address", "unblock", "--data-dir", self.hub.data_dir, "--address",
                             "127.0.0.3", "--reason", "again", check=False)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("no block on address 127.0.0.3", again.stderr)

    def test_the_security_officer_sees_and_lifts_blocks_through_the_api(self):
        self.spray_until_blocked("127.0.0.4")
        status, body, raw = self.api.get("/security/address-blocks", self.officer_token)
        self.assertEqual(status, 200, raw)
        [block] = body["address_blocks"]
        self.assertEqual(block["address"], "127.0.0.4")
        self.assertIn("(password-spraying)", block["reason"])
        self.assertLess(block["since"], block["until"])
        self.assertEqual(self.api.get("/security/address-blocks", self.clinician_token)[0], 403)

        path = "/security/address-blocks/127.0.0.4/unblock"
        status, _, _, raw = self.api.request("POST", path, {"reason": "tried"},
                                             token=self.clinician_token)
        self.assertEqual(status, 403, raw)
        status, _, _, raw = self.api.request("POST", path, {}, token=self.officer_token)
        self.assertEqual(status, 400, raw)
        self.assertTrue(self.blocked("127.0.0.4"))
        status, _, body, raw = self.api.request("POST", path, {"reason": "the lab's NAT"},
                                                token=self.officer_token)
        self.assertEqual((status, body), (200, {"address": "127.0.0.4", "unblocked": True}), raw)
        self.assertTrue(self.eventually(lambda: not self.blocked("127.0.0.4"), timeout=5))
        self.assertEqual(self.api.get("/security/address-blocks", self.officer_token)[1],
                         {"address_blocks": []})
        status, _, _, raw = self.api.request("POST", path, {"reason": "again"},
                                             token=self.officer_token)
        self.assertEqual(status, 404, raw)


if __name__ == "__main__":
    unittest.main()
