"""Issue #22, erasure by crypto-shredding, legal hold and restriction of processing, through the
real interfaces: the privacy officer's HTTPS API (/privacy/), `vigil patient erase|hold|restrict`,
FHIR reads by the clinician and the patient, the console, mosquitto_pub, `vigil observations`,
`vigil verify`. After an erasure every read of the patient answers 410 with a clear body, the
devices are refused, ingest goes on for everyone else, and — the test opens the sealed rows with
the key it took before, to show its opener works — no byte of the data directory holds that key
or a wrapped copy of it, and no key left in the store opens the rows."""

import glob
import hashlib
import json
import os
import sqlite3
import unittest

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from api_client import Api, add_user
from console_client import ConsoleClient
from hub import Hub, now_rfc3339, on_postgres, vigil_json

NAME = "Test Patient p-001"  # as hub.py adds it


def readings(count, offset_s=-100):
    return [vigil_json(seq, [{"type": "heart_rate", "value": 60 + seq, "unit": "/min"}],
                       now_rfc3339(offset_s + seq)) for seq in range(1, count + 1)]


def observation_aad(row):
    oid, patient, device, code, effective_ms, seq = row
    return b"\0".join([b"vigil.observation.v1", oid.encode(), patient.encode(), device.encode(),
                       code.encode(), str(effective_ms).encode(), str(seq).encode()])


def opens(key, sealed, aad):
    """Whether `key` opens a sealed record (version byte, nonce, ciphertext and tag)."""
    try:
        AESGCM(key).decrypt(sealed[1:13], sealed[13:], aad)
        return True
    except Exception:  # InvalidTag, or a key of the wrong size
        return False


class ErasureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002"),
                               ("dev-0003", "p-003")))
        cls.users = {"patient": add_user(cls.hub, "pat1", "patient", "p-001"),
                     "clinician": add_user(cls.hub, "dr.a", "clinician"),
                     "dpo": add_user(cls.hub, "dpo", "privacy-officer")}
        for p in ("p-001", "p-002", "p-003"):
            cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", p,
                        "--user", "dr.a")
        cls.hub.start()
        for device, count in (("dev-0001", 10), ("dev-0002", 5), ("dev-0003", 5)):
            assert cls.hub.post_readings(readings(count), device)["stored"] == count
        cls.api = Api(cls.hub)
        cls.tokens = {role: cls.api.login(user) for role, user in cls.users.items()}

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def get(self, role, path):
        return self.api.get(path, self.tokens[role])

    def post(self, role, path, body):
        status, _, out, raw = self.api.request("POST", path, body, token=self.tokens[role])
        return status, out, raw

    def expect_post(self, status, role, path, body):
        """POSTs `body` as `role`, checks the answer's status; its body."""
        got, out, raw = self.post(role, path, body)
        self.assertEqual(got, status, raw)
        return out

    def ledger(self):
        out = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        return [{"type": e["type"], **e["fields"]}
                for e in (json.loads(line) for line in out.splitlines() if line.strip())]

    def assert_gone(self, role, path):
        status, body, raw = self.get(role, path)
        self.assertEqual(status, 410, raw)
        self.assertEqual(body["resourceType"], "OperationOutcome")
        self.assertIn("was erased on", body["issue"][0]["diagnostics"])
        self.assertEqual(body["issue"][0]["code"], "deleted")

    def test_restriction_stops_the_care_team_but_not_the_privacy_officer(self):
        path = "/fhir/Observation?patient=p-002"
        self.assertEqual(self.get("clinician", path)[0], 200)
        self.assertEqual(self.get("dpo", path)[0], 403)  # separation of duties until restricted
        self.expect_post(403, "clinician", "/privacy/patients/p-002/restriction",
                         {"reason": "Art. 18 request 12"})
        self.expect_post(201, "dpo", "/privacy/patients/p-002/restriction",
                         {"reason": "Art. 18 request 12"})
        status, body, raw = self.get("clinician", path)
        self.assertEqual(status, 403, raw)
        self.assertEqual(self.get("clinician", path + "&_summary=count")[0], 403)
        status, body, raw = self.get("dpo", path)
        self.assertEqual(status, 200, raw)
        self.assertEqual(len(body["entry"]), 5)
        self.assertTrue(self.hub.post_readings(readings(6)[5:], "dev-0002")["stored"])  # stored
        status, standing, raw = self.get("dpo", "/privacy/patients/p-002")
        self.assertEqual(status, 200, raw)
        self.assertEqual([f["flag"] for f in standing["flags"]], ["restricted"])
        self.assertIsNone(standing["erased"])
        self.expect_post(200, "dpo", "/privacy/patients/p-002/restriction/lift",
                         {"reason": "request withdrawn"})
        self.assertEqual(self.get("clinician", path)[0], 200)
        changes = [e for e in self.ledger() if e["type"] == "patient_flag_changed"
                   and e["patient"] == "p-002"]
        self.assertEqual([(e["change"], e["by"]) for e in changes],
                         [("set", "dpo"), ("lifted", "dpo")])
        denied = [e for e in self.ledger() if e["type"] == "access" and e["patient"] == "p-002"
                  and e["basis"] == "processing-restricted"]
        self.assertGreaterEqual(len(denied), 2)

    def test_erasure_by_the_privacy_officer_leaves_nothing_to_read(self):
        # The key as it is before, and proof that the test's opener opens the rows with it.
        before = self.capture_key("p-001") if not on_postgres() else None
        self.assertEqual(self.get("clinician", "/fhir/Patient/p-001")[0], 200)
        some_id = self.get("clinician", "/fhir/Observation?patient=p-001&_count=1")[1][
            "entry"][0]["resource"]["id"]

        self.expect_post(403, "clinician", "/privacy/patients/p-001/erase", {"reason": "x"})
        self.expect_post(400, "dpo", "/privacy/patients/p-001/erase", {})
        self.expect_post(201, "dpo", "/privacy/patients/p-001/legal-hold",
                         {"reason": "litigation hold 2026-77"})
        out = self.expect_post(409, "dpo", "/privacy/patients/p-001/erase",
                               {"reason": "GDPR request 4711"})
        self.assertIn("legal hold (litigation hold 2026-77", out["detail"])
        self.assertEqual(self.get("clinician", "/fhir/Patient/p-001")[0], 200)  # nothing changed
        self.assertEqual(self.post("dpo", "/privacy/patients/p-001/legal-hold/lift",
                                   {"reason": "case closed"})[0], 200)

        out = self.expect_post(200, "dpo", "/privacy/patients/p-001/erase",
                               {"reason": "GDPR request 4711"})
        self.assertEqual(out["readings"], 10)
        self.assertEqual(out["devices_revoked"], ["dev-0001"])

        for path in ("/fhir/Patient/p-001", "/fhir/Observation?patient=p-001",
                     "/fhir/Patient/p-001/$everything", f"/fhir/Observation/{some_id}",
                     "/fhir/Device/dev-0001", "/fhir/Device?patient=p-001"):
            self.assert_gone("clinician", path)
        self.assert_gone("patient", "/fhir/Patient/p-001")
        status, bundle, raw = self.get("clinician", "/fhir/Patient")
        self.assertEqual(status, 200, raw)
        listed = [e["resource"]["id"] for e in bundle.get("entry", [])]
        self.assertNotIn("p-001", listed)
        self.assertIn("p-003", listed)
        out = self.expect_post(410, "dpo", "/privacy/patients/p-001/erase", {"reason": "again"})

        console, patient = ConsoleClient(self.api), self.users["patient"]
        console.request("POST", "/console/login", {"username": patient.username,
                                                   "password": patient.password})
        console.request("POST", "/console/mfa", {"code": patient.next_code()})
        status, _, page = console.request("GET", "/console/me")
        self.assertEqual(status, 410, page)
        self.assertIn("was erased on", page)

        cli = self.hub.run("observations", "--data-dir", self.hub.data_dir, "--patient", "p-001",
                           check=False)
        self.assertNotEqual(cli.returncode, 0)
        self.assertIn("was erased on", cli.stderr)
        self.assertIn("p-001\t(erased", self.hub.run("patient", "list", "--data-dir",
                                                     self.hub.data_dir).stdout)
        self.assertNotEqual(self.hub.mosquitto_pub(vigil_json(50, [])).returncode, 0)
        self.assertEqual(self.hub.post_readings(readings(7)[6:], "dev-0003")["stored"], 1)

        status, standing, raw = self.get("dpo", "/privacy/patients/p-001")
        self.assertEqual(status, 200, raw)
        self.assertEqual(standing["erased"]["by"], "dpo")
        tombstone = [e for e in self.ledger() if e["type"] == "patient_erased"
                     and e["patient"] == "p-001"]
        self.assertEqual(len(tombstone), 1)
        self.assertEqual((tombstone[0]["by"], tombstone[0]["reason"], tombstone[0]["readings"],
                          tombstone[0]["devices"]), ("dpo", "GDPR request 4711", "10", "dev-0001"))
        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        for secret in (NAME, hashlib.sha256(NAME.encode()).hexdigest(), "1961-04-02"):
            self.assertNotIn(secret, shown)
        verified = self.hub.run("verify", "--data-dir", self.hub.data_dir)
        self.assertIn("verified", verified.stdout + verified.stderr)
        if before:
            self.assert_key_is_nowhere("p-001", *before)

    def test_erasure_from_the_cli_needs_confirmation_and_a_reason(self):
        self.assertEqual(self.get("clinician", "/fhir/Observation?patient=p-003")[0], 200)
        args = ("patient", "erase", "--data-dir", self.hub.data_dir, "--id", "p-003")
        unconfirmed = self.hub.run(*args, "--reason", "ticket 9", check=False)
        self.assertNotEqual(unconfirmed.returncode, 0)
        self.assertIn("--yes", unconfirmed.stderr)
        self.assertEqual(self.get("clinician", "/fhir/Observation?patient=p-003")[0], 200)
        out = self.hub.run(*args, "--reason", "ticket 9", "--yes").stdout
        self.assertIn("Erased Patient/p-003", out)
        self.assertIn("device(s) revoked (dev-0003)", out)
        self.assert_gone("clinician", "/fhir/Observation?patient=p-003")
        self.assertNotEqual(self.hub.mosquitto_pub(vigil_json(60, []), "dev-0003").returncode, 0)

    def test_the_privacy_officers_console_page(self):
        console, dpo = ConsoleClient(self.api), self.users["dpo"]
        console.request("POST", "/console/login", {"username": dpo.username,
                                                   "password": dpo.password})
        status, headers, _ = console.request("POST", "/console/mfa", {"code": dpo.next_code()})
        self.assertEqual(headers.get("location"), "/console/", (status, headers))
        status, headers, _ = console.request("GET", "/console/")
        self.assertEqual(headers.get("location"), "/console/privacy-requests")
        status, _, page = console.request("GET", "/console/privacy-requests")
        self.assertEqual(status, 200, page)
        self.assertIn("<td>p-002</td>", page)
        self.assertNotIn(NAME, page)
        status, headers, page = console.request(
            "POST", "/console/privacy-requests/p-002/restriction", {"reason": "Art. 18 req 30"})
        self.assertEqual(status, 303, page)
        status, standing, raw = self.get("dpo", "/privacy/patients/p-002")
        self.assertEqual([f["flag"] for f in standing["flags"]], ["restricted"], raw)
        self.assertEqual(self.get("clinician", "/fhir/Patient/p-002")[0], 403)
        status, _, page = console.request("GET", "/console/privacy-requests?q=p-002")
        self.assertIn("Art. 18 req 30 (dpo, ", page)
        console.request("POST", "/console/privacy-requests/p-002/restriction/lift",
                        {"reason": "withdrawn"})
        self.assertEqual(self.get("clinician", "/fhir/Patient/p-002")[0], 200)
        status, _, page = console.request("POST", "/console/privacy-requests/p-002/erase",
                                          {"reason": "ticket 1", "confirm": "p-00"})
        self.assertEqual(status, 400, page)
        self.assertIn("Nothing was changed", page)
        self.assertEqual(self.get("clinician", "/fhir/Patient/p-002")[0], 200)

    # What the SQLite files hold (PostgreSQL's own files are the server's: docs/privacy.md).

    def capture_key(self, patient):
        """(wrapped key, data key, sealed rows) of `patient`, checked to open one row."""
        with open(os.path.join(self.hub.data_dir, "keys", "master.key"), "rb") as f:
            master = f.read()
        db = sqlite3.connect(os.path.join(self.hub.data_dir, "vigil.db"))
        wrapped = db.execute("SELECT wrapped_key FROM patient_keys WHERE patient_id = ?",
                             (patient,)).fetchone()[0]
        rows = db.execute("SELECT id, patient_id, device_id, code, effective_ms, seq, sealed"
                          " FROM observations WHERE patient_id = ?", (patient,)).fetchall()
        db.close()
        key = AESGCM(master).decrypt(wrapped[:12], wrapped[12:],
                                     b"vigil.dek.v1\0" + patient.encode())
        self.assertTrue(opens(key, rows[0][6], observation_aad(rows[0][:6])))
        return wrapped, key, rows

    def assert_key_is_nowhere(self, patient, wrapped, key, rows):
        files = [p for p in glob.glob(os.path.join(self.hub.data_dir, "**"), recursive=True)
                 if os.path.isfile(p)]
        self.assertTrue(any(p.endswith("vigil.db") for p in files))
        for path in files:
            with open(path, "rb") as f:
                data = f.read()
            self.assertFalse(wrapped in data, f"the wrapped key is still in {path}")
            self.assertFalse(key in data, f"the data key is in {path}")
        with open(os.path.join(self.hub.data_dir, "keys", "master.key"), "rb") as f:
            master = f.read()
        db = sqlite3.connect(os.path.join(self.hub.data_dir, "vigil.db"))
        still = db.execute("SELECT id, patient_id, device_id, code, effective_ms, seq, sealed"
                           " FROM observations WHERE patient_id = ?", (patient,)).fetchall()
        self.assertEqual(len(still), len(rows))  # the ciphertext is still there...
        candidates = [row[0] for row in db.execute("SELECT wrapped_key FROM patient_keys")]
        db.close()
        for candidate in candidates:  # ...and no wrapped key left in the store opens it
            for aad_patient in {patient, *[r[1] for r in still]}:
                try:
                    other = AESGCM(master).decrypt(candidate[:12], candidate[12:],
                                                   b"vigil.dek.v1\0" + aad_patient.encode())
                except Exception:
                    continue
                self.assertFalse(opens(other, still[0][6], observation_aad(still[0][:6])))


if __name__ == "__main__":
    unittest.main()
