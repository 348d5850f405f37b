// Typed audit records to and from the ledger's field maps. Each record type in
// events/audit_records.h lists its fields once, in a static `Fields(record, field)` that calls
// `field(name, member, presence)` for each; Record() and As() walk that list, so a record is
// written and read back under the same names and no module spells a field name twice.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "events/audit_record.h"

namespace vigil::events {

// Whether a field is written always, or only when it holds something (a non-empty string, a
// non-zero number): optional fields are absent from the entry otherwise.
enum class Presence { kRequired, kOptional };

// The ledger record of `typed` at `time_ms`.
template <class T>
AuditRecord Record(int64_t time_ms, const T& typed) {
  AuditRecord record{T::kType, time_ms, {}};
  T::Fields(typed, [&](const char* name, const auto& value, Presence presence) {
    using V = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<V, std::string>) {
      if (presence == Presence::kRequired || !value.empty()) record.fields[name] = value;
    } else {
      static_assert(std::is_integral_v<V>, "audit fields are strings or integers");
      if (presence == Presence::kRequired || value != 0) {
        record.fields[name] = std::to_string(value);
      }
    }
  });
  return record;
}

// `record` read as a T: nullopt if it is of another type, lacks a required field, or holds a
// number that does not parse. Absent optional fields are left empty (or zero).
template <class T>
std::optional<T> As(const AuditRecord& record) {
  if (record.type != T::kType) return std::nullopt;
  T typed;
  bool complete = true;
  T::Fields(typed, [&](const char* name, auto& value, Presence presence) {
    const auto it = record.fields.find(name);
    if (it == record.fields.end()) {
      if (presence == Presence::kRequired) complete = false;
      return;
    }
    using V = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<V, std::string>) {
      value = it->second;
    } else {
      const std::string& text = it->second;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc() || end != text.data() + text.size()) complete = false;
    }
  });
  if (!complete) return std::nullopt;
  return typed;
}

// The patient `record` concerns (its "patient" field, which every type about one patient
// has), or empty: what the ledger's per-patient index of entries is keyed by.
inline std::string PatientOf(const AuditRecord& record) {
  const auto it = record.fields.find("patient");
  return it == record.fields.end() ? std::string() : it->second;
}

}  // namespace vigil::events
