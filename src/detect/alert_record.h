// Alerts to and from their stored form (store::AlertRecord) and as text for people.
#pragma once

#include "detect/alert.h"
#include "store/alert_store.h"

namespace vigil::detect {

store::AlertRecord ToRecord(const Alert& alert);

}  // namespace vigil::detect
