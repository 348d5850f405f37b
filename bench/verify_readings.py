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
import shutil
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIGIL = os.environ.get("VIGIL_BIN", os.path.join(ROOT, "build", "vigil"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the hub did not start listening")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vigil-verify-")
    hub = os.path.join(work, "hub")
    try:
        subprocess.run([VIGIL, "init", "--data-dir", hub], check=True, capture_output=True)
        mqtt = free_port()
        server = subprocess.Popen([VIGIL, "--log-level", "warn", "serve", "--data-dir", hub,
                                   "--mqtt-port", str(mqtt), "--https-port", str(free_port())],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(mqtt)
            subprocess.run([VIGIL, "sim", "--data-dir", hub, "--devices", str(args.devices),
                            "--duration", str(args.seconds), "--rate", "0", "--port", str(mqtt),
                            "--window", "16", "--prefix", "bench", "--mqtt", "5", "--json",
                            "--drain", "20"],
                           check=True, capture_output=True, timeout=args.seconds + 120)
        finally:
            server.terminate()
            server.wait(timeout=60)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.time()
        out = subprocess.run([VIGIL, "verify", "--data-dir", hub], capture_output=True, text=True,
                             timeout=3600)
        wall = time.time() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        summary = (out.stdout + out.stderr).strip().splitlines()
        found = [l for l in summary if l.startswith("ledger verified")]
        print(found[0] if found else "\n".join(summary[-5:]))
        match = re.search(r"(\d+) reading batches covering (\d+) stored rows", "\n".join(found))
        if match:
            print(f"| {args.devices} devices x {args.seconds} s | {match.group(1)} batches | "
                  f"{match.group(2)} rows | verify {wall:.2f} s wall, {cpu:.2f} s CPU |")
        if out.returncode != 0:
            raise SystemExit(f"vigil verify exited {out.returncode}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
