#!/usr/bin/python3
"""Issue #22's figures, one machine, one run, through the real commands: a hub (embedded store)
takes N Observations of one patient over HTTPS /ingest (50 heart-rate measurements a message),
then, while it serves:

  1. `vigil observations --patient P` (the plain read: every Observation decrypted, one Bundle);
  2. `vigil patient export --id P --out DIR` (the patient's NDJSON files and manifest);
  3. a FHIR Bulk Data export by the patient's clinician over HTTPS (kick-off, polling, every file
     downloaded);
  4. `vigil patient erase --id P --yes` (the data key destroyed, devices revoked, the WAL
     truncated) — the erasure of a patient with N readings.

Prints a Markdown table: seconds and Observations/s for each. Loopback only, bounded in count.

    /usr/bin/python3 bench/privacy_rights.py [--observations 1000000]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
os.environ.setdefault("VIGIL_BIN", os.path.join(HERE, "..", "build", "vigil"))
from api_client import Api, add_user  # noqa: E402
from hub import Hub, now_rfc3339  # noqa: E402

PER_MESSAGE = 50  # measurements in one message (the limit is 64)
PER_REQUEST = 200  # messages in one POST /ingest


def load(hub, observations):
    """Posts `observations` heart rates of dev-bench (p-bench); their count, as stored."""
    stored, seq = 0, 0
    while stored < observations:
        messages = []
        for _ in range(PER_REQUEST):
            seq += 1
            readings = [{"type": "heart_rate", "value": 60 + (seq + k) % 40, "unit": "/min"}
                        for k in range(PER_MESSAGE)]
            messages.append(json.dumps({"seq": seq, "ts": now_rfc3339(), "readings": readings}))
        reply = hub.post_readings(messages, "dev-bench")
        stored += reply["stored"] * PER_MESSAGE
    return stored


def bulk_export(hub, user):
    """A Bulk Data export of `user`'s patients, kick-off to the last file: (seconds,
    Observations downloaded)."""
    api = Api(hub)
    token = api.login(user)
    started = time.monotonic()
    status, headers, _, raw = api.request("GET", "/fhir/Patient/$export", token=token,
                                          headers={"Prefer": "respond-async"})
    assert status == 202, raw
    location = urllib.parse.urlparse(headers["content-location"]).path
    while True:
        status, _, manifest, raw = api.request("GET", location, token=token)
        if status == 200:
            break
        assert status == 202, raw
        time.sleep(0.2)
    observations = 0
    for item in manifest["output"]:
        status, _, _, raw = api.request("GET", urllib.parse.urlparse(item["url"]).path,
                                        token=token)
        assert status == 200, raw[:200]
        if item["type"] == "Observation":
            observations += raw.count("\n")
    return time.monotonic() - started, observations


def timed(hub, *args, stdout=subprocess.DEVNULL):
    started = time.monotonic()
    result = subprocess.run([os.environ["VIGIL_BIN"], *args], stdout=stdout,
                            stderr=subprocess.PIPE, text=True, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"vigil {' '.join(args)} failed: {result.stderr}")
    return time.monotonic() - started, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    args = parser.parse_args()
    hub = Hub(devices=(("dev-bench", "p-bench"), ("dev-other", "p-other")))
    try:
        clinician = add_user(hub, "dr.bench", "clinician")
        hub.run("careteam", "add", "--data-dir", hub.data_dir, "--patient", "p-bench",
                "--user", "dr.bench")
        path = os.path.join(hub.data_dir, "config.toml")
        with open(path) as f:
            text = f.read()
        # Detection off: a flood of a million readings in seconds is what it exists to stop.
        text = re.sub(r"(\[detect\][^\[]*?)^enabled = true", r"\1enabled = false", text,
                      count=1, flags=re.M | re.S)
        with open(path, "w") as f:
            f.write(text)
        hub.start()
        started = time.monotonic()
        stored = load(hub, args.observations)
        load_s = time.monotonic() - started
        d = hub.data_dir
        read_s, _ = timed(hub, "observations", "--data-dir", d, "--patient", "p-bench")
        out_dir = os.path.join(tempfile.mkdtemp(prefix="vigil-export-"), "p-bench")
        export_s, _ = timed(hub, "patient", "export", "--data-dir", d, "--id", "p-bench",
                            "--out", out_dir)
        with open(os.path.join(out_dir, "manifest.json")) as f:
            exported = {o["type"]: o["count"] for o in json.load(f)["output"]}["Observation"]
        bulk_s, bulk_count = bulk_export(hub, clinician)
        erase_s, erased = timed(hub, "patient", "erase", "--data-dir", d, "--id", "p-bench",
                                "--reason", "bench", "--yes", stdout=subprocess.PIPE)
        said = re.search(r"in (\d+) ms", erased.stdout)
        db_mb = os.path.getsize(os.path.join(d, "vigil.db")) / 1e6
        print(f"{stored:,} Observations of one patient (hub database {db_mb:,.0f} MB), "
              f"loaded over HTTPS in {load_s:.1f} s\n")
        print("| step | seconds | Observations/s |")
        print("|---|---|---|")
        print(f"| `vigil observations --patient` (plain read, one Bundle) | {read_s:.2f} | "
              f"{stored / read_s:,.0f} |")
        print(f"| `vigil patient export` ({exported:,} in Observation.ndjson) | {export_s:.2f} | "
              f"{exported / export_s:,.0f} |")
        print(f"| Bulk Data `Patient/$export` over HTTPS, kick-off to last file ({bulk_count:,}) | "
              f"{bulk_s:.2f} | {bulk_count / bulk_s:,.0f} |")
        print(f"| `vigil patient erase` (command; the erasure itself {said.group(1)} ms) | "
              f"{erase_s:.2f} | — |")
    finally:
        hub.close()


if __name__ == "__main__":
    main()
