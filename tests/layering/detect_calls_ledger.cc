// detect/ calling into ledger/ (declared here, as a header-less shortcut would): must not link,
// for vigil_detect brings no ledger. The same program without the call links (detect_uses_events).
#include <string>

#include "detect/rules.h"
#include "events/audit_record.h"

namespace vigil::ledger {
std::string EncodeEntry(const events::AuditRecord& entry);  // ledger/entry.cc
}  // namespace vigil::ledger

int main() {
  const auto alert = vigil::detect::MakeAlert(vigil::events::AlertKind::kDeviceClone,
                                              vigil::events::Severity::kHigh,
                                              vigil::events::Entity::Device("d"), "", "", 0, {});
  return static_cast<int>(vigil::ledger::EncodeEntry({}).size() + alert.summary.size());
}
