#!/usr/bin/env python3
"""Detection benchmark (issue #6): normal traffic from a fleet of simulated devices and users,
then every attack scenario of `vigil sim --attack` injected one after another. Prints, per
scenario, whether it was detected, the time from the attack's first malicious act to the first
alert that names it (and until the security officer's API showed it), and the alerts it
raised; and the false-positive alerts on the normal traffic (alerts naming no attack), per
1,000 device-hours. Time-compressed false-positive runs over thousands of device-hours are
bench/detect_replay (the same rules and baselines, in process).

Before the attacks, the benign realism suite (bench/benign_realism.py): ordinary use by real
clients (fhir-kit-client paging, a ward round, devices behind one NAT, own command topics,
roaming, lost acknowledgements, clock skew) that must raise no high alert and no containment.

Usage: /usr/bin/python3 bench/detect.py [--devices 200] [--users 20] [--normal-seconds 120]
                                       [--scenarios replay,flood,...] [--no-benign] [--json]
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
BUILD = os.environ.get("VIGIL_BUILD", os.path.join(HERE, "..", "build"))
os.environ.setdefault("VIGIL_BIN", os.path.join(BUILD, "vigil"))
VIGIL = os.environ["VIGIL_BIN"]

from api_client import Api, add_user  # noqa: E402
from hub import Hub  # noqa: E402
from benign_realism import BenignSuite  # noqa: E402

SCENARIOS = ["replay", "spoof", "flood", "tamper", "clone", "botnet", "brute-force", "stuffing",
             "insider", "exfiltration", "drift", "slow-stuffing", "stolen-password", "quiet-clone"]
# Seconds from the first malicious act; the rest: 10 s. Drift and spread-out stuffing are slow
# by design: issue #20 asks for them within 60 s.
TARGET_SECONDS = {"flood": 1, "clone": 1, "brute-force": 1, "drift": 60, "slow-stuffing": 60}


def epoch_ms(rfc3339):
    return int(datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp() * 1000)


class NormalUsers:
    """Clinicians reading their own patients' data at a human pace, each from its own thread."""

    def __init__(self, hub, users, patients):
        self.hub, self.stop = hub, threading.Event()
        self.requests = 0
        self.accounts = []
        for i in range(users):
            name = f"clin{i:02d}"
            user = add_user(hub, name, "clinician")
            mine = [patients[(i * 10 + k) % len(patients)] for k in range(10)]
            for p in mine:
                hub.run("careteam", "add", "--data-dir", hub.data_dir, "--patient", p,
                        "--user", name)
            self.accounts.append((user, mine))

    def start(self):
        self.threads = [threading.Thread(target=self.work, args=(a,), daemon=True)
                        for a in self.accounts]
        for t in self.threads:
            t.start()

    def work(self, account):
        user, mine = account
        api = Api(self.hub)
        token = api.login(user)
        rng = random.Random(user.username)
        while not self.stop.wait(rng.uniform(3, 10)):
            patient = rng.choice(mine)
            path = (f"/fhir/Observation?patient={patient}&_count=50" if rng.random() < 0.8
                    else f"/fhir/Patient/{patient}")
            status, _, _ = api.get(path, token)
            self.requests += 1
            if status == 401:  # should not happen: count it and log in again
                token = api.login(user)

    def halt(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)


def alerts(api, token):
    status, body, raw = api.get("/security/alerts", token)
    assert status == 200, raw
    return body["alerts"]


def matches(alert, truth):
    return any(alert["entity"] == e["entity"] and alert["kind"] in e["kinds"]
               for e in truth["expected"])


def names_attack(alert, truths):
    entities = {e["entity"] for t in truths for e in t["expected"]}
    return alert["entity"] in entities


