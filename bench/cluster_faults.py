#!/usr/bin/python3
"""Node failures under load on the `make cluster` topology (issue #23): etcd x3, Patroni x3 with
PostgreSQL 15 in synchronous_mode_strict, HAProxy, two hubs, `vigil sim` streaming through
HAProxy. Each run starts a fleet, injects one fault a few seconds in, and checks afterwards:

  - every reading the generator saw acknowledged is stored exactly once;
  - devices stream again, and the pause (the longest time no new reading was stored, measured
    by polling the store through HAProxy) is reported;
  - the ledger keeps one order and `vigil verify` passes (once all runs are done).

Faults: kill -9 of the PostgreSQL primary (Patroni and its postgres, as a lost node), kill -9
of one hub, kill -9 of etcd's leader. The killed node is started again after the run, so every
run begins with the whole cluster.

    /usr/bin/python3 bench/cluster_faults.py [--runs 5] [--faults primary,hub,etcd]
                                             [--devices 16] [--rate 5] [--seconds 40]
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from cluster import VIGIL, Cluster, wait_for  # noqa: E402


def stored_count(cluster):
    out = subprocess.run(["psql", "-q", "-A", "-t", cluster.store_url(), "-c",
                          "SELECT count(*) FROM reading_receipts"],
                         capture_output=True, text=True, timeout=3)
    return int(out.stdout.strip()) if out.returncode == 0 else None


class PauseMeter(threading.Thread):
    """Polls how many readings are stored; the longest stretch without a new one after `since`."""

    def __init__(self, cluster):
        super().__init__(daemon=True)
        self.cluster, self.stop_at, self.since = cluster, None, None
        self.samples = []  # (time, count or None)

    def run(self):
        while self.stop_at is None or time.time() < self.stop_at:
            try:
                count = stored_count(self.cluster)
            except subprocess.TimeoutExpired:
                count = None
            self.samples.append((time.time(), count))
            time.sleep(0.25)

    def longest_pause(self):
        last_change, last_count, longest = self.since, None, 0.0
        for t, count in self.samples:
            if count is None or t < self.since:
                if count is not None:
                    last_count = count
                continue
            if last_count is None or count > last_count:
                longest = max(longest, t - last_change)
                last_change, last_count = t, count
        return longest


def inject(cluster, fault, run):
    """Kills a node; returns what to do to bring it back."""
    if fault == "primary":
        i = cluster.primary()
        cluster.kill_node(i)
        return f"PostgreSQL primary pg{i}", lambda: cluster.start_patroni(i)
    if fault == "hub":
        i = run % cluster.hub_count
        cluster.hubs[i].kill9()
        return f"hub{i}", lambda: cluster.start_hub(i)
    if fault == "etcd":
        i = cluster.etcd_leader()
        cluster.etcd[i].kill9()
        return f"etcd leader e{i}", lambda: cluster.etcd[i].start()
    raise SystemExit(f"unknown fault {fault}")


def acked_pairs(path):
    with open(path) as f:
        return {tuple(line.split()) for line in f if line.strip()}


def stored_pairs(cluster, prefix):
    out = subprocess.run(["psql", "-q", "-A", "-t", "-F", " ", cluster.store_url(), "-c",
                          f"SELECT device_id, seq FROM reading_receipts WHERE device_id LIKE "
                          f"'{prefix}%'"], capture_output=True, text=True, timeout=60, check=True)
    return [tuple(line.split()) for line in out.stdout.splitlines() if line.strip()]


def one_run(cluster, fault, run, args):
    prefix = f"{fault}{run}-"
    acked = os.path.join(cluster.root, f"acked-{prefix}txt")
    meter = PauseMeter(cluster)
    meter.start()
    sim = subprocess.Popen(
        [VIGIL, "sim", "--data-dir", cluster.hub_dir(0), "--devices", str(args.devices), "--rate",
         str(args.rate), "--duration", str(args.seconds), "--port", str(cluster.front["mqtt"]),
         "--host", "localhost", "--prefix", prefix, "--acked-out", acked, "--drain", "60",
         "--json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(args.fault_at)
    meter.since = time.time()
    what, restore = inject(cluster, fault, run)
    out, _ = sim.communicate(timeout=args.seconds + 180)
    meter.stop_at = time.time()
    meter.join()
    summary = json.loads(out.strip().splitlines()[-1])
    acknowledged = acked_pairs(acked)
    stored = stored_pairs(cluster, prefix)
    missing = acknowledged - set(stored)
    duplicates = len(stored) - len(set(stored))
    result = {"fault": fault, "run": run, "killed": what, "acked": len(acknowledged),
              "stored": len(stored), "missing": len(missing), "duplicates": duplicates,
              "pause_s": round(meter.longest_pause(), 1),
              "unacknowledged": summary.get("unacknowledged"),
              "resent": summary.get("resent_after_reconnect", summary.get("resent"))}
    print(json.dumps(result), flush=True)
    restore()
    wait_for("the cluster whole again", lambda: cluster.sync_standby_ready()
             and all(p.alive() for p in [*cluster.patroni, *cluster.etcd, *cluster.hubs]), 180)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--faults", default="primary,hub,etcd")
    parser.add_argument("--devices", type=int, default=16)
    parser.add_argument("--rate", type=float, default=5)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--fault-at", type=float, default=8)
    args = parser.parse_args()
    cluster = Cluster()
    results = []
    verified = None
    try:
        cluster.up()
        print(cluster.where(), flush=True)
        for fault in filter(None, args.faults.split(",")):
            for run in range(args.runs):
                results.append(one_run(cluster, fault, run, args))
        for hub in cluster.hubs:
            hub.stop()
        verified = subprocess.run([VIGIL, "verify", "--data-dir", cluster.hub_dir(0)],
                                  capture_output=True, text=True, timeout=600)
    finally:
        cluster.down()
    print("\n| fault | run | acknowledged | stored | missing | duplicates | pause s |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['killed']} | {r['run']} | {r['acked']} | {r['stored']} | {r['missing']} | "
              f"{r['duplicates']} | {r['pause_s']} |")
    if verified is not None:
        print("\nvigil verify: " + (verified.stdout.strip() if verified.returncode == 0
                                    else "FAILED: " + verified.stderr.strip()))
    bad = [r for r in results if r["missing"] or r["duplicates"] or r["pause_s"] > 60]
    return 1 if bad or verified is None or verified.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
