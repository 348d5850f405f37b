// Login attacks that stay under every per-account and per-address threshold: credential
// stuffing spread slowly over many accounts and many addresses (a campaign, seen only hub-wide),
// and a stolen password (the right one, from an address the account never signed in from,
// followed by a wrong TOTP code: whoever typed it knows the password but holds no authenticator).
#pragma once

#include <memory>

#include "detect/rules.h"

namespace vigil::detect {

// Raises "login-campaign" (high, on hub:auth) when, within `campaign_window_seconds`, password
// failures name at least `campaign_accounts` accounts from at least `campaign_addresses`
// addresses and either half of those accounts do not exist (a leaked list) or the failures
// outnumber the hub's successful sign-ins (a shift change's typos do neither); and
// "password-from-new-address" (high, on the user) when a user who has signed in before gets a
// wrong code from an address none of their sign-ins came from. The addresses a user signed in
// from (at most 16 a user) are kept across restarts (Rule::SaveState).
std::unique_ptr<Rule> MakeLoginCampaignRule(const RuleSettings& settings);

}  // namespace vigil::detect
