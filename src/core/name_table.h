// One table of names per enum: the only place an enum's values are spelled as text. `Name`
// turns a value into its name, `Parse` a name back into the value; both walk the table, which
// holds a few dozen rows at most.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace vigil {

template <typename Enum, size_t N>
class NameTable {
 public:
  using Row = std::pair<Enum, std::string_view>;
  constexpr explicit NameTable(std::array<Row, N> rows) : rows_(rows) {}

  // The name of `value`; "unknown" for a value the table does not list.
  constexpr std::string_view Name(Enum value) const {
    for (const auto& [v, name] : rows_) {
      if (v == value) return name;
    }
    return "unknown";
  }
  // The value named `name`, if the table lists it.
  constexpr std::optional<Enum> Parse(std::string_view name) const {
    for (const auto& [v, n] : rows_) {
      if (n == name) return v;
    }
    return std::nullopt;
  }
  constexpr const std::array<Row, N>& rows() const { return rows_; }

 private:
  std::array<Row, N> rows_;
};

}  // namespace vigil
