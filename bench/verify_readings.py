#!/usr/bin/python3
"""How long `vigil verify` takes on a hub that has ingested readings (not only access entries):
a hub is created, `vigil sim` streams N devices into it for S seconds, the hub is stopped, and
`vigil verify` checks every ledger entry, every signed checkpoint and every reading batch's
stored rows against its digest. Loopback only, bounded by --seconds.

    make build && /usr/bin/python3 bench/verify_readings.py [--devices 16] [--seconds 10]

Prints the store's size (receipts, Observations, ledger entries) and the verification's wall
time and CPU time."""

import argparse
import os
import re
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
os.environ.setdefault("VIGIL_BIN", os.path.join(HERE, "..", "build", "vigil"))

from hub import VIGIL, Hub  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    hub = Hub(devices=())
    try:
        hub.start()
        subprocess.run([VIGIL, "sim", "--data-dir", hub.data_dir, "--devices", str(args.devices),
                        "--duration", str(args.seconds), "--rate", "0", "--port",
                        str(hub.mqtt_port), "--window", "16", "--prefix", "bench", "--mqtt", "5",
                        "--json", "--drain", "20"],
                       check=True, capture_output=True, timeout=args.seconds + 120)
        hub.stop()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.time()
        out = hub.run("verify", "--data-dir", hub.data_dir, check=False)
        wall = time.time() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        summary = (out.stdout + out.stderr).strip().splitlines()
        found = [line for line in summary if line.startswith("ledger verified")]
        print(found[0] if found else "\n".join(summary[-5:]))
        match = re.search(r"(\d+) reading batches covering (\d+) stored rows", "\n".join(found))
        if match:
            print(f"| {args.devices} devices x {args.seconds} s | {match.group(1)} batches | "
                  f"{match.group(2)} rows | verify {wall:.2f} s wall, {cpu:.2f} s CPU |")
        if out.returncode != 0:
            raise SystemExit(f"vigil verify exited {out.returncode}")
    finally:
        hub.close()


if __name__ == "__main__":
    main()
