#include "access/password.h"

#include <gtest/gtest.h>

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

TEST(PasswordTest, StrengthRules) {
  EXPECT_FALSE(CheckPasswordStrength("short1A").ok());
  EXPECT_FALSE(CheckPasswordStrength("alllowercaseletters").ok());
  EXPECT_TRUE(CheckPasswordStrength("lowercase-and-symbols").ok());
  EXPECT_FALSE(CheckPasswordStrength(std::string(129, 'a') + "1").ok());
}

TEST(PasswordTest, GeneratedPasswordsAreStrongAndDistinct) {
  auto a = GeneratePassword(), b = GeneratePassword();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 20u);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(CheckPasswordStrength(*a).ok());
}

}  // namespace
}  // namespace vigil::access
