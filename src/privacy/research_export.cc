#include "privacy/research_export.h"

#include <nlohmann/json.hpp>

#include "access/consent.h"
#include "core/json_string.h"
#include "core/time_format.h"
#include "crypto/bytes.h"
#include "model/observation.h"
#include "store/observation_reader.h"
#include "store/sealed_record.h"

namespace vigil::privacy {
namespace {

using nlohmann::json;

constexpr int64_t kDayMs = 86'400'000;

// Pseudonyms and date shifts keyed by a secret of this export only.
class Deidentifier {
 public:
  explicit Deidentifier(std::string secret) : secret_(std::move(secret)) {}
  ~Deidentifier() { crypto::Wipe(secret_); }

  // "r" and 20 hex digits of HMAC(secret, kind || 0 || id).
  std::string Pseudonym(std::string_view kind, std::string_view id) const {
    const auto mac = crypto::HmacSha256(secret_, std::string(kind) + '\0' + std::string(id));
    return "r" + crypto::Hex(mac).substr(0, 20);
  }
  // The patient's shift: a whole number of days in [-365, 365], never 0.
  int64_t ShiftMs(std::string_view patient) const {
    const auto mac =
        crypto::HmacSha256(secret_, "shift" + std::string(1, '\0') + std::string(patient));
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n = n << 8 | mac[static_cast<size_t>(i)];
    const int64_t days = static_cast<int64_t>(n % 730) - 365;
    return (days >= 0 ? days + 1 : days) * kDayMs;
  }

 private:
  std::string secret_;
};

// An instant shifted by `shift_ms`; nullopt if it does not parse.
std::optional<std::string> Shifted(const json& instant, int64_t shift_ms) {
  if (!instant.is_string()) return std::nullopt;
  auto ms = ParseRfc3339Millis(instant.get<std::string>());
  if (!ms.ok()) return std::nullopt;
  return FormatRfc3339Millis(*ms + shift_ms);
}

// Whole years from `birth` (YYYY-MM-DD) to `now_ms`; -1 if it does not parse.
int AgeAt(const std::string& birth, int64_t now_ms) {
  auto born = ParseRfc3339Millis(birth + "T00:00:00Z");
  if (!born.ok()) return -1;
  const std::string now = FormatRfc3339Millis(now_ms);
  int age = std::stoi(now.substr(0, 4)) - std::stoi(birth.substr(0, 4));
  if (now.substr(5, 5) < birth.substr(5, 5)) --age;
  return age;
}

// The elements of an Observation kept as they are (codes, categories, values).
bool KeptAsIs(const std::string& key) {
  return key == "resourceType" || key == "status" || key == "category" || key == "code" ||
         key == "valueQuantity" || key == "interpretation";
}

class ResearchWriter {
 public:
  ResearchWriter(const Deidentifier& ids, ResearchReport& report, int64_t now_ms)
      : ids_(ids), report_(report), now_ms_(now_ms) {}

  std::string Patient(const std::string& id, const std::string& demographics_json) {
    const json d = json::parse(demographics_json, nullptr, false);
    json out = {{"resourceType", "Patient"}, {"id", ids_.Pseudonym("Patient", id)}};
    ++report_.transformed["Patient.id"];
    ++report_.removed["Patient.name"];
    const std::string birth = d.is_object() ? d.value("birthDate", "") : "";
    const int age = birth.size() >= 10 ? AgeAt(birth, now_ms_) : -1;
    if (age > 89) {
      ++report_.removed["Patient.birthDate (age over 89)"];
    } else if (age >= 0) {
      out["birthDate"] = birth.substr(0, 4);
      ++report_.transformed["Patient.birthDate (year only)"];
    }
    return DumpJson(out);
  }

  std::string Device(const store::DeviceRecord& d) {
    ++report_.transformed["Device.id"];
    ++report_.removed["Device.identifier"];
    return DumpJson(
        {{"resourceType", "Device"},
         {"id", ids_.Pseudonym("Device", d.id)},
         {"type", {{"text", d.type}}},
         {"patient", {{"reference", "Patient/" + ids_.Pseudonym("Patient", d.patient_id)}}}});
  }

  std::string Observation(const model::Observation& o, int64_t shift_ms) {
    const json in = json::parse(model::ToFhirJson(o));
    json out = json::object();
    for (const auto& [key, value] : in.items()) {
      if (KeptAsIs(key)) {
        out[key] = value;
      } else if (key == "id") {
        out["id"] = ids_.Pseudonym("Observation", o.id);
      } else if (key == "subject") {
        out["subject"] = {{"reference", "Patient/" + ids_.Pseudonym("Patient", o.patient_id)}};
      } else if (key == "device") {
        out["device"] = {{"reference", "Device/" + ids_.Pseudonym("Device", o.device_id)}};
      } else if (key == "component" && value.is_array()) {
        out["component"] = json::array();
        for (const auto& c : value) {
          out["component"].push_back({{"code", c.value("code", json::object())},
                                      {"valueQuantity", c.value("valueQuantity", json::object())}});
        }
      } else if (auto shifted = Shifted(value, shift_ms);
                 shifted && (key == "effectiveDateTime" || key == "issued")) {
        out[key] = *shifted;
      } else {
        ++report_.removed["Observation." + key];
        continue;
      }
      if (!KeptAsIs(key) && key != "component") ++report_.transformed["Observation." + key];
    }
    return DumpJson(out);
  }

