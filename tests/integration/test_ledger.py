"""The audit ledger against an attacker with write access to the hub's files: every change to
entries or stored readings is named by `vigil verify`; proofs check with no Vigil code."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import Hub, VIGIL, run_sql, store_url_of  # noqa: E402
import rfc9162  # noqa: E402
from rfc9162 import open_checkpoint, verify_inclusion  # noqa: E402


class LedgerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002"))).start()
        for device in ("dev-0001", "dev-0002"):
            for seq in range(1, 6):
                r = cls.hub.mosquitto_pub(
                    json.dumps({"seq": seq, "ts": __import__("hub").now_rfc3339(),
                                "readings": [{"type": "heart_rate", "value": 60 + seq,
                                              "unit": "/min"}]}), device_id=device)
                assert "RC:0" in r.stdout, r.stdout
        cls.hub.run("device", "revoke", "--data-dir", cls.hub.data_dir, "--id", "dev-0002")
        assert cls.hub.stop() == 0  # the hub signs a last checkpoint on the way out

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def copy(self):
        d = os.path.join(self.hub.root, f"copy-{self._testMethodName}")
        shutil.rmtree(d, ignore_errors=True)
        return self.hub.backup(d)

    def verify(self, data_dir):
        return subprocess.run([VIGIL, "verify", "--data-dir", data_dir], capture_output=True,
                              text=True, timeout=60)

    def sql(self, data_dir, statement, postgres_statement=None):
        run_sql(data_dir, statement, postgres_statement)

    def assertRefused(self, data_dir, *phrases):
        r = self.verify(data_dir)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        for phrase in phrases:
            self.assertIn(phrase, r.stderr)

    def test_an_untouched_hub_verifies(self):
        r = self.verify(self.hub.data_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"ledger verified: \d+ entries, [1-9]\d* signed checkpoints, "
                                   r"10 reading batches covering 20 stored rows")

    def test_changing_one_byte_of_an_entry_is_named(self):
        d = self.copy()
        self.sql(d, "UPDATE ledger_entries SET entry = substr(entry, 1, 12) || X'7a' || "
                    "substr(entry, 14) WHERE idx = 3",
                 "UPDATE ledger_entries SET entry = set_byte(entry, 12, 122) WHERE idx = 3")
        self.assertRefused(d, "ledger entry 3")

    def test_deleting_an_entry_is_named(self):
        d = self.copy()
        self.sql(d, "DELETE FROM ledger_entries WHERE idx = 4")
        self.assertRefused(d, "ledger entry 4")

    def test_swapping_two_entries_is_named(self):
        d = self.copy()
        self.sql(d, "UPDATE ledger_entries SET idx = -1 WHERE idx = 5;"
                    "UPDATE ledger_entries SET idx = 5 WHERE idx = 6;"
                    "UPDATE ledger_entries SET idx = 6 WHERE idx = -1;")
        self.assertRefused(d, "ledger entry 5")

    def test_appending_a_forged_entry_is_named(self):
        d = self.copy()
        forge = ("INSERT INTO ledger_entries (idx, entry) SELECT MAX(idx) + 1, "
                 "(SELECT entry FROM ledger_entries WHERE idx = 0) FROM ledger_entries")
        # PostgreSQL keeps the size in a row of its own: the forger moves it too.
        self.sql(d, forge, forge + "; UPDATE ledger_head SET size = size + 1")
        self.assertRefused(d, "ledger entry")

    def test_changing_a_stored_tree_node_is_named(self):
        d = self.copy()
        # Node (level 0, index 2), the leaf hash of entry 2, is slot 2 * 2 of the node file
        # (PostgreSQL: of the ledger_nodes table).
        if store_url_of(d):
            self.sql(d, "", "UPDATE ledger_nodes SET hash = set_byte(hash, 5, get_byte(hash, 5) # 1)"
                            " WHERE slot = 4")
        else:
            with open(os.path.join(d, "vigil.db-ledger-nodes"), "r+b") as f:
                f.seek(4 * 32 + 5)
                byte = f.read(1)
                f.seek(4 * 32 + 5)
                f.write(bytes([byte[0] ^ 0x01]))
        self.assertRefused(d, "ledger entry 2", "stored tree node 0/2")

    def test_changing_an_observation_ciphertext_is_named(self):
        d = self.copy()
        self.sql(d, "UPDATE observations SET sealed = substr(sealed, 1, 20) || X'00' || "
                    "substr(sealed, 22) WHERE rowid = 3",
                 "UPDATE observations SET sealed = set_byte(sealed, 20, get_byte(sealed, 20) # 1)"
                 " WHERE row_no = 3")
        self.assertRefused(d, "stored readings of ledger entry")

    def test_deleting_an_observation_row_is_named(self):
        d = self.copy()
        self.sql(d, "DELETE FROM observations WHERE rowid = 7",
                 "DELETE FROM observations WHERE row_no = 7")
        self.assertRefused(d, "stored readings of ledger entry")

    def test_inclusion_proofs_check_without_vigil(self):
        with open(os.path.join(self.hub.data_dir, "ledger.vkey")) as f:
            vkey = f.read()
        for index in (0, 3, 7):
            out = subprocess.run([VIGIL, "ledger", "prove", "--data-dir", self.hub.data_dir,
                                  "--index", str(index)], capture_output=True, text=True,
                                 check=True).stdout
            proof = json.loads(out)
            size, root = open_checkpoint(proof["checkpoint"], vkey)
            self.assertEqual(size, proof["tree_size"])
            leaf = rfc9162.leaf(bytes.fromhex(proof["entry"]))
            self.assertEqual(leaf, hashlib.sha256(b"\x00" + bytes.fromhex(proof["leaf"])).digest())
            path = [bytes.fromhex(h) for h in proof["inclusion_path"]]
            self.assertTrue(verify_inclusion(leaf, index, size, path, root))
            self.assertFalse(verify_inclusion(leaf, index ^ 1, size, path, root))


if __name__ == "__main__":
    unittest.main()
