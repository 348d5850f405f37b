"""Issue #5: users, MFA, sessions and authorization through real HTTPS with a TOTP generator
Vigil did not write (pyotp). Each refusal gets the right status and leaks nothing."""

import json
import os
import subprocess
import time
import unittest

import pyotp

from api_client import Api, add_user
from hub import Hub, heart_rate

PATIENT_NAME = "Test Patient p-001"


class AccessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002")))
        cls.users = {
            "alice": add_user(cls.hub, "alice", "clinician"),
            "bob": add_user(cls.hub, "bob", "nurse"),
            "pat1": add_user(cls.hub, "pat1", "patient", "p-001"),
            "pat2": add_user(cls.hub, "pat2", "patient", "p-002"),
            "root": add_user(cls.hub, "root", "admin"),
            "sec": add_user(cls.hub, "sec", "security-officer"),
            "carol": add_user(cls.hub, "carol", "clinician"),
            "dave": add_user(cls.hub, "dave", "clinician"),
        }
        cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", "p-001",
                    "--user", "alice")
        cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", "p-001",
                    "--user", "carol")
        cls.hub.start()
        for seq in range(1, 4):
            out = cls.hub.mosquitto_pub(heart_rate(seq, 70 + seq))
            assert out.returncode == 0, out.stderr
        cls.api = Api(cls.hub)
        cls.tokens = {}

    @classmethod
    def tearDownClass(cls):
        if cls.hub.proc is not None and cls.hub.proc.poll() is not None:
            print(cls.hub.log()[-4000:])
        cls.hub.stop()
        cls.hub.close()

    def token(self, name):
        if name not in self.tokens:
            self.tokens[name] = self.api.login(self.users[name])
        return self.tokens[name]

    def assert_refused(self, status, raw, expected):
        self.assertEqual(status, expected, raw)
        for secret in (PATIENT_NAME, "1961-04-02", "valueQuantity", "Observation.", "71"):
            self.assertNotIn(secret, raw)

    def test_full_login_then_patient_read(self):
        user = add_user(self.hub, "erin", "clinician")
        self.hub.run("careteam", "add", "--data-dir", self.hub.data_dir, "--patient", "p-001",
                     "--user", "erin")
        status, _, body, _ = self.api.request("POST", "/auth/login",
                                              {"username": "erin", "password": user.password})
        self.assertEqual(status, 200)
        status, _, session, _ = self.api.request(
            "POST", "/auth/mfa", {"challenge": body["challenge"], "code": user.next_code()})
        self.assertEqual(status, 200)
        self.assertTrue(session["must_change_password"])
        token = session["token"]
        self.assertGreaterEqual(len(token), 43)
        # Until the initial password is changed, nothing else is allowed.
        status, _, raw = self.api.get("/fhir/Patient/p-001", token)
        self.assert_refused(status, raw, 403)
        status, _, _, raw = self.api.request("POST", "/auth/password",
                                             {"current": user.password, "new": "short"},
                                             token=token)
        self.assertEqual(status, 400, raw)
        status, _, _, _ = self.api.request("POST", "/auth/password",
                                           {"current": user.password,
                                            "new": "correct-Horse-battery-9"}, token=token)
        self.assertEqual(status, 204)
        status, patient, raw = self.api.get("/fhir/Patient/p-001", token)
        self.assertEqual(status, 200, raw)
        self.assertEqual(patient["name"][0]["text"], PATIENT_NAME)
        status, bundle, raw = self.api.get("/fhir/Observation?patient=p-001", token)
        self.assertEqual(status, 200, raw)
        values = sorted(e["resource"]["valueQuantity"]["value"] for e in bundle["entry"])
        self.assertEqual(values, [71, 72, 73])

    def test_wrong_password_and_unknown_user_look_the_same(self):
        user = self.users["dave"]
        s1, _, b1, _ = self.api.request("POST", "/auth/login",
                                        {"username": "dave", "password": "not-the-password"})
        s2, _, b2, _ = self.api.request("POST", "/auth/login",
                                        {"username": "nobody-here", "password": "whatever"})
        self.assertEqual((s1, s2), (401, 401))
        self.assertEqual(b1, b2)
        del user

    def test_wrong_code_and_reused_code(self):
        user = add_user(self.hub, "frank", "nurse")
        _, _, body, _ = self.api.request("POST", "/auth/login",
                                         {"username": "frank", "password": user.password})
        code = user.next_code()
        wrong = "%06d" % ((int(code) + 1) % 1000000)
        status, _, _, raw = self.api.request("POST", "/auth/mfa",
                                             {"challenge": body["challenge"], "code": wrong})
        self.assertEqual(status, 401, raw)
        self.assertNotIn("token", raw)
        status, _, _, _ = self.api.request("POST", "/auth/mfa",
                                           {"challenge": body["challenge"], "code": code})
        self.assertEqual(status, 200)
        # The same code again, with a fresh password step: refused.
        _, _, body, _ = self.api.request("POST", "/auth/login",
                                         {"username": "frank", "password": user.password})
        status, _, _, raw = self.api.request("POST", "/auth/mfa",
                                             {"challenge": body["challenge"], "code": code})
        self.assertEqual(status, 401, raw)
        self.assertNotIn("token", raw)

    def test_expired_session(self):
        hub = Hub()
        try:
            hub.configure(session_idle_seconds=2)
            user = add_user(hub, "gina", "nurse")
            hub.start()
            api = Api(hub)
            token = api.login(user)
            status, _, _ = api.get("/fhir/Device?patient=p-001", token)
            self.assertEqual(status, 403)  # a live session, not on the care team
            time.sleep(3.5)
            status, _, raw = api.get("/fhir/Device?patient=p-001", token)
            self.assertEqual(status, 401, raw)
        finally:
            hub.stop()
            hub.close()

    def test_forged_and_altered_tokens(self):
        token = self.token("alice")
        altered = token[:-1] + ("A" if token[-1] != "A" else "B")
        for bad in (altered, "x" * 43, "", token + "x"):
            status, _, raw = self.api.get("/fhir/Patient/p-001", bad)
            self.assert_refused(status, raw, 401)

    def test_patient_reads_own_data_not_anothers(self):
        token = self.token("pat1")
        status, bundle, raw = self.api.get("/fhir/Observation?patient=p-001", token)
        self.assertEqual(status, 200, raw)
        self.assertEqual(len(bundle["entry"]), 3)
        status, _, raw = self.api.get("/fhir/Observation?patient=p-002", token)
        self.assert_refused(status, raw, 403)
        status, _, raw = self.api.get("/fhir/Patient/p-002", token)
        self.assert_refused(status, raw, 403)

    def test_clinician_off_care_team_and_break_glass(self):
        token = self.token("bob")  # a nurse on nobody's team
        status, _, raw = self.api.get("/fhir/Observation?patient=p-001", token)
        self.assert_refused(status, raw, 403)
        status, bundle, raw = self.api.get("/fhir/Observation?patient=p-001", token,
                                           headers={"Vigil-Break-Glass": "ED resuscitation"})
        self.assertEqual(status, 200, raw)
        self.assertEqual(len(bundle["entry"]), 3)
        status, reviews, raw = self.api.get("/security/reviews", self.token("sec"))
        self.assertEqual(status, 200, raw)
        self.assertTrue(any(r["user"] == "bob" and r["patient"] == "p-001" and
                            r["reason"] == "ED resuscitation" for r in reviews["reviews"]))
        # The patient sees it in their accounting of disclosures.
        status, events, raw = self.api.get("/fhir/AuditEvent?patient=p-001", self.token("pat1"))
        self.assertEqual(status, 200, raw)
        glass = [e["resource"] for e in events["entry"]
                 if e["resource"].get("purposeOfEvent")]
        self.assertTrue(glass)
        for e in events["entry"]:  # staff by role only: no username, no address (issue #17)
            who = e["resource"]["agent"][0]["who"]
            if "pat1" in json.dumps(who):
                continue  # the patient's own reads name the patient
            self.assertNotIn("identifier", who)
            self.assertNotIn("bob", json.dumps(e["resource"]))
            self.assertNotIn("127.0.0.1", json.dumps(e["resource"]))
        self.assertTrue(any(e["agent"][0]["who"]["display"] == "a nurse at vigil" for e in glass))
        # The staff's own view (a security officer's) names the user.
        status, events, raw = self.api.get("/fhir/AuditEvent?patient=p-001", self.token("sec"))
        if status == 200:
            self.assertTrue(any("bob" in e["resource"]["agent"][0]["who"]["display"]
                                for e in events["entry"]))

    def test_admin_and_security_officer_cannot_read_values(self):
        for name in ("root", "sec"):
            status, _, raw = self.api.get("/fhir/Observation?patient=p-001", self.token(name))
            self.assert_refused(status, raw, 403)
            status, _, raw = self.api.get("/fhir/Patient/p-001", self.token(name))
            self.assert_refused(status, raw, 403)
        status, _, raw = self.api.get("/security/reviews", self.token("root"))
        self.assertEqual(status, 403, raw)

    def test_consent_revoked_mid_session(self):
        clinician = self.token("carol")
        status, _, raw = self.api.get("/fhir/Observation?patient=p-001", clinician)
        self.assertEqual(status, 200, raw)
        status, consent, raw = self.api.get("/fhir/Consent/p-001", self.token("pat1"))
        self.assertEqual(status, 200, raw)
        consent["provision"]["provision"] = [{
            "type": "deny",
            "actor": [{"role": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                "code": "IRCP"}]}, "reference": {"reference": "Practitioner/carol"}}],
            "class": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                       "code": "vital-signs"}]}]
        status, _, _, raw = self.api.request("PUT", "/fhir/Consent/p-001", json.dumps(consent),
                                             token=self.token("pat1"),
                                             headers={"Content-Type": "application/fhir+json"})
        self.assertEqual(status, 200, raw)
        status, _, raw = self.api.get("/fhir/Observation?patient=p-001", clinician)
        self.assert_refused(status, raw, 403)
        # Deny names carol only: alice (same team) still reads.
        status, _, raw = self.api.get("/fhir/Observation?patient=p-001", self.token("alice"))
        self.assertEqual(status, 200, raw)
        # A consent for another patient, or a malformed one, changes nothing.
        status, _, _, raw = self.api.request("PUT", "/fhir/Consent/p-002", json.dumps(consent),
                                             token=self.token("pat1"),
                                             headers={"Content-Type": "application/fhir+json"})
        self.assertEqual(status, 403, raw)
        status, _, _, raw = self.api.request("PUT", "/fhir/Consent/p-001", '{"resourceType":1}',
                                             token=self.token("pat1"),
                                             headers={"Content-Type": "application/fhir+json"})
        self.assertEqual(status, 400, raw)
        self.assertEqual(raw and json.loads(raw)["resourceType"], "OperationOutcome")

    def put_consent(self, consent):
        status, _, _, raw = self.api.request("PUT", "/fhir/Consent/p-001", json.dumps(consent),
                                             token=self.token("pat1"),
                                             headers={"Content-Type": "application/fhir+json"})
        return status, raw

    def test_consent_elements_are_enforced_or_refused(self):
        status, original, raw = self.api.get("/fhir/Consent/p-001", self.token("pat1"))
        self.assertEqual(status, 200, raw)
        try:
            # A permit meant to start in 2027 is refused by name, not stored as a permit now.
            later = json.loads(json.dumps(original))
            later["provision"]["period"] = {"start": "2027-01-01"}
            status, raw = self.put_consent(later)
            self.assertEqual(status, 400, raw)
            outcome = json.loads(raw)
            self.assertEqual(outcome["resourceType"], "OperationOutcome")
            self.assertIn("Consent.provision.period", json.dumps(outcome))
            self.assertEqual(self.api.get("/fhir/Consent/p-001", self.token("pat1"))[1], original)
            # Each element taken has its effect on a read. A base deny: the care team is refused.
            base = {k: v for k, v in original.items() if k not in ("provision", "dateTime")}
            self.assertEqual(self.put_consent({**base, "provision": {"type": "deny"}})[0], 200)
            status, _, raw = self.api.get("/fhir/Observation?patient=p-001", self.token("alice"))
            self.assert_refused(status, raw, 403)
            # ... with a permit for one practitioner and one class: she reads it, carol does not.
            ircp = {"coding": [{"system":
                                "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                "code": "IRCP"}]}
            vitals = [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                       "code": "vital-signs"}]
            self.assertEqual(self.put_consent({**base, "provision": {"type": "deny", "provision": [
                {"type": "permit", "class": vitals, "actor": [
                    {"role": ircp, "reference": {"reference": "Practitioner/alice"}}]}]}})[0], 200)
            status, _, raw = self.api.get("/fhir/Observation?patient=p-001", self.token("alice"))
            self.assertEqual(status, 200, raw)
            status, _, raw = self.api.get("/fhir/Observation?patient=p-001", self.token("carol"))
            self.assert_refused(status, raw, 403)
            # A deny of device data to the care team: devices refused, vitals still read.
            self.assertEqual(self.put_consent({**base, "provision": {"type": "permit", "provision": [
                {"type": "deny", "class": [{"system": "urn:vigil:data-category",
                                            "code": "device-data"}],
                 "actor": [{"role": ircp, "reference": {"reference": "CareTeam/p-001"}}]}]}})[0],
                200)
            status, _, raw = self.api.get("/fhir/Device?patient=p-001", self.token("alice"))
            self.assertEqual(status, 403, raw)
            status, _, raw = self.api.get("/fhir/Observation?patient=p-001", self.token("alice"))
            self.assertEqual(status, 200, raw)
        finally:
            restored = {k: v for k, v in original.items() if k != "dateTime"}
            self.assertEqual(self.put_consent(restored)[0], 200)

    def test_logout_and_admin_revocation(self):
        user = add_user(self.hub, "hank", "clinician")
        token = self.api.login(user)
        status, _, _, _ = self.api.request("POST", "/auth/logout", token=token)
        self.assertEqual(status, 204)
        self.assertEqual(self.api.get("/fhir/Device?patient=p-001", token)[0], 401)
        token = self.api.login(user)
        status, _, body, raw = self.api.request("POST", "/admin/users/hank/revoke-sessions",
                                                token=self.token("root"))
        self.assertEqual(status, 200, raw)
        self.assertEqual(body["revoked_sessions"], 1)
        self.assertEqual(self.api.get("/fhir/Device?patient=p-001", token)[0], 401)
        # A clinician may not revoke anyone.
        status, _, _, _ = self.api.request("POST", "/admin/users/alice/revoke-sessions",
                                           token=self.token("alice"))
        self.assertEqual(status, 403)

    def test_repeated_failures_slow_down_then_lock(self):
        user = add_user(self.hub, "ivan", "nurse")
        statuses = []
        for _ in range(12):
            status, headers, _, _ = self.api.request(
                "POST", "/auth/login", {"username": "ivan", "password": "wrong-password-1"})
            statuses.append(status)
        self.assertEqual(statuses[:3], [401, 401, 401])
        self.assertIn(429, statuses)
        # Throttled even with the right password, and an unknown name behaves the same.
        status, headers, _, _ = self.api.request("POST", "/auth/login",
                                                 {"username": "ivan", "password": user.password})
        self.assertEqual(status, 429)
        self.assertIn("retry-after", headers)
        unknown = []
        for _ in range(12):
            unknown.append(self.api.request("POST", "/auth/login",
                                            {"username": "ghost", "password": "x"})[0])
        self.assertEqual(unknown, statuses)

    def test_unlock_lifts_the_throttle_of_a_running_hub(self):
        user = add_user(self.hub, "judy", "nurse")
        login = lambda password: self.api.request(  # from an address of its own
            "POST", "/auth/login", {"username": "judy", "password": password},
            source="127.0.0.5")[0]
        statuses = [login("wrong-password-1") for _ in range(6)]
        self.assertEqual(statuses[-1], 429, statuses)
        self.assertEqual(login(user.password), 429)  # the right password waits too
        out = self.hub.run("user", "unlock", "--data-dir", self.hub.data_dir, "--username", "judy")
        self.assertIn("Unlocked judy", out.stdout)
        deadline = time.time() + 5
        while login(user.password) != 200:  # the hub polls unlock requests every second
            self.assertLess(time.time(), deadline, "still throttled after unlock")
            time.sleep(0.3)
        missing = self.hub.run("user", "unlock", "--data-dir", self.hub.data_dir, "--username",
                               "nobody", check=False)
        self.assertNotEqual(missing.returncode, 0)
        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        self.assertIn('"login_unlocked"', shown)

    def test_every_decision_is_in_the_ledger_and_verifies(self):
        self.api.get("/fhir/Observation?patient=p-002", self.token("pat1"))
        time.sleep(6)  # a checkpoint covers the entries
        out = self.hub.run("verify", "--data-dir", self.hub.data_dir)
        self.assertIn("verified", out.stdout + out.stderr)

    def test_qr_code_decodes_to_the_enrolment_uri(self):
        png = os.path.join(self.hub.root, "qr.png")
        out = self.hub.run("user", "add", "--data-dir", self.hub.data_dir, "--username", "qr-user",
                           "--role", "nurse", "--qr", png).stdout
        self.assertEqual(os.stat(png).st_mode & 0o777, 0o600)
        decoded = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True,
                                 text=True, timeout=30).stdout.strip()
        self.assertIn(decoded, out)
        self.assertTrue(decoded.startswith("otpauth://totp/"))
        secret = pyotp.parse_uri(decoded).secret
        self.assertIn(secret, out)


if __name__ == "__main__":
    unittest.main()
