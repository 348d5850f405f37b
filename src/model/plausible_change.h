// How fast a vital sign can really change: a reading that moves further from the
// device's previous one than physiology allows in the time between them is suspicious — a
// tampered device, a spoofed stream, or a failing sensor. Conservative bounds: a change is
// implausible when |Δ| > step + rate × minutes, for readings at most 10 minutes apart.
#pragma once

#include <cstdint>

#include "model/vitals.h"

namespace vigil::model {

// Whether going from `before` (at `before_ms`) to `after` (at `after_ms`) is faster than
// `kind` can change. False when there is no bound for the kind or the readings are far apart.
bool ImplausibleChange(VitalKind kind, double before, int64_t before_ms, double after,
                       int64_t after_ms);

}  // namespace vigil::model
