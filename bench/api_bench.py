#!/usr/bin/env python3
"""FHIR API benchmark (issue #5): authorized Observation searches/s and latency for a page of
100 and of 1,000 from a patient with 24 h of 1 Hz heart rate (86,400 rows), driven by wrk over
TLS on loopback, side by side with the same query straight on the hub's SQLite file (no TLS,
HTTP, session, authorization, audit entry, decryption or FHIR serialization: api_raw_query).

Each page size runs twice: at the peak (wrk as fast as it goes), then paced at about 80% of
that peak for the latency a hub sees when it is busy but not saturated.

Usage: /usr/bin/python3 bench/api_bench.py [--seconds 15] [--connections 16] [--json] [--profile]
On PostgreSQL: tests/postgres/with_postgres.sh /usr/bin/python3 bench/api_bench.py
(--profile: perf record of the hub during the 100-row run; shares by library and the top
symbols are printed after the table.)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
BUILD = os.environ.get("VIGIL_BUILD", os.path.join(HERE, "..", "build"))
os.environ.setdefault("VIGIL_BIN", os.path.join(BUILD, "vigil"))

from api_client import Api, add_user  # noqa: E402
from hub import Hub, vigil_json  # noqa: E402
import datetime  # noqa: E402

ROWS = 86_400
BATCH = 1_000


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def load_day(hub):
    start = int(time.time()) - ROWS
    t0 = time.time()
    for first in range(1, ROWS + 1, BATCH):
        messages = [vigil_json(seq, [{"type": "heart_rate", "value": 55 + seq % 60, "unit": "/min"}],
                               iso(start + seq)) for seq in range(first, min(first + BATCH, ROWS + 1))]
        stored = hub.post_readings(messages)["stored"]
        assert stored == len(messages), stored
    return time.time() - t0


def cpu_seconds(pid):
    """User + system CPU seconds the process has used (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PACING = os.path.join(HERE, "wrk_pacing.lua")


def wrk(url, token, seconds, connections, delay_ms=None):
    """wrk's figures; with `delay_ms`, each connection waits that long between a response and
    its next request (a paced load below the peak)."""
    paced = ["-s", PACING] if delay_ms is not None else []
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          *paced, "-H", f"Authorization: Bearer {token}", url],
                         capture_output=True, text=True, timeout=seconds + 60,
                         env={**os.environ, "VIGIL_DELAY_MS": str(delay_ms or 0)}).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"per_second": rps, "p50_ms": pct(50), "p99_ms": pct(99),
            "non_2xx": int(errors.group(1)) if errors else 0}


