"""Issue #21: the console's administration, review and consent pages over real HTTPS with
cookies (the forms a browser posts, CSRF token included), each checked through another real
interface: a user the administrator adds signs in with the password and TOTP secret the page
showed once; a device enrolled from its own CSR connects with mosquitto_pub and is refused once
revoked; a nurse added to a care team reads the new patient through the FHIR API; a consent
changed in plain language stops a clinician's FHIR search and keeps the patient's exception
made through the API; a break-glass access is judged in the review queue. The ledger names who
did each, and with what reason."""

import html
import json
import os
import re
import subprocess
import time
import unittest

from api_client import Api, User, add_user, deny_vital_signs_to
from console_client import ConsoleClient
from hub import Hub, heart_rate

FHIR_JSON = {"Content-Type": "application/fhir+json"}


def ledger_entries(hub, entry_type):
    shown = hub.run("ledger", "show", "--data-dir", hub.data_dir).stdout
    return [json.loads(line) for line in shown.splitlines()
            if line.startswith("{") and f'"{entry_type}"' in line]


class ConsoleAdministrationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=(("dev-0001", "p-001"),))
        cls.users = {
            "admin": add_user(cls.hub, "admin.ray", "admin"),
            "devadmin": add_user(cls.hub, "dev.ops", "device-admin"),
            "officer": add_user(cls.hub, "officer.kim", "security-officer"),
            "clinician": add_user(cls.hub, "dr.lee", "clinician"),
            "outsider": add_user(cls.hub, "dr.out", "clinician"),
            "patient": add_user(cls.hub, "pat.one", "patient", patient="p-001"),
        }
        cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", "p-001",
                    "--user", "dr.lee")
        cls.hub.start()
        cls.api = Api(cls.hub)
        cls.consoles = {}
        for role, user in cls.users.items():
            cls.consoles[role] = ConsoleClient(cls.api)
            cls.consoles[role].sign_in(user)

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    tokens = {}

    def token(self, role):
        """An API session of the role's user (one each: a TOTP code is accepted once)."""
        if role not in self.tokens:
            self.tokens[role] = self.api.login(self.users[role])
        return self.tokens[role]

    def test_an_administrator_adds_a_user_a_patient_and_a_care_team(self):
        admin = self.consoles["admin"]
        status, _, raw = admin.request("GET", "/console/admin/users")
        self.assertEqual(status, 200, raw)
        self.assertIn("dr.lee", raw)
        status, _, raw = admin.request("POST", "/console/admin/users",
                                       {"username": "Bad Name", "role": "nurse", "patient": ""})
        self.assertEqual(status, 400, raw)
        self.assertIn("a username is 1-64 characters", raw)
        status, _, raw = admin.request("POST", "/console/admin/users",
                                       {"username": "nurse.new", "role": "nurse", "patient": ""})
        self.assertEqual(status, 200, raw)
        password = html.unescape(re.search(r"One-time password</dt><dd><code>([^<]+)", raw).group(1))
        secret = re.search(r"Authenticator secret</dt><dd><code>([A-Z2-7=]+)", raw).group(1)
        self.assertRegex(raw, r'<svg class="qr"[^>]*viewBox="0 0 (\d+) \1"><rect[^>]*/><path d="(M\d+ \d+h\d+v1H\d+z)+"')
        nurse = User("nurse.new", password, secret, "")
        token = self.api.login(nurse)  # the page's password and secret are the real ones

        status, _, raw = admin.request("POST", "/console/admin/patients",
                                       {"id": "p-009", "name": "Ada Byron",
                                        "birth_date": "1980-02-03"})
        self.assertEqual(status, 303, raw)
        status, _, raw = admin.request("GET", "/console/admin/patients")
        self.assertIn("p-009", raw)
        self.assertNotIn("Ada Byron", raw)  # sealed at once; the administrator sees no names
        status, _, raw = admin.request("POST", "/console/admin/careteam",
                                       {"patient": "p-009", "user": "admin.ray", "change": "add"})
        self.assertEqual(status, 400, raw)  # care teams are clinicians and nurses
        self.assertEqual(self.api.get("/fhir/Patient/p-009", token)[0], 403)
        status, _, raw = admin.request("POST", "/console/admin/careteam",
                                       {"patient": "p-009", "user": "nurse.new", "change": "add"})
        self.assertEqual(status, 303, raw)
        status, patient, raw = self.api.get("/fhir/Patient/p-009", token)
        self.assertEqual(status, 200, raw)
        self.assertIn("Byron", json.dumps(patient))
        self.assertEqual(patient["birthDate"], "1980-02-03")

        status, _, raw = admin.request("POST", "/console/admin/users/nurse.new/revoke-sessions", {})
        self.assertEqual(status, 303, raw)
        self.assertEqual(self.api.get("/fhir/Patient/p-009", token)[0], 401)

        for entry_type, subject in (("user_added", "nurse.new"), ("patient_added", "p-009"),
                                    ("care_team_changed", "nurse.new"),
                                    ("sessions_revoked", "nurse.new")):
            entries = [e for e in ledger_entries(self.hub, entry_type) if subject in json.dumps(e)]
            self.assertTrue(entries and "admin.ray" in json.dumps(entries[-1]), (entry_type, entries))
        # Other roles may not.
        for role in ("officer", "devadmin", "clinician", "patient"):
            status = self.consoles[role].request("GET", "/console/admin/users")[0]
            self.assertEqual(status, 403, role)
        status, _, raw = self.consoles["officer"].request(
            "POST", "/console/admin/patients", {"id": "p-010", "name": "X", "birth_date": "1990-01-01"})
        self.assertEqual(status, 403, raw)

    def test_an_administrator_unlocks_an_account_with_a_reason(self):
        victim = add_user(self.hub, "nurse.locked", "nurse")
        self.api.login(victim, source="127.0.9.1")  # a known address; then stuffing from others
        for i in range(40):
            for _ in range(3):
                self.api.request("POST", "/auth/login", {"username": "nurse.locked",
                                                         "password": "Summer2026!"},
                                 source=f"127.0.10.{i + 1}")
        status, _, body, _ = self.api.request("POST", "/auth/login",
                                              {"username": "nurse.locked",
                                               "password": victim.password}, source="127.0.11.1")
        self.assertEqual(status, 429, body)  # a new address waits: the account is locked
        admin = self.consoles["admin"]
        status, _, raw = admin.request("POST", "/console/users/nurse.locked/unlock", {"reason": ""})
        self.assertEqual(status, 400, raw)
        status, _, raw = admin.request("POST", "/console/users/nurse.locked/unlock",
                                       {"reason": "Stuffing from a botnet; password changed"})
        self.assertEqual(status, 303, raw)
        self.api.login(victim, source="127.0.11.1")
        unlocked = ledger_entries(self.hub, "login_unlocked")
        self.assertTrue(unlocked and "admin.ray" in json.dumps(unlocked[-1])
                        and "from a botnet" in json.dumps(unlocked[-1]), unlocked)

    def test_a_device_administrator_enrols_from_a_csr_and_revokes(self):
        device_admin = self.consoles["devadmin"]
        d = self.hub.device_dir("dev-0100")
        os.makedirs(d, exist_ok=True)
        key = os.path.join(d, "dev-0100.key")
        csr = subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                              "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                              "-subj", "/CN=dev-0100"], capture_output=True, text=True,
                             check=True).stdout
        form = {"id": "dev-0100", "patient": "p-001", "type": "pulse-oximeter"}
        status, _, raw = device_admin.request("POST", "/console/admin/devices",
                                              {**form, "csr": "not a request"})
        self.assertEqual(status, 400, raw)
        status, _, raw = device_admin.request("POST", "/console/admin/devices",
                                              {**form, "id": "dev-0101", "csr": csr})
        self.assertEqual(status, 400, raw)  # the CSR names another device
        status, _, raw = device_admin.request("POST", "/console/admin/devices", {**form, "csr": csr})
        self.assertEqual(status, 200, raw)
        certs = re.findall(r"<pre>(-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\s*)</pre>",
                           raw, re.S)
        self.assertEqual(len(certs), 2, raw)
        with open(os.path.join(d, "dev-0100.crt"), "w") as f:
            f.write(html.unescape(certs[0]))
        with open(os.path.join(d, "ca.crt"), "w") as f:
            f.write(html.unescape(certs[1]))
        out = self.hub.mosquitto_pub(heart_rate(1, 70), device_id="dev-0100")
        self.assertIn("RC:0", out.stdout + out.stderr)  # the issued certificate works
        status, _, raw = device_admin.request("GET", "/console/admin/devices")
        self.assertIn("dev-0100", raw)
        self.assertNotIn("dev-0101", raw)
        status, _, raw = device_admin.request("GET", "/console/admin/devices?q=0100")
        self.assertIn("<td>dev-0100</td>", raw)
        self.assertNotIn("<td>dev-0001</td>", raw)
        self.assertIn("1-1 of 1", raw)
        status, _, raw = device_admin.request("POST", "/console/admin/devices/dev-0100/revoke", {})
        self.assertEqual(status, 303, raw)
        out = self.hub.mosquitto_pub(heart_rate(2, 71), device_id="dev-0100")
        self.assertNotIn("RC:0", out.stdout + out.stderr)
        enrolled = [e for e in ledger_entries(self.hub, "device_enrolled") if "dev-0100" in json.dumps(e)]
        revoked = [e for e in ledger_entries(self.hub, "device_revoked") if "dev-0100" in json.dumps(e)]
        self.assertTrue(enrolled and "dev.ops" in json.dumps(enrolled[-1]), enrolled)
        self.assertTrue(revoked and "dev.ops" in json.dumps(revoked[-1]), revoked)
        self.assertEqual(self.consoles["admin"].request("GET", "/console/admin/devices")[0], 403)

    def test_the_dashboard_shows_device_health_ingest_and_verification(self):
        officer, device_admin = self.consoles["officer"], self.consoles["devadmin"]
        status, _, raw = officer.request("GET", "/console/security")
        self.assertEqual(status, 200, raw)
        self.assertIn("has not been verified yet", raw)
        self.hub.run("device", "enroll", "--data-dir", self.hub.data_dir, "--id", "dev-short",
                     "--patient", "p-001", "--type", "wearable", "--days", "10",
                     "--out", self.hub.device_dir("dev-short"))
        status, _, raw = officer.request("GET", "/console/security")
        ending = raw[raw.index("Certificates ending soon"):]
        self.assertIn("<td>dev-short</td>", ending[:ending.index("</table>")])
        # A device heard from: its time on the device page, and the hub's ingest chart, within a
        # sample (10 s).
        out = self.hub.mosquitto_pub(heart_rate(1, 72))
        self.assertIn("RC:0", out.stdout + out.stderr)
        deadline = time.time() + 30
        while True:
            _, _, devices = device_admin.request("GET", "/console/admin/devices")
            row = re.search(r"<tr><td>dev-0001</td>.*?</tr>", devices).group(0)
            _, _, dashboard = officer.request("GET", "/console/security")
            heard = re.search(r"</td><td><time[^>]*>[^<]+</time></td><td><time", row)
            accepted = re.search(r"(\d+) accepted and (\d+) refused since", dashboard)
            if heard and accepted and int(accepted.group(1)) >= 1:
                break
            self.assertLess(time.time(), deadline, (row, dashboard[-3000:]))
            time.sleep(1)
        self.assertIn('<svg class="chart"', dashboard)
        out = self.hub.run("verify", "--data-dir", self.hub.data_dir)
        self.assertIn("ledger verified", out.stdout)
        _, _, raw = officer.request("GET", "/console/security")
        self.assertRegex(raw, r"Last verified \(<code>vigil verify</code> passed\): <time[^>]*>"
                              r"[^<]+</time>, \d+ entries, by os:")

    def test_the_officer_reviews_break_glass(self):
        outsider = self.token("outsider")
        for reason in ("Patient collapsed in radiology", "Looking up a neighbour"):
            status, _, raw = self.api.get("/fhir/Patient/p-001", outsider,
                                          headers={"Vigil-Break-Glass": reason})
            self.assertEqual(status, 200, raw)
        officer = self.consoles["officer"]
        status, _, raw = officer.request("GET", "/console/reviews")
        self.assertEqual(status, 200, raw)
        self.assertIn("Patient collapsed in radiology", raw)
        ids = [int(i) for i in re.findall(r'action="/console/reviews/(\d+)"', raw)]
        self.assertEqual(len(ids), 2, raw)
        status, _, raw = officer.request("POST", f"/console/reviews/{ids[0]}", {"note": "x"})
        self.assertEqual(status, 400, raw)  # no verdict: nothing changes
        status, _, raw = officer.request("POST", f"/console/reviews/{ids[0]}",
                                         {"verdict": "justified", "note": ""})
        self.assertEqual(status, 400, raw)  # no note
        status, _, raw = officer.request("POST", f"/console/reviews/{ids[0]}",
                                         {"verdict": "justified", "note": "ED confirmed the call"})
        self.assertEqual(status, 303, raw)
        status, _, raw = officer.request("POST", f"/console/reviews/{ids[0]}",
                                         {"verdict": "unjustified", "note": "again"})
        self.assertEqual(status, 404, raw)  # reviewed already
        # The API: a clinician may not judge; the officer may, once.
        clinician = self.token("clinician")
        body = {"verdict": "unjustified", "note": "Not on shift; referred to HR"}
        self.assertEqual(self.api.request("POST", f"/security/reviews/{ids[1]}", body,
                                          token=clinician)[0], 403)
        officer_token = self.token("officer")
        status, _, out, raw = self.api.request("POST", f"/security/reviews/{ids[1]}", body,
                                               token=officer_token)
        self.assertEqual(status, 200, raw)
        self.assertEqual(self.api.request("POST", f"/security/reviews/{ids[1]}", body,
                                          token=officer_token)[0], 404)
        status, _, raw = officer.request("GET", "/console/reviews")
        self.assertIn("Nothing is waiting for review", raw)
        # The alerts the break-glass raised, found by kind and subject; none is critical.
        deadline = time.time() + 10
        while True:
            _, _, raw = officer.request("GET", "/console/alerts?status=all&kind=break-glass"
                                               "&about=user%3Adr.out&severity=any")
            rows = re.findall(r'<a href="/console/alerts/\d+">([^<]+)</a></td><td>([^<]+)</td>', raw)
            if rows or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertTrue(rows, raw[-2000:])
        self.assertEqual({r for r in rows}, {("break-glass", "user:dr.out")})
        _, _, raw = officer.request("GET", "/console/alerts?status=all&kind=break-glass"
                                           "&severity=critical")
        self.assertIn("<p>None.</p>", raw)
        reviewed = ledger_entries(self.hub, "break_glass_reviewed")
        text = json.dumps(reviewed)
        self.assertEqual(len(reviewed), 2, reviewed)
        for needle in ("dr.out", "officer.kim", "justified", "unjustified", "ED confirmed the call",
                       "referred to HR"):
            self.assertIn(needle, text)

    def test_a_patient_changes_consent_in_plain_language(self):
        patient_token = self.token("patient")
        status, consent, raw = self.api.get("/fhir/Consent/p-001", patient_token)
        self.assertEqual(status, 200, raw)
        consent["provision"]["provision"] = [deny_vital_signs_to("dr.out")]
        status, _, _, raw = self.api.request("PUT", "/fhir/Consent/p-001", json.dumps(consent),
                                             token=patient_token, headers=FHIR_JSON)
        self.assertEqual(status, 200, raw)
        patient = self.consoles["patient"]
        status, _, raw = patient.request("GET", "/console/me/consent")
        self.assertEqual(status, 200, raw)
        self.assertIn("1 clinician", raw)  # who the choices affect
        self.assertIn("dr.out may not see your vital signs", raw)
        self.assertRegex(raw, r'name="vital_signs" value="yes" checked')
        clinician = self.token("clinician")
        self.assertEqual(self.api.get("/fhir/Observation?patient=p-001", clinician)[0], 200)
        status, _, raw = patient.request("POST", "/console/me/consent", {"vital_signs": "no"})
        self.assertEqual(status, 400, raw)  # every question answered, or nothing changes
        self.assertEqual(self.api.get("/fhir/Observation?patient=p-001", clinician)[0], 200)
        status, headers, raw = patient.request(
            "POST", "/console/me/consent",
            {"vital_signs": "no", "device_data": "yes", "research": "yes"})
        self.assertEqual((status, headers.get("location")), (303, "/console/me/consent?saved=1"))
        status, _, raw = patient.request("GET", "/console/me/consent?saved=1")
        self.assertIn("Your choices are saved", raw)
        self.assertRegex(raw, r'name="vital_signs" value="no" checked')
        self.assertRegex(raw, r'name="research" value="yes" checked')
        self.assertEqual(self.api.get("/fhir/Observation?patient=p-001", clinician)[0], 403)
        self.assertEqual(self.api.get("/fhir/Device?patient=p-001", clinician)[0], 200)
        status, stored, raw = self.api.get("/fhir/Consent/p-001", patient_token)
        self.assertIn("Practitioner/dr.out", raw)  # the exception made through the API is kept
        self.assertIn("HRESCH", raw)
        changed = ledger_entries(self.hub, "consent_changed")
        self.assertTrue(changed and "pat.one" in json.dumps(changed[-1]), changed)
        # Back as it was, for the other tests.
        patient.request("POST", "/console/me/consent",
                        {"vital_signs": "yes", "device_data": "yes", "research": "no"})
        self.assertEqual(self.api.get("/fhir/Observation?patient=p-001", clinician)[0], 200)
        self.assertEqual(self.consoles["clinician"].request("GET", "/console/me/consent")[0], 403)


if __name__ == "__main__":
    unittest.main()
