#include "sim/attacks.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "access/totp.h"
#include "access/user_changes.h"
#include "admin/hub_admin.h"
#include "admin/user_admin.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/time_format.h"
#include "crypto/x509_ca.h"
#include "sim/attack_client.h"

namespace vigil::sim {
namespace {

using nlohmann::json;

int64_t Now() { return SystemClock::Instance().NowMillis(); }

// Each scenario acts from addresses of its own (the whole of 127/8 is loopback), so that a
// playbook blocking one of them leaves the others and the normal traffic alone.
std::string Source(int n) { return "127.0.1." + std::to_string(n); }

struct Truth {
  std::string entity;                    // "device:...", "user:...", "address:..."
  std::vector<std::string> alert_kinds;  // any of these naming `entity` detects the attack
  std::vector<json> also;                // further {entity, kinds} that count as detection
  std::string detail;
};

std::string Reading(uint64_t seq, double bpm) {
  return json{{"seq", seq},
              {"ts", FormatRfc3339Millis(Now())},
              {"readings", {{{"type", "heart_rate"}, {"value", bpm}, {"unit", "/min"}}}}}
      .dump();
}

class Attack {
 public:
  Attack(const AttackOptions& o, admin::AdminHub hub) : o_(o), hub_(std::move(hub)) {
    mqtt_.host = https_.host = o.host;
    mqtt_.port =
        static_cast<uint16_t>(o.mqtt_port >= 0 ? o.mqtt_port : hub_.config.serve.mqtt_port);
    https_.port =
        static_cast<uint16_t>(o.https_port >= 0 ? o.https_port : hub_.config.serve.https_port);
    mqtt_.ca_file = https_.ca_file = hub_.layout.ca_cert();
    tag_ = o.tag.empty() ? std::to_string(Now() / 1000) : o.tag;
  }

  Result<Truth> Run(const std::string& name) {
    if (name == "replay") return Replay();
    if (name == "spoof") return Spoof();
    if (name == "flood") return Flood();
    if (name == "tamper") return Tamper();
    if (name == "clone") return Clone();
    if (name == "quiet-clone") return QuietClone();
    if (name == "botnet") return Botnet();
    if (name == "brute-force") return BruteForce();
    if (name == "stuffing") return Stuffing();
    if (name == "insider") return Insider();
    if (name == "exfiltration") return Exfiltration();
    if (name == "drift") return Drift();
    if (name == "slow-stuffing") return SlowStuffing();
    if (name == "stolen-password") return StolenPassword();
    return Status::InvalidArgument("unknown attack '" + name + "'");
  }

  // Set-up (enrolment, users) happens before this mark; the attack itself after it.
  void MarkStart() { started_ms_ = Now(); }
  int64_t started_ms() const { return started_ms_; }

 private:
  // A device enrolled for the attack (with a patient of its own); its credentials.
  Result<DeviceCredentials> AttackDevice(const std::string& name, std::string& device_id) {
    device_id = "atk-" + name + "-" + tag_;
    const std::string patient = "atkp-" + name + "-" + tag_;
    VIGIL_RETURN_IF_ERROR(admin::AddPatient(hub_, patient, "Attack Target " + tag_, "1970-01-01"));
    VIGIL_ASSIGN_OR_RETURN(auto enrolled,
                           admin::EnrolDevice(hub_, {device_id, patient, "wearable", {}, 30}));
    const std::string dir = hub_.layout.root + "/sim/" + device_id;
    VIGIL_RETURN_IF_ERROR(admin::WriteDeviceCredentials(dir, device_id, enrolled));
    return DeviceCredentials{dir + "/" + device_id + ".crt", dir + "/" + device_id + ".key"};
  }

  Status Connected(MqttAttackClient& client, const DeviceCredentials& creds,
                   const std::string& device_id, const std::string& from) {
    Endpoint to = mqtt_;
    to.bind = from;
    VIGIL_ASSIGN_OR_RETURN(uint8_t reason, client.Connect(to, creds, device_id));
    if (reason != 0) return Status::Unavailable("CONNACK " + std::to_string(reason));
    return Status::Ok();
  }

  struct AttackingDevice {
    std::string id;
    std::string topic;  // its own
    DeviceCredentials creds;
  };

  // A device enrolled for scenario `name`, connected through `client` from Source(`source`).
  Result<AttackingDevice> EnrolAndConnect(const std::string& name, MqttAttackClient& client,
                                          int source) {
    AttackingDevice d;
    VIGIL_ASSIGN_OR_RETURN(d.creds, AttackDevice(name, d.id));
    d.topic = "devices/" + d.id + "/vitals";
    VIGIL_RETURN_IF_ERROR(Connected(client, d.creds, d.id, Source(source)));
    return d;
  }