def raw(db, page, seconds):
    out = subprocess.run([os.path.join(BUILD, "bench", "api_raw_query"), db, "p-001", str(page),
                          str(seconds), "2"], capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout
    return json.loads(out)


def profile_start(pid, path):
    return subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(pid), "-o", path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profile_report(recorder, path):
    recorder.send_signal(2)  # SIGINT: perf writes its file and exits
    recorder.wait(timeout=60)
    for sort in ("dso", "dso,symbol"):
        out = subprocess.run(["perf", "report", "-i", path, "--no-children", "--sort", sort,
                              "--stdio", "-g", "none"], capture_output=True, text=True).stdout
        rows = [line.rstrip() for line in out.splitlines() if re.match(r"^\s+\d", line)]
        print("\n".join(row[:140] for row in rows[:12 if sort == "dso" else 30]))
        print()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    hub = Hub()
    try:
        # A benchmark reads in bulk on purpose (hundreds of thousands of rows a second): the
        # bulk-reads alert may be raised, but its playbook must not end the session.
        hub.configure(max_clock_skew_seconds=ROWS + 3600, bulk_rows=1000000)
        config = os.path.join(hub.data_dir, "config.toml")
        with open(config) as f:
            text = f.read()
        with open(config, "w") as f:
            f.write(text.replace("block_minutes = 15\n",
                                 'block_minutes = 15\nbulk-reads = "none"\n', 1))
        user = add_user(hub, "dr.bench", "clinician")
        hub.run("careteam", "add", "--data-dir", hub.data_dir, "--patient", "p-001",
                "--user", "dr.bench")
        hub.start()
        load_seconds = load_day(hub)
        api = Api(hub)
        token = api.login(user)
        results = {"rows": ROWS, "load_seconds": round(load_seconds, 1), "pages": {}}
        for page in (100, 1000):
            path = f"/fhir/Observation?patient=p-001&_count={page}"
            status, bundle, _ = api.get(path, token)
            assert status == 200 and len(bundle["entry"]) == page, status
            url = f"https://localhost:{hub.https_port}{path}"
            cpu_before = cpu_seconds(hub.proc.pid)
            recorder = None
            if args.profile and page == 100:
                recorder = profile_start(hub.proc.pid, os.path.join(hub.data_dir, "perf.data"))
            api_figures = wrk(url, token, args.seconds, args.connections)
            if recorder:
                profile_report(recorder, os.path.join(hub.data_dir, "perf.data"))
            searches = api_figures["per_second"] * args.seconds
            api_figures["hub_cpu_us_per_search"] = round(
                (cpu_seconds(hub.proc.pid) - cpu_before) / searches * 1e6)
            # The same query straight on the SQLite file (not on PostgreSQL: the store is a
            # server there, measured through the API alone).
            raw_figures = None if hub.store_url else raw(
                os.path.join(hub.data_dir, "vigil.db"), page, args.seconds)
            # p99 at about 80% of that peak: each connection waits between a response and its
            # next request so that together they send 80% of the peak rate; the wait is found
            # by two short runs (the latency under the peak is not the latency at it), and the
            # rate achieved is printed with the figures.
            target_cycle_ms = args.connections * 1000 / (0.8 * api_figures["per_second"])
            delay = max(0.0, target_cycle_ms - api_figures["p50_ms"])
            for _ in range(2):
                trial = wrk(url, token, 3, args.connections, round(delay))
                latency_ms = args.connections * 1000 / trial["per_second"] - round(delay)
                delay = max(0.0, target_cycle_ms - latency_ms)
            paced = wrk(url, token, args.seconds, args.connections, round(delay))
            api_figures["paced"] = {k: paced[k] for k in ("per_second", "p50_ms", "p99_ms")}
            results["pages"][page] = {
                "api": api_figures, "raw_sqlite": raw_figures,
                "cost_ratio": round(raw_figures["per_second"] / api_figures["per_second"], 2)
                if raw_figures else None}
        if args.json:
            print(json.dumps(results, indent=2))
            return
        print(f"{ROWS} rows loaded over HTTPS in {results['load_seconds']} s")
        print("| page | API searches/s | API p50 / p99 ms | hub CPU us/search |"
              " paced: searches/s (% of peak), p50 / p99 ms |"
              " raw SQLite queries/s | raw p50 / p99 ms | raw / API |")
        print("|---|---|---|---|---|---|---|---|")
        for page, r in results["pages"].items():
            a, q, p = r["api"], r["raw_sqlite"], r["api"]["paced"]
            raw_cells = (f" {q['per_second']:.0f} | {q['p50_ms']:.3f} / {q['p99_ms']:.3f} |"
                         f" {r['cost_ratio']}x |") if q else " n/a (PostgreSQL) | | |"
            print(f"| {page} | {a['per_second']:.0f} | {a['p50_ms']:.2f} / {a['p99_ms']:.2f} |"
                  f" {a['hub_cpu_us_per_search']} |"
                  f" {p['per_second']:.0f} ({100 * p['per_second'] / a['per_second']:.0f}%),"
                  f" {p['p50_ms']:.2f} / {p['p99_ms']:.2f} |" + raw_cells)
            if a["non_2xx"]:
                print(f"  ({a['non_2xx']} non-2xx API responses)")
    finally:
        hub.stop()
        hub.close()


if __name__ == "__main__":
    main()
