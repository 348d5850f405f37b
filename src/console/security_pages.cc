// The security officer's pages: the dashboard at a glance, alerts (filter, detail with evidence,
// acknowledge, resolve with a reason) and containment undo (release a device). No health values
// appear on any of them.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "access/user_changes.h"
#include "console/console_http.h"
#include "console/pages.h"
#include "respond/address_blocks.h"
#include "respond/alert_record.h"
#include "respond/device_holds.h"

namespace vigil::console {
namespace {

Html When(int64_t ms) { return std::move(Html().Time(ms)); }

// A labelled drop-down of `options`, `chosen` selected.
Html Select(Literal name, Literal label, const std::string& chosen,
            std::initializer_list<const char*> options) {
  Html h;
  h << "<label for=\"" << name << "\">" << label << "</label> <select id=\"" << name << "\" name=\""
    << name << "\">";
  for (const char* o : options) {
    h << "<option value=\"";
    h.Text(o);
    h << (chosen == o ? Literal("\" selected>") : Literal("\">"));
    h.Text(o);
    h << "</option>";
  }
  h << "</select> ";
  return h;
}

Html Severity(const std::string& severity) {
  Html h;
  h << "<span class=\"sev-";
  h.Text(severity == "high" || severity == "critical" || severity == "medium" ? severity : "low");
  h << "\">";
  h.Text(severity);
  h << "</span>";
  return h;
}

Html AlertRows(const std::vector<store::AlertRecord>& alerts, size_t at_most) {
  Html h;
  h << "<table><thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Alert</th>"
       "<th scope=\"col\">About</th><th scope=\"col\">Last seen</th><th scope=\"col\">Times</th>"
       "<th scope=\"col\">Status</th></tr></thead><tbody>";
  size_t n = 0;
  for (const auto& a : alerts) {
    if (n++ >= at_most) break;
    h << "<tr><td>" << Severity(a.severity) << "</td><td><a href=\"/console/alerts/";
    h.Int(a.id);
    h << "\">";
    h.Text(a.kind);
    h << "</a></td><td>";
    h.Text(a.entity);
    h << "</td><td>" << When(a.last_ms) << "</td><td>";
    h.Int(a.count);
    h << "</td><td>";
    h.Text(a.status);
    h << "</td></tr>";
  }
  h << "</tbody></table>";
  if (alerts.empty()) h << "<p>None.</p>";
  return h;
}

// A containment undo: a form posting a reason to `prefix` + the entity + `verb`.
Html UndoForm(const PageContext& page, Literal prefix, const std::string& entity, Literal verb,
              Literal button) {
  Html h;
  h << "<form class=\"stack\" method=\"post\" action=\"" << prefix;
  h.UrlPart(entity);
  h << verb << "\">" << CsrfField(page.viewer)
    << "<label for=\"undo-reason\">Reason for lifting the hold</label>"
       "<textarea id=\"undo-reason\" name=\"reason\" rows=\"2\" required></textarea>"
       "<p><button type=\"submit\">"
    << button << "</button></p></form>";
  return h;
}

// Whether the viewer may manage alerts: decided and recorded like the API's.
Status MayManageAlerts(const PageContext& page) {
  return page.context.Require(page.request, page.session, access::Action::kManageAlerts, "",
                              "console:alerts");
}

}  // namespace

admin::AdminParts AdminPartsOf(const PageContext& page) {
  const api::ApiDependencies& deps = page.context.deps;
  return {*page.hub.layout, deps.hub_name, deps.store,
          deps.keys,        deps.audit,    page.session.who.username};
}

Html InlineReasonForm(const PageContext& page, Literal prefix, const std::string& entity,
                      Literal verb, Literal button) {
  Html h;
  h << "<form class=\"inline\" method=\"post\" action=\"" << prefix;
  h.UrlPart(entity);
  // The field's id names the entity and the verb: one entity's several forms on a page (hold,
  // restrict) each label their own field.
  const std::string field = entity + std::string(verb.markup()) + "-reason";
  h << verb << "\">" << CsrfField(page.viewer) << "<label class=\"visually-hidden\" for=\"";
  h.UrlPart(field);
  h << "\">";
  h << button;
  h.Text(" " + entity + ": why");
  h << "</label><input id=\"";
  h.UrlPart(field);
  h << "\" name=\"reason\" required placeholder=\"reason\"> <button type=\"submit\">" << button
    << "</button></form> ";
  return h;
}

api::HttpReply ErrorPage(const PageContext& page, int status, std::string_view message) {
  Html body;
  body << "<p class=\"error\" role=\"alert\">";
  body.Text(message);
  body << "</p><p><a href=\"/console/\">Back to the start</a></p>";
  return page.Page(status == 403   ? "Not permitted"
                   : status == 404 ? "Not found"
                   : status == 410 ? "Erased"
                                   : "Problem",
                   body, status);
}

// An error from an administrative change, said as a page: 400 for what the form got wrong.
api::HttpReply ChangeRefused(const PageContext& page, const Status& s, std::string_view what) {
  const StatusCode code = s.code();
  const int status = code == StatusCode::kInvalidArgument || code == StatusCode::kAlreadyExists ||
                             code == StatusCode::kFailedPrecondition
                         ? 400
                     : code == StatusCode::kNotFound ? 404
                                                     : 503;
  return ErrorPage(page, status, std::string(what) + ": " + s.message() + ". Nothing was changed.");
}

api::HttpReply UndecidedPage(const PageContext& page, const Status& status) {
  if (status.code() == StatusCode::kGone) return ErrorPage(page, 410, status.message());
  return ErrorPage(page, 503, "The access could not be recorded.");
}

api::HttpReply Dashboard(const PageContext& page) {
  const access::Role role = page.session.who.role;
  if (role != access::Role::kSecurityOfficer && role != access::Role::kAdmin &&
      role != access::Role::kDeviceAdmin) {
    return ErrorPage(page, 403, "The hub's status is for security officers and administrators.");
  }
  store::Store& store = page.context.deps.store;
  Html body;
  auto devices = store.ListDevices();
  if (!devices.ok()) return ErrorPage(page, 503, "The device list could not be read.");
  int64_t active = 0, quarantined = 0, restricted = 0, revoked = 0;
  for (const auto& d : *devices) {
    if (d.status == store::DeviceStatus::kRevoked) {
      ++revoked;
      continue;
    }
    ++active;
    if (d.quarantined) ++quarantined;
    if (d.vitals_only) ++restricted;
  }
  body << "<h2>Devices</h2><div class=\"tiles\">"
       << Tile("connected now",
               page.hub.connected_devices ? static_cast<int64_t>(page.hub.connected_devices()) : 0)
       << Tile("enrolled", active) << Tile("quarantined", quarantined)
       << Tile("vital signs only", restricted) << Tile("revoked", revoked) << "</div>";
  auto activity = store.ListDeviceActivity();
  if (!activity.ok()) return ErrorPage(page, 503, "The devices' activity could not be read.");
  body << DeviceHealthSection(*devices, *activity, page.context.deps.clock.NowMillis());
  if (page.hub.ingest_history) body << IngestSection(page.hub.ingest_history());
  if (MayManageAlerts(page).ok()) {
    auto open = store.alerts().ListAlerts("open", 1000);
    auto incidents = store.alerts().ListIncidents("open", 100);
    if (!open.ok() || !incidents.ok()) return ErrorPage(page, 503, "Alerts could not be read.");
    std::map<std::string, int64_t> by_severity;
    for (const auto& a : *open) ++by_severity[a.severity];
    body << "<h2>Open alerts</h2><div class=\"tiles\">" << Tile("critical", by_severity["critical"])
         << Tile("high", by_severity["high"]) << Tile("medium", by_severity["medium"])
         << Tile("low", by_severity["low"])
         << Tile("open incidents", static_cast<int64_t>(incidents->size())) << "</div>"
         << AlertRows(*open, 10) << "<p><a href=\"/console/alerts\">All alerts</a></p>";
    body << "<h2>Open incidents</h2><table><thead><tr><th scope=\"col\">Incident</th>"
            "<th scope=\"col\">Severity</th><th scope=\"col\">Since</th></tr></thead><tbody>";
    for (const auto& i : *incidents) {
      body << "<tr><td>";
      body.Int(i.id).Text(": ").Text(i.title);
      body << "</td><td>" << Severity(i.severity) << "</td><td>" << When(i.first_ms)
           << "</td></tr>";
    }
    body << "</tbody></table>";
  }
  body << LedgerSection(store);
  return page.Page("Security dashboard", body);
}

api::HttpReply AlertsPage(const PageContext& page) {
  if (!MayManageAlerts(page).ok()) return ErrorPage(page, 403, "Alerts are for security officers.");
  const auto param = [&](const char* name, std::initializer_list<const char*> allowed) {
    const std::string value = page.request.Param(name).value_or(*allowed.begin());
    for (const char* a : allowed) {
      if (value == a) return value;
    }
    return std::string(*allowed.begin());
  };
  const std::string status = param("status", {"open", "acknowledged", "resolved", "all"});
  const std::string severity = param("severity", {"any", "critical", "high", "medium", "low"});
  const std::string about = page.request.Param("about").value_or("");
  const std::string kind = page.request.Param("kind").value_or("");
  auto alerts = page.context.deps.store.alerts().ListAlerts(status == "all" ? "" : status, 500);
  if (!alerts.ok()) return ErrorPage(page, 503, "Alerts could not be read.");
  std::erase_if(*alerts, [&](const store::AlertRecord& a) {
    return (severity != "any" && a.severity != severity) ||
           (!about.empty() && a.entity.find(about) == std::string::npos) ||
           (!kind.empty() && a.kind.find(kind) == std::string::npos);
  });
  Html body;
  body << "<form class=\"filters\" method=\"get\" action=\"/console/alerts\">"
       << Select("status", "Show", status, {"open", "acknowledged", "resolved", "all"})
       << Select("severity", "Severity", severity, {"any", "critical", "high", "medium", "low"})
       << "<label for=\"kind\">Kind</label> <input id=\"kind\" name=\"kind\" value=\"";
  body.Text(kind);
  body << "\"> <label for=\"about\">About (user:, device:, address:)</label> <input id=\"about\" "
          "name=\"about\" value=\"";
  body.Text(about);
  body << "\"> <button type=\"submit\">Filter</button></form>" << AlertRows(*alerts, 500);
  return page.Page("Alerts", body);
}

api::HttpReply AlertPage(const PageContext& page, int64_t id) {
  if (!MayManageAlerts(page).ok()) return ErrorPage(page, 403, "Alerts are for security officers.");
  auto alert = page.context.deps.store.alerts().FindAlert(id);
  if (!alert.ok()) return ErrorPage(page, 503, "The alert could not be read.");
  if (!*alert) return ErrorPage(page, 404, "There is no such alert.");
  const store::AlertRecord& a = **alert;
  Html body;
  body << "<p>" << Severity(a.severity) << " · ";
  body.Text(a.status);
  body << " · seen ";
  body.Int(a.count);
  body << (a.count == 1 ? Literal(" time, ") : Literal(" times, ")) << "first " << When(a.first_ms)
       << ", last " << When(a.last_ms) << "</p><p>";
  body.Text(a.summary);
  body << "</p><h2>Evidence</h2><dl class=\"evidence\"><dt>About</dt><dd>";
  body.Text(a.entity);
  body << "</dd>";
  if (!a.technique.empty()) {
    body << "<dt>ATT&amp;CK technique</dt><dd>";
    body.Text(a.technique);
    body << "</dd>";
  }
  const auto evidence = nlohmann::json::parse(a.evidence_json, nullptr, false);
  if (evidence.is_object()) {
    for (const auto& [key, value] : evidence.items()) {
      body << "<dt>";
      body.Text(key);
      body << "</dt><dd>";
      body.Text(value.is_string() ? value.get<std::string>() : value.dump());
      body << "</dd>";
    }
  }
  body << "</dl>";
  if (!a.note.empty()) {
    body << "<p>Note: ";
    body.Text(a.note);
    body << "</p>";
  }
  const auto action = [&](Literal verb, Literal label, Literal note, Literal required) {
    body << "<form class=\"stack\" method=\"post\" action=\"/console/alerts/";
    body.Int(a.id);
    body << "/" << verb << "\">" << CsrfField(page.viewer) << "<label for=\"note-" << verb << "\">"
         << note << "</label><textarea id=\"note-" << verb << "\" name=\"note\" rows=\"2\""
         << required << "></textarea><p><button type=\"submit\">" << label
         << "</button></p></form>";
  };
  if (a.status == "open") action("acknowledge", "Acknowledge", "Note (optional)", "");
  if (a.status != "resolved") {
    action("resolve", "Close (resolved or false positive)", "Reason", " required");
  }
  if (a.entity.starts_with("user:")) {
    const std::string user = a.entity.substr(5);
    auto hold = page.context.deps.store.access().AccountHold(user);
    if (hold.ok() && *hold) {
      body << "<h2>Containment</h2><p>The account is held by a security response: ";
      body.Text(**hold);
      body << "</p>";
      body << UndoForm(page, "/console/users/", user, "/unlock", "Unlock the account");
    }
  }
  if (a.entity.starts_with("address:")) {
    const std::string address = a.entity.substr(8);
    auto blocks =
        page.context.deps.store.alerts().ListAddressBlocks(page.context.deps.clock.NowMillis());
    const bool blocked =
        blocks.ok() && std::any_of(blocks->begin(), blocks->end(),
                                   [&](const auto& b) { return b.address == address; });
    if (blocked) {
      body << "<h2>Containment</h2><p>Sign-ins from this address are blocked.</p>"
           << UndoForm(page, "/console/addresses/", address, "/unblock", "Unblock the address");
    }
  }
  if (a.entity.starts_with("device:")) {
    const std::string device = a.entity.substr(7);
    auto record = page.context.deps.store.FindDevice(device);
    if (record.ok() && *record && ((*record)->quarantined || (*record)->vitals_only)) {
      body << "<h2>Containment</h2><p>The device is held by a security response.</p>"
           << UndoForm(page, "/console/devices/", device, "/release", "Release the device");
    }
  }
  Html title;
  title.Text("Alert ").Int(a.id).Text(": ").Text(a.kind);
  return page.Page(std::string_view("Alert"), Html() << "<h2>" << title << "</h2>" << body);
}

api::HttpReply SubmitAlertAction(const PageContext& page, int64_t id, std::string_view action) {
  if (!MayManageAlerts(page).ok()) return ErrorPage(page, 403, "Alerts are for security officers.");
  if (action != "acknowledge" && action != "resolve") {
    return ErrorPage(page, 404, "There is no such action.");
  }
  const std::string note = FormValue(page.form, "note");
  if (action == "resolve" && note.empty()) {
    return ErrorPage(page, 400, "Say why the alert is closed (resolved, or a false positive).");
  }
  const Status changed = respond::ChangeAlertStatus(
      page.context.deps.store.alerts(), page.context.deps.audit,
      page.context.deps.clock.NowMillis(), id,
      action == "acknowledge" ? "acknowledged" : "resolved", page.session.who.username, note);
  if (!changed.ok()) {
    return ErrorPage(page, changed.code() == StatusCode::kNotFound ? 404 : 503,
                     "The alert could not be changed: " + changed.message());
  }
  return Redirect("/console/alerts/" + std::to_string(id));
}

api::HttpReply SubmitUndo(const PageContext& page, std::string_view what,
                          const std::string& entity) {
  // The security officer lifts any hold; an administrator unlocks users, a device administrator
  // releases devices (from their own pages, and back there).
  const access::Role role = page.session.who.role;
  const bool admin_unlocks = what == "unlock" && role == access::Role::kAdmin;
  const bool device_admin_releases = what == "release" && role == access::Role::kDeviceAdmin;
  const Status may =
      admin_unlocks ? page.context.Require(page.request, page.session, access::Action::kManageUsers,
                                           "", "user/" + entity)
      : device_admin_releases
          ? page.context.Require(page.request, page.session, access::Action::kManageDevices, "",
                                 "device/" + entity)
          : MayManageAlerts(page);
  if (!may.ok()) return ErrorPage(page, 403, "Lifting containment is for security officers.");
  const std::string reason = FormValue(page.form, "reason");
  if (reason.empty()) return ErrorPage(page, 400, "Say why the hold is lifted.");
  const std::string& by = page.session.who.username;
  const int64_t now = page.context.deps.clock.NowMillis();
  Status lifted;
  if (what == "release") {
    lifted = respond::ReleaseDevice(page.context.deps.store, page.context.deps.audit, entity, by,
                                    now, reason);
  } else if (what == "unlock") {
    lifted = access::UnlockLogin(page.context.deps.store.access(), page.context.deps.audit, now,
                                 entity, by, reason);
    if (lifted.ok()) page.context.deps.auth.Unlock(entity);
  } else if (what == "unblock") {
    lifted = respond::LiftAddressBlock(page.context.deps.store.alerts(), page.context.deps.audit,
                                       now, entity, by, reason);
  } else {
    return ErrorPage(page, 404, "There is no such action.");
  }
  if (!lifted.ok()) {
    return ErrorPage(page, lifted.code() == StatusCode::kNotFound ? 404 : 503,
                     "The hold could not be lifted: " + lifted.message());
  }
  return Redirect(admin_unlocks           ? "/console/admin/users"
                  : device_admin_releases ? "/console/admin/devices"
                                          : "/console/alerts?status=all");
}

}  // namespace vigil::console
