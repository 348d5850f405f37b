"""Issue #21: the console in a real browser. A live hub with readings just ingested and an
attack from `vigil sim --attack clone`; tests/console/console.mjs then drives Debian's Chromium
through playwright-core as a clinician, a patient and a security officer (live TOTP codes from
the secrets the CLI printed) and checks what each may see, CSP, accessibility (axe-core), escaping,
CSRF and the cookie. Afterwards the ledger holds the officer's acknowledgement and the device's
release with its reason, and the clinician's reads."""

import json
import os
import re
import subprocess
import urllib.parse
import tempfile
import time
import unittest

from api_client import Api, User, add_user
from console_client import ConsoleClient, new_password
from hub import Hub, heart_rate

HERE = os.path.dirname(os.path.abspath(__file__))
CONSOLE_TESTS = os.path.join(HERE, "..", "console")
HOSTILE_NAME = '<script>window.__xss=1</script>"onload="window.__xss=2'


class ConsoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002")))
        cls.hub.run("patient", "add", "--data-dir", cls.hub.data_dir, "--id", "p-003",
                    "--name", HOSTILE_NAME, "--birth-date", "1970-01-01")
        cls.users = {
            "officer": add_user(cls.hub, "officer.kim", "security-officer"),
            "clinician": add_user(cls.hub, "dr.lee", "clinician"),
            "patient": add_user(cls.hub, "pat.jones", "patient", patient="p-001"),
            "admin": add_user(cls.hub, "admin.ray", "admin"),
            "devadmin": add_user(cls.hub, "dev.ops", "device-admin"),
            "dpo": add_user(cls.hub, "privacy.kay", "privacy-officer"),
        }
        for patient in ("p-001", "p-003"):
            cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", patient,
                        "--user", "dr.lee")
        cls.hub.start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def ingest(self):
        for seq, bpm in enumerate((71, 74, 77), start=1):
            out = self.hub.mosquitto_pub(heart_rate(seq, bpm))
            self.assertIn("RC:0", out.stdout + out.stderr)
        out = self.hub.mosquitto_pub(heart_rate(1, 66), device_id="dev-0002")
        self.assertIn("RC:0", out.stdout + out.stderr)
        return 77

    def attack(self):
        truth_file = os.path.join(self.hub.root, "truth.jsonl")
        out = subprocess.run([os.environ.get("VIGIL_BIN", "vigil"), "sim", "--data-dir",
                              self.hub.data_dir, "--attack", "clone", "--tag", "ui",
                              "--port", str(self.hub.mqtt_port),
                              "--https-port", str(self.hub.https_port), "--truth", truth_file],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(truth_file) as f:
            truth = json.loads(f.read().splitlines()[-1])
        device = truth["entity"].split(":", 1)[1]
        # The playbook quarantines the clone's device: wait until the store says so.
        deadline = time.time() + 20
        while time.time() < deadline:
            listed = self.hub.run("device", "list", "--data-dir", self.hub.data_dir).stdout
            if any(device in line and "quarantined" in line for line in listed.splitlines()):
                return device
            time.sleep(0.2)
        self.fail(f"{device} was not quarantined:\n{listed}")

    def test_each_role_in_a_real_browser(self):
        latest = self.ingest()
        device = self.attack()
        users = {role: {"username": u.username, "password": u.password, "secret": u.secret,
                        "new_password": new_password()} for role, u in self.users.items()}
        config = {
            "base": f"https://localhost:{self.hub.https_port}",
            "users": users,
            "patients": {"own": "p-001", "other": "p-002"},
            "hostile_name": HOSTILE_NAME,
            "attacked_device": device,
            "latest_heart_rate": latest,
            "screenshots": os.environ.get("VIGIL_CONSOLE_SCREENSHOTS", ""),
            "added_user": {"qr_png": os.path.join(self.hub.root, "qr.png"),
                           "password_file": os.path.join(self.hub.root, "added-password")},
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(config, f)
        run = subprocess.run(["node", "console.mjs", f.name], cwd=CONSOLE_TESTS,
                             capture_output=True, text=True, timeout=240)
        os.unlink(f.name)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr + "\n" + self.hub.log()[-3000:])
        print(run.stdout)

        # The new user's QR code, read off the screen by a scanner (zbarimg), holds the secret
        # that signs them in with the one-time password the page showed.
        decoded = subprocess.run(["zbarimg", "-q", "--raw", config["added_user"]["qr_png"]],
                                 capture_output=True, text=True)
        uri = decoded.stdout.strip()
        self.assertTrue(uri.startswith("otpauth://totp/") and "nurse.browser" in uri, decoded)
        secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
        with open(config["added_user"]["password_file"]) as f:
            password = f.read().strip()
        Api(self.hub).login(User("nurse.browser", password, secret, uri))

        # What the officer did through the browser is in the ledger, with who and why.
        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        entries = [json.loads(line) for line in shown.splitlines() if line.startswith("{")]
        text = json.dumps(entries)
        self.assertIn('"alert_status_changed"', text)
        released = [e for e in shown.splitlines() if '"device_released"' in e]
        self.assertTrue(released, "no device_released entry")
        self.assertIn("officer.kim", released[-1])
        self.assertIn("certificate revoked at the vendor", released[-1])
        self.assertIn('"break-glass"', text)  # the clinician's emergency access
        reviewed = [e for e in shown.splitlines() if '"break_glass_reviewed"' in e]
        self.assertTrue(reviewed and "officer.kim" in reviewed[-1] and "dr.lee" in reviewed[-1]
                        and "Confirmed with the emergency department" in reviewed[-1], reviewed)
        added = [e for e in shown.splitlines() if '"user_added"' in e and "nurse.browser" in e]
        self.assertTrue(added and "admin.ray" in added[-1], added)
        consent = [e for e in shown.splitlines() if '"consent_changed"' in e]
        self.assertTrue(consent and "pat.jones" in consent[-1], consent)
        # The device may connect again.
        listed = self.hub.run("device", "list", "--data-dir", self.hub.data_dir).stdout
        self.assertFalse(any(device in l and "quarantined" in l for l in listed.splitlines()))

    def test_security_headers_and_refusals_without_a_browser(self):
        api = Api(self.hub)
        status, headers, body = api.request("GET", "/console/login")[:3]
        self.assertEqual(status, 200)
        csp = headers.get("content-security-policy", "")
        self.assertIn("default-src 'none'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn("max-age=", headers.get("strict-transport-security", ""))
        self.assertEqual(headers.get("cache-control"), "no-store")
        status, headers = api.request("GET", "/")[:2]
        self.assertEqual(status, 303)
        self.assertEqual(headers.get("location"), "/console/")
        # A signed-in page without a session goes to the sign-in page; a post is refused.
        status, headers = api.request("GET", "/console/alerts")[:2]
        self.assertEqual((status, headers.get("location")), (303, "/console/login"))
        status = api.request("POST", "/console/alerts/1/resolve", "note=x&csrf=y",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})[0]
        self.assertEqual(status, 401)


class ContainmentUndoTest(unittest.TestCase):
    """An address blocked by a playbook (password spraying) is unblocked from the console with a
    reason; the ledger says who and why, and the address may sign in again."""

    def test_an_address_block_is_lifted_from_the_console(self):
        hub = Hub()
        try:
            nurses = [add_user(hub, f"nurse.{c}", "nurse") for c in "abcdef"]
            officer = add_user(hub, "officer.kim", "security-officer")
            hub.start()
            api = Api(hub)
            sprayer = "127.0.4.4"
            for nurse in nurses:
                api.request("POST", "/auth/login", {"username": nurse.username,
                                                    "password": "Winter2026!"}, source=sprayer)
            deadline = time.time() + 10
            while api.request("GET", "/console/login", source=sprayer)[0] != 429:
                self.assertLess(time.time(), deadline, "the spraying address was not blocked")
                time.sleep(0.1)
            console = ConsoleClient(api)
            console.sign_in(officer)
            status, _, raw = console.request("GET", "/console/alerts?status=all")
            alert = re.search(r'href="/console/alerts/(\d+)">password-spraying', raw)
            self.assertTrue(alert, raw)
            status, _, raw = console.request("GET", f"/console/alerts/{alert.group(1)}")
            self.assertIn("Unblock the address", raw)
            path = f"/console/addresses/{urllib.parse.quote(sprayer)}/unblock"
            status, _, raw = console.request("POST", path, {"reason": ""})
            self.assertEqual(status, 400, raw)  # a reason is required; nothing changes
            self.assertEqual(api.request("GET", "/console/login", source=sprayer)[0], 429)
            status, headers, raw = console.request(
                "POST", path, {"reason": "A nurses' workstation, after a password reset"})
            self.assertEqual(status, 303, raw)
            deadline = time.time() + 10  # every hub sharing the store reads the lift within 1 s
            while api.request("GET", "/console/login", source=sprayer)[0] != 200:
                self.assertLess(time.time(), deadline, "the address is still blocked")
                time.sleep(0.1)
            shown = hub.run("ledger", "show", "--data-dir", hub.data_dir).stdout
            unblocked = [l for l in shown.splitlines() if '"address_unblocked"' in l]
            self.assertTrue(unblocked and "officer.kim" in unblocked[-1]
                            and "after a password reset" in unblocked[-1], unblocked)
        finally:
            hub.close()


if __name__ == "__main__":
    unittest.main()
