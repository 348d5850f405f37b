// A patient's consent directive: which categories of their data which recipients
// may see, as a base decision plus exceptions, where a matching deny always wins. Read and
// written as the subset of FHIR R4 Consent documented in docs/access.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::access {

enum class DataCategory { kVitalSigns, kDeviceData };

enum class RecipientKind {
  kEveryone,  // no actor or purpose: whoever else the policy lets ask (the care team)
  kCareTeam,  // CareTeam/<patient>
  kUser,      // Practitioner/<username>
  kResearch,  // purpose HRESCH
};

struct ConsentException {
  bool permit = false;
  std::optional<DataCategory> category;  // none: every category
  RecipientKind recipient = RecipientKind::kEveryone;
  std::string username;  // for kUser
};

struct ConsentDirective {
  bool base_permit = true;  // the default: the care team may see what treatment needs
  std::vector<ConsentException> exceptions;
  int64_t updated_ms = 0;
};

// Whether `directive` lets `username` (on the patient's care team when `on_care_team`) see
// `category` (none: the patient's record itself, only rules for every category apply).
// Deny wins over permit among matching exceptions; otherwise the base decides.
bool ConsentPermits(const ConsentDirective& directive, std::optional<DataCategory> category,
                    const std::string& username, bool on_care_team);

// Whether the directive lets research use `category` (denied unless an exception permits it).
bool ConsentPermitsResearch(const ConsentDirective& directive, DataCategory category);

// The directive as a FHIR R4 Consent resource (JSON text).
std::string ConsentToFhir(const ConsentDirective& directive, const std::string& patient_id);

// Parses a FHIR R4 Consent for `patient_id`. InvalidArgument naming the element for anything
// outside the supported subset (the directive is then not changed).
Result<ConsentDirective> ConsentFromFhir(const std::string& json, const std::string& patient_id);

// The compact stored form and back.
std::string EncodeConsent(const ConsentDirective& directive);
Result<ConsentDirective> DecodeConsent(const std::string& stored);

}  // namespace vigil::access