def run_scenario(hub, api, token, name, truth_file):
    out = subprocess.run([VIGIL, "sim", "--data-dir", hub.data_dir, "--attack", name,
                          "--port", str(hub.mqtt_port), "--https-port", str(hub.https_port),
                          "--truth", truth_file], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"attack {name} failed: {out.stderr}")
    with open(truth_file) as f:
        truth = json.loads(f.read().splitlines()[-1])
    deadline = time.time() + 30
    found = []
    while time.time() < deadline and not found:
        found = [a for a in alerts(api, token) if matches(a, truth)]
        if not found:
            time.sleep(0.05)
    seen = time.time() * 1000
    first = min((epoch_ms(a["first_seen"]) for a in found), default=None)
    if first is None:
        return truth, None, None
    # The alert's own time (the event that raised it) and when the officer's API showed it.
    return truth, (first - truth["started_ms"]) / 1000, (seen - truth["started_ms"]) / 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--normal-seconds", type=float, default=120)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--no-benign", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    hub = Hub(devices=())
    sim = users = None
    try:
        officer = add_user(hub, "sec", "security-officer")
        hub.start()
        api = Api(hub)
        token = api.login(officer)
        # Enrol the fleet (and its patients) with a short run, then stream for the whole bench.
        subprocess.run([VIGIL, "sim", "--data-dir", hub.data_dir, "--devices", str(args.devices),
                        "--duration", "1", "--port", str(hub.mqtt_port)], check=True,
                       capture_output=True, timeout=300)
        patients = [f"sim-p-{i:04d}" for i in range(1, args.devices + 1)]
        users = NormalUsers(hub, args.users, patients)
        fleet_started = time.time()
        sim = subprocess.Popen([VIGIL, "sim", "--data-dir", hub.data_dir, "--devices",
                                str(args.devices), "--duration", "100000", "--port",
                                str(hub.mqtt_port), "--json"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
        users.start()
        print(f"normal traffic: {args.devices} devices, {args.users} users for "
              f"{args.normal_seconds:.0f} s ...", file=sys.stderr)
        time.sleep(args.normal_seconds)
        normal_alerts = alerts(api, token)
        normal_seconds = time.time() - fleet_started
        benign = None
        if not args.no_benign:
            print("benign realism suite ...", file=sys.stderr)
            suite = BenignSuite(hub, patients)
            suite.run()
            time.sleep(2)
            benign = suite.verdict(alerts(api, token))
        results, truths = [], []
        truth_file = os.path.join(hub.root, "truth.jsonl")
        for name in args.scenarios.split(","):
            truth, seconds, shown = run_scenario(hub, api, token, name, truth_file)
            truths.append(truth)
            target = TARGET_SECONDS.get(name, 10)
            results.append({"scenario": name, "entity": truth["entity"],
                            "detected": seconds is not None, "seconds_to_detect": seconds,
                            "seconds_until_shown": shown,
                            "target_seconds": target,
                            "met": seconds is not None and seconds <= target})
            print(f"  {name}: {'detected in %.3f s' % seconds if seconds is not None else 'MISSED'}",
                  file=sys.stderr)
        time.sleep(2)
        final = alerts(api, token)
        total_seconds = time.time() - fleet_started
        for r, t in zip(results, truths):
            r["alerts"] = sorted({a["kind"] for a in final if names_attack(a, [t])})
        false_positives = [a for a in final if not names_attack(a, truths)
                           and not a["entity"].startswith("address:127.0.1.")
                           and not BenignSuite.is_benign_entity(a["entity"])]
        device_hours = args.devices * total_seconds / 3600
        summary = {
            "devices": args.devices, "users": args.users,
            "normal_seconds_before_attacks": round(normal_seconds, 1),
            "total_seconds": round(total_seconds, 1),
            "device_hours": round(device_hours, 2),
            "user_requests": users.requests,
            "alerts_before_attacks": len(normal_alerts),
            "false_positives": [{"kind": a["kind"], "entity": a["entity"],
                                 "summary": a["summary"]} for a in false_positives],
            "false_positives_per_1000_device_hours":
                round(len(false_positives) / device_hours * 1000, 1),
            "scenarios": results,
            "benign_realism": benign,
        }
    finally:
        if users:
            users.halt()
        if sim:
            sim.terminate()
            sim.wait(timeout=60)
        hub.stop()
        hub.close()
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{args.devices} devices, {args.users} users, {summary['total_seconds']} s "
          f"({summary['device_hours']} device-hours); {summary['user_requests']} user requests")
    print("| scenario | detected | time to detect | shown by the API after | target "
          "| alerts naming it |")
    print("|---|---|---|---|---|---|")
    for r in summary["scenarios"]:
        t = "%.3f s" % r["seconds_to_detect"] if r["detected"] else "-"
        shown = "%.2f s" % r["seconds_until_shown"] if r["detected"] else "-"
        print(f"| {r['scenario']} | {'yes' if r['detected'] else 'NO'} | {t} | {shown} | "
              f"<= {r['target_seconds']} s | {', '.join(r['alerts'])} |")
    print(f"false positives on normal traffic: {len(summary['false_positives'])} "
          f"({summary['false_positives_per_1000_device_hours']} per 1,000 device-hours)")
    for fp in summary["false_positives"]:
        print(f"  {fp['kind']} {fp['entity']}: {fp['summary']}")
    b = summary["benign_realism"]
    if b:
        print("benign realism suite: "
              f"{b['high_alerts']} high alerts, {len(b['contained_devices'])} devices contained, "
              f"{len(b['blocked_addresses'])} addresses blocked, "
              f"{len(b['sessions_lost'])} sessions lost")
        for step in b["steps"]:
            print(f"  {step['step']}: {step['detail']} ({step['seconds']} s)")
        for a in b["alerts"]:
            print(f"  alert {a['severity']} {a['kind']} {a['entity']}")


if __name__ == "__main__":
    main()
