"""Issue #5: the FHIR API's responses checked by two FHIR R4 validators Vigil did not write (the
`fhir` npm package and the official R4 JSON schema), and a generic FHIR client
(fhir-kit-client) paging through a patient's Observations. Node packages: tests/fhir."""

import json
import os
import subprocess
import unittest

from api_client import Api, add_user
from hub import Hub, now_rfc3339, vigil_json

FHIR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fhir")
READINGS = 240


def reading_messages(count):
    kinds = [
        [{"type": "heart_rate", "value": 72, "unit": "/min"}],
        [{"type": "spo2", "value": 97, "unit": "%"}],
        [{"type": "systolic_bp", "value": 121, "unit": "mm[Hg]"},
         {"type": "diastolic_bp", "value": 79, "unit": "mm[Hg]"}],
        [{"type": "blood_glucose", "value": 5.5, "unit": "mmol/L"}],
        [{"type": "body_temperature", "value": 98.6, "unit": "[degF]"}],
        [{"type": "respiratory_rate", "value": 14, "unit": "/min"}],
    ]
    return [vigil_json(seq, kinds[seq % len(kinds)], now_rfc3339(seq - count))
            for seq in range(1, count + 1)]


class FhirInteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub()
        cls.user = add_user(cls.hub, "pat1", "patient", "p-001")
        cls.hub.start()
        stored = cls.hub.post_readings(reading_messages(READINGS))["stored"]
        assert stored == READINGS, stored
        cls.api = Api(cls.hub)
        cls.token = cls.api.login(cls.user)

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()
        cls.hub.close()

    def node(self, *args, env=None):
        return subprocess.run(["node", *args], cwd=FHIR_DIR, capture_output=True, text=True,
                              timeout=120, env={**os.environ, **(env or {})})

    def fetch(self, path, expected=200):
        status, body, raw = self.api.get(path, self.token)
        self.assertEqual(status, expected, raw)
        return body

    def test_responses_validate(self):
        bundle = self.fetch("/fhir/Observation?patient=p-001&_count=12&_total=accurate")
        self.assertEqual(bundle["total"], READINGS)
        observations = [e["resource"] for e in bundle["entry"]]
        codes = {o["code"]["coding"][0]["code"] for o in observations}
        self.assertTrue({"8867-4", "85354-9", "2339-0", "8310-5"} <= codes, codes)
        audit = self.fetch("/fhir/AuditEvent?patient=p-001")
        self.assertGreaterEqual(len(audit["entry"]), 2)
        resources = [
            bundle,
            *observations,
            self.fetch("/fhir/Observation/" + observations[0]["id"]),
            self.fetch("/fhir/Patient/p-001"),
            self.fetch("/fhir/Device?patient=p-001"),
            audit,
            self.fetch("/fhir/Consent/p-001"),
            self.fetch("/fhir/Consent?patient=p-001"),
            self.fetch("/fhir/metadata"),
            self.fetch("/fhir/Observation?patient=p-002", 403),
            self.fetch("/fhir/Observation/dev-0001.999999.0", 404),
            self.fetch("/fhir/Observation?patient=p-001&bogus=1&_count=2"),  # warned, lenient
            self.api.get("/fhir/Observation?patient=p-001&bogus=1", self.token,
                         headers={"Prefer": "handling=strict"})[1],
            self.fetch("/fhir/Patient"),
        ]
        path = os.path.join(self.hub.root, "resources.json")
        with open(path, "w") as f:
            json.dump(resources, f)
        out = self.node("validate.js", path)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn(f"validated {len(resources)} resources: 0 problems", out.stdout)

    def test_validator_catches_a_broken_resource(self):
        broken = dict(self.fetch("/fhir/Patient/p-001"), gender="robot")
        path = os.path.join(self.hub.root, "broken.json")
        with open(path, "w") as f:
            json.dump([broken], f)
        out = self.node("validate.js", path)
        self.assertEqual(out.returncode, 1, out.stdout)

    def test_generic_client_pages_through_observations(self):
        out = self.node("page.mjs", "p-001", "50", env={
            "VIGIL_FHIR": f"https://localhost:{self.hub.https_port}/fhir",
            "VIGIL_TOKEN": self.token,
            "NODE_EXTRA_CA_CERTS": os.path.join(self.hub.data_dir, "ca", "ca.crt"),
        })
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertEqual(summary["entries"], READINGS)
        self.assertEqual(summary["distinct"], READINGS)
        self.assertEqual(summary["pages"], 5)
        self.assertTrue(summary["ascending"])
        self.assertEqual(summary["problems"], [])


if __name__ == "__main__":
    unittest.main()
