"""Faults from outside (issue #16): one device's sequence numbers, a damaged write-ahead log, a
peer that never reads, wrong or missing keys, a full disk, a second hub on one directory. Each
test drives the real `vigil` binary and real clients and checks what a user would see."""

import json
import os
import secrets
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import VIGIL, Hub, heart_rate, sqlite_only, vigil_json  # noqa: E402
from test_ledger_export import get  # noqa: E402
from test_mqtt_refusals import connect_packet, read_packet, tls_socket  # noqa: E402

MAX_SEQ = 2**63 - 1


def publish_v5(packet_id, payload, topic="devices/dev-0001/vitals"):
    t = topic.encode()
    body = len(t).to_bytes(2, "big") + t + packet_id.to_bytes(2, "big") + b"\x00" + payload
    return bytes([0x32]) + remaining_length(len(body)) + body


def remaining_length(n):
    out = b""
    while True:
        b = n % 128
        n //= 128
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def puback_reason(sock, payload):
    """Publishes `payload` (QoS 1, MQTT 5) on a connected socket; the PUBACK's reason code."""
    sock.sendall(publish_v5(1, payload.encode()))
    packet = read_packet(sock)
    assert packet[0] == 0x40, packet  # PUBACK: packet id (2), reason code, properties
    return packet[3] if len(packet) > 3 else 0


def connected_v5(hub, device_id="dev-0001"):
    sock = tls_socket(hub, device_id)
    sock.sendall(connect_packet(device_id, version=5))
    connack = read_packet(sock)
    assert connack[0] == 0x20 and connack[2] == 0x00, connack  # CONNACK, success
    return sock


