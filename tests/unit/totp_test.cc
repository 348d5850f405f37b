#include "access/totp.h"

#include <gtest/gtest.h>

namespace vigil::access {
namespace {

// RFC 6238 Appendix B (SHA-1 secret), truncated to the 6 digits authenticator apps show.
TEST(TotpTest, MatchesRfc6238Vectors) {
  const std::string secret = "12345678901234567890";
  const std::pair<int64_t, const char*> vectors[] = {
      {59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
      {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}};
  for (const auto& [seconds, code] : vectors) {
    EXPECT_EQ(TotpCode(secret, seconds / kTotpStepSeconds), code) << seconds;
  }
}

TEST(TotpTest, Base32RoundTripsAndMatchesRfc4648) {
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Encode("f"), "MY");
  EXPECT_EQ(*Base32Decode("MZXW6YTBOI======"), "foobar");
  EXPECT_EQ(*Base32Decode("mzxw6ytboi"), "foobar");
  EXPECT_FALSE(Base32Decode("MZXW1").ok());  // 1 is not in the alphabet
}

TEST(TotpTest, AcceptsOneStepEitherSideAndNoMore) {
  const std::string secret = "12345678901234567890";
  const int64_t now_ms = 1111111111000;
  const int64_t step = now_ms / 1000 / kTotpStepSeconds;
  for (int64_t d : {-1, 0, 1}) {
    EXPECT_EQ(MatchTotp(secret, TotpCode(secret, step + d), now_ms), step + d);
  }
  EXPECT_FALSE(MatchTotp(secret, TotpCode(secret, step + 2), now_ms));
  EXPECT_FALSE(MatchTotp(secret, TotpCode(secret, step - 2), now_ms));
  EXPECT_FALSE(MatchTotp(secret, "12345", now_ms));
}

TEST(TotpTest, OtpAuthUriCarriesIssuerAccountAndSecret) {
  EXPECT_EQ(OtpAuthUri("Vigil ward 3", "alice", "foobar"),
            "otpauth://totp/Vigil%20ward%203:alice?secret=MZXW6YTBOI&issuer=Vigil%20ward%203"
            "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace vigil::access
