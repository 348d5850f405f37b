// A patient's consent as the three choices the console offers in plain language, and back:
// whether their care team may see their vital signs, their device data, and whether
// de-identified data may be used for research. Changing the choices keeps every other part of the
// directive (exceptions naming one person, made through the FHIR API): nothing a patient set
// elsewhere is dropped by the form.
#pragma once

#include <string>
#include <vector>

#include "access/consent.h"

namespace vigil::access {

struct ConsentChoices {
  bool care_team_vital_signs = true;
  bool care_team_device_data = true;
  bool research = false;
};

// What `directive` decides for the care team as a whole and for research.
ConsentChoices ChoicesOf(const ConsentDirective& directive);

// `directive` changed to decide `choices`: its exceptions for the care team, everyone and
// research replaced by the fewest that say the choices, those naming a person kept as they are.
ConsentDirective WithChoices(const ConsentDirective& directive, const ConsentChoices& choices);

// The exceptions naming one person, each said in a sentence ("clinician x may not see your vital
// signs"), for the patient to see what the choices leave in place.
std::vector<std::string> PersonalExceptions(const ConsentDirective& directive);

}  // namespace vigil::access