  // `times` connections from Source(`source`) with `creds`, each closed at once, whatever the
  // hub answered (scanning, or trying a forged certificate).
  void ConnectRepeatedly(int source, const DeviceCredentials& creds, const std::string& client_id,
                         int times) {
    Endpoint from = mqtt_;
    from.bind = Source(source);
    for (int i = 0; i < times; ++i) {
      MqttAttackClient probe;
      (void)probe.Connect(from, creds, client_id + std::to_string(i));
      probe.Close();
    }
  }

  Result<Truth> Replay() {
    MqttAttackClient c;
    VIGIL_ASSIGN_OR_RETURN(auto d, EnrolAndConnect("replay", c, 1));
    std::string captured;
    for (uint64_t seq = 1; seq <= 5; ++seq) {
      const std::string payload = Reading(seq, 70 + static_cast<double>(seq));
      if (seq == 3) captured = payload;
      VIGIL_RETURN_IF_ERROR(c.Publish(d.topic, payload).status());
    }
    MarkStart();  // an attacker who captured message 3 sends it again, and again
    for (int i = 0; i < 5; ++i) VIGIL_RETURN_IF_ERROR(c.Publish(d.topic, captured).status());
    c.Close();
    return Truth{"device:" + d.id, {"replayed-readings"}, {}, "message 3 sent 5 more times"};
  }

