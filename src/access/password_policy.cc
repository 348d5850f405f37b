#include "access/password_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <unordered_set>

#include "crypto/bytes.h"

namespace vigil::access {
namespace {

const std::unordered_set<std::string_view>& CommonPasswords() {
  static const auto* words = new std::unordered_set<std::string_view>{
#include "common_passwords.inc"
  };
  return *words;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Look-alike characters read as the letters they stand for ("p@ssw0rd" is "password").
std::string Unleet(std::string s) {
  for (char& c : s) {
    switch (c) {
      case '0':
        c = 'o';
        break;
      case '1':
      case '!':
      case '|':
        c = 'i';
        break;
      case '3':
        c = 'e';
        break;
      case '4':
      case '@':
        c = 'a';
        break;
      case '5':
      case '$':
        c = 's';
        break;
      case '7':
        c = 't';
        break;
      case '8':
        c = 'b';
        break;
      case '9':
        c = 'g';
        break;
      default:
        break;
    }
  }
  return s;
}

// Without the digits and symbols added before and after ("Summer2024!" is "summer").
std::string Core(std::string_view s) {
  const auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
  const auto first = std::find_if(s.begin(), s.end(), letter);
  const auto last = std::find_if(s.rbegin(), s.rend(), letter).base();
  return first < last ? std::string(first, last) : std::string();
}

// Whether most of the password is one run of neighbouring characters (abcd..., 9876...).
bool MostlySequence(std::string_view s) {
  size_t steps = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    const int d = static_cast<unsigned char>(s[i]) - static_cast<unsigned char>(s[i - 1]);
    steps += d == 1 || d == -1 || d == 0;
  }
  return steps * 4 >= (s.size() - 1) * 3;
}

}  // namespace

bool IsCommonPassword(std::string_view word) { return CommonPasswords().count(word) > 0; }

Status CheckNewPassword(std::string_view password, const PasswordContext& context) {
  if (password.size() < 12) {
    return Status::InvalidArgument("a password needs 12 characters or more");
  }
  if (password.size() > 128) {
    return Status::InvalidArgument("a password has 128 characters at most");
  }
  if (!context.current_password.empty() &&
      crypto::ConstantTimeEquals(password, context.current_password)) {
    return Status::InvalidArgument("the new password must differ from the current one");
  }
  const std::string lower = Lower(password);
  for (const std::string& candidate :
       {lower, Unleet(lower), Core(lower), Core(Unleet(lower)), Unleet(Core(lower))}) {
    if (candidate.size() >= 3 && IsCommonPassword(candidate)) {
      return Status::InvalidArgument(
          "that password is on a list of common and breached passwords (adding digits or "
          "symbols, or swapping letters for look-alikes, does not change that): choose a "
          "longer phrase of unrelated words");
    }
  }
  for (const std::string& word :
       {Lower(context.username), Lower(context.hub_name), std::string("vigil")}) {
    if (word.size() >= 3 &&
        (lower.find(word) != std::string::npos || Unleet(lower).find(word) != std::string::npos)) {
      return Status::InvalidArgument(
          "a password may not contain the username, the hub's name or \"vigil\"");
    }
  }
  if (std::set<char>(lower.begin(), lower.end()).size() < 5 || MostlySequence(lower)) {
    return Status::InvalidArgument("a password may not be a repetition or a sequence");
  }
  return Status::Ok();
}

}  // namespace vigil::access
