"""The ledger as the reference transparency-log code reads it: tests/tlog/tlogcheck.go, built
here with Debian's Go and golang.org/x/mod (sumdb/note, sumdb/tlog), builds a note verifier
from the log's origin and public key alone, reads the checkpoint and the C2SP tlog-tiles over
HTTPS, recomputes the root, checks every entry bundle against its tiles and proves inclusion
and consistency. Also: a hub whose public address changes records the new origin in its ledger,
and both the reference code and `vigil verify` accept the history."""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import Hub, heart_rate  # noqa: E402
from rfc9162 import open_checkpoint  # noqa: E402
from test_ledger_export import get  # noqa: E402

TLOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tlog")


def build_tlogcheck(out_dir):
    # GOPATH mode over Debian's packaged sources: no module download (the machine has no network).
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
               GOCACHE=os.path.join(out_dir, "gocache"))
    binary = os.path.join(out_dir, "tlogcheck")
    subprocess.run(["go", "build", "-o", binary, "tlogcheck.go"], cwd=TLOG, env=env, check=True,
                   capture_output=True, timeout=600)
    return binary


class TlogInteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="vigil-tlog-")
        cls.tlogcheck = build_tlogcheck(cls.scratch)
        cls.hub = Hub(init_args=("--name", "ward7"))
        # More than one tile's worth of entries, so that level-1 tiles and partial tiles count.
        for i in range(300):
            cls.hub.run("patient", "add", "--data-dir", cls.hub.data_dir, "--id", f"q-{i}",
                        "--name", "Q", "--birth-date", "1970-01-01")
        cls.hub.start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()
        shutil.rmtree(cls.hub.root, ignore_errors=True)
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def vkey(self):
        with open(os.path.join(self.hub.data_dir, "ledger.vkey")) as f:
            return f.read().strip()

    def check(self, origin=None, old=None):
        vkey = self.vkey()
        name = vkey.split("+")[0]
        key = base64.b64decode(vkey.split("+", 2)[2])[1:]
        args = [self.tlogcheck, "-prefix",
                f"https://localhost:{self.hub.https_port}/ledger/{name.split('/')[-1]}/",
                "-origin", origin or name, "-key", base64.b64encode(key).decode(),
                "-cafile", os.path.join(self.hub.data_dir, "ca", "ca.crt")]
        if old:
            args += ["-old-size", str(old[0]), "-old-root", base64.b64encode(old[1]).decode()]
        return subprocess.run(args, capture_output=True, text=True, timeout=120)

    def signed(self):
        note = self.hub.run("ledger", "checkpoint", "--data-dir", self.hub.data_dir).stdout
        return open_checkpoint(note, self.vkey())

    def test_the_reference_code_reads_the_log_from_its_origin_and_key(self):
        self.assertEqual(self.vkey().split("+")[0], "localhost/ledger/ward7")
        first = self.signed()
        self.assertGreater(first[0], 300)
        result = self.check()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith(f"ok {first[0]} "), result.stdout)
        for seq in range(1, 4):
            self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(seq)).stdout)
        grown = self.signed()
        # Every signed checkpoint stays retrievable by its size.
        status, older = get(self.hub, f"/ledger/checkpoint?size={first[0]}")
        self.assertEqual(status, 200)
        self.assertEqual(open_checkpoint(older, self.vkey()), first)
        self.assertEqual(get(self.hub, f"/ledger/checkpoint?size={grown[0] + 1000}")[0], 404)
        result = self.check(old=first)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith(f"ok {grown[0]} "), result.stdout)
        # A verifier built for another origin, or a tree the log never had, is refused.
        self.assertNotEqual(self.check(origin="localhost/ledger/other").returncode, 0)
        forged = self.check(old=(first[0], bytes(32)))
        self.assertNotEqual(forged.returncode, 0)
        self.assertIn("not consistent", forged.stderr)

    def test_a_change_of_public_address_is_recorded_and_verifies(self):
        before = self.signed()
        old_vkey = self.vkey()
        self.hub.stop()
        self.hub.configure(public_url='"https://ward7.example.org"')
        self.hub.start()
        try:
            self.assertEqual(self.vkey().split("+")[0], "ward7.example.org/ledger/ward7")
            shown = [json.loads(line) for line in self.hub.run(
                "ledger", "show", "--data-dir", self.hub.data_dir).stdout.splitlines()]
            changes = [e for e in shown if e["type"] == "ledger_origin_changed"]
            self.assertEqual(len(changes), 1)
            self.assertEqual(changes[0]["fields"]["old_origin"], "localhost/ledger/ward7")
            self.assertEqual(changes[0]["fields"]["origin"], "ward7.example.org/ledger/ward7")
            after = self.signed()
            result = self.check(old=before)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(result.stdout.startswith(f"ok {after[0]} "), result.stdout)
            self.assertIn("ledger verified",
                          self.hub.run("verify", "--data-dir", self.hub.data_dir).stdout)
            # A crash between the entry and the new ledger.vkey: verify says so and passes; the
            # next start finishes the change (a second entry, the same change).
            self.hub.stop()
            with open(os.path.join(self.hub.data_dir, "ledger.vkey"), "w") as f:
                f.write(old_vkey + "\n")
            halfway = self.hub.run("verify", "--data-dir", self.hub.data_dir)
            self.assertIn("ledger.vkey names the origin 'localhost/ledger/ward7'", halfway.stderr)
            self.hub.start()
            self.assertEqual(self.vkey().split("+")[0], "ward7.example.org/ledger/ward7")
            self.signed()
            self.hub.run("verify", "--data-dir", self.hub.data_dir)
        finally:
            self.hub.stop()
            self.hub.configure(public_url='"https://localhost"')
            self.hub.start()


if __name__ == "__main__":
    unittest.main()
