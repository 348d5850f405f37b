#!/usr/bin/python3
"""End-to-end ingest benchmark: `vigil sim` drives N devices publishing QoS 1 readings over mutual
TLS 1.3 as fast as acknowledgements allow, against Vigil and, in the same run with the same
generator, certificates and load, against Mosquitto 2 (mutual TLS, persistence on, an ACL that
lets each device write only its own topic). Loopback only; every run is bounded in time.

    bench/e2e_ingest.py [--devices 1,16,256,1000] [--seconds 10] [--idle 10000] [--profile]
                        [--no-detect] [--fleet 1000x5,...]

--fleet NxR runs N devices paced at R readings/s each (a deployment's shape: many devices, few
readings each, rather than a few devices as fast as they can), against both servers, and adds
the bytes each server wrote per reading (write(2) bytes, /proc/<pid>/io) to the figures.

Prints a Markdown table (readings/s, p50/p99 ack latency, server CPU s per 100k readings, peak
RSS) and writes the raw figures as JSON next to it (build/bench-e2e.json)."""

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
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIGIL = os.environ.get("VIGIL_BIN", os.path.join(ROOT, "build", "vigil"))
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def memory_mb(pid, field):
    """A /proc/<pid>/status memory field in MiB: VmRSS (now) or VmHWM (peak)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, name, argv, port, env=None):
        self.name, self.port = name, port
        self.log = open(os.path.join(WORK, name + ".log"), "a")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log, env=env)
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"{name} did not start; see {self.log.name}")
                time.sleep(0.1)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def start_vigil():
    port = free_port()
    return Server("vigil", [VIGIL, "--log-level", "warn", "serve", "--data-dir", HUB,
                            "--mqtt-port", str(port), "--https-port", str(free_port())], port)


def start_mosquitto():
    port = free_port()
    store = os.path.join(WORK, "mosquitto-store")
    os.makedirs(store, exist_ok=True)
    acl = os.path.join(WORK, "mosquitto.acl")
    with open(acl, "w") as f:
        f.write("pattern write devices/%u/vitals\n")
    conf = os.path.join(WORK, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"""user root
