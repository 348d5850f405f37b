"""Issue #19: the search parameters FHIR clients commonly send, through the real API, each
response checked by both FHIR validators: _summary=count, _total, _id, category, _lastUpdated,
_elements, _include (Device, Patient), unknown parameters ignored with a warning under the
default lenient handling and refused under Prefer: handling=strict, keyset next links, and the
Patient search (the patients the caller may see)."""

import datetime
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from api_client import Api, add_user  # noqa: E402
from hub import Hub, now_rfc3339, vigil_json  # noqa: E402

FHIR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fhir")
SPO2_HR = [{"type": "spo2", "value": 97, "unit": "%"},
           {"type": "heart_rate", "value": 70, "unit": "/min"}]
GLUCOSE = [{"type": "blood_glucose", "value": 95, "unit": "mg/dL"}]


class FhirParamsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002")))
        cls.hub.run("patient", "add", "--data-dir", cls.hub.data_dir, "--id", "p-003",
                    "--name", "Test Patient p-003", "--birth-date", "1950-01-01")
        cls.hub.enroll("dev-0003", "p-001", "cgm")
        cls.pat1 = add_user(cls.hub, "pat1", "patient", "p-001")
        cls.kim = add_user(cls.hub, "dr.kim", "clinician")
        cls.officer = add_user(cls.hub, "sec", "security-officer")
        for patient in ("p-001", "p-002"):
            cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", patient,
                        "--user", "dr.kim")
        cls.hub.start()
        cls.before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=2)
        spo2 = [vigil_json(seq, SPO2_HR, now_rfc3339(seq - 20)) for seq in range(1, 11)]
        assert cls.hub.post_readings(spo2)["stored"] == 10
        glucose = [vigil_json(seq, GLUCOSE, now_rfc3339(seq - 20)) for seq in range(1, 4)]
        assert cls.hub.post_readings(glucose, device_id="dev-0003")["stored"] == 3
        other = [vigil_json(seq, SPO2_HR, now_rfc3339(seq - 20)) for seq in range(1, 7)]
        assert cls.hub.post_readings(other, device_id="dev-0002")["stored"] == 6
        cls.api = Api(cls.hub)
        cls.token = cls.api.login(cls.pat1)
        cls.kim_token = cls.api.login(cls.kim)
        cls.officer_token = cls.api.login(cls.officer)
        cls.seen = []  # every resource answered, validated at the end

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()
        cls.hub.close()

    def get(self, path, token=None, expected=200, headers=None):
        status, body, raw = self.api.get(path, token or self.token, headers=headers)
        self.assertEqual(status, expected, raw)
        self.seen.append(body)
        return body

    def search(self, query, **kwargs):
        return self.get("/fhir/Observation?patient=p-001&" + query, **kwargs)

    @staticmethod
    def matches(bundle):
        return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]

    @staticmethod
    def link(bundle, relation):
        found = [x["url"] for x in bundle["link"] if x["relation"] == relation]
        return found[0] if found else None

    def test_summary_count_and_total(self):
        counted = self.search("_summary=count")
        self.assertEqual(counted["total"], 23)
        self.assertNotIn("entry", counted)
        self.assertIsNone(self.link(counted, "next"))
        self.assertEqual(self.search("_total=accurate&_count=2")["total"], 23)
        self.assertNotIn("total", self.search("_total=none&_count=2"))

    def test_id_finds_those_resources_only(self):
        ids = [o["id"] for o in self.matches(self.search("_count=3"))]
        found = self.matches(self.search("_id=" + ",".join(ids[:2])))
        self.assertEqual(sorted(o["id"] for o in found), sorted(ids[:2]))
        self.assertEqual(self.matches(self.search("_id=dev-0001.999.0")), [])

    def test_category_is_the_codes_of_its_kinds(self):
        lab = "http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
        for query, expected in (("category=vital-signs", 20), ("category=laboratory", 3),
                                ("category=" + urllib.parse.quote(lab), 3),
                                ("category=social-history", 0),
                                ("category=laboratory&code=2339-0", 3),
                                ("category=vital-signs&code=2339-0", 0)):
            self.assertEqual(self.search(query + "&_total=accurate")["total"], expected, query)
        for o in self.matches(self.search("category=laboratory")):
            self.assertEqual(o["category"][0]["coding"][0]["code"], "laboratory")

    def test_last_updated_is_the_time_the_hub_stored_each_observation(self):
        every = self.matches(self.search("_count=100"))
        for o in every:
            self.assertEqual(o["meta"]["lastUpdated"], o["issued"])
        since = self.before.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual(self.search("_total=accurate&_lastUpdated=ge" + since)["total"], 23)
        self.assertEqual(self.search("_total=accurate&_lastUpdated=lt" + since)["total"], 0)
        # A filter the store does not apply still pages to the end, each row once.
        ids, url = [], "/fhir/Observation?patient=p-001&_count=4&_lastUpdated=ge" + since
        while url:
            page = self.get(url.split(str(self.hub.https_port), 1)[-1])
            ids += [o["id"] for o in self.matches(page)]
            url = self.link(page, "next")
        self.assertEqual(sorted(ids), sorted(o["id"] for o in every))

    def test_elements_keeps_what_was_asked_and_says_it_is_a_subset(self):
        for o in self.matches(self.search("_elements=valueQuantity&code=8867-4")):
            # status and code are mandatory: kept whether asked for or not.
            self.assertEqual(set(o), {"resourceType", "id", "meta", "status", "code",
                                      "valueQuantity"})
            self.assertIn("SUBSETTED", [t["code"] for t in o["meta"]["tag"]])

    def test_include_adds_the_devices_and_the_patient_once(self):
        bundle = self.search("_include=Observation:device&_include=Observation:patient&_count=100")
        included = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"]
        self.assertEqual(sorted(r["id"] for r in included if r["resourceType"] == "Device"),
                         ["dev-0001", "dev-0003"])
        self.assertEqual([r["id"] for r in included if r["resourceType"] == "Patient"], ["p-001"])
        self.assertEqual(len(self.matches(bundle)), 23)

    def test_unknown_parameters_are_ignored_with_a_warning_or_refused_when_strict(self):
        lenient = self.search("bogus=1&_count=2")
        self.assertEqual(len(self.matches(lenient)), 2)
        outcomes = [e["resource"] for e in lenient["entry"] if e["search"]["mode"] == "outcome"]
        self.assertEqual(len(outcomes), 1)
        self.assertEqual(outcomes[0]["issue"][0]["severity"], "warning")
        self.assertIn("bogus", outcomes[0]["issue"][0]["diagnostics"])
        self.assertNotIn("bogus", self.link(lenient, "self"))  # the parameters used
        self.assertNotIn("bogus", self.link(lenient, "next"))
        strict = self.search("bogus=1", expected=400, headers={"Prefer": "handling=strict"})
        self.assertEqual(strict["resourceType"], "OperationOutcome")
        self.assertIn("bogus", strict["issue"][0]["diagnostics"])
        self.search("_count=2", headers={"Prefer": "handling=strict"})  # known ones are fine

    def test_next_links_page_by_keyset_each_row_once(self):
        # p-002 (12 Observations), read by a clinician of its care team; readings arriving
        # between pages (newest, so ahead of the pages read) do not shift what comes next.
        page = self.get("/fhir/Observation?patient=p-002&_count=5&_sort=-date", self.kim_token)
        self.assertIn("_cursor=", self.link(page, "next"))
        ids = []
        while page:
            ids += [o["id"] for o in self.matches(page)]
            self.hub.post_readings([vigil_json(100 + len(ids), SPO2_HR)], device_id="dev-0002")
            nxt = self.link(page, "next")
            page = self.get(nxt.split(str(self.hub.https_port), 1)[-1], self.kim_token) \
                if nxt else None
        self.assertEqual(len(ids), 12)
        self.assertEqual(len(set(ids)), 12)
        bad = self.search("_cursor=garbage", expected=400)
        self.assertEqual(bad["resourceType"], "OperationOutcome")

    def test_patient_search_lists_the_patients_the_caller_may_see(self):
        mine = self.get("/fhir/Patient", self.token)
        self.assertEqual([e["resource"]["id"] for e in mine["entry"]], ["p-001"])
        team = self.get("/fhir/Patient?_total=accurate", self.kim_token)
        self.assertEqual([e["resource"]["id"] for e in team["entry"]], ["p-001", "p-002"])
        self.assertEqual(team["total"], 2)
        first = self.get("/fhir/Patient?_count=1", self.kim_token)  # paged by id
        self.assertEqual([e["resource"]["id"] for e in first["entry"]], ["p-001"])
        nxt = self.link(first, "next")
        second = self.get(nxt.split(str(self.hub.https_port), 1)[-1], self.kim_token)
        self.assertEqual([e["resource"]["id"] for e in second["entry"]], ["p-002"])
        self.assertIsNone(self.link(second, "next"))
        one = self.get("/fhir/Patient?_id=p-002", self.kim_token)
        self.assertEqual([e["resource"]["id"] for e in one["entry"]], ["p-002"])
        self.assertNotIn("entry", self.get("/fhir/Patient?_id=p-003", self.kim_token))
        self.assertEqual(self.get("/fhir/Patient?_summary=count", self.kim_token)["total"], 2)
        nobody = self.get("/fhir/Patient?_summary=count", self.officer_token)
        self.assertEqual(nobody["total"], 0)
        time.sleep(0.5)
        entries = [json.loads(line)["fields"] for line in self.hub.run(
            "ledger", "show", "--data-dir", self.hub.data_dir).stdout.splitlines()
            if '"access"' in line]
        listed = {e["patient"] for e in entries
                  if e.get("user") == "dr.kim" and e.get("resource") == "Patient?"}
        self.assertEqual(listed, {"p-001", "p-002"})  # each disclosure recorded

    def test_zz_every_answer_validates(self):  # runs last: what the others were answered
        path = os.path.join(self.hub.root, "params.json")
        with open(path, "w") as f:
            json.dump(self.seen, f)
        out = subprocess.run(["node", "validate.js", path], cwd=FHIR_DIR, capture_output=True,
                             text=True, timeout=300)
        self.assertGreater(len(self.seen), 20)
        self.assertEqual(out.returncode, 0, out.stdout[-5000:] + out.stderr)


if __name__ == "__main__":
    unittest.main()
