#include "model/reading.h"

namespace vigil::model {

bool IsValidEntityId(std::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '.'))) return false;
  }
  return true;
}

}  // namespace vigil::model
