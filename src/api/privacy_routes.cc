#include "api/privacy_routes.h"

#include "api/api_errors.h"
#include "api/json_reply.h"
#include "core/time_format.h"
#include "privacy/patient_privacy.h"

namespace vigil::api {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/privacy/patients/";

json FlagJson(const store::PatientFlagRecord& f) {
  return {{"flag", std::string(store::PatientFlagName(f.flag))},
          {"reason", f.reason},
          {"by", f.by},
          {"since", FormatRfc3339Millis(f.since_ms)}};
}

}  // namespace

std::optional<PrivacyTarget> ParsePrivacyPath(std::string_view path) {
  if (!path.starts_with(kPrefix)) return std::nullopt;
  const std::string_view rest = path.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  PrivacyTarget target{std::string(rest.substr(0, slash)), ""};
  if (target.patient_id.empty()) return std::nullopt;
  if (slash != std::string_view::npos) target.verb = std::string(rest.substr(slash + 1));
  return target;
}

HttpReply PrivacyRoutes::Handle(const ApiRequest& request, const Session& session) {
  const std::string& path = request.path;
  const auto target = ParsePrivacyPath(path);
  if (!target) return Problem(404, "not_found", "Not found", "/privacy/patients/{id}");
  const std::string& id = target->patient_id;
  const std::string& verb = target->verb;
  if (verb.empty() && request.method == "GET") return Standing(request, session, id);
  if (request.method != "POST") {
    return Problem(405, "method_not_allowed", "Method not allowed", "POST " + path);
  }
  if (verb == "erase") return Erase(request, session, id);
  if (verb == "legal-hold")
    return ChangeFlag(request, session, id, store::PatientFlag::kLegalHold, true);
  if (verb == "legal-hold/lift") {
    return ChangeFlag(request, session, id, store::PatientFlag::kLegalHold, false);
  }
  if (verb == "restriction") {
    return ChangeFlag(request, session, id, store::PatientFlag::kRestricted, true);
  }
  if (verb == "restriction/lift") {
    return ChangeFlag(request, session, id, store::PatientFlag::kRestricted, false);
  }
  return Problem(404, "not_found", "Not found",
                 "erase, legal-hold, legal-hold/lift, restriction or restriction/lift");
}

HttpReply PrivacyRoutes::Standing(const ApiRequest& request, const Session& session,
                                  const std::string& id) {
  // Decided without the patient's id: an erased patient's standing must stay visible (their
  // id is in the recorded resource).
  if (Status s = context_.Require(request, session, access::Action::kManagePrivacy, "",
                                  "privacy/Patient/" + id);
      !s.ok()) {
    return ProblemFor(s);
  }
  auto patient = deps_.store.FindPatient(id);
  if (!patient.ok()) return ProblemFor(patient.status());
  if (!*patient) return ProblemFor(Status::NotFound("no Patient/" + id));
  auto flags = deps_.store.privacy().Flags(id);
  if (!flags.ok()) return ProblemFor(flags.status());
  auto erasure = deps_.store.privacy().FindErasure(id);
  if (!erasure.ok()) return ProblemFor(erasure.status());
  json body = {{"patient", id}, {"flags", json::array()}, {"erased", nullptr}};
  for (const auto& f : *flags) body["flags"].push_back(FlagJson(f));
  if (*erasure) {
    body["erased"] = {{"at", FormatRfc3339Millis((*erasure)->erased_ms)},
                      {"by", (*erasure)->by},
                      {"devices_revoked", (*erasure)->devices_revoked},
                      {"readings", (*erasure)->readings}};
  }
  return Json(200, body);
}

HttpReply PrivacyRoutes::Erase(const ApiRequest& request, const Session& session,
                               const std::string& id) {
  auto fields = StringMembers(request.body, {"reason"});
  if (!fields.ok()) return ProblemFor(fields.status());
  if (Status s = context_.Require(request, session, access::Action::kManagePrivacy, id,
                                  "privacy/Patient/" + id + "/erase");
      !s.ok()) {
    return ProblemFor(s);
  }
  auto erased = privacy::ErasePatient({deps_.store, deps_.keys, deps_.audit, session.who.username},
                                      id, (*fields)[0]);
  if (!erased.ok()) return ProblemFor(erased.status());
  json body = {{"patient", id},
               {"erased", FormatRfc3339Millis(erased->erased_ms)},
               {"devices_revoked", erased->devices_revoked},
               {"readings", erased->readings}};
  if (!erased->residue.empty()) body["residue"] = erased->residue;
  return Json(200, body);
}

HttpReply PrivacyRoutes::ChangeFlag(const ApiRequest& request, const Session& session,
                                    const std::string& id, store::PatientFlag flag, bool set) {
  auto fields = StringMembers(request.body, {"reason"});
  if (!fields.ok()) return ProblemFor(fields.status());
  const std::string name(store::PatientFlagName(flag));
  if (Status s = context_.Require(request, session, access::Action::kManagePrivacy, id,
                                  "privacy/Patient/" + id + "/" + name);
      !s.ok()) {
    return ProblemFor(s);
  }
  const Status changed = privacy::ChangePatientFlag(
      {deps_.store, deps_.keys, deps_.audit, session.who.username}, id, flag, set, (*fields)[0]);
  if (!changed.ok()) return ProblemFor(changed);
  return Json(set ? 201 : 200, {{"patient", id}, {"flag", name}, {"set", set}});
}

}  // namespace vigil::api
