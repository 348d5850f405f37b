#include "detect/login_campaign_rule.h"

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace vigil::detect {
namespace {

constexpr size_t kKnownAddressesPerUser = 16;
constexpr size_t kMaxUsers = 200'000;
constexpr size_t kMaxFailures = 100'000;
constexpr size_t kListedAddresses = 20;

// Failed logins are named "sha256:<digest>" when the account does not exist (auth_service).
bool UnknownAccount(const std::string& user) { return user.rfind("sha256:", 0) == 0; }

// Distinct values within the window, counted as they come and go.
class Tally {
 public:
  size_t distinct() const { return counts_.size(); }
  void Add(const std::string& v) { ++counts_[v]; }
  void Remove(const std::string& v) {
    auto it = counts_.find(v);
    if (it != counts_.end() && --it->second == 0) counts_.erase(it);
  }
  std::string Listed(size_t at_most) const {
    std::vector<std::string> names;
    for (const auto& [name, n] : counts_) names.push_back(name);
    std::sort(names.begin(), names.end());
    if (names.size() > at_most) names.resize(at_most);
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
  }

 private:
  std::unordered_map<std::string, int> counts_;
};

class LoginCampaignRule final : public Rule {
 public:
  explicit LoginCampaignRule(const RuleSettings& s) : s_(s) {}

  KindSet Watches() const override {
    return KindsOf(EventKind::kLoginSucceeded, EventKind::kLoginFailed);
  }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    Expire(e.time_ms);
    if (e.kind == EventKind::kLoginSucceeded) return SignedIn(e, raise);
    if (e.kind != EventKind::kLoginFailed) return;
    if (e.reason == "bad_code") return StolenPassword(e, raise);
    if (e.reason == "reused_code" || e.reason == "no_such_user") return;
    if (failures_.size() >= kMaxFailures) Drop();
    failures_.push_back({e.time_ms, e.user, e.address});
    accounts_.Add(e.user);
    addresses_.Add(e.address);
    if (UnknownAccount(e.user)) unknown_.Add(e.user);
    const size_t accounts = accounts_.distinct(), addresses = addresses_.distinct();
    if (accounts < static_cast<size_t>(s_.campaign_accounts) ||
        addresses < static_cast<size_t>(s_.campaign_addresses)) {
      return;
    }
    const bool leaked_list = unknown_.distinct() * 2 >= accounts;
    const bool mostly_failing = failures_.size() >= successes_.size();
    if (!leaked_list && !mostly_failing) return;
    raise(MakeAlert(AlertKind::kLoginCampaign, Severity::kHigh, Entity::Hub("auth"), "T1110.004",
                    "failed logins for " + std::to_string(accounts) + " accounts from " +
                        std::to_string(addresses) + " addresses within " +
                        std::to_string(s_.campaign_window_seconds / 60) +
                        " minutes, each under the per-account and per-address limits",
                    e.time_ms,
                    {{"accounts_in_window", std::to_string(accounts)},
                     {"unknown_accounts_in_window", std::to_string(unknown_.distinct())},
                     {"addresses_in_window", std::to_string(addresses)},
                     {"failures_in_window", std::to_string(failures_.size())},
                     {"sign_ins_in_window", std::to_string(successes_.size())},
                     {"addresses", addresses_.Listed(kListedAddresses)}}));
  }

  // {"user": ["address", ...]}: where each user signed in from.
  std::string StateName() const override { return "sign-in-addresses"; }
  std::string SaveState() const override {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [user, addresses] : known_) {
      j[user] = std::vector<std::string>(addresses.begin(), addresses.end());
    }
    return j.dump();
  }
  Status RestoreState(std::string_view state) override {
    const auto j = nlohmann::json::parse(state, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return UnreadableState(0, 0);
    size_t skipped = 0;
    for (const auto& [user, addresses] : j.items()) {
      if (!addresses.is_array()) {
        ++skipped;
        continue;
      }
      for (const auto& a : addresses) {
        if (a.is_string()) Remember(user, a.get<std::string>());
      }
    }
    return UnreadableState(skipped, std::max<size_t>(j.size(), 1));
  }

 private:
  struct Failure {  // or a sign-in from a new address
    int64_t time_ms;
    std::string user, address;
  };

  // A sign-in of an account that has signed in before, from an address it never used, counts
  // toward the hub's new-address sign-ins: many accounts at once from many new addresses, and
  // most of the returning accounts' sign-ins, is a campaign that got through (stuffed passwords
  // with phished or relayed codes). A user moving to another workstation now and then is not.
  void SignedIn(const SecurityEvent& e, const AlertSink& raise) {
    successes_.push_back(e.time_ms);
    const auto known = known_.find(e.user);
    const bool returning = known != known_.end();
    const bool from_new_address = returning && !known->second.contains(e.address);
    Remember(e.user, e.address);
    if (!returning) return;
    returning_.push_back(e.time_ms);
    if (!from_new_address) return;
    if (new_address_.size() >= kMaxFailures) DropNewAddress();
    new_address_.push_back({e.time_ms, e.user, e.address});
    new_accounts_.Add(e.user);
    new_addresses_.Add(e.address);
    const size_t accounts = new_accounts_.distinct(), addresses = new_addresses_.distinct();
    if (accounts < static_cast<size_t>(s_.campaign_accounts) ||
        addresses < static_cast<size_t>(s_.campaign_addresses) ||
        new_address_.size() * 2 < returning_.size()) {
      return;
    }
    raise(MakeAlert(AlertKind::kNewAddressSignIns, Severity::kMedium, Entity::Hub("auth"), "T1078",
                    std::to_string(accounts) + " accounts signed in from " +
                        std::to_string(addresses) + " addresses new to them within " +
                        std::to_string(s_.campaign_window_seconds / 60) +
                        " minutes: check with the users that it was them",
                    e.time_ms,
                    {{"accounts_in_window", std::to_string(accounts)},
                     {"new_addresses_in_window", std::to_string(addresses)},
                     {"new_address_sign_ins_in_window", std::to_string(new_address_.size())},
                     {"returning_sign_ins_in_window", std::to_string(returning_.size())},
                     {"accounts", new_accounts_.Listed(kListedAddresses)},
                     {"addresses", new_addresses_.Listed(kListedAddresses)}}));
  }

  void StolenPassword(const SecurityEvent& e, const AlertSink& raise) {
    const auto known = known_.find(e.user);
    if (known == known_.end() || known->second.contains(e.address)) return;
    raise(MakeAlert(
        AlertKind::kPasswordFromNewAddress, Severity::kHigh, Entity::User(e.user), "T1078",
        "the right password for " + e.user + " from " + e.address +
            ", where the account never signed in, then a wrong TOTP code: the "
            "password is known to someone without the authenticator (reset it)",
        e.time_ms,
        {{"address", e.address}, {"known_addresses", std::to_string(known->second.size())}}));
  }

  void Remember(const std::string& user, const std::string& address) {
    if (known_.size() >= kMaxUsers && !known_.contains(user)) known_.clear();
    auto& addresses = known_[user];
    if (addresses.size() < kKnownAddressesPerUser) addresses.insert(address);
  }

  void Expire(int64_t now_ms) {
    const int64_t horizon = now_ms - s_.campaign_window_seconds * 1000;
    while (!successes_.empty() && successes_.front() <= horizon) successes_.pop_front();
    while (!failures_.empty() && failures_.front().time_ms <= horizon) Drop();
    while (!returning_.empty() && returning_.front() <= horizon) returning_.pop_front();
    while (!new_address_.empty() && new_address_.front().time_ms <= horizon) DropNewAddress();
  }

  void DropNewAddress() {
    const Failure& s = new_address_.front();
    new_accounts_.Remove(s.user);
    new_addresses_.Remove(s.address);
    new_address_.pop_front();
  }

  void Drop() {
    const Failure& f = failures_.front();
    accounts_.Remove(f.user);
    addresses_.Remove(f.address);
    if (UnknownAccount(f.user)) unknown_.Remove(f.user);
    failures_.pop_front();
  }

  RuleSettings s_;
  std::deque<Failure> failures_;
  std::deque<int64_t> successes_;
  std::deque<int64_t> returning_;    // sign-ins of accounts that had signed in before
  std::deque<Failure> new_address_;  // theirs from addresses new to them
  Tally accounts_, addresses_, unknown_, new_accounts_, new_addresses_;
  std::unordered_map<std::string, std::unordered_set<std::string>> known_;
};

}  // namespace

std::unique_ptr<Rule> MakeLoginCampaignRule(const RuleSettings& settings) {
  return std::make_unique<LoginCampaignRule>(settings);
}

}  // namespace vigil::detect
