#include "crypto/aead.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "crypto/bytes.h"

namespace vigil::crypto {
namespace {

TEST(AeadTest, SealOpenRoundTripWithFreshNonces) {
  const std::string key = *RandomBytes(32);
  const auto a = AeadSeal(key, "heart rate 72", "aad");
  const auto b = AeadSeal(key, "heart rate 72", "aad");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->size(), 13 + kAeadOverheadBytes);
  EXPECT_NE(*a, *b) << "nonces must differ";
  EXPECT_EQ(*AeadOpen(key, *a, "aad"), "heart rate 72");
}

TEST(AeadTest, NoncesNeverRepeatAcrossPoolRefills) {
  const std::string key = *RandomBytes(32);
  std::set<std::string> nonces;
  for (int i = 0; i < 2000; ++i) {  // several refills of the per-thread pool
    const auto sealed = AeadSeal(key, "x", "");
    ASSERT_TRUE(sealed.ok());
    EXPECT_TRUE(nonces.insert(sealed->substr(0, kAeadNonceBytes)).second) << "seal " << i;
  }
}

TEST(AeadTest, AForkedChildDoesNotReuseItsParentsNonces) {
  const std::string key = *RandomBytes(32);
  ASSERT_TRUE(AeadSeal(key, "x", "").ok());  // the pool is filled before the fork
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const auto sealed = AeadSeal(key, "x", "");
    const std::string nonce = sealed.ok() ? sealed->substr(0, kAeadNonceBytes) : "";
    _exit(write(fds[1], nonce.data(), nonce.size()) == static_cast<ssize_t>(kAeadNonceBytes) ? 0
                                                                                             : 1);
  }
  close(fds[1]);
  const auto parent = AeadSeal(key, "x", "");
  ASSERT_TRUE(parent.ok());
  std::string from_child(kAeadNonceBytes, '\0');
  EXPECT_EQ(read(fds[0], from_child.data(), from_child.size()),
            static_cast<ssize_t>(kAeadNonceBytes));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_EQ(status, 0);
  EXPECT_NE(from_child, parent->substr(0, kAeadNonceBytes));
}

TEST(AeadTest, AnyChangeFailsToOpen) {
  const std::string key = *RandomBytes(32);
  const std::string sealed = *AeadSeal(key, "spo2 97", "patient p-1");
  EXPECT_EQ(AeadOpen(key, sealed, "patient p-2").status().code(), StatusCode::kDataLoss);
  EXPECT_FALSE(AeadOpen(*RandomBytes(32), sealed, "patient p-1").ok());
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string flipped = sealed;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(AeadOpen(key, flipped, "patient p-1").ok()) << "byte " << i;
  }
  EXPECT_FALSE(AeadOpen(key, sealed.substr(0, 20), "patient p-1").ok());
}

TEST(AeadTest, RefusesWrongKeySize) {
  EXPECT_EQ(AeadSeal("short", "x", "").status().code(), StatusCode::kInvalidArgument);
}

TEST(BytesTest, HexAndConstantTimeEquals) {
  EXPECT_EQ(Hex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace vigil::crypto

namespace vigil::crypto {
namespace {

// Opening reuses the last key's schedule per thread: alternating keys, and a failed open
// between good ones, must change nothing about what opens.
TEST(AeadTest, KeyScheduleReuseNeverMixesKeys) {
  const std::string k1(32, '\x01'), k2(32, '\x02');
  const std::string a = *AeadSeal(k1, "first", "aad"), b = *AeadSeal(k2, "second", "aad");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(*AeadOpen(k1, a, "aad"), "first");
    EXPECT_EQ(*AeadOpen(k1, a, "aad"), "first");
    EXPECT_FALSE(AeadOpen(k1, b, "aad").ok());
    EXPECT_EQ(*AeadOpen(k2, b, "aad"), "second");
    EXPECT_FALSE(AeadOpen(k2, a, "aad").ok());
    EXPECT_FALSE(AeadOpen(k2, b, "other").ok());
    EXPECT_EQ(*AeadOpen(k2, b, "aad"), "second");
  }
}

// One opener for a page of records: every record of its key opens, one altered or of another
// key fails alone, and a key of the wrong size leaves nothing that opens.
TEST(AeadTest, AnOpenerOpensItsKeysRecordsAndNothingElse) {
  const std::string k1(32, '\x01'), k2(32, '\x02');
  AeadOpener opener(k1);
  std::string out;
  for (int i = 0; i < 3; ++i) {
    const std::string sealed = *AeadSeal(k1, "row " + std::to_string(i), "aad");
    ASSERT_TRUE(opener.Open(sealed, "aad", out).ok());
    EXPECT_EQ(out, "row " + std::to_string(i));
    EXPECT_EQ(opener.Open(*AeadSeal(k2, "other", "aad"), "aad", out).code(), StatusCode::kDataLoss);
    EXPECT_TRUE(out.empty());
    std::string altered = sealed;
    altered[14] ^= 1;
    EXPECT_FALSE(opener.Open(altered, "aad", out).ok());
  }
  EXPECT_TRUE(opener.Holds(k1));
  EXPECT_FALSE(opener.Holds(k2));
  AeadOpener keyless(std::string(16, 'k'));
  EXPECT_FALSE(keyless.Open(*AeadSeal(k1, "x", ""), "", out).ok());
}

}  // namespace
}  // namespace vigil::crypto
