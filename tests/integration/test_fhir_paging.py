"""Issue #19: a standard FHIR client (fhir-kit-client) pages a patient's 10,000 Observations
with small pages (_count=7, newest first) while readings keep arriving at 50 a second, and ends
with every Observation that existed when it began exactly once, without looping; every page
validates with both FHIR validators. Offset paging returned duplicates and skipped rows here:
the next links page by keyset (the last row of the page before)."""

import json
import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from api_client import Api, add_user  # noqa: E402
from hub import Hub, now_rfc3339, vigil_json  # noqa: E402

FHIR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fhir")
SEEDED = 10_000
PER_SECOND = 40  # seeded readings share each second: ties broken by id, as the keyset is


def heart_rate_at(seq, ts):
    return vigil_json(seq, [{"type": "heart_rate", "value": 72, "unit": "/min"}], ts)


class LiveFeed(threading.Thread):
    """Readings from the patient's device at about 50 a second until stopped (2 minutes at
    most), each batch timestamped now."""

    def __init__(self, hub, first_seq):
        super().__init__(daemon=True)
        self.hub, self.seq, self.stop = hub, first_seq, threading.Event()
        self.sent, self.errors = 0, []

    def run(self):
        deadline = time.time() + 120
        while not self.stop.is_set() and time.time() < deadline:
            batch = [heart_rate_at(self.seq + i, now_rfc3339()) for i in range(5)]
            self.seq += 5
            try:
                self.sent += self.hub.post_readings(batch)["stored"]
            except Exception as e:  # noqa: BLE001 - reported by the test
                self.errors.append(repr(e))
            self.stop.wait(0.1)


class FhirPagingTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub()
        self.hub.configure(enabled="false")  # the seeded backlog is no device flood
        self.user = add_user(self.hub, "pat1", "patient", "p-001")
        self.hub.start()
        start = time.time() - 260
        messages = [heart_rate_at(seq, time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + seq // PER_SECOND)))
            for seq in range(1, SEEDED + 1)]
        for i in range(0, SEEDED, 500):
            self.assertEqual(self.hub.post_readings(messages[i:i + 500])["stored"], 500)
        self.token = Api(self.hub).login(self.user)

    def tearDown(self):
        self.hub.stop()
        self.hub.close()

    def page(self, sort, count):
        return subprocess.run(
            ["node", "page.mjs", "p-001", str(count), sort, "3000"], cwd=FHIR_DIR,
            capture_output=True, text=True, timeout=600,
            env={**os.environ,
                 "VIGIL_FHIR": f"https://localhost:{self.hub.https_port}/fhir",
                 "VIGIL_TOKEN": self.token,
                 "NODE_EXTRA_CA_CERTS": os.path.join(self.hub.data_dir, "ca", "ca.crt")})

    def test_a_client_paging_newest_first_while_readings_arrive_sees_each_row_once(self):
        feed = LiveFeed(self.hub, SEEDED + 1)
        feed.start()
        try:
            time.sleep(0.5)  # the feed is running before the first page
            out = self.page("-date", 7)
        finally:
            feed.stop.set()
            feed.join()
        self.assertEqual(out.returncode, 0, out.stdout[-3000:] + out.stderr[-3000:])
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertEqual(feed.errors, [])
        self.assertGreater(feed.sent, 100, "readings did not arrive while the client paged")
        self.assertTrue(summary["ended"], "the client was still paging after 3000 pages")
        seeded = {f"dev-0001.{seq}.0" for seq in range(1, SEEDED + 1)}
        ids = summary["ids"]
        self.assertEqual(len(ids), len(set(ids)), "an Observation came twice")
        missing = seeded - set(ids)
        self.assertFalse(missing, f"{len(missing)} pre-existing Observations skipped")
        self.assertTrue(summary["ordered"])
        self.assertEqual(summary["problems"], [])
        self.assertGreaterEqual(summary["pages"], SEEDED // 7)

    def test_oldest_first_pages_end_with_every_row_and_the_new_ones_after(self):
        feed = LiveFeed(self.hub, SEEDED + 1)
        feed.start()
        try:
            time.sleep(0.5)
            out = self.page("date", 97)
        finally:
            feed.stop.set()
            feed.join()
        self.assertEqual(out.returncode, 0, out.stdout[-3000:] + out.stderr[-3000:])
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        ids = summary["ids"]
        self.assertEqual(len(ids), len(set(ids)))
        # The seeded rows first (ties in a second ordered by id), then what arrived meanwhile.
        self.assertEqual(set(ids[:SEEDED]), {f"dev-0001.{seq}.0" for seq in range(1, SEEDED + 1)})
        self.assertTrue(summary["ordered"])
        self.assertTrue(summary["ended"])
        self.assertEqual(summary["problems"], [])


if __name__ == "__main__":
    unittest.main()
