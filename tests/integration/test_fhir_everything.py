"""Issue #22, export for the patient and their clinicians: `vigil patient export` (NDJSON files
and a manifest, below) and GET /fhir/Patient/{id}/$everything
over real HTTPS. A client paging with small pages gets every Observation once and the paging
ends; `_since` returns only what arrived since (peers ignore it; Vigil applies it); `_type`
keeps the types named; what the patient's consent withholds is left out and said; the patient
and a clinician on the care team may ask, others may not (break-glass aside); each page
validates with the FHIR validators of tests/fhir, and each request is in the ledger."""

import hashlib
import json
import os
import stat
import time
import unittest
import urllib.parse

from api_client import Api, add_user, deny_vital_signs_to
from fhir_validators import assert_valid
from hub import Hub, now_rfc3339, vigil_json

FIRST, LATER = 23, 7


def readings(first_seq, count, offset_s):
    return [vigil_json(seq, [{"type": "heart_rate", "value": 60 + seq % 30, "unit": "/min"}],
                       now_rfc3339(offset_s + seq - first_seq))
            for seq in range(first_seq, first_seq + count)]


class PatientEverythingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-001"), ("dev-0009", "p-002")))
        cls.users = {"patient": add_user(cls.hub, "pat1", "patient", "p-001"),
                     "clinician": add_user(cls.hub, "dr.a", "clinician"),
                     "outsider": add_user(cls.hub, "dr.b", "clinician")}
        cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", "p-001",
                    "--user", "dr.a")
        cls.hub.start()
        assert cls.hub.post_readings(readings(1, FIRST, -200))["stored"] == FIRST
        assert cls.hub.post_readings(readings(1, 4, -200), "dev-0009")["stored"] == 4
        cls.api = Api(cls.hub)
        cls.tokens = {role: cls.api.login(user) for role, user in cls.users.items()}

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def everything(self, role, query="", patient="p-001", headers=None):
        path = f"/fhir/Patient/{patient}/$everything" + (f"?{query}" if query else "")
        return self.api.get(path, self.tokens[role], headers=headers)

    def page_through(self, role, query):
        """Follows next links to the end: every page's entries, and how many pages."""
        status, bundle, raw = self.everything(role, query)
        self.assertEqual(status, 200, raw)
        pages, entries = [bundle], list(bundle.get("entry", []))
        while True:
            nxt = [l["url"] for l in bundle.get("link", []) if l["relation"] == "next"]
            if not nxt:
                return pages, entries
            self.assertLess(len(pages), 100, "the paging does not end")
            url = urllib.parse.urlparse(nxt[0])
            status, bundle, raw = self.api.get(url.path + "?" + url.query, self.tokens[role])
            self.assertEqual(status, 200, raw)
            pages.append(bundle)
            entries += bundle.get("entry", [])

    def test_small_pages_hold_everything_once_and_end(self):
        stored = self.api.get("/fhir/Observation?patient=p-001&_summary=count",
                              self.tokens["clinician"])[1]["total"]  # other tests add some
        self.assertGreaterEqual(stored, FIRST)
        pages, entries = self.page_through("clinician", "_count=5")
        types = [e["resource"]["resourceType"] for e in entries]
        self.assertEqual(types.count("Patient"), 1)
        self.assertEqual(types.count("Device"), 2)
        ids = [e["resource"]["id"] for e in entries if e["resource"]["resourceType"] == "Observation"]
        self.assertEqual(len(ids), stored)
        self.assertEqual(len(set(ids)), stored)
        self.assertEqual(len(pages), (stored + 4) // 5)  # no page left empty at the end
        self.assertTrue(all(i.startswith("dev-000") and not i.startswith("dev-0009") for i in ids))
        # Every page validates (both validators of tests/fhir).
        assert_valid(self, pages, os.path.join(self.hub.root, "everything.json"))

    def test_since_returns_only_what_arrived_after_it(self):
        time.sleep(1.1)
        since = now_rfc3339()
        time.sleep(1.1)
        stored = self.hub.post_readings(readings(FIRST + 1, LATER, -250), "dev-0002")["stored"]
        self.assertEqual(stored, LATER)
        _, entries = self.page_through("patient", "_count=3&_since=" + urllib.parse.quote(since))
        types = [e["resource"]["resourceType"] for e in entries]
        self.assertEqual(types, ["Observation"] * LATER, types)  # Patient and Devices are older
        self.assertTrue(all(e["resource"]["meta"]["lastUpdated"] >= since for e in entries))
        _, all_entries = self.page_through("patient", "_count=50")
        self.assertEqual(len(all_entries), 1 + 2 + FIRST + LATER)
        status, _, raw = self.everything("patient", "_since=yesterday")
        self.assertEqual(status, 400, raw)

    def test_type_keeps_the_types_named(self):
        _, entries = self.page_through("patient", "_type=Device,Patient")
        self.assertEqual(sorted(e["resource"]["resourceType"] for e in entries),
                         ["Device", "Device", "Patient"])
        status, bundle, raw = self.everything("patient", "_type=Condition")
        self.assertEqual(status, 200, raw)
        self.assertEqual([e["search"]["mode"] for e in bundle["entry"]], ["outcome"])
        self.assertIn("Condition", raw)

    def test_who_may_ask(self):
        self.assertEqual(self.everything("patient", patient="p-002")[0], 403)
        self.assertEqual(self.everything("outsider")[0], 403)
        status, bundle, raw = self.everything(
            "outsider", "_type=Patient", headers={"Vigil-Break-Glass": "Unconscious in ED"})
        self.assertEqual(status, 200, raw)
        self.assertEqual(self.everything("clinician", patient="p-404")[0], 403)
        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        asked = [l for l in shown.splitlines() if "$everything" in l]
        self.assertTrue(any('"dr.b"' in l and '"denied"' in l for l in asked), asked[-3:])
        self.assertTrue(any('"dr.b"' in l and '"break-glass"' in l for l in asked), asked[-3:])

    def test_consent_withholds_observations_and_says_so(self):
        patient = self.tokens["patient"]
        status, consent, raw = self.api.get("/fhir/Consent/p-001", patient)
        original = json.dumps(consent)
        consent["provision"]["provision"] = [deny_vital_signs_to("dr.a")]
        headers = {"Content-Type": "application/fhir+json"}
        status, _, _, raw = self.api.request("PUT", "/fhir/Consent/p-001", json.dumps(consent),
                                             token=patient, headers=headers)
        self.assertEqual(status, 200, raw)
        try:
            status, bundle, raw = self.everything("clinician", "_count=100")
            self.assertEqual(status, 200, raw)
            types = [e["resource"]["resourceType"] for e in bundle["entry"]]
            self.assertNotIn("Observation", types)
            self.assertIn("Patient", types)
            self.assertIn("Observations were left out", raw)
        finally:
            self.api.request("PUT", "/fhir/Consent/p-001", original, token=patient,
                             headers=headers)


class PatientExportTest(unittest.TestCase):
    """`vigil patient export`: FHIR NDJSON files an outside validator accepts, a manifest whose
    counts and digests match, private files, `--since`, and the read in the ledger first."""

    def test_export_writes_valid_ndjson_with_a_manifest(self):
        hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-001"), ("dev-0009", "p-002")))
        try:
            hub.start()
            self.assertEqual(hub.post_readings(readings(1, FIRST, -200))["stored"], FIRST)
            hub.post_readings(readings(1, 3, -200), "dev-0009")
            out_dir = os.path.join(hub.root, "export")
            done = hub.run("patient", "export", "--data-dir", hub.data_dir, "--id", "p-001",
                           "--out", out_dir)
            self.assertIn(f"{FIRST} Observation", done.stdout)
            self.assertIn(f"Observations: {FIRST} of {FIRST} (100%)", done.stderr)
            self.assertEqual(stat.S_IMODE(os.stat(out_dir).st_mode), 0o700)
            with open(os.path.join(out_dir, "manifest.json")) as f:
                manifest = json.load(f)
            counts = {o["type"]: o["count"] for o in manifest["output"]}
            self.assertEqual(counts, {"Patient": 1, "Device": 2, "Observation": FIRST})
            resources = []
            for o in manifest["output"]:
                path = os.path.join(out_dir, o["url"])
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
                with open(path, "rb") as f:
                    data = f.read()
                self.assertEqual(hashlib.sha256(data).hexdigest(), o["sha256"])
                lines = data.decode().splitlines()
                self.assertEqual(len(lines), o["count"])
                resources += [json.loads(line) for line in lines]
            self.assertTrue(all(r.get("subject", {}).get("reference", "Patient/p-001")
                                == "Patient/p-001" for r in resources))
            assert_valid(self, resources, os.path.join(hub.root, "exported.json"))
            # The export is in the ledger, as the operator's read of the patient's data.
            shown = hub.run("ledger", "show", "--data-dir", hub.data_dir).stdout
            self.assertTrue(any("export of Patient/p-001" in l and '"operator"' in l
                                for l in shown.splitlines()))
            # Only what arrived since; a directory that exists is refused, nothing overwritten.
            time.sleep(1.1)
            since = now_rfc3339()
            time.sleep(1.1)
            hub.post_readings(readings(FIRST + 1, LATER, -100), "dev-0002")
            later_dir = os.path.join(hub.root, "later")
            hub.run("patient", "export", "--data-dir", hub.data_dir, "--id", "p-001",
                    "--out", later_dir, "--since", since)
            with open(os.path.join(later_dir, "manifest.json")) as f:
                counts = {o["type"]: o["count"] for o in json.load(f)["output"]}
            self.assertEqual(counts, {"Patient": 0, "Device": 0, "Observation": LATER})
            again = hub.run("patient", "export", "--data-dir", hub.data_dir, "--id", "p-001",
                            "--out", later_dir, check=False)
            self.assertNotEqual(again.returncode, 0)
            self.assertIn("exists", again.stderr)
            missing = hub.run("patient", "export", "--data-dir", hub.data_dir, "--id", "p-404",
                              "--out", os.path.join(hub.root, "none"), check=False)
            self.assertIn("no patient p-404", missing.stderr)
            self.assertFalse(os.path.exists(os.path.join(hub.root, "none")))
        finally:
            hub.close()


if __name__ == "__main__":
    unittest.main()
