"""Issue #22, master-key rotation with the hub running under ingest: `vigil keys rotate-master`
while a device posts readings as fast as the hub answers. Nothing is lost (every reading the hub
acknowledged is stored and readable), users still sign in (their TOTP secrets were rewrapped), a
patient added afterwards through the running hub is readable after a restart, the old key opens
no wrapped key left in the store, the rotation is in the ledger and `vigil verify` passes."""

import json
import os
import sqlite3
import threading
import time
import unittest

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from api_client import Api, add_user
from hub import Hub, heart_rate, on_postgres


class KeyRotationTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002")))
        self.user = add_user(self.hub, "dr.a", "clinician")
        self.hub.run("careteam", "add", "--data-dir", self.hub.data_dir, "--patient", "p-001",
                     "--user", "dr.a")
        self.hub.start()
        self.api = Api(self.hub)

    def tearDown(self):
        self.hub.close()

    def key_file(self):
        with open(os.path.join(self.hub.data_dir, "keys", "master.key"), "rb") as f:
            return f.read()

    def test_rotation_under_ingest_loses_nothing_and_verifies(self):
        old_key = self.key_file()
        stored, seq, stop = [0], [0], threading.Event()

        def ingest():  # batches of 20 readings until told to stop
            while not stop.is_set():
                batch = [heart_rate(seq[0] + k + 1, 60 + k) for k in range(20)]
                seq[0] += 20
                stored[0] += self.hub.post_readings(batch)["stored"]

        thread = threading.Thread(target=ingest)
        thread.start()
        time.sleep(1)
        out = self.hub.run("keys", "rotate-master", "--data-dir", self.hub.data_dir).stdout
        time.sleep(1)
        stop.set()
        thread.join()
        self.assertIn("Master key rotated: 2 patient data key(s) and 1 secret(s) rewrapped", out)
        self.assertEqual(stored[0], seq[0])  # every reading sent was stored
        self.assertGreater(stored[0], 40)
        self.assertNotEqual(self.key_file(), old_key)
        self.assertFalse(os.path.exists(os.path.join(self.hub.data_dir, "keys",
                                                     "master.key.next")))
        self.assertEqual(os.stat(os.path.join(self.hub.data_dir, "keys", "master.key")).st_mode
                         & 0o777, 0o600)

        # The running hub: sign-in (the TOTP secret was rewrapped), reads, a new patient.
        token = self.api.login(self.user)
        status, bundle, raw = self.api.get("/fhir/Observation?patient=p-001&_summary=count",
                                           token)
        self.assertEqual(status, 200, raw)
        self.assertEqual(bundle["total"], stored[0])
        self.hub.run("patient", "add", "--data-dir", self.hub.data_dir, "--id", "p-003",
                     "--name", "After Rotation", "--birth-date", "1990-01-01")
        self.hub.stop()
        self.hub.start()
        self.assertEqual(len(self.hub.observations("p-001")), stored[0])
        listed = self.hub.run("patient", "list", "--data-dir", self.hub.data_dir).stdout
        self.assertIn("After Rotation", listed)
        self.assertNotIn("unreadable", listed)

        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        rotated = [json.loads(l)["fields"] for l in shown.splitlines()
                   if '"master_key_rotated"' in l]
        self.assertEqual(len(rotated), 1)
        self.assertEqual((rotated[0]["data_keys"], rotated[0]["secrets"]), ("2", "1"))
        verified = self.hub.run("verify", "--data-dir", self.hub.data_dir)
        self.assertIn("verified", verified.stdout + verified.stderr)
        if not on_postgres():  # the store's own bytes: no wrapped key opens with the old key
            db = sqlite3.connect(os.path.join(self.hub.data_dir, "vigil.db"))
            rows = db.execute("SELECT patient_id, wrapped_key FROM patient_keys").fetchall()
            db.close()
            self.assertEqual(len(rows), 3)
            new_key = self.key_file()
            for patient, wrapped in rows:
                aad = b"vigil.dek.v1\0" + patient.encode()
                with self.assertRaises(Exception):
                    AESGCM(old_key).decrypt(wrapped[:12], wrapped[12:], aad)
                AESGCM(new_key).decrypt(wrapped[:12], wrapped[12:], aad)

    def test_an_interrupted_rotation_is_finished_by_running_it_again(self):
        next_path = os.path.join(self.hub.data_dir, "keys", "master.key.next")
        with open(next_path, "wb") as f:  # as a rotation leaves it if it stops after this step
            f.write(os.urandom(32))
        os.chmod(next_path, 0o600)
        out = self.hub.run("keys", "rotate-master", "--data-dir", self.hub.data_dir).stdout
        self.assertIn("Finished an interrupted rotation", out)
        with open(next_path.replace(".next", ""), "rb") as f:
            self.assertEqual(len(f.read()), 32)
        self.assertEqual(len(self.hub.observations("p-001")), 0)  # opens (no readings yet)
        self.assertEqual(self.api.get("/fhir/Patient/p-001", self.api.login(self.user))[0], 200)


if __name__ == "__main__":
    unittest.main()
