#!/usr/bin/python3
"""Ingest on each store, one run, one machine (issue #23): `vigil sim` devices publishing QoS 1
readings over mutual TLS as fast as acknowledgements allow (PUBACK only after the commit), to

  1. one hub on the embedded SQLite store;
  2. one hub on PostgreSQL 15 with a synchronous standby (a commit returns once the standby has
     flushed it: what survives the loss of the primary);
  3. two hubs on that same PostgreSQL database, each with half the devices;
  4. for reference, one hub on a PostgreSQL without a standby (what the standby's flush costs).

Prints a Markdown table (readings/s, p50/p99 acknowledgement latency, hub CPU per reading) and
the PostgreSQL hub's rate as a share of the SQLite hub's. Loopback only, bounded in time.

    /usr/bin/python3 bench/store_ingest.py [--devices 16,256] [--seconds 10]
"""

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "postgres"))
from pg_servers import PgServer, free_port  # noqa: E402

from e2e_ingest import cpu_seconds  # noqa: E402

VIGIL = os.environ.get("VIGIL_BIN", os.path.join(HERE, "..", "build", "vigil"))


class Hub:
    """`vigil serve` on a data directory, on free loopback ports."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.port = free_port()
        self.log = open(data_dir + ".log", "a")
        self.proc = subprocess.Popen(
            [VIGIL, "--log-level", "warn", "serve", "--data-dir", data_dir, "--mqtt-port",
             str(self.port), "--https-port", str(free_port())], stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"vigil did not start; see {self.log.name}")
                time.sleep(0.1)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def sim(hub, devices, seconds, prefix):
    out = subprocess.run(
        [VIGIL, "sim", "--data-dir", hub.data_dir, "--devices", str(devices), "--duration",
         str(seconds), "--rate", "0", "--port", str(hub.port), "--window", "16", "--prefix",
         prefix, "--mqtt", "5", "--json", "--drain", "20"],
        capture_output=True, text=True, timeout=seconds + 600)
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(hubs, devices, seconds, prefix):
    """Runs `devices` simulated devices split over `hubs` at once; the combined figures."""
    cpu0 = [cpu_seconds(h.proc.pid) for h in hubs]
    results = [None] * len(hubs)

    def one(i):
        results[i] = sim(hubs[i], devices // len(hubs), seconds, f"{prefix}{i}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(hubs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = sum(cpu_seconds(h.proc.pid) - c for h, c in zip(hubs, cpu0))
    acked = sum(r["acked"] for r in results)
    return {"devices": devices, "acks_per_s": sum(r["acks_per_second"] for r in results),
            "p50_ms": max(r["ack_p50_ms"] for r in results),
            "p99_ms": max(r["ack_p99_ms"] for r in results),
            "cpu_us_per_reading": cpu * 1e6 / max(acked, 1), "acked": acked,
            "unacknowledged": sum(r["unacknowledged"] for r in results)}


def init_hub(work, name, store_url=None):
    data_dir = os.path.join(work, name)
    argv = [VIGIL, "init", "--data-dir", data_dir]
    if store_url:
        argv += ["--store", store_url]
    subprocess.run(argv, check=True, capture_output=True)
    return data_dir


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", default="16,256")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="vigil-store-bench-")
    os.chmod(work, 0o755)  # the postgres user walks into its servers' directories
    primary = standby = solo = None
    rows = []
    try:
        primary = PgServer(work, "pg-primary").init().start()
        standby = primary.add_sync_standby("standby1")
        for db in ("vigil_one", "vigil_two"):
            primary.psql(f"CREATE DATABASE {db}")
        solo = PgServer(work, "pg-solo").init().start()
        solo.psql("CREATE DATABASE vigil")
        setups = {
            "1 hub, SQLite": [init_hub(work, "sqlite")],
            "1 hub, PostgreSQL + sync standby": [init_hub(work, "pg", primary.url("vigil_one"))],
        }
        two = init_hub(work, "pg-a", primary.url("vigil_two"))
        shutil.copytree(two, os.path.join(work, "pg-b"))  # same keys, CA and store
        setups["2 hubs, one PostgreSQL + sync standby"] = [two, os.path.join(work, "pg-b")]
        setups["1 hub, PostgreSQL, no standby"] = [init_hub(work, "pg-solo-hub", solo.url("vigil"))]
        for n in [int(d) for d in args.devices.split(",") if d]:
            for name, dirs in setups.items():
                hubs = [Hub(d) for d in dirs]
                try:
                    r = measure(hubs, n, args.seconds, f"n{n}-")
                finally:
                    for h in hubs:
                        h.stop()
                r["setup"] = name
                rows.append(r)
                print(json.dumps(r), flush=True)
    finally:
        for server in (standby, primary, solo):
            if server:
                server.stop()
    print("\n| devices | setup | readings/s | share of SQLite | p50 ms | p99 ms | hub CPU us/reading |")
    print("|---|---|---|---|---|---|---|")
    base = {r["devices"]: r["acks_per_s"] for r in rows if r["setup"] == "1 hub, SQLite"}
    for r in rows:
        share = r["acks_per_s"] / max(base.get(r["devices"], 1), 1)
        print(f"| {r['devices']} | {r['setup']} | {r['acks_per_s']:.0f} | {share:.0%} | "
              f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['cpu_us_per_reading']:.1f} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
