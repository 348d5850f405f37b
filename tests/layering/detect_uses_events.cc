// detect/ may use core/ and events/: this compiles and links against vigil_detect alone.
#include "core/status.h"
#include "detect/rules.h"
#include "events/audit_record.h"

int main() {
  const auto alert = vigil::detect::MakeAlert(vigil::events::AlertKind::kDeviceClone,
                                              vigil::events::Severity::kHigh,
                                              vigil::events::Entity::Device("d"), "", "", 0, {});
  return static_cast<int>(vigil::events::AuditTypeName({}).size() + alert.summary.size());
}
