"""The benign realism suite of bench/detect.py (issue #20): ordinary use by real clients that a
detector tuned on `vigil sim` traffic used to mistake for attacks. Each step acts with
identities of its own (devices ben-*, users ward.*, addresses 127.0.3.*), so that what it
triggers is attributable. The suite passes when none of it raises a high alert or any
containment: no device quarantined or restricted, no address blocked, every session alive.

Steps: fhir-kit-client paging one patient with _count=7; a ward round (a nurse opening 40
charts of her care team within a minute); five devices and a clinician behind one NAT address;
a device subscribing to its own command topic; a device roaming between two addresses; a
device re-sending after a lost acknowledgement (no DUP flag); devices whose clocks are off
within the hub's limits."""

import json
import os
import subprocess
import time


from api_client import Api, add_user
from hub import now_rfc3339, vigil_json
from paho_device import device_session, publish_reading

FHIR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fhir")
NAT = "127.0.3.1"


class BenignSuite:
    def __init__(self, hub, patients):
        self.hub, self.patients = hub, patients
        self.api = Api(hub)
        self.steps = []
        self.tokens = {}

    # --- clients -------------------------------------------------------------------------
    def device(self, name, patient):
        self.hub.enroll(name, patient)
        return name

    def paho_session(self, device_id, bind, actions):
        """Connects as `device_id` from `bind`, runs `actions(client)`, disconnects."""
        with device_session(self.hub, device_id, bind) as client:
            actions(client)

    @staticmethod
    def publish(client, device_id, payload):
        return publish_reading(client, device_id, payload)

    def user(self, name, role, patients=(), source=None):
        u = add_user(self.hub, name, role)
        for p in patients:
            self.hub.run("careteam", "add", "--data-dir", self.hub.data_dir, "--patient", p,
                         "--user", name)
        self.tokens[name] = (self.api.login(u, source=source), source)
        return name

    # --- steps ---------------------------------------------------------------------------
    def paging(self):
        name = self.user("ward.pager", "clinician", [self.patients[0]])
        env = dict(os.environ, VIGIL_FHIR=f"https://localhost:{self.hub.https_port}/fhir",
                   VIGIL_TOKEN=self.tokens[name][0],
                   NODE_EXTRA_CA_CERTS=os.path.join(self.hub.data_dir, "ca", "ca.crt"))
        out = subprocess.run(["node", "page.mjs", self.patients[0], "7", "-date", "300"],
                             cwd=FHIR_DIR, env=env, capture_output=True, text=True, timeout=300)
        pages = json.loads(out.stdout)["pages"] if out.returncode == 0 else 0
        return f"fhir-kit-client paged {pages} pages of 7"

    def ward_round(self):
        charts = self.patients[:40]
        name = self.user("ward.nurse", "nurse", charts)
        token = self.tokens[name][0]
        for p in charts:
            self.api.get(f"/fhir/Patient/{p}", token)
            self.api.get(f"/fhir/Observation?patient={p}&_count=20&_sort=-date", token)
            time.sleep(1.2)
        return f"{len(charts)} charts opened in about a minute"

    def behind_one_nat(self):
        ids = [self.device(f"ben-nat-{i}", self.patients[1 + i]) for i in range(5)]
        self.user("ward.gateway", "clinician", [self.patients[1]], source=NAT)
        for seq in range(1, 4):
            for d in ids:
                self.paho_session(d, NAT, lambda c, d=d: self.publish(
                    c, d, vigil_json(seq, [{"type": "heart_rate", "value": 70 + seq,
                                            "unit": "/min"}])))
        return f"{len(ids)} devices and a clinician from {NAT}, reconnecting for each reading"

    def own_command_topic(self):
        d = self.device("ben-sub", self.patients[7])

        def act(client):
            client.subscribe(f"devices/{d}/cmd", qos=1)
            client.subscribe(f"devices/{d}/#", qos=1)
            time.sleep(0.3)
            self.publish(client, d, vigil_json(1, [{"type": "spo2", "value": 97, "unit": "%"}]))
        self.paho_session(d, "127.0.3.5", act)
        return "subscribed to its own command topic, then published"

    def roaming(self):
        d = self.device("ben-roam", self.patients[8])
        for seq, address in enumerate(("127.0.3.2", "127.0.3.3", "127.0.3.2"), start=1):
            self.paho_session(d, address, lambda c, seq=seq: self.publish(
                c, d, vigil_json(seq, [{"type": "heart_rate", "value": 75, "unit": "/min"}])))
        return "Wi-Fi, cellular, Wi-Fi"

    def lost_acknowledgement(self):
        d = self.device("ben-ack", self.patients[9])
        payload = vigil_json(1, [{"type": "heart_rate", "value": 66, "unit": "/min"}])
        for _ in range(2):  # the first PUBACK "lost": sent again as new, no DUP flag
            self.paho_session(d, "127.0.3.6", lambda c: self.publish(c, d, payload))
        return "the same message twice, without DUP"

    def clock_skew(self):
        d = self.device("ben-skew", self.patients[10])

        def act(client):
            for seq, offset in enumerate((-200, -199, -198, -120, 60), start=1):
                self.publish(client, d, vigil_json(
                    seq, [{"type": "heart_rate", "value": 80, "unit": "/min"}],
                    ts=now_rfc3339(offset)))
        self.paho_session(d, "127.0.3.7", act)
        return "a clock 200 s slow, corrected to 60 s fast"

    def run(self):
        for step in (self.paging, self.ward_round, self.behind_one_nat, self.own_command_topic,
                     self.roaming, self.lost_acknowledgement, self.clock_skew):
            started = time.time()
            detail = step()
            self.steps.append({"step": step.__name__, "detail": detail,
                               "seconds": round(time.time() - started, 1)})

    # --- verdict -------------------------------------------------------------------------
    @staticmethod
    def is_benign_entity(entity):
        return (entity.startswith("device:ben-") or entity.startswith("user:ward.")
                or entity.startswith("address:127.0.3."))

    def verdict(self, alerts):
        """High alerts and containment the suite caused; sessions still alive."""
        ours = [a for a in alerts if self.is_benign_entity(a["entity"])]
        devices = self.hub.run("device", "list", "--data-dir", self.hub.data_dir).stdout
        held_devices = [line.split("\t")[0] for line in devices.splitlines()
                        if line.startswith("ben-") and
                        ("quarantined" in line or "vitals-only" in line)]
        blocks = self.hub.run("address", "list", "--data-dir", self.hub.data_dir).stdout
        blocked = [line.split()[0] for line in blocks.splitlines()
                   if line.startswith("127.0.3.")]
        dead_sessions = []
        for name, (token, source) in self.tokens.items():
            status, _, _, _ = self.api.request("GET", "/fhir/metadata", token=token,
                                               source=source)
            status, _, _, _ = self.api.request(
                "GET", f"/fhir/Patient?_count=1", token=token, source=source)
            if status == 401:
                dead_sessions.append(name)
        return {
            "steps": self.steps,
            "alerts": [{"kind": a["kind"], "entity": a["entity"], "severity": a["severity"]}
                       for a in ours],
            "high_alerts": len([a for a in ours if a["severity"] in ("high", "critical")]),
            "contained_devices": held_devices,
            "blocked_addresses": blocked,
            "sessions_lost": dead_sessions,
        }