  Result<Truth> Spoof() {
    std::string victim;
    VIGIL_RETURN_IF_ERROR(AttackDevice("victim", victim).status());
    // A certificate for the victim's identity from a CA the attacker made.
    VIGIL_ASSIGN_OR_RETURN(auto rogue_ca, crypto::CreateCertificateAuthority("Rogue CA", 30));
    VIGIL_ASSIGN_OR_RETURN(std::string key, crypto::GeneratePrivateKeyPem());
    VIGIL_ASSIGN_OR_RETURN(std::string cert,
                           crypto::IssueDeviceCertificateForKey(rogue_ca, victim, key, 30));
    const std::string dir = hub_.layout.root + "/sim/forged-" + tag_;
    VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(dir));
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(dir + "/forged.crt", cert, 0600));
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(dir + "/forged.key", key, 0600));
    MqttAttackClient c;
    VIGIL_ASSIGN_OR_RETURN(auto d, EnrolAndConnect("spoof", c, 2));
    MarkStart();
    // Readings in the victim's name on the victim's topic.
    for (uint64_t seq = 1; seq <= 3; ++seq) {
      (void)c.Publish("devices/" + victim + "/vitals", Reading(seq, 180));
    }
    c.Close();
    ConnectRepeatedly(3, {dir + "/forged.crt", dir + "/forged.key"}, victim, 10);
    return Truth{"device:" + d.id,
                 {"topic-violation"},
                 {json{{"entity", "address:" + Source(3)}, {"kinds", {"refused-connections"}}}},
                 "publishes on " + victim + "'s topic; 10 connections with a forged certificate"};
  }

  Result<Truth> Flood() {
    MqttAttackClient c;
    VIGIL_ASSIGN_OR_RETURN(auto d, EnrolAndConnect("flood", c, 4));
    MarkStart();
    for (uint64_t seq = 1; seq <= 300; ++seq) {
      VIGIL_RETURN_IF_ERROR(c.PublishQos0(d.topic, Reading(seq, 72)));
    }
    (void)c.Publish(d.topic, Reading(301, 72));  // waits until the hub has read them all
    c.Close();
    return Truth{"device:" + d.id, {"message-flood"}, {}, "300 messages at once"};
  }

  Result<Truth> Tamper() {
    MqttAttackClient c;
    VIGIL_ASSIGN_OR_RETURN(auto d, EnrolAndConnect("tamper", c, 5));
    const std::string& topic = d.topic;
    uint64_t seq = 1;
    for (; seq <= 3; ++seq) VIGIL_RETURN_IF_ERROR(c.Publish(topic, Reading(seq, 70)).status());
    MarkStart();
    // Values each within range, but swinging faster than a heart can (stored, and flagged) ...
    for (int i = 0; i < 4; ++i, ++seq) (void)c.Publish(topic, Reading(seq, i % 2 ? 60 : 185));
    // ... then values no heart produces (refused).
    for (int i = 0; i < 2; ++i, ++seq) (void)c.Publish(topic, Reading(seq, 401 + i));
    c.Close();
    return Truth{"device:" + d.id,
                 {"implausible-values"},
                 {},
                 "heart rate swinging 185/60/min within a second, then 401-402/min"};
  }

  Result<Truth> Clone() {
    MqttAttackClient original, copy;
    VIGIL_ASSIGN_OR_RETURN(auto d, EnrolAndConnect("clone", original, 6));
    MarkStart();
    // The copied certificate, elsewhere; the two take the connection from each other.
    (void)Connected(copy, d.creds, d.id, Source(7));
    original.Close();
    MqttAttackClient original_again, copy_again;
    (void)Connected(original_again, d.creds, d.id, Source(6));
    (void)Connected(copy_again, d.creds, d.id, Source(7));
    copy.Close();
    original_again.Close();
    copy_again.Close();
    return Truth{"device:" + d.id,
                 {"device-clone"},
                 {},
                 "one certificate from two addresses, taking the connection from each other"};
  }

  // A clone that never overlaps the device: it connects only while the device is away, from
  // elsewhere, carrying on the device's counter; the device's own next reading is then a replay.
  Result<Truth> QuietClone() {
    MqttAttackClient original, copy, back;
    VIGIL_ASSIGN_OR_RETURN(auto d, EnrolAndConnect("quiet-clone", original, 15));
    for (uint64_t seq = 1; seq <= 3; ++seq) {
      VIGIL_RETURN_IF_ERROR(original.Publish(d.topic, Reading(seq, 70)).status());
    }
    original.Close();
    MarkStart();
    VIGIL_RETURN_IF_ERROR(Connected(copy, d.creds, d.id, Source(16)));
    for (uint64_t seq = 4; seq <= 6; ++seq) (void)copy.Publish(d.topic, Reading(seq, 72));
    copy.Close();
    VIGIL_RETURN_IF_ERROR(Connected(back, d.creds, d.id, Source(15)));
    (void)back.Publish(d.topic, Reading(4, 71));  // refused: the copy took number 4
    back.Close();
    return Truth{"device:" + d.id,
                 {"device-clone"},
                 {},
                 "a copy of the certificate sends while the device is away, from another address, "
                 "carrying on its counter"};
  }

  Result<Truth> Botnet() {
    MqttAttackClient c;
    VIGIL_ASSIGN_OR_RETURN(auto d, EnrolAndConnect("botnet", c, 8));
    MarkStart();
    (void)c.Subscribe("#");  // a recruited device listening for everything
    c.Close();
    ConnectRepeatedly(8, {}, "scan-", 10);  // ... and scanning for devices it can take over
    return Truth{"device:" + d.id,
                 {"topic-violation"},
                 {json{{"entity", "address:" + Source(8)}, {"kinds", {"refused-connections"}}}},
                 "subscribed to #, then 10 connections without a certificate"};
  }

  // A user added for the attack; logs in (password + TOTP, changing the initial password) from
  // `from` and returns the session token.
  Result<std::string> LoggedIn(const std::string& username, access::Role role,
                               const std::string& from, std::string* password = nullptr) {
    VIGIL_ASSIGN_OR_RETURN(auto enrolment, admin::AddUser(hub_, {username, role, ""}));
    Endpoint to = https_;
    to.bind = from;
    VIGIL_ASSIGN_OR_RETURN(
        auto login,
        HttpsRequest(to, "POST", "/auth/login",
                     json{{"username", username}, {"password", enrolment.initial_password}}.dump(),
                     ""));
    if (login.status != 200)
      return Status::Unavailable("login: HTTP " + std::to_string(login.status));
    VIGIL_ASSIGN_OR_RETURN(std::string secret, access::Base32Decode(enrolment.totp_secret_base32));
    const std::string code = access::TotpCode(secret, Now() / 1000 / access::kTotpStepSeconds);
    VIGIL_ASSIGN_OR_RETURN(
        auto mfa, HttpsRequest(to, "POST", "/auth/mfa",
                               json{{"challenge", json::parse(login.body).value("challenge", "")},
                                    {"code", code}}
                                   .dump(),
                               ""));
    if (mfa.status != 200) return Status::Unavailable("MFA: HTTP " + std::to_string(mfa.status));
    const std::string token = json::parse(mfa.body).value("token", "");
    VIGIL_ASSIGN_OR_RETURN(auto changed,
                           HttpsRequest(to, "POST", "/auth/password",
                                        json{{"current", enrolment.initial_password},
                                             {"new", enrolment.initial_password + "-Changed1"}}
                                            .dump(),
                                        token));
    if (changed.status != 204) return Status::Unavailable("password change failed");
    if (password) *password = enrolment.initial_password + "-Changed1";
    return token;
  }

  Result<Truth> BruteForce() {
    const std::string victim = "atk-bf-" + tag_;
    VIGIL_RETURN_IF_ERROR(admin::AddUser(hub_, {victim, access::Role::kNurse, ""}).status());
    Endpoint from = https_;
    from.bind = Source(9);
    MarkStart();
    for (const char* guess :
         {"123456", "password", "Winter2026!", "letmein", "qwerty", "hunter2"}) {
      (void)HttpsRequest(from, "POST", "/auth/login",
                         json{{"username", victim}, {"password", guess}}.dump(), "");
    }
    return Truth{"user:" + victim, {"brute-force"}, {}, "6 password guesses for one account"};
  }

  Result<Truth> Stuffing() {
    const std::string victim = "atk-cs-" + tag_;
    VIGIL_RETURN_IF_ERROR(admin::AddUser(hub_, {victim, access::Role::kClinician, ""}).status());
    MarkStart();
    for (int i = 0; i < 6; ++i) {  // leaked credentials tried from a botnet's addresses
      Endpoint from = https_;
      from.bind = Source(20 + i);
      (void)HttpsRequest(
          from, "POST", "/auth/login",
          json{{"username", victim}, {"password", "leaked-" + std::to_string(i)}}.dump(), "");
    }
    return Truth{"user:" + victim, {"credential-stuffing"}, {}, "one account from 6 addresses"};
  }

  Result<std::vector<std::string>> Patients(size_t count) {
    VIGIL_ASSIGN_OR_RETURN(auto all, hub_.store->ListPatients());
    std::vector<std::string> ids;
    for (const auto& p : all) {
      if (p.id.rfind("atkp-", 0) != 0) ids.push_back(p.id);
      if (ids.size() == count) break;
    }
    if (ids.size() < count) {
      return Status::FailedPrecondition("the hub has fewer than " + std::to_string(count) +
                                        " patients (run `vigil sim --devices N` first)");
    }
    return ids;
  }

  Result<Truth> Insider() {
    VIGIL_ASSIGN_OR_RETURN(auto patients, Patients(25));
    const std::string user = "atk-insider-" + tag_;
    VIGIL_ASSIGN_OR_RETURN(std::string token, LoggedIn(user, access::Role::kNurse, Source(10)));
    Endpoint from = https_;
    from.bind = Source(10);
    MarkStart();
    for (const auto& p : patients) {  // curiosity about people not in their care
      (void)HttpsRequest(from, "GET", "/fhir/Patient/" + p, "", token,
                         {{"Vigil-Break-Glass", "checking on a patient"}});
    }
    return Truth{"user:" + user, {"many-patients"}, {}, "25 patients' records under break-glass"};
  }

  Result<Truth> Exfiltration() {
    VIGIL_ASSIGN_OR_RETURN(auto patients, Patients(3));
    const std::string user = "atk-exfil-" + tag_;
    VIGIL_ASSIGN_OR_RETURN(std::string token, LoggedIn(user, access::Role::kClinician, Source(11)));
    for (const auto& p : patients) {  // a clinician with legitimate access to a few patients
      VIGIL_RETURN_IF_ERROR(
          access::AddToCareTeam(hub_.store->access(), *hub_.audit, Now(), p, user, "sim"));
    }
    Endpoint from = https_;
    from.bind = Source(11);
    MarkStart();
    // ... pulling everything they hold, again and again: volume (rows sent) is what gives it
    // away, not the number of requests (docs/detection.md, bulk-reads).
    for (int i = 0; i < 200; ++i) {
      (void)HttpsRequest(
          from, "GET", "/fhir/Observation?patient=" + patients[i % 3] + "&_count=1000", "", token);
    }
    return Truth{"user:" + user, {"bulk-reads"}, {}, "200 bulk reads of 3 patients' data"};
  }

  // A pulse oximeter's saturation walked down half a point a reading (the change bound allows
  // ten) toward a dangerous value, its pulse left where it was. Its history is uploaded first, as
  // a device does after a gap: 90 readings a second apart, at 25 a second.
  Result<Truth> Drift() {
    MqttAttackClient c;
    VIGIL_ASSIGN_OR_RETURN(auto d, EnrolAndConnect("drift", c, 12));
    const int64_t first_ms = Now() - 200'000;
    uint64_t seq = 0;
    const auto send = [&](double spo2, double bpm) -> Status {
      const json reading = {
          {"seq", ++seq},
          {"ts", FormatRfc3339Millis(first_ms + static_cast<int64_t>(seq) * 1000)},
          {"readings",
           {{{"type", "spo2"}, {"value", spo2}, {"unit", "%"}},
            {{"type", "heart_rate"}, {"value", bpm}, {"unit", "/min"}}}}};
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
      return c.Publish(d.topic, reading.dump()).status();
    };
    for (int i = 0; i < 90; ++i) VIGIL_RETURN_IF_ERROR(send(97 + (i % 2) * 0.5, 72 + i % 3));
    MarkStart();
    for (int i = 1; i <= 50; ++i) VIGIL_RETURN_IF_ERROR(send(std::max(97 - 0.5 * i, 84.0), 72));
    c.Close();
    return Truth{"device:" + d.id,
                 {"vital-drift", "inconsistent-vitals"},
                 {},
                 "SpO2 walked from 97% to 84% in steps of 0.5, the pulse unchanged"};
  }

  // Leaked credentials tried once per account and once per address (8 accounts the hub does not
  // have, 4 it has), half a second apart: under every per-account and per-address threshold.
  Result<Truth> SlowStuffing() {
    std::vector<std::string> accounts;
    for (int i = 0; i < 12; ++i) {
      accounts.push_back("atk-ss" + std::to_string(i) + "-" + tag_);
      if (i % 3 == 0) {
        VIGIL_RETURN_IF_ERROR(
            admin::AddUser(hub_, {accounts.back(), access::Role::kNurse, ""}).status());
      }
    }
    MarkStart();
    for (int i = 0; i < 12; ++i) {
      Endpoint from = https_;
      from.bind = Source(40 + i);
      (void)HttpsRequest(from, "POST", "/auth/login",
                         json{{"username", accounts[i]}, {"password", "Summer2026!"}}.dump(), "");
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return Truth{"hub:auth", {"login-campaign"}, {}, "12 accounts from 12 addresses, once each"};
  }

  // The password of a nurse who signs in from one address, used from another by someone
  // without her authenticator: the password is right, the code is not.
  Result<Truth> StolenPassword() {
    const std::string user = "atk-sp-" + tag_;
    std::string password;
    VIGIL_RETURN_IF_ERROR(LoggedIn(user, access::Role::kNurse, Source(13), &password).status());
    Endpoint from = https_;
    from.bind = Source(14);
    MarkStart();
    VIGIL_ASSIGN_OR_RETURN(
        auto login, HttpsRequest(from, "POST", "/auth/login",
                                 json{{"username", user}, {"password", password}}.dump(), ""));
    if (login.status != 200)
      return Status::Unavailable("login: HTTP " + std::to_string(login.status));
    (void)HttpsRequest(
        from, "POST", "/auth/mfa",
        json{{"challenge", json::parse(login.body).value("challenge", "")}, {"code", "000000"}}
            .dump(),
        "");
    return Truth{"user:" + user,
                 {"password-from-new-address"},
                 {},
                 "the right password from " + Source(14) + ", then a wrong TOTP code"};
  }

  AttackOptions o_;
  admin::AdminHub hub_;
  Endpoint mqtt_, https_;
  std::string tag_;
  int64_t started_ms_ = 0;
};

}  // namespace

