#include "model/observation.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vigil::model {
namespace {

using nlohmann::json;

constexpr int64_t kT = 1795341600000;  // 2026-11-22T10:00:00Z

TEST(ObservationTest, AnIdNamesItsMessageEvenWhenTheDeviceIdHasDots) {
  const auto plain = SourceOfObservationId("d-1.42.0");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->device_id, "d-1");
  EXPECT_EQ(plain->seq, 42u);
  const auto dotted = SourceOfObservationId("ward.3.cuff.17.1");
  ASSERT_TRUE(dotted.has_value());
  EXPECT_EQ(dotted->device_id, "ward.3.cuff");
  EXPECT_EQ(dotted->seq, 17u);
  for (const char* bad : {"d-1", "d-1.42", ".42.0", "d-1..0", "d-1.x.0", "d-1.42.", "d-1.42.x",
                          "d-1.99999999999999999999.0"}) {
    EXPECT_FALSE(SourceOfObservationId(bad).has_value()) << bad;
  }
}

TEST(ObservationTest, HeartRateBecomesAVitalSignsObservation) {
  Reading r{7, {{VitalKind::kHeartRate, 72, kT}}};
  const auto obs = NormalizeReading(r, "p-001", "dev-0001", kT + 5);
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_EQ(obs[0].id, "dev-0001.7.0");
  EXPECT_EQ(obs[0].code, "8867-4");
  const json j = json::parse(ToFhirJson(obs[0]));
  EXPECT_EQ(j["resourceType"], "Observation");
  EXPECT_EQ(j["status"], "final");
  EXPECT_EQ(j["category"][0]["coding"][0]["code"], "vital-signs");
  EXPECT_EQ(j["code"]["coding"][0]["system"], "http://loinc.org");
  EXPECT_EQ(j["subject"]["reference"], "Patient/p-001");
  EXPECT_EQ(j["device"]["reference"], "Device/dev-0001");
  EXPECT_EQ(j["effectiveDateTime"], "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(j["valueQuantity"]["code"], "/min");
  EXPECT_EQ(j["valueQuantity"]["system"], "http://unitsofmeasure.org");
  EXPECT_EQ(j["valueQuantity"]["value"], 72);
  EXPECT_EQ(j["meta"]["profile"][0], "http://hl7.org/fhir/StructureDefinition/heartrate");
}

TEST(ObservationTest, ASuspectObservationCarriesASecurityLabelAndItsReason) {
  Reading r{7, {{VitalKind::kHeartRate, 72, kT}}};
  auto obs = NormalizeReading(r, "p-001", "dev-0001", kT + 5);
  EXPECT_FALSE(json::parse(ToFhirJson(obs[0]))["meta"].contains("security"));
  obs[0].suspect = "value_drift";
  const json j = json::parse(ToFhirJson(obs[0]));
  EXPECT_EQ(j["meta"]["security"][0]["system"],
            "http://terminology.hl7.org/CodeSystem/v3-ObservationValue");
  EXPECT_EQ(j["meta"]["security"][0]["code"], "UNCERTREL");
  EXPECT_EQ(j["meta"]["tag"][0]["system"], "urn:vigil:suspect");
  EXPECT_EQ(j["meta"]["tag"][0]["code"], "value_drift");
  EXPECT_EQ(j["meta"]["profile"][0], "http://hl7.org/fhir/StructureDefinition/heartrate");
  EXPECT_EQ(j["valueQuantity"]["value"], 72);
}

TEST(ObservationTest, SystolicAndDiastolicMakeOneBloodPressurePanel) {
  Reading r{9,
            {{VitalKind::kDiastolicBp, 80, kT},
             {VitalKind::kHeartRate, 66, kT},
             {VitalKind::kSystolicBp, 120, kT}}};
  const auto obs = NormalizeReading(r, "p-1", "cuff-1", kT);
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[0].code, "85354-9");
  const json bp = json::parse(ToFhirJson(obs[0]));
  ASSERT_EQ(bp["component"].size(), 2u);
  EXPECT_EQ(bp["component"][0]["code"]["coding"][0]["code"], "8480-6");
  EXPECT_EQ(bp["component"][0]["valueQuantity"]["value"], 120);
  EXPECT_EQ(bp["component"][1]["code"]["coding"][0]["code"], "8462-4");
  EXPECT_EQ(bp["component"][1]["valueQuantity"]["code"], "mm[Hg]");
  EXPECT_FALSE(bp.contains("valueQuantity"));
  EXPECT_EQ(obs[1].code, "8867-4");
}

TEST(ObservationTest, OxygenSaturationCarriesBothLoincCodings) {
  Reading r{1, {{VitalKind::kSpo2, 97, kT}}};
  const json j = json::parse(ToFhirJson(NormalizeReading(r, "p", "d", kT)[0]));
  ASSERT_EQ(j["code"]["coding"].size(), 2u);
  EXPECT_EQ(j["code"]["coding"][1]["code"], "2708-6");
}

}  // namespace
}  // namespace vigil::model
