"""HTTPS POST /ingest with the device's client certificate; problem+json errors; /metrics."""

import http.client
import json
import os
import ssl
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import Hub, heart_rate  # noqa: E402


class HttpsIngestTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub().start()

    def tearDown(self):
        self.hub.close()

    def request(self, method, path, body=None, content_type="application/json", cert=True):
        d = self.hub.device_dir("dev-0001")
        ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
        if cert:
            ctx.load_cert_chain(os.path.join(d, "dev-0001.crt"), os.path.join(d, "dev-0001.key"))
        conn = http.client.HTTPSConnection("localhost", self.hub.https_port, context=ctx, timeout=10)
        headers = {"Content-Type": content_type} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read().decode()
        conn.close()
        return response.status, response.getheader("Content-Type"), payload

    def test_single_and_batch_uploads_are_stored(self):
        status, _, body = self.request("POST", "/ingest", heart_rate(1, 61))
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["stored"], 1)
        batch = "\n".join(heart_rate(s, 60 + s) for s in range(2, 6)) + "\n"
        status, _, body = self.request("POST", "/ingest", batch, "application/x-ndjson")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["stored"], 4)
        senml = '[{"n":"seq","v":6},{"n":"heart_rate","u":"beat/min","v":66}]'
        status, _, body = self.request("POST", "/ingest", senml, "application/senml+json")
        self.assertEqual(status, 200, body)
        self.assertEqual([o["valueQuantity"]["value"] for o in self.hub.observations()],
                         [61, 62, 63, 64, 65, 66])

    def test_refusals_are_problem_json(self):
        self.request("POST", "/ingest", heart_rate(3))
        # The same sequence number with other content is a replay (the same bytes again would
        # be a client retrying after a lost answer: acknowledged, stored once).
        status, ctype, body = self.request("POST", "/ingest", heart_rate(3, 99))
        self.assertEqual(status, 409)
        self.assertEqual(ctype, "application/problem+json")
        problem = json.loads(body)
        self.assertEqual(problem["type"], "urn:vigil:problem:replay")
        self.assertEqual(problem["status"], 409)
        status, _, body = self.request("POST", "/ingest", "{nope")
        self.assertEqual(status, 422)
        status, _, _ = self.request("POST", "/ingest", "x", "text/plain")
        self.assertEqual(status, 415)
        batch = heart_rate(10) + "\n" + heart_rate(9) + "\n"
        status, _, body = self.request("POST", "/ingest", batch, "application/x-ndjson")
        self.assertEqual(status, 409)
        self.assertEqual([r["status"] for r in json.loads(body)["results"]], ["stored", "refused"])
        self.assertEqual(len(self.hub.observations()), 2)

    def test_ingest_needs_the_device_certificate(self):
        status, ctype, body = self.request("POST", "/ingest", heart_rate(1), cert=False)
        self.assertEqual(status, 401)
        self.assertEqual(ctype, "application/problem+json")
        self.assertEqual(self.hub.observations(), [])

    def test_metrics_and_routes(self):
        self.request("POST", "/ingest", heart_rate(1))
        status, ctype, body = self.request("GET", "/metrics", cert=False)  # loopback may read
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/plain"))
        self.assertIn("vigil_messages_accepted_total 1", body)
        self.assertIn("vigil_commit_latency_seconds_count", body)
        self.assertEqual(self.request("GET", "/nope")[0], 404)
        self.assertEqual(self.request("GET", "/ingest")[0], 405)


if __name__ == "__main__":
    unittest.main()