const std::vector<std::string>& AttackNames() {
  static const std::vector<std::string> names = {
      "replay", "spoof",         "flood",           "tamper",     "clone",
      "botnet", "brute-force",   "stuffing",        "insider",    "exfiltration",
      "drift",  "slow-stuffing", "stolen-password", "quiet-clone"};
  return names;
}

Status RunAttack(const AttackOptions& o) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(o.data_dir));
  const std::string sim_dir = hub.layout.root + "/sim";
  if (!PathExists(sim_dir)) VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(sim_dir));
  Attack attack(o, std::move(hub));
  VIGIL_ASSIGN_OR_RETURN(Truth truth, attack.Run(o.name));
  const int64_t ended = Now();
  json expected = json::array();
  expected.push_back({{"entity", truth.entity}, {"kinds", truth.alert_kinds}});
  for (const auto& more : truth.also) expected.push_back(more);
  const json line = {{"attack", o.name},
                     {"entity", truth.entity},
                     {"expected", expected},
                     {"detail", truth.detail},
                     {"started_ms", attack.started_ms()},
                     {"ended_ms", ended},
                     {"started", FormatRfc3339Millis(attack.started_ms())}};
  if (o.truth_out.empty()) {
    std::cout << line.dump() << "\n";
    return Status::Ok();
  }
  std::ofstream out(o.truth_out, std::ios::app);
  out << line.dump() << "\n";
  return out ? Status::Ok() : Status::IoError("cannot write " + o.truth_out);
}

}  // namespace vigil::sim
