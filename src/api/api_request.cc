#include "api/api_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/percent_encoding.h"

namespace vigil::api {

std::optional<std::string> ApiRequest::Param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> ApiRequest::Params(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (k == name) out.push_back(v);
  }
  return out;
}

std::string ApiRequest::BearerToken() const {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return {};
    }
  }
  return authorization.substr(kScheme.size());
}

std::string ApiRequest::Endpoint() const {
  std::string endpoint = method + ' ';
  const bool fhir = path == "/fhir" || path.starts_with("/fhir/");
  size_t position = 0;
  for (size_t at = 1; at <= path.size();) {
    const size_t end = std::min(path.find('/', at), path.size());
    const std::string_view segment = std::string_view(path).substr(at, end - at);
    if (!segment.empty()) {
      ++position;
      const bool operation = segment.front() == '$' || segment.front() == '_';
      const bool id = !operation && ((fhir && position == 3) ||
                                     std::any_of(segment.begin(), segment.end(),
                                                 [](char c) { return c >= '0' && c <= '9'; }));
      endpoint += '/';
      endpoint += id ? std::string_view("{id}") : segment;
    }
    at = end + 1;
  }
  return endpoint;
}

Status ParseTarget(std::string_view target, ApiRequest& request) {
  const size_t q = target.find('?');
  VIGIL_ASSIGN_OR_RETURN(request.path, PercentDecode(target.substr(0, q), false));
  request.query.clear();
  if (q == std::string_view::npos) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(request.query, ParseUrlEncoded(target.substr(q + 1)));
  return Status::Ok();
}

std::optional<IdPath> ParseIdPath(std::string_view rest) {
  if (rest.size() < 2 || rest[0] != '/') return std::nullopt;
  const size_t slash = rest.find('/', 1);
  const std::string_view id_text =
      rest.substr(1, slash == std::string_view::npos ? rest.npos : slash - 1);
  IdPath out;
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), out.id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || out.id <= 0) {
    return std::nullopt;
  }
  if (slash != std::string_view::npos) out.verb = std::string(rest.substr(slash + 1));
  return out;
}

Result<std::string> NoteFromBody(const std::string& body_text) {
  using nlohmann::json;
  const json body = json::parse(body_text.empty() ? "{}" : body_text, nullptr, false);
  if (body.is_discarded() || !body.is_object() ||
      (body.contains("note") && !body["note"].is_string())) {
    return Status::InvalidArgument("the body is {\"note\": \"...\"}");
  }
  return body.value("note", "");
}

Result<std::vector<std::string>> StringMembers(const std::string& body_text,
                                               std::initializer_list<std::string_view> names) {
  using nlohmann::json;
  const json body = json::parse(body_text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Status::InvalidArgument("the body must be a JSON object");
  }
  std::vector<std::string> out;
  for (std::string_view name : names) {
    const auto it = body.find(name);
    if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return Status::InvalidArgument("\"" + std::string(name) + "\" (a string) is required");
    }
    out.push_back(it->get<std::string>());
  }
  return out;
}

}  // namespace vigil::api