 private:
  const Deidentifier& ids_;
  ResearchReport& report_;
  const int64_t now_ms_;
};

}  // namespace

std::string ResearchReportJson(const ResearchReport& r) {
  const json identifiers = {
      {"names", "removed"},
      {"geographic subdivisions smaller than a state", "not held by Vigil; none exported"},
      {"dates (except year) related to the individual, and ages over 89",
       "every instant shifted by a number of days keyed to the patient (within 365); birth "
       "dates reduced to the year, and removed for ages over 89"},
      {"telephone numbers", "not held; none exported"},
      {"fax numbers", "not held; none exported"},
      {"email addresses", "not held; none exported"},
      {"social security numbers", "not held; none exported"},
      {"medical record numbers", "patient ids replaced by keyed pseudonyms"},
      {"health plan beneficiary numbers", "not held; none exported"},
      {"account numbers", "not held; none exported"},
      {"certificate/license numbers", "device certificates not exported"},
      {"vehicle identifiers", "not held; none exported"},
      {"device identifiers and serial numbers",
       "replaced by keyed pseudonyms; identifiers removed"},
      {"URLs", "none exported (references are pseudonymous ids)"},
      {"IP addresses", "not exported"},
      {"biometric identifiers", "not held; none exported"},
      {"full-face photographs", "not held; none exported"},
      {"any other unique identifying number, characteristic or code",
       "Observation ids replaced by keyed pseudonyms; free text and unknown elements dropped"}};
  return DumpJson({{"method", "HIPAA Safe Harbor, 45 CFR 164.514(b)(2)"},
                   {"pseudonyms", "HMAC-SHA256 under a secret made for this export and discarded"},
                   {"identifiers", identifiers},
                   {"patients",
                    {{"included", r.patients},
                     {"left out: no consent to research", r.without_research_consent},
                     {"left out: processing restricted", r.restricted},
                     {"left out: erased", r.erased}}},
                   {"resources", r.resources},
                   {"transformed", r.transformed},
                   {"removed", r.removed}});
}

Result<ResearchReport> ExportResearchData(
    store::Store& store, store::KeyRing& keys, int64_t now_ms,
    const std::function<Status(const std::string&)>& record_read,
    const std::function<Status(std::string_view, std::string_view)>& line) {
  VIGIL_ASSIGN_OR_RETURN(std::string secret, crypto::RandomBytes(32));
  const Deidentifier ids(std::move(secret));
  ResearchReport report;
  ResearchWriter writer(ids, report, now_ms);
  VIGIL_ASSIGN_OR_RETURN(auto patients, store.ListPatients());
  VIGIL_ASSIGN_OR_RETURN(auto devices, store.ListDevices());
  const auto emit = [&](std::string_view type, const std::string& json) {
    ++report.resources[std::string(type)];
    return line(type, json);
  };
  for (const auto& p : patients) {
    VIGIL_ASSIGN_OR_RETURN(auto erased, store.privacy().FindErasure(p.id));
    if (erased) {
      ++report.erased;
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(auto flags, store.privacy().Flags(p.id));
    if (std::any_of(flags.begin(), flags.end(),
                    [](const auto& f) { return f.flag == store::PatientFlag::kRestricted; })) {
      ++report.restricted;
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(auto stored, store.access().FindConsent(p.id));
    access::ConsentDirective consent;
    if (stored) {
      VIGIL_ASSIGN_OR_RETURN(consent, access::DecodeConsent(*stored));
    }
    const bool vitals = access::ConsentPermitsResearch(consent, access::DataCategory::kVitalSigns);
    const bool device_data =
        access::ConsentPermitsResearch(consent, access::DataCategory::kDeviceData);
    if (!vitals && !device_data) {
      ++report.without_research_consent;
      continue;
    }
    ++report.patients;
    VIGIL_RETURN_IF_ERROR(record_read(p.id));
    VIGIL_ASSIGN_OR_RETURN(std::string key, keys.DataKey(p.id));
    VIGIL_ASSIGN_OR_RETURN(std::string demographics,
                           store::OpenDemographics(key, p.id, p.sealed_demographics));
    crypto::Wipe(key);
    VIGIL_RETURN_IF_ERROR(emit("Patient", writer.Patient(p.id, demographics)));
    crypto::Wipe(demographics);
    for (const auto& d : devices) {
      if (device_data && d.patient_id == p.id)
        VIGIL_RETURN_IF_ERROR(emit("Device", writer.Device(d)));
    }
    if (!vitals) continue;
    const int64_t shift = ids.ShiftMs(p.id);
    store::ObservationReader reader(store, keys, p.id);
    store::ObservationQuery query;
    query.patient_id = p.id;
    Status written = Status::Ok();
    VIGIL_RETURN_IF_ERROR(reader.VisitAll(query, [&](const model::Observation& o) {
      written = emit("Observation", writer.Observation(o, shift));
      return written.ok();
    }));
    VIGIL_RETURN_IF_ERROR(written);
  }
  return report;
}

}  // namespace vigil::privacy
