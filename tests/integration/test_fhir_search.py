"""FHIR search as standard clients use it (issue #19, first items): _count=0 and large _count,
a code search matching any coding a resource carries, an unknown Observation id that is a typo,
not an attack, XML asked for (406), and Observation.device references that resolve."""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from api_client import Api, add_user  # noqa: E402
from hub import Hub, vigil_json  # noqa: E402


class FhirSearchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002")))
        cls.pat1 = add_user(cls.hub, "pat1", "patient", "p-001")
        cls.pat2 = add_user(cls.hub, "pat2", "patient", "p-002")
        cls.hub.start()
        messages = [vigil_json(seq, [{"type": "spo2", "value": 97, "unit": "%"},
                                     {"type": "heart_rate", "value": 70, "unit": "/min"}])
                    for seq in range(1, 21)]
        assert cls.hub.post_readings(messages)["stored"] == 20
        cls.api = Api(cls.hub)
        cls.token = cls.api.login(cls.pat1)
        cls.other = cls.api.login(cls.pat2)

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def search(self, query, token=None):
        status, body, raw = self.api.get("/fhir/Observation?" + query, token or self.token)
        self.assertEqual(status, 200, raw)
        return body

    def test_count_zero_is_the_count_only_with_no_next_link(self):
        bundle = self.search("patient=p-001&_count=0")
        self.assertEqual(bundle["total"], 40)
        self.assertFalse(bundle.get("entry"))
        self.assertFalse([link for link in bundle.get("link", []) if link["relation"] == "next"])

    def test_a_count_above_the_maximum_is_clamped_not_refused(self):
        bundle = self.search("patient=p-001&_count=100000")
        self.assertEqual(len(bundle["entry"]), 40)

    def test_a_code_search_matches_any_coding_of_the_resource(self):
        for code in ("2708-6", "59408-5", "http://loinc.org|2708-6"):
            bundle = self.search("patient=p-001&code=" + code + "&_total=accurate")
            self.assertEqual(bundle["total"], 20, code)
            for entry in bundle["entry"]:
                codes = {c["code"] for c in entry["resource"]["code"]["coding"]}
                self.assertIn("2708-6", codes)

    def alerts(self):
        out = self.hub.run("alerts", "list", "--data-dir", self.hub.data_dir).stdout
        return out.count("\n")

    def test_an_unknown_id_is_404_and_a_forbidden_one_looks_the_same(self):
        existing = self.search("patient=p-001&_count=1")["entry"][0]["resource"]["id"]
        before = self.alerts()
        for typo in ("dev-0001.999999.0", "no-such-device.1.0", "garbage"):
            status, body, raw = self.api.get("/fhir/Observation/" + typo, self.token)
            self.assertEqual(status, 404, raw)
        time.sleep(1)
        self.assertEqual(self.alerts(), before)  # a typo is no attack
        status, body, raw = self.api.get("/fhir/Observation/" + existing, self.other)
        self.assertEqual(status, 404, raw)  # not 403: existence is not told
        status, body2, _ = self.api.get("/fhir/Observation/dev-0002.999999.0", self.other)
        self.assertEqual(body["issue"][0]["code"], body2["issue"][0]["code"])
        entries = [json.loads(line) for line in self.hub.run(
            "ledger", "show", "--data-dir", self.hub.data_dir).stdout.splitlines()]
        denied = [e for e in entries if e["type"] == "access"
                  and e["fields"].get("user") == "pat2" and e["fields"]["decision"] == "denied"]
        self.assertTrue(denied, "the denied read of an existing Observation is recorded")

    def test_xml_is_406_with_an_operation_outcome_json_is_served(self):
        for headers, query in (({}, "&_format=xml"), ({}, "&_format=application/fhir+xml"),
                               ({"Accept": "application/fhir+xml"}, ""),
                               ({"Accept": "application/xml, text/xml"}, "")):
            status, body, raw = self.api.get("/fhir/Observation?patient=p-001" + query,
                                             self.token, headers=headers)
            self.assertEqual(status, 406, (headers, query, raw))
            self.assertEqual(body["resourceType"], "OperationOutcome")
        for headers, query in (({"Accept": "application/fhir+json"}, ""), ({}, "&_format=json"),
                               ({"Accept": "application/fhir+xml;q=0.5, */*;q=0.1"}, "")):
            status, _, raw = self.api.get("/fhir/Observation?patient=p-001&_count=1" + query,
                                          self.token, headers=headers)
            self.assertEqual(status, 200, (headers, query, raw))

    def test_the_capability_statement_claims_nothing_that_is_not_there(self):
        status, _, cap, raw = self.api.request("GET", "/fhir/metadata")
        self.assertEqual(status, 200, raw)
        rest = cap["rest"][0]
        self.assertNotIn("service", rest["security"])  # no OAuth: Vigil's own bearer sessions
        declared = {r["type"]: {p["name"] for p in r.get("searchParam", [])}
                    for r in rest["resource"]}
        self.assertEqual(declared["AuditEvent"], {"patient", "_count"})
        self.assertEqual(declared["Patient"], {"_id", "_count", "_summary"})
        # Every declared Observation search parameter is answered, not refused as unknown.
        samples = {"patient": "p-001", "subject": "Patient/p-001", "code": "8867-4",
                   "category": "vital-signs", "date": "ge2020-01-01", "_id": "dev-0001.1.0",
                   "_lastUpdated": "ge2020", "_count": "1", "_sort": "-date", "_summary": "count",
                   "_elements": "code", "_total": "accurate"}
        self.assertEqual(set(samples), declared["Observation"])
        strict = {"Prefer": "handling=strict"}
        for name, value in samples.items():
            query = f"patient=p-001&{name}={value}"
            status, _, raw = self.api.get("/fhir/Observation?" + query, self.token, headers=strict)
            self.assertEqual(status, 200, (query, raw))

    def test_date_takes_every_prefix_and_precision(self):
        def total(date):
            return self.search(f"patient=p-001&_total=accurate&date={date}")["total"]
        everything = total("ge1970")
        self.assertGreater(everything, 0)
        effective = self.search("patient=p-001&_count=1")["entry"][0]["resource"][
            "effectiveDateTime"]
        day, minute, year = effective[:10], effective[:16], effective[:4]
        previous_year = str(int(year) - 1)
        for date, expected in ((day, everything), ("eq" + day, everything), (year, everything),
                               (year + effective[4:7], everything), ("ne" + day, 0),
                               ("eb" + day, 0), ("sa" + previous_year, everything),
                               ("sa" + day, 0), ("eb" + previous_year, 0)):
            self.assertEqual(total(date), expected, date)
        at_minute = total(minute)  # a time without seconds spans its minute
        self.assertGreater(at_minute, 0)
        self.assertEqual(total("ne" + minute) + at_minute, everything)
        self.assertEqual(total(minute + "Z"), at_minute)
        for bad in ("ap" + day, day + "T10", "2026-13"):
            status, body, raw = self.api.get(
                f"/fhir/Observation?patient=p-001&date={bad}", self.token)
            self.assertEqual(status, 400, (bad, raw))
            self.assertEqual(body["resourceType"], "OperationOutcome")

    def test_observation_device_references_resolve(self):
        obs = self.search("patient=p-001&_count=1")["entry"][0]["resource"]
        status, device, raw = self.api.get("/fhir/" + obs["device"]["reference"], self.token)
        self.assertEqual(status, 200, raw)
        self.assertEqual((device["resourceType"], device["id"]), ("Device", "dev-0001"))
        for other in ("Device/dev-0002", "Device/no-such-device"):  # the same answer for both
            status, _, raw = self.api.get("/fhir/" + other, self.token)
            self.assertEqual(status, 404, raw)

    def test_audit_events_page_with_count_and_next_links_to_the_end(self):
        for _ in range(12):  # reads of p-001, each an access entry
            self.search("patient=p-001&_count=1")
        status, everything, raw = self.api.get("/fhir/AuditEvent?patient=p-001&_count=1000",
                                               self.token)
        self.assertEqual(status, 200, raw)
        expected = [e["resource"]["id"] for e in everything["entry"]]
        self.assertGreaterEqual(len(expected), 12)
        self.assertEqual(everything["total"], len(expected))
        ids, url, pages = [], "/fhir/AuditEvent?patient=p-001&_count=5", 0
        while url:
            status, page, raw = self.api.get(url, self.token)
            self.assertEqual(status, 200, raw)
            self.assertLessEqual(len(page.get("entry", [])), 5)
            ids += [e["resource"]["id"] for e in page.get("entry", [])]
            nxt = [link["url"] for link in page.get("link", []) if link["relation"] == "next"]
            url = nxt[0].split(str(self.hub.https_port), 1)[1] if nxt else None
            pages += 1
            self.assertLess(pages, 100, "paging does not end")
        self.assertEqual(len(ids), len(set(ids)))  # each once
        self.assertEqual(ids[:len(expected)], expected)  # in order; reads made meanwhile follow

    def test_the_cli_bundle_is_valid_fhir_and_searches_codes_as_the_api_does(self):
        def cli(*args):
            return json.loads(self.hub.run("observations", "--data-dir", self.hub.data_dir,
                                           "--patient", "p-001", *args).stdout)
        everything = cli()
        self.assertTrue(everything["entry"])
        for e in everything["entry"]:  # absolute, as the API writes them
            self.assertTrue(e["fullUrl"].startswith("https://"), e["fullUrl"])
            self.assertTrue(e["fullUrl"].endswith("/fhir/Observation/" + e["resource"]["id"]))
        spo2 = self.search("patient=p-001&code=2708-6&_total=accurate")
        self.assertGreater(spo2["total"], 0)
        for code in ("2708-6", "http://loinc.org|2708-6"):  # any coding, system or not
            self.assertEqual(cli("--code", code)["total"], spo2["total"], code)
        none = cli("--code", "0000-0")
        self.assertEqual(none["total"], 0)
        self.assertNotIn("entry", none)  # FHIR JSON has no empty arrays
        refused = self.hub.run("observations", "--data-dir", self.hub.data_dir, "--patient",
                               "p-001", "--code", "http://snomed.info/sct|1", check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("only LOINC", refused.stderr)

    def test_reads_through_the_cli_are_in_the_ledger_and_the_patients_accounting(self):
        self.hub.run("observations", "--data-dir", self.hub.data_dir, "--patient", "p-001")
        self.hub.run("patient", "list", "--data-dir", self.hub.data_dir)
        entries = [json.loads(line) for line in self.hub.run(
            "ledger", "show", "--data-dir", self.hub.data_dir).stdout.splitlines()]
        reads = [e["fields"] for e in entries if e["type"] == "access"
                 and e["fields"].get("role") == "operator"]
        self.assertIn(("p-001", "Observation?patient=p-001", "cli: vigil observations"),
                      [(f["patient"], f["resource"], f["basis"]) for f in reads])
        self.assertEqual({f["patient"] for f in reads if f["basis"] == "cli: vigil patient list"},
                         {"p-001", "p-002"})
        self.assertTrue(all(f["user"].startswith("os:") for f in reads))
        status, events, raw = self.api.get("/fhir/AuditEvent?patient=p-001&_count=1000",
                                           self.token)
        self.assertEqual(status, 200, raw)
        self.assertIn("an operator at vigil",
                      [e["resource"]["agent"][0]["who"]["display"] for e in events["entry"]])


if __name__ == "__main__":
    unittest.main()
