"""The simulator against a hub that is killed mid-run: every reading it saw acknowledged is stored
exactly once, and nothing it sent is lost."""

import collections
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import Hub, VIGIL  # noqa: E402

DEVICES = 6


class SimulatorTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub(devices=()).start()

    def tearDown(self):
        self.hub.close()

    def stored(self):
        """(device, seq) -> number of Observations, over every simulated patient."""
        counts = collections.Counter()
        for i in range(1, DEVICES + 1):
            for o in self.hub.observations(f"sim-p-{i:04d}"):
                device, seq, _ = o["id"].split(".")
                counts[(device, int(seq))] += 1
        return counts

    def run_sim(self, *extra, duration=10):
        acked_path = os.path.join(self.hub.root, "acked.txt")
        proc = subprocess.Popen(
            [VIGIL, "sim", "--data-dir", self.hub.data_dir, "--devices", str(DEVICES),
             "--duration", str(duration), "--rate", "20", "--port", str(self.hub.mqtt_port),
             "--drain", "40", "--acked-out", acked_path, "--json", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return proc, acked_path

    def test_hub_killed_mid_run_loses_and_duplicates_nothing(self):
        port = self.hub.mqtt_port
        sim, acked_path = self.run_sim("--mqtt", "5")
        time.sleep(3)
        self.hub.kill9()
        time.sleep(1.5)
        self.hub.start(mqtt_port=port)
        out, err = sim.communicate(timeout=120)
        self.assertEqual(sim.returncode, 0, err[-2000:])
        summary = json.loads(out)
        self.assertEqual(summary["unacknowledged"], 0)
        self.assertEqual(summary["refused"], 0)
        self.assertGreater(summary["disconnects"], 0, "the kill did not cut the devices off")
        with open(acked_path) as f:
            acked = {(d, int(s)) for d, s in (line.split() for line in f)}
        self.assertEqual(len(acked), summary["acked"])
        stored = self.stored()
        self.assertEqual(set(stored), acked, "stored and acknowledged readings differ")
        # Exactly once: a wearable message makes two Observations, the others one or three.
        per_message = {n for n in stored.values()}
        self.assertTrue(per_message.issubset({1, 2, 3}), per_message)

    def test_a_second_run_continues_the_sequence(self):
        first, _ = self.run_sim(duration=2)
        first.communicate(timeout=60)
        self.assertEqual(first.returncode, 0)
        second, _ = self.run_sim(duration=2)
        out, err = second.communicate(timeout=60)
        self.assertEqual(second.returncode, 0, err[-2000:])
        self.assertEqual(json.loads(out)["refused"], 0)


if __name__ == "__main__":
    unittest.main()
