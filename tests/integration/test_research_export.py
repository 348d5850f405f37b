"""Issue #22, the de-identified research export (`vigil research export --consented-only`), from a
hub whose patients' names, record numbers (their ids), birth dates, device serials (device ids)
and reading times the test knows: the files contain none of them, each patient's dates are
shifted by one whole number of days (intervals kept; patients shifted differently), ages over 89
lose the birth date, a patient without consent to research is not there, everything validates
with the FHIR validators of tests/fhir, and each included patient's read is in the ledger."""

import json
import os
import unittest
from datetime import datetime

from api_client import Api, add_user
from fhir_validators import assert_valid
from hub import Hub, now_rfc3339, vigil_json

# id (a record number), name, birth date, device (a serial), seconds between readings
PATIENTS = [("mrn-48151623", "Marianne Okafor-Lindqvist", "1975-06-14", "oxi-SN-99812", 7),
            ("mrn-20000001", "Bartholomew Quist", "1930-03-09", "wr-SN-5551", 11),
            ("mrn-30000003", "Ines Vallejo", "1988-11-23", "bp-SN-777", 13),
            ("mrn-40000004", "Nobody Consents", "1970-01-01", "th-SN-404", 17)]
CONSENTING = PATIENTS[:3]
READINGS = 5
RESEARCH = {"type": "permit", "purpose": [
    {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HRESCH"}]}


def epoch(instant):
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).timestamp()


class ResearchExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(devices=())
        run, d = cls.hub.run, cls.hub.data_dir
        cls.sent = {}  # device -> the instants its readings were sent with
        for i, (pid, name, born, device, spacing) in enumerate(PATIENTS):
            run("patient", "add", "--data-dir", d, "--id", pid, "--name", name,
                "--birth-date", born)
            cls.hub.enroll(device, pid, "wearable")
        users = {pid: add_user(cls.hub, "pat" + pid[-4:], "patient", pid) for pid, *_ in CONSENTING}
        cls.hub.start()
        for i, (pid, name, born, device, spacing) in enumerate(PATIENTS):
            times = [now_rfc3339(-200 + i * 3 + k * spacing) for k in range(READINGS)]
            cls.sent[device] = times
            messages = [vigil_json(k + 1, [{"type": "heart_rate", "value": 70 + k, "unit": "/min"}],
                                   t) for k, t in enumerate(times)]
            assert cls.hub.post_readings(messages, device)["stored"] == READINGS
        api = Api(cls.hub)
        for pid, user in users.items():  # each consenting patient says yes to research
            token = api.login(user)
            status, consent, raw = api.get(f"/fhir/Consent/{pid}", token)
            assert status == 200, raw
            consent["provision"]["provision"] = [RESEARCH]
            status, _, _, raw = api.request("PUT", f"/fhir/Consent/{pid}", json.dumps(consent),
                                            token=token,
                                            headers={"Content-Type": "application/fhir+json"})
            assert status in (200, 201), raw
        cls.out = os.path.join(cls.hub.root, "research")
        cls.said = run("research", "export", "--data-dir", d, "--out", cls.out,
                       "--consented-only").stdout
        cls.resources = {}
        cls.text = ""
        for name in sorted(os.listdir(cls.out)):
            with open(os.path.join(cls.out, name)) as f:
                content = f.read()
            cls.text += content
            if name.endswith(".ndjson"):
                cls.resources[name[:-7]] = [json.loads(line) for line in content.splitlines()]

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def test_no_identifier_the_test_knows_is_in_any_file(self):
        for pid, name, born, device, _ in PATIENTS:
            for known in (pid, name, name.split()[0], name.split()[-1], born, device):
                self.assertNotIn(known, self.text)
        serials = self.hub.run("device", "list", "--data-dir", self.hub.data_dir).stdout
        for line in serials.splitlines():
            for field in line.split("\t")[3:4]:  # the certificate serial
                if len(field) > 8:
                    self.assertNotIn(field, self.text)
        sent = {epoch(t) for times in self.sent.values() for t in times}
        for o in self.resources["Observation"]:
            self.assertNotIn(epoch(o["effectiveDateTime"]), sent)

    def test_only_consenting_patients_each_shifted_by_whole_days_intervals_kept(self):
        self.assertEqual(len(self.resources["Patient"]), len(CONSENTING))
        self.assertEqual(len(self.resources["Device"]), len(CONSENTING))
        self.assertEqual(len(self.resources["Observation"]), len(CONSENTING) * READINGS)
        by_subject = {}
        for o in self.resources["Observation"]:
            by_subject.setdefault(o["subject"]["reference"], []).append(
                epoch(o["effectiveDateTime"]))
        shifts = []
        for times in by_subject.values():
            times.sort()
            spacing = round(times[1] - times[0])
            device = next(d for _, _, _, d, s in CONSENTING if s == spacing)
            sent = sorted(epoch(t) for t in self.sent[device])
            offsets = {round(a - b) for a, b in zip(times, sent)}
            self.assertEqual(len(offsets), 1)  # the same shift for each of the patient's dates
            shift = offsets.pop()
            self.assertEqual(shift % 86400, 0)
            self.assertTrue(0 < abs(shift) <= 365 * 86400, shift)
            shifts.append(shift)
        self.assertGreater(len(set(shifts)), 1)  # random across patients
        births = sorted(p.get("birthDate", "removed") for p in self.resources["Patient"])
        self.assertEqual(births, ["1975", "1988", "removed"])  # the 96-year-old's removed

    def test_the_output_validates_and_the_report_and_ledger_account_for_it(self):
        assert_valid(self, [r for rs in self.resources.values() for r in rs],
                     os.path.join(self.hub.root, "research.json"))
        with open(os.path.join(self.out, "report.json")) as f:
            report = json.load(f)
        self.assertEqual(len(report["identifiers"]), 18)
        self.assertEqual(report["patients"]["included"], 3)
        self.assertEqual(report["patients"]["left out: no consent to research"], 1)
        self.assertEqual(report["removed"]["Patient.name"], 3)
        self.assertIn("3 patient(s) with consent to research", self.said)
        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        reads = [json.loads(l)["fields"]["patient"] for l in shown.splitlines()
                 if "research export of Patient/" in l]
        self.assertEqual(sorted(reads), sorted(pid for pid, *_ in CONSENTING))


if __name__ == "__main__":
    unittest.main()
