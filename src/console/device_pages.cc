// The device administrator's page: every device with its patient, type, state and certificate,
// enrolment from a certificate signing request the device made (its private key never leaves
// it), revocation, and release of a device a containment playbook holds (with a reason).
#include <charconv>
#include <map>
#include <unordered_map>

#include "console/pages.h"
#include "model/device_types.h"

namespace vigil::console {
namespace {

constexpr uint64_t kDevicesAPage = 100;

Status MayManageDevices(const PageContext& page, const std::string& resource) {
  return page.context.Require(page.request, page.session, access::Action::kManageDevices, "",
                              resource);
}

std::string_view StateOf(const store::DeviceRecord& d) {
  if (d.status == store::DeviceStatus::kRevoked) return "revoked";
  if (d.quarantined) return "quarantined";
  if (d.vitals_only) return "vital signs only";
  return "active";
}

Html TimeOr(int64_t ms, Literal otherwise) {
  Html h;
  h << "<td>";
  if (ms > 0) {
    h.Time(ms);
  } else {
    h << otherwise;
  }
  h << "</td>";
  return h;
}

Html DeviceRow(const PageContext& page, const store::DeviceRecord& d,
               const store::DeviceActivity* activity) {
  Html h;
  h << "<tr>";
  h.Cell(d.id).Cell(d.patient_id).Cell(d.type).Cell(StateOf(d)) << "<td>";
  h.Time(d.enrolled_ms) << "</td>" << TimeOr(activity ? activity->last_seen_ms : 0, "never")
                        << TimeOr(activity ? activity->cert_not_after_ms : 0, "not known yet")
                        << "<td><code>";
  h.Text(d.cert_serial);
  h << "</code></td><td>";
  if (d.status == store::DeviceStatus::kActive) {
    if (d.quarantined || d.vitals_only) {
      h << InlineReasonForm(page, "/console/devices/", d.id, "/release", "Release");
    }
    h << "<form class=\"inline\" method=\"post\" action=\"/console/admin/devices/";
    h.UrlPart(d.id);
    h << "/revoke\">" << CsrfField(page.viewer) << "<button type=\"submit\">Revoke</button></form>";
  }
  h << "</td></tr>";
  return h;
}

}  // namespace

api::HttpReply DevicesPage(const PageContext& page) {
  if (!MayManageDevices(page, "console:devices").ok()) {
    return ErrorPage(page, 403, "Devices are managed by device administrators.");
  }
  auto devices = page.context.deps.store.ListDevices();
  auto activity = page.context.deps.store.ListDeviceActivity();
  if (!devices.ok() || !activity.ok()) {
    return ErrorPage(page, 503, "The devices could not be read.");
  }
  std::unordered_map<std::string_view, const store::DeviceActivity*> activity_of;
  for (const auto& a : *activity) activity_of[a.device_id] = &a;
  Html body;
  body << "<h2>Enrol a device</h2><p>The device makes its own key and a certificate signing "
          "request (CSR) naming its id; paste the CSR here and install the certificate the hub "
          "issues, with the hub's CA certificate, on the device. Its key never leaves it.</p>"
          "<form class=\"stack\" method=\"post\" action=\"/console/admin/devices\">"
       << CsrfField(page.viewer)
       << "<label for=\"id\">Device id</label><input id=\"id\" name=\"id\" required "
          "maxlength=\"40\"><label for=\"patient\">Patient id</label><input id=\"patient\" "
          "name=\"patient\" required maxlength=\"40\"><label for=\"type\">Type</label>"
          "<select id=\"type\" name=\"type\">";
  for (const auto& type : model::DeviceTypes()) {
    body << "<option>";
    body.Text(type);
    body << "</option>";
  }
  body << "</select><label for=\"csr\">Certificate signing request (PEM)</label><textarea "
          "id=\"csr\" name=\"csr\" rows=\"8\" required></textarea><p><button type=\"submit\">"
          "Enrol and issue the certificate</button></p></form><h2>Devices</h2>";
  // A page of the devices whose id or patient holds what was searched for.
  const std::string search = page.request.Param("q").value_or("");
  uint64_t first = 0;
  if (auto from = page.request.Param("from")) {
    const auto [end, ec] = std::from_chars(from->data(), from->data() + from->size(), first);
    if (ec != std::errc() || end != from->data() + from->size()) first = 0;
  }
  std::vector<const store::DeviceRecord*> matching;
  for (const auto& d : *devices) {
    if (search.empty() || d.id.find(search) != std::string::npos ||
        d.patient_id.find(search) != std::string::npos) {
      matching.push_back(&d);
    }
  }
  first = std::min<uint64_t>(first, matching.size());
  const uint64_t last = std::min<uint64_t>(first + kDevicesAPage, matching.size());
  body << "<form class=\"filters\" method=\"get\" action=\"/console/admin/devices\">"
          "<label for=\"q\">Device or patient id</label> <input id=\"q\" name=\"q\" value=\"";
  body.Text(search);
  body << "\"> <button type=\"submit\">Search</button></form><p>";
  if (matching.empty()) {
    body << "No device matches.";
  } else {
    body.Int(static_cast<int64_t>(first + 1)).Text("-").Int(static_cast<int64_t>(last));
    body << " of ";
    body.Int(static_cast<int64_t>(matching.size()));
  }
  for (const auto& [label, at, show] :
       {std::tuple{Literal(" · <a href=\"/console/admin/devices?from="),
                   first >= kDevicesAPage ? first - kDevicesAPage : 0, first > 0},
        std::tuple{Literal(" · <a href=\"/console/admin/devices?from="), last,
                   last < matching.size()}}) {
    if (!show) continue;
    body << label;
    body.Int(static_cast<int64_t>(at)).Text("&q=").UrlPart(search);
    body << (at < first ? Literal("\">previous page</a>") : Literal("\">next page</a>"));
  }
  body << "</p><table><thead><tr>"
          "<th scope=\"col\">Device</th><th scope=\"col\">Patient</th><th scope=\"col\">Type</th>"
          "<th scope=\"col\">State</th><th scope=\"col\">Enrolled</th>"
          "<th scope=\"col\">Last heard from</th><th scope=\"col\">Certificate valid until</th>"
          "<th scope=\"col\">Certificate serial</th><th scope=\"col\">Actions</th></tr></thead>"
          "<tbody>";
  for (uint64_t i = first; i < last; ++i) {
    const auto found = activity_of.find(matching[i]->id);
    body << DeviceRow(page, *matching[i], found == activity_of.end() ? nullptr : found->second);
  }
  body << "</tbody></table>";
  return page.Page("Devices", body);
}

api::HttpReply SubmitEnrolDevice(const PageContext& page) {
  const std::string id = FormValue(page.form, "id");
  if (!MayManageDevices(page, "device/" + id).ok()) {
    return ErrorPage(page, 403, "Devices are managed by device administrators.");
  }
  const std::string csr = FormValue(page.form, "csr");
  if (csr.find("-----BEGIN CERTIFICATE REQUEST-----") == std::string::npos) {
    return ErrorPage(page, 400,
                     "Paste the device's certificate signing request (PEM). Nothing "
                     "was changed.");
  }
  auto enrolled =
      admin::EnrolDevice(AdminPartsOf(page), {.id = id,
                                              .patient_id = FormValue(page.form, "patient"),
                                              .type = FormValue(page.form, "type"),
                                              .csr_pem = csr});
  if (!enrolled.ok()) {
    return ErrorPage(
        page, enrolled.status().code() == StatusCode::kInternal ? 503 : 400,
        "The device was not enrolled: " + enrolled.status().message() + ". Nothing was changed.");
  }
  Html body;
  body << "<p class=\"notice\" role=\"status\">";
  body.Text(id);
  body << " is enrolled; its certificate is valid until ";
  body.Time(enrolled->info.not_after_epoch_seconds * 1000)
      << ". Install these two on the device.</p><h2>The device's certificate</h2><pre>";
  body.Text(enrolled->cert_pem);
  body << "</pre><h2>The hub's CA certificate</h2><pre>";
  body.Text(enrolled->ca_pem);
  body << "</pre><p><a href=\"/console/admin/devices\">Back to the devices</a></p>";
  return page.Page("Device enrolled", body);
}

api::HttpReply SubmitRevokeDevice(const PageContext& page, const std::string& device_id) {
  if (!MayManageDevices(page, "device/" + device_id).ok()) {
    return ErrorPage(page, 403, "Devices are managed by device administrators.");
  }
  const Status revoked = admin::RevokeDevice(AdminPartsOf(page), device_id);
  if (!revoked.ok()) {
    return ErrorPage(page, revoked.code() == StatusCode::kNotFound ? 404 : 503,
                     "The device was not revoked: " + revoked.message());
  }
  return Redirect("/console/admin/devices");
}

}  // namespace vigil::console
