"""Issue #6: incidents and breach reports against a real hub over real HTTPS. A nurse browses
20 patients' records under break-glass (an insider); the alert opens an incident whose timeline
shows the alert and the playbook's response, and whose breach report (JSON over HTTPS, Markdown
and JSON from the CLI) lists exactly the 20 patients she viewed - not the patient a colleague
read meanwhile, nor the one her request was refused for - with the HIPAA risk factors and the
notification deadlines. Closing the incident and each report are in the ledger."""

import json
import time
import unittest
from datetime import datetime, timedelta

from api_client import Api, add_user
from hub import Hub

VIEWED = [f"p-{i:03d}" for i in range(20)]


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class IncidentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub()  # p-001 with dev-0001
        for i in range(30):
            if i != 1:
                cls.hub.run("patient", "add", "--data-dir", cls.hub.data_dir, "--id", f"p-{i:03d}",
                            "--name", f"Patient {i}", "--birth-date", "1970-01-01")
        cls.officer = add_user(cls.hub, "sec", "security-officer")
        cls.nurse = add_user(cls.hub, "nosy", "nurse")
        cls.doctor = add_user(cls.hub, "dr.good", "clinician")
        cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", "p-025",
                    "--user", "dr.good")
        cls.hub.run("careteam", "add", "--data-dir", cls.hub.data_dir, "--patient", "p-026",
                    "--user", "nosy")
        cls.hub.start()
        cls.api = Api(cls.hub)
        cls.officer_token = cls.api.login(cls.officer)
        cls.doctor_token = cls.api.login(cls.doctor)
        nurse_token = cls.api.login(cls.nurse)
        # Her own ward's patient: her job, not part of what she is suspected of.
        status, _, _ = cls.api.get("/fhir/Patient/p-026", nurse_token)
        assert status == 200, status
        # Refused (off the care team, no break-glass): attempted, nothing disclosed.
        status, _, _ = cls.api.get("/fhir/Patient/p-029", nurse_token)
        assert status == 403, status
        # A colleague's legitimate read meanwhile.
        status, _, _ = cls.api.get("/fhir/Patient/p-025", cls.doctor_token)
        assert status == 200, status
        for patient in VIEWED:
            status, _, raw = cls.api.get(f"/fhir/Patient/{patient}", nurse_token,
                                         headers={"Vigil-Break-Glass": "looking around"})
            assert status == 200, (patient, status, raw)
        cls.incident = cls.wait_for_incident("user:nosy")
        cls.detail = cls.wait_for_response()

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()
        cls.hub.close()

    @classmethod
    def wait_for_incident(cls, entity, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, body, raw = cls.api.get("/security/incidents", cls.officer_token)
            assert status == 200, raw
            found = [i for i in body["incidents"] if entity in i["entities"]]
            if found:
                return found[0]
            time.sleep(0.2)
        raise AssertionError(f"no incident about {entity}: {raw}")

    @classmethod
    def wait_for_response(cls):
        """The incident once the playbook's response (just after the alert) is on it."""
        deadline = time.time() + 5
        while True:
            status, body, raw = cls.api.get(f"/security/incidents/{cls.incident['id']}",
                                            cls.officer_token)
            assert status == 200, raw
            if any(e["what"] == "response" for e in body["timeline"]) or time.time() > deadline:
                return body
            time.sleep(0.2)

    def test_the_incident_groups_the_alerts_and_has_a_timeline(self):
        body = self.detail
        kinds = [a["kind"] for a in body["alerts"]]
        self.assertIn("many-patients", kinds)
        self.assertIn("break-glass", kinds)  # the same user: the same incident
        self.assertTrue(all(a["incident"] == self.incident["id"] for a in body["alerts"]))
        self.assertEqual(body["severity"], "high")
        whats = [e["what"] for e in body["timeline"]]
        self.assertIn("alert", whats)
        self.assertIn("response", whats)
        self.assertIn("revoke-sessions nosy",
                      [e["detail"] for e in body["timeline"] if e["what"] == "response"])

    def test_the_breach_report_lists_exactly_the_patients_viewed(self):
        status, report, raw = self.api.get(
            f"/security/incidents/{self.incident['id']}/report", self.officer_token)
        self.assertEqual(status, 200, raw)
        self.assertEqual(sorted(p["patient"] for p in report["patients"]), VIEWED)
        self.assertEqual(report["affected_patients"], 20)
        self.assertEqual(report["denied_reads"], 1)
        self.assertEqual(report["care_team_reads_left_out"], 1)  # p-026, her own ward
        self.assertEqual(report["read_from_addresses"], ["127.0.0.1"])
        # The address the whole test shares is where reads came from, not a person.
        self.assertEqual(report["hipaa_risk_assessment"]["unauthorized_person"], ["user:nosy"])
        self.assertEqual(report["incident"]["title"], "many-patients on user:nosy")
        for p in report["patients"]:
            self.assertEqual(p["by"], ["user:nosy"])
            self.assertEqual(p["resources"], ["Patient/" + p["patient"]])
            self.assertEqual(len(p["ledger_indices"]), 1)
        risk = report["hipaa_risk_assessment"]
        self.assertEqual(risk["acquired_or_viewed"], "viewed")
        self.assertIn("demographics (name, birth date)", risk["nature_and_extent"]["phi_types"])
        self.assertIn("user:nosy", risk["unauthorized_person"])
        self.assertIn("revoke-sessions nosy", risk["mitigation"])
        discovered = parse_time(report["discovered"])
        deadlines = report["deadlines"]
        self.assertEqual(parse_time(deadlines["gdpr_supervisory_authority"]) - discovered,
                         timedelta(hours=72))
        self.assertEqual(parse_time(deadlines["hipaa_individuals"]) - discovered,
                         timedelta(days=60))
        # Fewer than 500 people: HHS hears within 60 days of the end of the year.
        hhs = parse_time(deadlines["hipaa_hhs"])
        self.assertEqual((hhs.month, hhs.day) in ((3, 1), (2, 29)), True, hhs)
        # Ids only: no name or birth date of anyone.
        self.assertNotIn("Patient 1", raw)
        self.assertNotIn("1970-01-01", raw)

    def test_the_cli_writes_the_same_report_and_the_ledger_records_it(self):
        out = self.hub.run("incidents", "report", "--data-dir", self.hub.data_dir, "--id",
                           str(self.incident["id"]), "--format", "json").stdout
        self.assertEqual(sorted(p["patient"] for p in json.loads(out)["patients"]), VIEWED)
        md = self.hub.run("incidents", "report", "--data-dir", self.hub.data_dir, "--id",
                          str(self.incident["id"])).stdout
        self.assertIn(f"# Breach report: incident {self.incident['id']}", md)
        self.assertIn("## Affected patients (20)", md)
        self.assertIn("| p-019 | 1 |", md)
        self.assertNotIn("p-025", md)
        self.assertIn("GDPR, supervisory authority (Art. 33)", md)
        listed = self.hub.run("incidents", "list", "--data-dir", self.hub.data_dir).stdout
        self.assertIn("user:nosy", listed)
        time.sleep(0.5)
        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        reported = [json.loads(line)["fields"] for line in shown.splitlines()
                    if '"breach_reported"' in line]
        self.assertIn({"incident": str(self.incident["id"]), "by": "cli", "patients": "20"},
                      reported)

    def test_z_closing_is_recorded_and_only_the_officer_may(self):
        path = f"/security/incidents/{self.incident['id']}/close"
        status, _, _, _ = self.api.request("POST", path, {"note": "x"}, token=self.doctor_token)
        self.assertEqual(status, 403)
        status, _, body, raw = self.api.request("POST", path, {"note": "nurse interviewed"},
                                                token=self.officer_token)
        self.assertEqual(status, 200, raw)
        self.assertEqual(body["status"], "closed")
        self.assertEqual(body["timeline"][-1]["what"], "incident-status")
        status, _, _, _ = self.api.request("POST", path, {}, token=self.officer_token)
        self.assertEqual(status, 409)  # closed already
        status, _, _, _ = self.api.request("POST", "/security/incidents/999/close", {},
                                           token=self.officer_token)
        self.assertEqual(status, 404)
        time.sleep(0.5)
        shown = self.hub.run("ledger", "show", "--data-dir", self.hub.data_dir).stdout
        self.assertIn('"incident_closed"', shown)


if __name__ == "__main__":
    unittest.main()
