#!/usr/bin/python3
"""Soak: a hub under a steady fleet load for a long time (30 minutes by default), sampled every
30 s: resident memory, open file descriptors, the write-ahead log's and database's size, ack
latency of a probe device, and readings stored per second. Loopback only; bounded in time.

    /usr/bin/python3 bench/soak.py [--minutes 30] [--devices 200] [--rate 5] [--interval 30]
                                   [--out docs/soak]

Writes <out>.csv and <out>.png (needs python3-matplotlib: scripts/install-bench-deps.sh) and
prints a summary: each series' value after warm-up (the first 5 minutes) against its last and
its largest, so growth is visible at a glance."""

import argparse
import csv
import os
import ssl
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from hub import VIGIL, Hub, heart_rate  # noqa: E402

import paho.mqtt.client as paho  # noqa: E402


class Probe:
    """One device that publishes a few QoS 1 readings per sample and times each acknowledgement."""

    def __init__(self, hub, device_id="dev-0001"):
        d = hub.device_dir(device_id)
        self.client = paho.Client(client_id=device_id, protocol=paho.MQTTv311)
        self.client.tls_set(ca_certs=os.path.join(d, "ca.crt"),
                            certfile=os.path.join(d, device_id + ".crt"),
                            keyfile=os.path.join(d, device_id + ".key"),
                            tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self.acked = threading.Event()
        self.client.on_publish = lambda *a: self.acked.set()
        self.client.connect("localhost", hub.mqtt_port, keepalive=60)
        self.client.loop_start()
        self.topic = f"devices/{device_id}/vitals"
        self.seq = 0

    def sample(self, count=20):
        """Latencies in ms of `count` readings, one at a time."""
        out = []
        for _ in range(count):
            self.seq += 1
            self.acked.clear()
            started = time.perf_counter()
            self.client.publish(self.topic, heart_rate(self.seq, 70), qos=1)
            if self.acked.wait(10):
                out.append((time.perf_counter() - started) * 1000)
        return out

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def file_mb(path):
    return os.path.getsize(path) / 2**20 if os.path.exists(path) else 0.0


def stored_messages(hub):
    ctx = ssl.create_default_context(cafile=os.path.join(hub.data_dir, "ca", "ca.crt"))
    url = f"https://localhost:{hub.https_port}/metrics"
    with urllib.request.urlopen(url, context=ctx, timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("vigil_messages_accepted_total"):
                return float(line.split()[-1])
    return 0.0


def plot(rows, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    minutes = [r["t_s"] / 60 for r in rows]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    panels = [
        (axes[0][0], [("rss_mb", "RSS (MiB)")], "hub resident memory"),
        (axes[0][1], [("fds", "open fds")], "hub file descriptors"),
        (axes[1][0], [("wal_mb", "vigil.db-wal (MiB)"), ("db_mb", "vigil.db (MiB)")],
         "store files"),
        (axes[1][1], [("p50_ms", "ack p50 (ms)"), ("max_ms", "ack max (ms)")],
         "probe ack latency"),
    ]
    for ax, series, title in panels:
        for key, label in series:
            ax.plot(minutes, [r[key] for r in rows], marker=".", label=label)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("minutes")
    rate = statistics.mean(r["stored_per_s"] for r in rows[1:]) if len(rows) > 1 else 0
    fig.suptitle(f"vigil soak: {rows[-1]['t_s'] / 60:.0f} min, ~{rate:,.0f} readings/s stored")
    fig.tight_layout()
    fig.savefig(out + ".png", dpi=90)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--rate", type=float, default=5)
    ap.add_argument("--interval", type=float, default=30)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "soak"))
    args = ap.parse_args()
    duration = args.minutes * 60

    hub = Hub().start()
    sim = None
    try:
        sim_log = open(os.path.join(hub.root, "sim.log"), "w")
        sim = subprocess.Popen(
            [VIGIL, "sim", "--data-dir", hub.data_dir, "--devices", str(args.devices),
             "--rate", str(args.rate), "--duration", str(duration), "--port",
             str(hub.mqtt_port), "--json"], stdout=sim_log, stderr=subprocess.STDOUT)
        probe = Probe(hub)
        pid = hub.proc.pid
        wal = os.path.join(hub.data_dir, "vigil.db-wal")
        db = os.path.join(hub.data_dir, "vigil.db")
        rows, started = [], time.time()
        last_stored, last_t = stored_messages(hub), started
        while time.time() - started < duration:
            time.sleep(max(0.0, started + (len(rows) + 1) * args.interval - time.time()))
            now = time.time()
            latencies = probe.sample()
            stored = stored_messages(hub)
            row = {"t_s": round(now - started, 1),
                   "rss_mb": round(proc_status(pid, "VmRSS") / 1024, 1),
                   "fds": len(os.listdir(f"/proc/{pid}/fd")),
                   "wal_mb": round(file_mb(wal), 2),
                   "db_mb": round(file_mb(db), 2),
                   "p50_ms": round(statistics.median(latencies), 2) if latencies else -1,
                   "max_ms": round(max(latencies), 2) if latencies else -1,
                   "stored_per_s": round((stored - last_stored) / (now - last_t), 1)}
            last_stored, last_t = stored, now
            rows.append(row)
            print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
        probe.close()
    finally:
        if sim and sim.poll() is None:
            sim.terminate()
            sim.wait(timeout=30)
        hub.stop()
        hub.close()
    with open(args.out + ".csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    warm = [r for r in rows if r["t_s"] >= 300] or rows
    for key in ("rss_mb", "fds", "wal_mb", "db_mb", "p50_ms", "max_ms", "stored_per_s"):
        print(f"{key:13} after warm-up {warm[0][key]:>10}  last {rows[-1][key]:>10}  "
              f"max {max(r[key] for r in warm):>10}")
    try:
        plot(rows, args.out)
        print("wrote", args.out + ".csv", args.out + ".png")
    except ImportError:
        print("wrote", args.out + ".csv", "(no plot: install python3-matplotlib)")


if __name__ == "__main__":
    main()
