#include "access/password.h"

#include <gtest/gtest.h>

#include "access/password_policy.h"

namespace vigil::access {
namespace {

constexpr PasswordCost kFast{1024, 1, 1};  // tests only: the hub uses the defaults

TEST(PasswordTest, HashIsArgon2idPhcAndVerifies) {
  auto hash = HashPassword("correct horse battery", kFast);
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=1024,t=1,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse batterY", *hash));
  EXPECT_NE(*hash, *HashPassword("correct horse battery", kFast));  // salted
}

TEST(PasswordTest, MalformedHashesNeverVerify) {
  EXPECT_FALSE(VerifyPassword("x", ""));
  EXPECT_FALSE(VerifyPassword("x", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
  EXPECT_FALSE(VerifyPassword("x", "$argon2id$garbage"));
  EXPECT_FALSE(VerifyPassword("anything", DecoyPasswordHash()));
}

// NIST SP 800-63B §5.1.1.2: length, a blocklist, context words, no repeats; no composition.
TEST(PasswordPolicyTest, RefusesWhatNistSaysToRefuseAndNothingElse) {
  const PasswordContext ctx{"dr.lee", "ward7", "the-current-one-42"};
  for (const char* weak :
       {"short1A", "password1", "Password1234", "P@ssw0rd2024!", "qwerty123456", "iloveyou!!!!",
        "letmein12345", "dr.lee-is-great", "my-ward7-login", "Vigil-rocks-2026", "aaaaaaaaaaaa",
        "abababababab", "123456789012", "abcdefghijklm", "the-current-one-42"}) {
    EXPECT_FALSE(CheckNewPassword(weak, ctx).ok()) << weak;
  }
  EXPECT_FALSE(CheckNewPassword(std::string(129, 'x'), ctx).ok());
  for (const char* good : {"correct horse battery staple", "lowercase only but long enough",
                           "Tr0ub4dor&3-plus-more", "ümlaut-säfe-pässphrase"}) {
    EXPECT_TRUE(CheckNewPassword(good, ctx).ok())
        << good << ": " << CheckNewPassword(good, ctx).message();
  }
  EXPECT_TRUE(IsCommonPassword("123456"));
  EXPECT_FALSE(IsCommonPassword("correct horse battery staple"));
}

TEST(PasswordTest, GeneratedPasswordsAreStrongAndDistinct) {
  auto a = GeneratePassword(), b = GeneratePassword();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 20u);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(CheckNewPassword(*a, {"someone", "vigil", ""}).ok());
}

}  // namespace
}  // namespace vigil::access
