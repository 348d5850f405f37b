#!/usr/bin/python3
"""How many pages a commit writes to SQLite's WAL when N devices each append rows at their own
point in the middle of one B-tree, as the hub's reading_receipts (device_id, seq) and
observations_by_patient (patient_id, effective_ms, id) do. Each layout gets the same load: N
devices x ROWS rows a commit, rows shaped like receipts (device id, sequence number, 32-byte
digest, two integers); pages a commit are counted from the WAL's growth (no checkpoints).

    /usr/bin/python3 bench/btree_pages.py [--devices 16,256] [--rows 10] [--commits 600]

Prints a Markdown table. Runs in a temporary directory; bounded by --commits."""

import argparse
import os
import sqlite3
import tempfile

PAGE = 4096
# The layout whose index index_batch writes after each commit's rows.
BATCHED = "rowid table + (device, seq) index in sorted batches (the hub's receipts)"
LAYOUTS = {
    "WITHOUT ROWID, key (device, seq)": """
        CREATE TABLE r (device_id TEXT NOT NULL, seq INTEGER NOT NULL, digest BLOB NOT NULL,
                        received_ms INTEGER NOT NULL, ledger_index INTEGER,
                        PRIMARY KEY (device_id, seq)) WITHOUT ROWID;""",
    "rowid table + unique index (device, seq)": """
        CREATE TABLE r (device_id TEXT NOT NULL, seq INTEGER NOT NULL, digest BLOB NOT NULL,
                        received_ms INTEGER NOT NULL, ledger_index INTEGER);
        CREATE UNIQUE INDEX r_by_device ON r (device_id, seq);""",
    "rowid table only (one append point)": """
        CREATE TABLE r (device_id TEXT NOT NULL, seq INTEGER NOT NULL, digest BLOB NOT NULL,
                        received_ms INTEGER NOT NULL, ledger_index INTEGER);""",
    # The hub's receipts since schema 10: appended, and indexed by (device, seq) in sorted
    # batches of BATCH rows by the commit that finds that many past the last batch.
    BATCHED: """
        CREATE TABLE r (device_id TEXT NOT NULL, seq INTEGER NOT NULL, digest BLOB NOT NULL,
                        received_ms INTEGER NOT NULL, ledger_index INTEGER);
        CREATE TABLE r_sorted (device_id TEXT NOT NULL, seq INTEGER NOT NULL,
                               receipt INTEGER NOT NULL, PRIMARY KEY (device_id, seq))
                               WITHOUT ROWID;""",
}
BATCH = 4096


def index_batch(db, state):
    """Sorts the rows past the last batch into r_sorted once there are BATCH of them."""
    last = db.execute("SELECT coalesce(max(rowid), 0) FROM r").fetchone()[0]
    if last - state["through"] >= BATCH:
        db.execute("INSERT INTO r_sorted SELECT device_id, seq, rowid FROM r"
                   " WHERE rowid > ? AND rowid <= ? ORDER BY device_id, seq",
                   (state["through"], last))
        state["through"] = last


def wal_frames(path):
    return (os.path.getsize(path) - 32) // (24 + PAGE) if os.path.exists(path) else 0


def pages_per_commit(schema, batched, devices, rows, commits, directory):
    path = os.path.join(directory, f"t{devices}.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"PRAGMA page_size={PAGE}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.executescript(schema)
    state = {"through": 0}
    seq = [0] * devices
    warm = commits // 2  # let the tree grow past its first pages before counting
    written = 0
    for c in range(commits):
        before = wal_frames(path + "-wal")
        db.execute("BEGIN")
        for _ in range(rows):
            for d in range(devices):  # arrivals interleaved across devices, as on the hub
                seq[d] += 1
                db.execute("INSERT INTO r VALUES (?, ?, ?, ?, 1)",
                           (f"bench-dev-{d:04d}", seq[d], os.urandom(32), 1795448255708 + c))
        if batched:
            index_batch(db, state)
        db.execute("COMMIT")
        if c >= warm:
            written += wal_frames(path + "-wal") - before
    db.close()
    return written / (commits - warm)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", default="16,256")
    parser.add_argument("--rows", type=int, default=10, help="rows per device per commit")
    parser.add_argument("--commits", type=int, default=600)
    args = parser.parse_args()
    fleets = [int(n) for n in args.devices.split(",")]
    print("| layout | " + " | ".join(f"{n} devices: pages a commit" for n in fleets) + " |")
    print("|---|" + "---|" * len(fleets))
    with tempfile.TemporaryDirectory() as directory:
        for name, schema in LAYOUTS.items():
            cells = [pages_per_commit(schema, name == BATCHED, n, args.rows, args.commits, directory)
                     for n in fleets]
            print(f"| {name} | " + " | ".join(f"{p:.1f}" for p in cells) + " |", flush=True)


if __name__ == "__main__":
    main()
