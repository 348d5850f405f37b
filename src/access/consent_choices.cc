#include "access/consent_choices.h"

#include <algorithm>

namespace vigil::access {

ConsentChoices ChoicesOf(const ConsentDirective& directive) {
  // A care-team member whom no personal exception names ("" matches none of them).
  return {ConsentPermits(directive, DataCategory::kVitalSigns, "", true),
          ConsentPermits(directive, DataCategory::kDeviceData, "", true),
          ConsentPermitsResearch(directive, DataCategory::kVitalSigns) &&
              ConsentPermitsResearch(directive, DataCategory::kDeviceData)};
}

ConsentDirective WithChoices(const ConsentDirective& directive, const ConsentChoices& choices) {
  ConsentDirective out = directive;
  std::erase_if(out.exceptions,
                [](const ConsentException& e) { return e.recipient != RecipientKind::kUser; });
  for (const auto& [category, wanted] :
       {std::pair{DataCategory::kVitalSigns, choices.care_team_vital_signs},
        std::pair{DataCategory::kDeviceData, choices.care_team_device_data}}) {
    if (wanted != out.base_permit) {
      out.exceptions.push_back({wanted, category, RecipientKind::kCareTeam, ""});
    }
  }
  if (choices.research) {
    out.exceptions.push_back({true, std::nullopt, RecipientKind::kResearch, ""});
  }
  return out;
}

std::vector<std::string> PersonalExceptions(const ConsentDirective& directive) {
  std::vector<std::string> out;
  for (const auto& e : directive.exceptions) {
    if (e.recipient != RecipientKind::kUser) continue;
    const std::string what = !e.category                                ? "any of your data"
                             : *e.category == DataCategory::kVitalSigns ? "your vital signs"
                                                                        : "your device data";
    out.push_back(e.username + (e.permit ? " may see " : " may not see ") + what);
  }
  return out;
}

}  // namespace vigil::access
