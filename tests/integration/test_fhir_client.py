"""Issue #19 through a third-party FHIR client: tests/fhir/conformance.mjs drives a live hub
with fhir-kit-client through each item of the issue (searches, paging, includes, unknown
parameters, Device and Patient reads, AuditEvent paging, XML, consent refusals) and validates
every answer with both FHIR validators."""

import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from api_client import Api, add_user  # noqa: E402
from hub import Hub, now_rfc3339, vigil_json  # noqa: E402

FHIR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fhir")


class FhirClientTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub()
        self.hub.enroll("dev-0003", "p-001", "cgm")
        self.user = add_user(self.hub, "pat1", "patient", "p-001")
        self.hub.start()
        vitals = [{"type": "spo2", "value": 97, "unit": "%"},
                  {"type": "heart_rate", "value": 70, "unit": "/min"}]
        messages = [vigil_json(seq, vitals, now_rfc3339(seq - 30)) for seq in range(1, 7)]
        self.assertEqual(self.hub.post_readings(messages)["stored"], 6)
        glucose = [vigil_json(seq, [{"type": "blood_glucose", "value": 95, "unit": "mg/dL"}],
                              now_rfc3339(seq - 30)) for seq in range(1, 4)]
        self.assertEqual(self.hub.post_readings(glucose, device_id="dev-0003")["stored"], 3)
        self.token = Api(self.hub).login(self.user)

    def tearDown(self):
        self.hub.stop()
        self.hub.close()

    def test_a_generic_client_meets_every_item(self):
        out = subprocess.run(
            ["node", "conformance.mjs"], cwd=FHIR_DIR, capture_output=True, text=True,
            timeout=300,
            env={**os.environ,
                 "VIGIL_FHIR": f"https://localhost:{self.hub.https_port}/fhir",
                 "VIGIL_TOKEN": self.token,
                 "NODE_EXTRA_CA_CERTS": os.path.join(self.hub.data_dir, "ca", "ca.crt")})
        self.assertEqual(out.returncode, 0, out.stdout[-3000:] + out.stderr[-3000:])
        report = json.loads(out.stdout.strip().splitlines()[-1])
        failed = [c for c in report["checks"] if not c["ok"]]
        self.assertEqual(failed, [])
        self.assertEqual(len(report["checks"]), 13)
        self.assertGreater(report["validated"], 30)
        self.assertEqual(report["problems"], [])


if __name__ == "__main__":
    unittest.main()
