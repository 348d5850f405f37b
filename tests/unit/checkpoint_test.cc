#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

#include "crypto/ed25519.h"

namespace vigil::ledger {
namespace {

NoteKey MakeKey(const std::string& name) {
  const auto pair = *crypto::GenerateEd25519();
  return {name, pair.private_key, pair.public_key};
}

Checkpoint Sample() { return {"vigil.test/hub-1/ledger", 1234567, LeafHash("root")}; }

TEST(CheckpointTest, SignedNoteHasTheC2spShapeAndVerifies) {
  const NoteKey key = MakeKey("vigil.test/hub-1");
  const auto note = SignCheckpoint(Sample(), key);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(note->rfind("vigil.test/hub-1/ledger\n1234567\n", 0), 0u);
  EXPECT_NE(note->find("\n\n\xe2\x80\x94 vigil.test/hub-1 "), std::string::npos);
  const auto opened = OpenCheckpoint(*note, VerifierKey(key.name, key.public_key));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->origin, "vigil.test/hub-1/ledger");
  EXPECT_EQ(opened->size, 1234567u);
  EXPECT_EQ(opened->root, LeafHash("root"));
}

TEST(CheckpointTest, AnyAlterationOrOtherKeyIsRefused) {
  const NoteKey key = MakeKey("vigil.test/hub-1");
  const std::string note = *SignCheckpoint(Sample(), key);
  const std::string vkey = VerifierKey(key.name, key.public_key);
  std::string bigger = note;
  bigger.replace(bigger.find("1234567"), 7, "1234568");
  EXPECT_EQ(OpenCheckpoint(bigger, vkey).status().code(), StatusCode::kPermissionDenied);
  const NoteKey other = MakeKey("vigil.test/hub-1");
  EXPECT_FALSE(OpenCheckpoint(note, VerifierKey(other.name, other.public_key)).ok());
  EXPECT_FALSE(OpenCheckpoint(note.substr(0, note.size() - 10) + "AAAAAAAAA\n", vkey).ok());
  EXPECT_FALSE(OpenCheckpoint("garbage", vkey).ok());
  EXPECT_FALSE(OpenCheckpoint(note, "not a key").ok());
}

TEST(CheckpointTest, Base64RoundTripsAndIsStrict) {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(*crypto::Base64Decode(crypto::Base64Encode(s)), s);
  }
  EXPECT_EQ(crypto::Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(crypto::Base64Decode("Zm9v YmFy").ok());
  EXPECT_FALSE(crypto::Base64Decode("Zm9").ok());
}

}  // namespace
}  // namespace vigil::ledger