def health(hub, path="/healthz"):
    return get(hub, path)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def serve_fails(hub, timeout=30):
    """Runs `vigil serve` expecting it to refuse to start; its stderr."""
    proc = subprocess.Popen([VIGIL, "serve", "--data-dir", hub.data_dir, "--mqtt-port", "0",
                             "--https-port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("vigil serve started:\n" + out + err)
    assert proc.returncode != 0, "vigil serve started:\n" + out + err
    return err


class SequenceEdgesTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002"))).start()

    def tearDown(self):
        self.hub.close()

    def test_a_sequence_number_above_2_pow_63_is_refused_and_stores_nothing(self):
        sock = connected_v5(self.hub)
        for seq in (2**63 + 5, 2**64 - 1, 2**64, 0):
            self.assertEqual(puback_reason(sock, heart_rate(seq)), 0x99, seq)  # format invalid
        self.assertEqual(self.hub.observations("p-001"), [])
        self.assertEqual(puback_reason(sock, heart_rate(MAX_SEQ)), 0x00)  # the top is taken
        sock.close()
        # ... and a restart neither stores it again nor stops anyone else.
        self.assertEqual(self.hub.stop(), 0)
        self.hub.start()
        sock = connected_v5(self.hub)
        self.assertEqual(puback_reason(sock, heart_rate(2**63 + 5)), 0x99)
        self.assertEqual(puback_reason(sock, heart_rate(MAX_SEQ)), 0x87)  # a replay now
        sock.close()
        r = self.hub.mosquitto_pub(heart_rate(1), device_id="dev-0002")
        self.assertIn("RC:0", r.stdout)
        self.assertEqual(len(self.hub.observations("p-001")), 1)
        self.assertEqual(len(self.hub.observations("p-002")), 1)
        self.hub.run("verify", "--data-dir", self.hub.data_dir)

    @sqlite_only("an older SQLite hub's duplicate receipts")
    def test_duplicate_receipts_left_by_an_older_hub_do_not_halt_ingest(self):
        # An older hub stored a wrapped (negative) sequence number twice; sorting the receipts
        # into their index then failed every commit of every device. Now it must not.
        self.hub.post_readings([heart_rate(1)])
        self.assertEqual(self.hub.stop(), 0)
        db = sqlite3.connect(os.path.join(self.hub.data_dir, "vigil.db"))
        with db:
            for _ in range(2):
                db.execute("INSERT INTO reading_receipts (device_id, seq, payload_digest,"
                           " received_ms, ledger_index) SELECT device_id, -9223372036854775803,"
                           " payload_digest, received_ms, ledger_index FROM reading_receipts"
                           " LIMIT 1")
        db.close()
        self.hub.start()
        seq = 2
        for _ in range(9):  # past the 4,096 receipts that trigger the index batch
            body = self.hub.post_readings([heart_rate(s) for s in range(seq, seq + 500)])
            self.assertEqual(body["stored"], 500, body)
            seq += 500
        r = self.hub.mosquitto_pub(heart_rate(1), device_id="dev-0002")
        self.assertIn("RC:0", r.stdout)
        v = self.hub.run("verify", "--data-dir", self.hub.data_dir, check=False)
        self.assertNotEqual(v.returncode, 0)
        self.assertIn("data loss", v.stderr)  # the rows no batch recorded are named


class WalDamageTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002"))).start()

    def tearDown(self):
        self.hub.close()

    @sqlite_only("SQLite's write-ahead log")
    def test_a_truncated_wal_is_refused_reported_and_recovered_without_a_silent_fork(self):
        seq = 1
        for _ in range(3):  # readings, then a signed checkpoint, three times
            self.hub.post_readings([heart_rate(s) for s in range(seq, seq + 333)])
            self.hub.post_readings([heart_rate(s).replace("dev-0001", "dev-0002")
                                    for s in range(seq, seq + 10)], device_id="dev-0002")
            seq += 333
            self.hub.run("ledger", "checkpoint", "--data-dir", self.hub.data_dir)
        with open(os.path.join(self.hub.data_dir, "ledger.head")) as f:
            head = json.load(f)
        self.assertEqual(head["device_last_seq"]["dev-0001"], 999)
        self.hub.kill9()  # the write-ahead log stays: nothing folded it back
        wal = os.path.join(self.hub.data_dir, "vigil.db-wal")
        size = os.path.getsize(wal)
        self.assertGreater(size, 100000)
        with open(wal, "r+b") as f:
            f.truncate(size // 2 + 1000)  # mid-frame

        err = serve_fails(self.hub)
        self.assertIn("ledger.head", err)
        self.assertIn("lost its newest", err)
        self.assertIn("vigil recover", err)
        v = self.hub.run("verify", "--data-dir", self.hub.data_dir, check=False)
        self.assertNotEqual(v.returncode, 0)
        self.assertIn("were lost", v.stderr)

        report = self.hub.run("recover", "--data-dir", self.hub.data_dir).stdout
        self.assertIn("dev-0001  sequence numbers", report)
        self.assertIn("Nothing was changed", report)
        serve_fails(self.hub)  # still refused until the loss is accepted
        done = self.hub.run("recover", "--data-dir", self.hub.data_dir, "--accept-loss").stdout
        self.assertIn("The hub can start", done)
        self.hub.run("verify", "--data-dir", self.hub.data_dir)
        entries = [json.loads(line) for line in self.hub.run(
            "ledger", "show", "--data-dir", self.hub.data_dir).stdout.splitlines()]
        loss = [e for e in entries if e.get("type") == "data_loss"]
        self.assertEqual(len(loss), 1, entries[-3:])
        fields = loss[0]["fields"]
        self.assertIn("dev-0001:", fields["devices"])
        self.assertTrue(fields["by"].startswith("os:"))
        last_kept = int(fields["devices"].split("dev-0001:")[1].split("..")[0]) - 1

        self.hub.start()  # starts, and refuses a replay of a lost, acknowledged message
        r = self.hub.mosquitto_pub(heart_rate(999))
        self.assertIn("RC:135", r.stdout)  # 0x87: a replay
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(1000)).stdout)
        self.assertLess(last_kept, 999)

    def test_a_second_serve_on_the_same_directory_is_refused(self):
        err = serve_fails(self.hub)
        self.assertIn("another `vigil serve` is running", err)
        self.assertIn(f"pid {self.hub.proc.pid}", err)


class RollbackTest(unittest.TestCase):
    """Issue #17 item 3: a data directory restored from an older copy is consistent with itself;
    only a checkpoint kept off the hub catches it."""

    def setUp(self):
        self.hub = Hub()
        self.log = os.path.join(self.hub.root, "auditor", "hub.checkpoints")
        os.makedirs(os.path.dirname(self.log))
        self.hub.configure(checkpoint_log=f'"{self.log}"')

    def tearDown(self):
        self.hub.close()

    def test_a_restored_older_copy_fails_verify_against_the_checkpoint_log(self):
        self.hub.start()
        self.hub.post_readings([heart_rate(s) for s in range(1, 51)])
        self.hub.run("ledger", "checkpoint", "--data-dir", self.hub.data_dir)
        self.assertEqual(self.hub.stop(), 0)
        backup = self.hub.backup(os.path.join(self.hub.root, "backup"))
        self.hub.start()
        self.hub.post_readings([heart_rate(s) for s in range(51, 101)])
        note = self.hub.run("ledger", "checkpoint", "--data-dir", self.hub.data_dir).stdout
        self.assertEqual(get(self.hub, "/ledger/checkpoint")[1], note)  # what outsiders see
        self.assertEqual(self.hub.stop(), 0)  # signs once more on the way out
        saved = os.path.join(self.hub.root, "auditor", "seen.note")
        with open(saved, "w") as f:
            f.write(note)
        self.hub.restore(backup)  # the rollback: database, nodes and head together

        self.hub.run("verify", "--data-dir", self.hub.data_dir)  # consistent with itself
        for kept in (self.log, saved):
            v = self.hub.run("verify", "--data-dir", self.hub.data_dir, "--checkpoint", kept,
                             check=False)
            self.assertNotEqual(v.returncode, 0, kept)
            self.assertIn("rolled back", v.stderr)
            self.assertIn(kept, v.stderr)
        with open(self.log) as f:
            # Each signed by the hub's key, named after the log's origin.
            self.assertGreaterEqual(f.read().count("\u2014 localhost/ledger/vigil "), 3)
        forged = os.path.join(self.hub.root, "auditor", "forged.note")
        with open(forged, "w") as f:
            signature = note.rstrip("\n").rsplit(" ", 1)[1]
            f.write(note.replace(signature, signature[:10] + ("B" if signature[10] != "B"
                                                                 else "C") + signature[11:]))
        v = self.hub.run("verify", "--data-dir", self.hub.data_dir, "--checkpoint", forged,
                         check=False)
        self.assertNotEqual(v.returncode, 0)
        self.assertIn("does not verify", v.stderr)


class SlowReaderTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub(devices=(("dev-0001", "p-001"), ("dev-0002", "p-002")))
        self.hub.configure(write_timeout_seconds=4, enabled="false")  # detection off
        self.hub.start()

    def tearDown(self):
        self.hub.close()

    def test_a_client_that_never_reads_is_bounded_then_dropped(self):
        d = self.hub.device_dir("dev-0001")
        ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
        ctx.load_cert_chain(os.path.join(d, "dev-0001.crt"), os.path.join(d, "dev-0001.key"))
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.connect(("127.0.0.1", self.hub.mqtt_port))
        sock = ctx.wrap_socket(raw, server_hostname="localhost")
        sock.sendall(connect_packet("dev-0001", version=5))
        read_packet(sock)  # CONNACK; from here on this client reads nothing
        before = rss_kb(self.hub.proc.pid)
        burst = publish_v5(1, b"not json at all") * 200  # each refused with a reason string
        sock.settimeout(2.0)
        sent, peak, started, dropped = 0, before, time.time(), False
        while time.time() - started < 30:
            try:
                sock.sendall(burst)
                sent += 200
            except (socket.timeout, TimeoutError):
                pass  # the hub stopped reading: back-pressure
            except (ConnectionError, ssl.SSLError, OSError):
                dropped = True
                break
            peak = max(peak, rss_kb(self.hub.proc.pid))
        sock.close()
        self.assertTrue(dropped, f"still connected after 30 s ({sent} publishes sent)")
        self.assertGreater(sent, 20000)
        self.assertLess(peak - before, 30 * 1024, f"RSS grew {peak - before} KiB")
        self.assertIn("took no answer for 4 s", self.hub.log())
        r = self.hub.mosquitto_pub(heart_rate(1), device_id="dev-0002")
        self.assertIn("RC:0", r.stdout)  # everyone else was served throughout


class StartupChecksTest(unittest.TestCase):
    def tearDown(self):
        self.hub.close()

    def test_a_wrong_master_key_is_refused_by_serve_and_verify(self):
        self.hub = Hub()
        path = os.path.join(self.hub.data_dir, "keys", "master.key")
        with open(path, "wb") as f:
            f.write(secrets.token_bytes(32))
        err = serve_fails(self.hub)
        self.assertIn("master.key does not unwrap the data key of patient p-001", err)
        v = self.hub.run("verify", "--data-dir", self.hub.data_dir, check=False)
        self.assertIn("master.key does not unwrap", v.stderr)

    def test_a_missing_ledger_key_is_refused_not_replaced(self):
        self.hub = Hub()
        key = os.path.join(self.hub.data_dir, "keys", "ledger.key")
        os.unlink(key)
        err = serve_fails(self.hub)
        self.assertIn("keys/ledger.key is missing", err)
        self.assertFalse(os.path.exists(key))
        self.hub.run("ledger", "checkpoint", "--data-dir", self.hub.data_dir, check=False)
        self.assertFalse(os.path.exists(key))

    def test_an_empty_config_is_refused_naming_the_hubs_name(self):
        self.hub = Hub(init_args=("--name", "ward7"))
        config = os.path.join(self.hub.data_dir, "config.toml")
        open(config, "w").close()
        if self.hub.store_url:  # where the data is was lost with the rest: that is said first
            self.assertIn("names no store ([store] url)", serve_fails(self.hub))
            with open(config, "w") as f:
                f.write(f'[store]\nurl = "{self.hub.store_url}"\n')
        err = serve_fails(self.hub)
        self.assertIn("names the hub 'vigil'", err)
        self.assertIn('set [hub] name = "ward7" in config.toml', err)

    @sqlite_only("a damaged vigil.db page")
    def test_a_damaged_database_is_refused_before_anything_is_written(self):
        self.hub = Hub()
        db = os.path.join(self.hub.data_dir, "vigil.db")
        conn = sqlite3.connect(db)
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'devices'").fetchone()[0]
        conn.close()
        with open(db, "r+b") as f:  # the devices table's B-tree page: its header and cells
            f.seek((root - 1) * page_size)
            f.write(b"\x0d" + secrets.token_bytes(page_size - 1))
        with open(db, "rb") as f:
            before = f.read()
        err = serve_fails(self.hub)
        self.assertIn("vigil.db is damaged", err)
        with open(db, "rb") as f:
            self.assertEqual(f.read(), before)
        with open(db, "r+b") as f:
            f.write(b"not a database at all, no")
        err = serve_fails(self.hub)
        self.assertIn("vigil.db", err)

    def test_a_lost_config_says_how_to_restore_it(self):
        self.hub = Hub()
        os.unlink(os.path.join(self.hub.data_dir, "config.toml"))
        err = serve_fails(self.hub)
        self.assertIn("--config-only", err)
        store = ("--store", self.hub.store_url) if self.hub.store_url else ()
        self.hub.run("init", "--data-dir", self.hub.data_dir, "--config-only", *store)
        self.hub.start()
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(1)).stdout)

    def test_init_with_an_unreachable_store_leaves_nothing_behind(self):
        self.hub = Hub()
        target = os.path.join(self.hub.root, "elsewhere")
        failed = self.hub.run("init", "--data-dir", target, "--store",
                              "postgresql://vigil:s3cret@127.0.0.1:1/vigil?connect_timeout=2",
                              check=False)
        self.assertNotEqual(failed.returncode, 0)
        self.assertIn("cannot connect to PostgreSQL", failed.stderr)
        self.assertNotIn("s3cret", failed.stderr)
        self.assertEqual(os.listdir(target), [])  # run again once the database is there
        self.hub.run("init", "--data-dir", target)

    def test_init_makes_missing_parent_directories(self):
        self.hub = Hub()
        nested = os.path.join(self.hub.root, "a", "b", "hub")
        self.hub.run("init", "--data-dir", nested)
        self.assertTrue(os.path.exists(os.path.join(nested, "vigil.db")))
        self.assertEqual(os.stat(nested).st_mode & 0o777, 0o700)


class ErrorMessagesTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub().start()

    def tearDown(self):
        self.hub.close()

    @sqlite_only("the ledger's node file")
    def test_a_truncated_node_file_is_named_as_such_and_rebuilt_at_start(self):
        self.hub.post_readings([heart_rate(s) for s in range(1, 301)])
        self.hub.run("ledger", "checkpoint", "--data-dir", self.hub.data_dir)
        self.assertEqual(self.hub.stop(), 0)
        nodes = os.path.join(self.hub.data_dir, "vigil.db-ledger-nodes")
        with open(nodes, "r+b") as f:
            f.truncate(os.path.getsize(nodes) // 3 // 32 * 32 + 7)  # mid-node: a torn slot
        v = self.hub.run("verify", "--data-dir", self.hub.data_dir, check=False)
        self.assertNotEqual(v.returncode, 0)
        self.assertIn("node file (vigil.db-ledger-nodes) has lost the tree nodes", v.stderr)
        self.assertIn("entries themselves are not at fault", v.stderr)
        self.assertNotIn("altered", v.stderr)
        self.hub.start()
        self.assertEqual(self.hub.stop(), 0)
        self.hub.run("verify", "--data-dir", self.hub.data_dir)

    def test_verify_after_a_crash_before_any_checkpoint_notes_it_and_passes(self):
        self.hub.post_readings([heart_rate(1)])
        self.hub.kill9()  # before the hub's first checkpoint (5 s after start)
        v = self.hub.run("verify", "--data-dir", self.hub.data_dir, check=False)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertIn("not yet covered by a signed checkpoint", v.stderr)
        self.assertNotIn("data loss", v.stderr)


class DiskFullTest(unittest.TestCase):
    """A 24 MiB tmpfs holds the hub; a filler file takes the rest."""

    def setUp(self):
        self.mount = tempfile.mkdtemp(prefix="vigil-disk-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", self.mount],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.fail("cannot mount a tmpfs (the test needs root): " + r.stderr)
        self.hub = Hub()
        shutil.move(self.hub.data_dir, os.path.join(self.mount, "hub"))
        self.hub.data_dir = os.path.join(self.mount, "hub")
        self.filler = os.path.join(self.mount, "filler")

    def tearDown(self):
        self.hub.close()
        subprocess.run(["umount", self.mount], capture_output=True)
        os.rmdir(self.mount)

    def fill(self, leave_bytes):
        st = os.statvfs(self.mount)
        free = st.f_bavail * st.f_frsize
        with open(self.filler, "ab") as f:
            f.write(b"\0" * max(0, free - leave_bytes))

    def wait_health(self, status, limit=10):
        deadline = time.time() + limit
        while time.time() < deadline:
            got = health(self.hub)
            if got[0] == status:
                return got[1]
            time.sleep(0.2)
        self.fail(f"/healthz did not become {status}: {got}")

    def test_the_watermark_stops_and_resumes_acceptance_with_a_reason(self):
        self.hub.configure(min_free_mb=4)
        self.hub.start()
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(1)).stdout)
        self.fill(3 * 1024 * 1024)
        body = self.wait_health(503)
        self.assertIn("disk nearly full", body)
        self.assertEqual(health(self.hub, "/readyz")[0], 503)
        r = self.hub.mosquitto_pub(heart_rate(2))
        self.assertIn("RC:151", r.stdout)  # 0x97 quota exceeded: come back later
        os.unlink(self.filler)
        self.wait_health(200)
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(3)).stdout)
        self.assertEqual([o["valueQuantity"]["value"] for o in self.hub.observations()], [72, 72])

    @sqlite_only("the store's own writes hitting a full data directory")
    def test_a_full_disk_refuses_readings_logs_briefly_and_recovers_by_itself(self):
        self.hub.configure(min_free_mb=0)  # no watermark: the store itself hits the wall
        self.hub.start()
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(1)).stdout)
        self.fill(0)
        seq, refused = 2, 0
        started = time.time()
        while time.time() - started < 6:
            body = self.hub.post_readings([heart_rate(s) for s in range(seq, seq + 200)],
                                          check=False)
            seq += 200
            refused += body.get("refused", 0)
        self.assertGreater(refused, 0)
        status, text = health(self.hub)
        self.assertEqual(status, 503, text)
        self.assertIn("readings cannot be stored", text)
        self.assertLess(self.hub.log().count("commit failed"), 20)
        self.assertIn("store-failure", self.hub.log())  # detection heard of it (one hub alert)
        os.unlink(self.filler)
        deadline = time.time() + 10
        while time.time() < deadline:
            if "RC:0" in self.hub.mosquitto_pub(heart_rate(seq)).stdout:
                break
            seq += 1
            time.sleep(0.5)
        else:
            self.fail("readings are still refused after space came back")
        self.wait_health(200)
        self.assertEqual(self.hub.stop(), 0)
        v = self.hub.run("verify", "--data-dir", self.hub.data_dir, check=False)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertNotIn("data loss", v.stderr.lower())


if __name__ == "__main__":
    unittest.main()