per_listener_settings false
listener {port} 127.0.0.1
cafile {HUB}/ca/ca.crt
certfile {HUB}/tls/server.crt
keyfile {HUB}/tls/server.key
require_certificate true
use_identity_as_username true
tls_version tlsv1.3
acl_file {acl}
persistence true
persistence_location {store}/
max_connections -1
log_type error
log_type warning
""")
    return Server("mosquitto", ["/usr/sbin/mosquitto", "-c", conf], port)


def run_sim(port, devices, seconds, rate=0, window=16, prefix="bench"):
    out = subprocess.run(
        [VIGIL, "sim", "--data-dir", HUB, "--devices", str(devices), "--duration", str(seconds),
         "--rate", str(rate), "--port", str(port), "--window", str(window), "--prefix", prefix,
         "--mqtt", "5", "--json", "--drain", "20"],
        capture_output=True, text=True, timeout=seconds + 600)
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bytes_written(pid):
    """Bytes the process has passed to write(2) and friends (its WAL, database and log files,
    and sockets)."""
    with open(f"/proc/{pid}/io") as f:
        return int(dict(line.split(": ") for line in f.read().splitlines())["wchar"])


def measure(start_server, devices, seconds, rate=0):
    server = start_server()
    try:
        cpu0, written0 = cpu_seconds(server.proc.pid), bytes_written(server.proc.pid)
        sim = run_sim(server.port, devices, seconds, rate)
        cpu = cpu_seconds(server.proc.pid) - cpu0
        written = bytes_written(server.proc.pid) - written0
        peak = memory_mb(server.proc.pid, "VmHWM")
    finally:
        server.stop()
    acked = max(sim["acked"], 1)
    return {"devices": devices, "acks_per_s": sim["acks_per_second"], "p50_ms": sim["ack_p50_ms"],
            "p99_ms": sim["ack_p99_ms"], "cpu_s_per_100k": cpu * 100000 / acked,
            "cpu_us_per_reading": cpu * 1e6 / acked, "peak_rss_mb": peak,
            "written_kib_per_reading": written / 1024 / acked,
            "acked": sim["acked"], "unacknowledged": sim["unacknowledged"]}


def idle_connections(count, seconds):
    """`count` devices connect, send one reading each and stay connected; the hub's RSS is read
    once all are connected."""
    server = start_vigil()
    try:
        sim = subprocess.Popen(
            [VIGIL, "sim", "--data-dir", HUB, "--devices", str(count), "--duration", str(seconds),
             "--rate", "0.001", "--port", str(server.port), "--prefix", "idle", "--json",
             "--drain", "30"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        best = (0, 0.0)
        deadline = time.time() + seconds
        while time.time() < deadline and sim.poll() is None:
            open_now = int(subprocess.run(
                ["ss", "-Htn", "state", "established", f"( sport = :{server.port} )"],
                capture_output=True, text=True).stdout.count("\n"))
            if open_now >= best[0]:
                best = (open_now, memory_mb(server.proc.pid, "VmRSS"))
            time.sleep(1)
        out, _ = sim.communicate(timeout=seconds + 120)
    finally:
        server.stop()
    return {"connections": best[0], "rss_mb_at_peak_connections": best[1],
            "sim": json.loads(out.strip().splitlines()[-1]) if out.strip() else {}}


def profile(devices, seconds):
    server = start_vigil()
    perf_data = os.path.join(WORK, "perf.data")
    perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-g", "-o", perf_data, "-p",
                             str(server.proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run_sim(server.port, devices, seconds)
    finally:
        perf.send_signal(signal.SIGINT)
        perf.wait(timeout=60)
        server.stop()
    lines = []
    for sort, limit in (("dso", "0.5"), ("dso,symbol", "1.0")):
        report = subprocess.run(["perf", "report", "-i", perf_data, "--no-children", "--sort", sort,
                                 "--stdio", "-g", "none", "--percent-limit", limit],
                                capture_output=True, text=True).stdout
        lines += [l.rstrip()[:120] for l in report.splitlines()
                  if l.strip() and not l.startswith("#")] + [""]
    return "\n".join(lines)


def main():
    global WORK, HUB
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", default="1,16,256,1000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--idle", type=int, default=10000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--fleet", default="",
                        help="comma-separated NxR: N devices paced at R readings/s each")
    parser.add_argument("--no-detect", action="store_true",
                        help="run Vigil with its detection engine off (to measure its cost)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    WORK = tempfile.mkdtemp(prefix="vigil-bench-")
    HUB = os.path.join(WORK, "hub")
    subprocess.run([VIGIL, "init", "--data-dir", HUB], check=True, capture_output=True)
    if args.no_detect:
        config = os.path.join(HUB, "config.toml")
        with open(config) as f:
            text = f.read().replace("enabled = true", "enabled = false")
        with open(config, "w") as f:
            f.write(text)
    results = {"peak": [], "at_80_percent": [], "fleet": [], "idle": None, "profile": None}
    counts = [int(n) for n in args.devices.split(",") if n]  # --devices "" runs none
    for n in counts:
        for name, start in (("vigil", start_vigil), ("mosquitto", start_mosquitto)):
            r = measure(start, n, args.seconds)
            r["server"] = name
            results["peak"].append(r)
            print(json.dumps(r), flush=True)
    if counts:
        at_80_percent(results, counts, args.seconds)
    for spec in filter(None, args.fleet.split(",")):
        n, rate = spec.split("x")
        for name, start in (("vigil", start_vigil), ("mosquitto", start_mosquitto)):
            r = measure(start, int(n), args.seconds, rate=float(rate))
            r.update(server=name, rate_per_device=float(rate))
            results["fleet"].append(r)
            print(json.dumps(r), flush=True)
    if args.idle:
        results["idle"] = idle_connections(args.idle, 90)
        print(json.dumps(results["idle"]), flush=True)
    if args.profile:
        results["profile"] = profile(16, args.seconds)
    out = os.path.join(WORK, "..", "vigil-bench-e2e.json")
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    print_table(results)
    shutil.rmtree(WORK, ignore_errors=True)


def at_80_percent(results, counts, seconds):
    """p99 at 80% of Vigil's peak rate, with the largest fleet of the peak runs that is <= 256."""
    n80 = max([n for n in counts if n <= 256] or [counts[0]])
    vigil_peak = max(r["acks_per_s"] for r in results["peak"] if r["server"] == "vigil" and r["devices"] == n80)
    rate = 0.8 * vigil_peak / n80
    for name, start in (("vigil", start_vigil), ("mosquitto", start_mosquitto)):
        r = measure(start, n80, seconds, rate=rate)
        r.update(server=name, rate_per_device=rate)
        results["at_80_percent"].append(r)
        print(json.dumps(r), flush=True)


def print_table(results):
    print("\n| devices | server | readings/s | ratio | p50 ms | p99 ms | CPU s/100k | CPU us/reading | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    by = {(r["devices"], r["server"]): r for r in results["peak"]}
    for (n, server), r in sorted(by.items()):
        ratio = r["acks_per_s"] / max(by[(n, "mosquitto")]["acks_per_s"], 1)
        print(f"| {n} | {server} | {r['acks_per_s']:.0f} | {ratio:.2f} | {r['p50_ms']:.2f} | "
              f"{r['p99_ms']:.2f} | {r['cpu_s_per_100k']:.1f} | {r['cpu_us_per_reading']:.1f} | "
              f"{r['peak_rss_mb']:.0f} |")
    for r in results["at_80_percent"]:
        print(f"\n80% of Vigil's peak ({r['devices']} devices, {r['rate_per_device']:.1f}/s each): "
              f"{r['server']} {r['acks_per_s']:.0f} readings/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms")
    if results["fleet"]:
        print("\n| fleet | server | readings/s | p50 ms | p99 ms | CPU us/reading | KiB written/reading |")
        print("|---|---|---|---|---|---|---|")
    for r in results["fleet"]:
        print(f"| {r['devices']} x {r['rate_per_device']:g}/s | {r['server']} | {r['acks_per_s']:.0f} | "
              f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['cpu_us_per_reading']:.1f} | "
              f"{r['written_kib_per_reading']:.1f} |")
    if results["idle"]:
        i = results["idle"]
        print(f"\nIdle connections: {i['connections']} held, hub RSS {i['rss_mb_at_peak_connections']:.0f} MB")
    if results["profile"]:
        print("\nProfile (perf, cpu-clock, 16 devices):\n" + results["profile"])


if __name__ == "__main__":
    main()
