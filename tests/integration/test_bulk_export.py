"""Issue #22, FHIR Bulk Data export (IG 2.0) over real HTTPS, as a Bulk Data client drives it:
kick-off with `Prefer: respond-async` (202 and Content-Location), status polling (202 with
X-Progress and Retry-After, then the manifest), each file downloaded with the requester's token.
Every NDJSON line validates with the FHIR validators of tests/fhir; counts match what was
ingested; `_since` returns only what arrived since; another user cannot see the job or fetch its
files; the files on disk are sealed (no FHIR text in them); each export and each exported
patient's part is in the ledger."""

import glob
import json
import os
import time
import unittest
import urllib.parse

from api_client import Api, add_user
from fhir_validators import assert_valid
from hub import Hub, now_rfc3339, vigil_json

ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}
COUNTS = {"p-001": 12, "p-002": 7, "p-003": 5}


def readings(first, count, offset_s=-60):
    return [vigil_json(seq, [{"type": "heart_rate", "value": 60 + seq % 30, "unit": "/min"}],
                       now_rfc3339(offset_s + seq - first)) for seq in range(first, first + count)]


class BulkExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002"),
                               ("dev-0003", "p-003")))
        cls.users = {"clinician": add_user(cls.hub, "dr.a", "clinician"),
                     "outsider": add_user(cls.hub, "dr.b", "clinician"),
                     "patient": add_user(cls.hub, "pat1", "patient", "p-001"),
                     "dpo": add_user(cls.hub, "dpo", "privacy-officer")}
        for p in ("p-001", "p-002"):
            cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", p,
                        "--user", "dr.a")
        cls.hub.start()
        for i, (patient, count) in enumerate(COUNTS.items()):
            assert cls.hub.post_readings(readings(1, count), f"dev-000{i + 1}")["stored"] == count
        cls.api = Api(cls.hub)
        cls.tokens = {role: cls.api.login(user) for role, user in cls.users.items()}

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def kick_off(self, role, path, headers=ASYNC):
        status, h, body, raw = self.api.request("GET", path, token=self.tokens[role],
                                                headers=headers)
        return status, h, raw

    def export(self, role, path="/fhir/Patient/$export"):
        """Kick-off, polling to the end: (status URL path, manifest)."""
        status, headers, raw = self.kick_off(role, path)
        self.assertEqual(status, 202, raw)
        location = urllib.parse.urlparse(headers["content-location"]).path
        self.assertTrue(location.startswith("/fhir/bulkstatus/"), location)
        deadline = time.time() + 60
        while True:
            status, h, body, raw = self.api.request("GET", location, token=self.tokens[role])
            if status == 200:
                return location, body
            self.assertEqual(status, 202, raw)
            self.assertIn("retry-after", h)
            self.assertIn("x-progress", h)
            self.assertLess(time.time(), deadline, "the export does not finish")
            time.sleep(0.2)

    def download(self, role, manifest):
        """Every file of the manifest: {type: [resources]}, checked against its count."""
        out = {}
        for item in manifest["output"]:
            path = urllib.parse.urlparse(item["url"]).path
            status, h, _, raw = self.api.request("GET", path, token=self.tokens[role])
            self.assertEqual(status, 200, raw)
            self.assertEqual(h["content-type"], "application/fhir+ndjson")
            lines = raw.splitlines()
            self.assertEqual(len(lines), item["count"])
            out.setdefault(item["type"], []).extend(json.loads(line) for line in lines)
        return out

    def validate(self, resources, name):
        assert_valid(self, resources, os.path.join(self.hub.root, name))

    def ledger(self):
        out = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        return [{"type": e["type"], **e["fields"]}
                for e in (json.loads(line) for line in out.splitlines() if line.strip())]

    def test_a_clinicians_export_holds_their_patients_and_only_they_may_fetch_it(self):
        location, manifest = self.export("clinician")
        self.assertTrue(manifest["requiresAccessToken"])
        self.assertIn("transactionTime", manifest)
        self.assertEqual(manifest["error"], [])
        files = self.download("clinician", manifest)
        self.assertEqual(sorted(r["id"] for r in files["Patient"]), ["p-001", "p-002"])
        self.assertEqual(sorted(r["id"] for r in files["Device"]), ["dev-0001", "dev-0002"])
        self.assertEqual(len(files["Observation"]), COUNTS["p-001"] + COUNTS["p-002"])
        self.assertEqual(len({r["id"] for r in files["Observation"]}), len(files["Observation"]))
        self.validate([r for rs in files.values() for r in rs], "clinician-export.json")

        # Nobody else sees the job or its files, nor does anyone without a session.
        url = urllib.parse.urlparse(manifest["output"][0]["url"]).path
        for path in (location, url):
            self.assertEqual(self.api.get(path, self.tokens["outsider"])[0], 404)
            self.assertEqual(self.api.request("GET", path)[0], 401)
        # At rest the files are sealed: no FHIR text, no name, in any of them.
        stored = glob.glob(os.path.join(self.hub.data_dir, "exports", "*", "*.ndjson"))
        self.assertTrue(stored)
        for path in stored:
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            with open(path, "rb") as f:
                data = f.read()
            self.assertNotIn(b"resourceType", data)
            self.assertNotIn(b"Test Patient", data)

        job = location.rsplit("/", 1)[1]
        entries = self.ledger()
        done = [e for e in entries if e["type"] == "bulk_export" and e["job"] == job]
        self.assertEqual(len(done), 1)
        self.assertEqual((done[0]["by"], done[0]["scope"], done[0]["patients"]),
                         ("dr.a", "patients", "2"))
        self.assertEqual(done[0]["resources"], str(sum(len(v) for v in files.values())))
        parts = [e for e in entries if e["type"] == "access" and e["user"] == "dr.a"
                 and e["resource"].endswith("($export)")]
        self.assertEqual({e["patient"] for e in parts}, {"p-001", "p-002"})

    def test_b_since_returns_only_what_arrived_since(self):
        time.sleep(1.1)
        since = now_rfc3339()
        time.sleep(1.1)
        assert self.hub.post_readings(readings(100, 3, -5), "dev-0001")["stored"] == 3
        _, manifest = self.export("patient", "/fhir/Patient/$export?_since=" + since)
        files = self.download("patient", manifest)
        self.assertEqual(list(files), ["Observation"])  # the record and device are older
        self.assertEqual(len(files["Observation"]), 3)
        self.assertTrue(all(r["subject"]["reference"] == "Patient/p-001"
                            for r in files["Observation"]))
        _, manifest = self.export("patient", "/fhir/Patient/$export?_type=Patient")
        self.assertEqual([(o["type"], o["count"]) for o in manifest["output"]], [("Patient", 1)])

    def test_c_the_system_export_is_the_privacy_officers(self):
        status, _, raw = self.kick_off("clinician", "/fhir/$export")
        self.assertEqual(status, 403, raw)
        _, manifest = self.export("dpo", "/fhir/$export")
        files = self.download("dpo", manifest)
        self.assertEqual(sorted(r["id"] for r in files["Patient"]), sorted(COUNTS))
        self.assertGreaterEqual(len(files["Observation"]), sum(COUNTS.values()))
        self.validate(files["Patient"] + files["Device"], "system-export.json")
        done = [e for e in self.ledger() if e["type"] == "bulk_export" and e["by"] == "dpo"]
        self.assertEqual((done[-1]["scope"], done[-1]["patients"]), ("system", "3"))

    def test_d_what_is_not_supported_is_refused_and_a_job_can_be_cancelled(self):
        for path, headers in (("/fhir/Patient/$export", {"Accept": "application/fhir+json"}),
                              ("/fhir/Patient/$export?_type=Medication", ASYNC),
                              ("/fhir/Patient/$export?_typeFilter=Observation%3Fcode%3Dx", ASYNC),
                              ("/fhir/Patient/$export?_since=yesterday", ASYNC),
                              ("/fhir/Patient/$export?_outputFormat=text/csv", ASYNC)):
            status, _, raw = self.kick_off("clinician", path, headers)
            self.assertEqual(status, 400, (path, raw))
            self.assertIn("OperationOutcome", raw)
        status, headers, raw = self.kick_off("clinician", "/fhir/Patient/$export")
        self.assertEqual(status, 202, raw)
        location = urllib.parse.urlparse(headers["content-location"]).path
        self.assertEqual(self.api.request("DELETE", location, token=self.tokens["outsider"])[0],
                         404)
        self.assertEqual(self.api.request("DELETE", location, token=self.tokens["clinician"])[0],
                         202)
        self.assertEqual(self.api.get(location, self.tokens["clinician"])[0], 404)

    def test_e_an_erasure_deletes_the_exports_holding_the_patient(self):
        holding, _ = self.export("dpo", "/fhir/$export")
        kept, _ = self.export("clinician")  # p-001 and p-002 only
        self.hub.run("patient", "erase", "--data-dir", self.hub.data_dir, "--id", "p-003",
                     "--reason", "ticket 5", "--yes")
        deadline = time.time() + 10
        while self.api.get(holding, self.tokens["dpo"])[0] != 404:
            self.assertLess(time.time(), deadline, "the export holding p-003 is still there")
            time.sleep(0.2)
        self.assertEqual(self.api.get(kept, self.tokens["clinician"])[0], 200)
        job = holding.rsplit("/", 1)[1]
        self.assertFalse(os.path.exists(os.path.join(self.hub.data_dir, "exports", job)))


if __name__ == "__main__":
    unittest.main()
