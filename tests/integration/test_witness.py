"""Witnesses (C2SP tlog-witness, tlog-cosignature) and checkpoints kept off the hub, with the
real `vigil serve`, the real `vigil witness` and checks written from the specs: each checkpoint
the hub signs is cosigned by its witness; a data directory restored from an older backup passes
`vigil verify` alone, but is caught by `vigil verify --checkpoint-url` and refused by the
witness, which never cosigns the rolled-back history."""

import http.client
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import Hub, VIGIL, heart_rate  # noqa: E402
from rfc9162 import open_checkpoint, verify_cosignature  # noqa: E402
from test_ledger_export import get  # noqa: E402


class Witness:
    def __init__(self, root, log_vkey, name="witness.test/w1"):
        self.dir = os.path.join(root, "witness")
        ready = os.path.join(root, "witness-ready.json")
        self.log = open(os.path.join(root, "witness.log"), "a")
        self.proc = subprocess.Popen(
            [VIGIL, "witness", "--dir", self.dir, "--name", name, "--port", "0",
             "--log", log_vkey, "--ready-file", ready], stdout=self.log, stderr=self.log)
        deadline = time.time() + 20
        while not os.path.exists(ready):
            assert self.proc.poll() is None and time.time() < deadline, "witness did not start"
            time.sleep(0.05)
        with open(ready) as f:
            info = json.load(f)
        self.port, self.vkey = info["port"], info["key"]

    def state(self):
        with open(os.path.join(self.dir, "state.json")) as f:
            return json.load(f)["logs"]

    def post(self, path, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("POST", path, body=body.encode())
        r = conn.getresponse()
        out = r.status, r.getheader("Content-Type"), r.read().decode()
        conn.close()
        return out

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.close()


def read(path):
    with open(path) as f:
        return f.read()


class WitnessTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub()
        self.vkey = read(os.path.join(self.hub.data_dir, "ledger.vkey")).strip()
        self.origin = self.vkey.split("+")[0]
        self.witness = Witness(self.hub.root, self.vkey)
        with open(os.path.join(self.hub.data_dir, "config.toml"), "a") as f:
            f.write(f'\n[[ledger.witness]]\nurl = "http://127.0.0.1:{self.witness.port}"\n'
                    f'key = "{self.witness.vkey}"\n')
        self.seq = 0

    def tearDown(self):
        self.hub.stop()
        self.witness.stop()
        shutil.rmtree(self.hub.root, ignore_errors=True)

    def publish(self, count):
        for _ in range(count):
            self.seq += 1
            self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(self.seq)).stdout)

    def tiles_checkpoint(self):
        status, note = get(self.hub, "/ledger/" + self.origin.split("/")[-1] + "/checkpoint")
        self.assertEqual(status, 200)
        return note

    def wait_cosigned(self, above=0):
        """The newest checkpoint once the witness has cosigned one larger than `above`."""
        deadline = time.time() + 30
        while time.time() < deadline:
            status, note = get(self.hub, "/ledger/" + self.origin.split("/")[-1] + "/checkpoint")
            if status == 200 and open_checkpoint(note, self.vkey)[0] > above \
                    and "witness.test/w1" in note:
                return open_checkpoint(note, self.vkey)[0], note
            time.sleep(0.3)
        raise AssertionError("no cosigned checkpoint:\n" + self.hub.log())

    def test_each_checkpoint_is_cosigned_and_checks_from_the_specs(self):
        self.hub.start()
        self.publish(3)
        size, note = self.wait_cosigned()
        when = verify_cosignature(note, self.witness.vkey)
        self.assertLess(abs(when - time.time()), 120)
        self.assertEqual(self.witness.state()[self.origin]["size"], size)
        # The cosigned note is the stored one: /ledger/checkpoint serves it too.
        self.assertIn("witness.test/w1", get(self.hub, "/ledger/checkpoint")[1])
        # Growth is cosigned again, with a consistency proof from the witness's size.
        self.publish(2)
        bigger, note = self.wait_cosigned(above=size)
        verify_cosignature(note, self.witness.vkey)
        self.assertEqual(self.witness.state()[self.origin]["size"], bigger)

    def test_the_witness_answers_as_the_protocol_says(self):
        self.hub.start()
        self.publish(1)
        size, note = self.wait_cosigned()
        plain = note.split("\n\n")[0] + "\n\n" + note.split("\n\n")[1].split("\n")[0] + "\n"
        # Stale: the witness holds `size`; old 0 is told so.
        status, kind, body = self.witness.post("/add-checkpoint", "old 0\n\n" + plain)
        self.assertEqual((status, kind, body), (409, "text/x.tlog.size", f"{size}\n"))
        # Same size, same root: cosigned again.
        status, _, body = self.witness.post("/add-checkpoint", f"old {size}\n\n" + plain)
        self.assertEqual(status, 200, body)
        # A changed root at that size is a fork; a note the log did not sign is forbidden;
        # an origin it does not witness is unknown; nonsense is a bad request.
        lines = plain.split("\n")
        forked = "\n".join([lines[0], lines[1], "A" * 43 + "=", *lines[3:]])
        self.assertEqual(self.witness.post("/add-checkpoint", f"old {size}\n\n" + forked)[0], 403)
        stranger = plain.replace(self.origin, "elsewhere.test/ledger/x")
        self.assertEqual(self.witness.post("/add-checkpoint", "old 0\n\n" + stranger)[0], 404)
        self.assertEqual(self.witness.post("/add-checkpoint", "hello")[0], 400)
        self.assertEqual(self.witness.post("/other", "old 0\n\nx")[0], 404)

    def test_a_restored_older_backup_is_caught_off_the_hub(self):
        self.hub.start()
        self.publish(2)
        first, _ = self.wait_cosigned()
        self.hub.stop()  # signs its last entries, and the witness cosigns them
        backup = self.hub.backup(os.path.join(self.hub.root, "backup"))
        self.hub.start()
        self.publish(4)
        self.wait_cosigned(above=first)
        self.hub.stop()
        newest = self.witness.state()[self.origin]["size"]
        # An auditor keeps the newest checkpoint on a web server of their own.
        auditor = os.path.join(self.hub.root, "auditor")
        os.mkdir(auditor)
        head = json.loads(read(os.path.join(self.hub.data_dir, "ledger.head")))["note"]
        self.assertEqual(open_checkpoint(head, self.vkey)[0], newest)
        with open(os.path.join(auditor, "checkpoint.txt"), "w") as f:
            f.write(head)
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass
        handler = lambda *a: Quiet(*a, directory=auditor)  # noqa: E731
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/checkpoint.txt"
        try:
            ok = self.hub.run("verify", "--data-dir", self.hub.data_dir, "--checkpoint-url", url)
            self.assertIn("ledger verified", ok.stdout)
            # Restored together, database and head: consistent, and `verify` alone passes.
            self.hub.restore(backup)
            self.hub.run("verify", "--data-dir", self.hub.data_dir)
            caught = self.hub.run("verify", "--data-dir", self.hub.data_dir, "--checkpoint-url",
                                  url, check=False)
            self.assertNotEqual(caught.returncode, 0)
            self.assertIn("lost or rolled back", caught.stderr)
        finally:
            server.shutdown()
            server.server_close()
        # Served again, the rolled-back hub is refused by the witness, which keeps its view.
        self.hub.start()
        self.publish(1)
        deadline = time.time() + 30
        while "rolled back or forked" not in self.hub.log() and time.time() < deadline:
            time.sleep(0.3)
        self.assertIn("rolled back or forked", self.hub.log())
        self.assertNotIn("witness.test/w1", self.tiles_checkpoint())
        self.assertEqual(self.witness.state()[self.origin]["size"], newest)


class CheckpointUrlTest(unittest.TestCase):
    def test_verify_fetches_a_checkpoint_over_https(self):
        hub = Hub()
        try:
            hub.start()
            assert "RC:0" in hub.mosquitto_pub(heart_rate(1)).stdout
            hub.run("ledger", "checkpoint", "--data-dir", hub.data_dir)
            url = f"https://localhost:{hub.https_port}/ledger/checkpoint"
            ca = os.path.join(hub.data_dir, "ca", "ca.crt")
            ok = hub.run("verify", "--data-dir", hub.data_dir, "--checkpoint-url", url,
                         "--cafile", ca)
            self.assertIn("ledger verified", ok.stdout)
            # Without the hub's CA the server is not trusted, and nothing is taken from it.
            refused = hub.run("verify", "--data-dir", hub.data_dir, "--checkpoint-url", url,
                              check=False)
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn("TLS", refused.stderr)
        finally:
            hub.stop()
            shutil.rmtree(hub.root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
