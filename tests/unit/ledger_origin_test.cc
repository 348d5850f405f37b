// A hub made before session 10 signed its checkpoints as "<hub name>" with the origin
// "<hub name>/ledger". Opened now, its key is renamed after the origin: a ledger_origin_changed
// entry first, then ledger.vkey; `verify` accepts the history on both sides of the change, and
// refuses checkpoints signed for an origin no entry moved to.
#include <gtest/gtest.h>

#include "admin/ledger_verify.h"
#include "core/files.h"
#include "core/hub_layout.h"
#include "crypto/ed25519.h"
#include "events/audit_records.h"
#include "ledger/ledger.h"
#include "ledger/ledger_key.h"
#include "test_hub.h"

namespace vigil::ledger {
namespace {

constexpr const char* kOrigin = "ward7.example.org/ledger/ward7";

class LedgerOriginTest : public ::testing::Test {
 protected:
  LedgerOriginTest() : layout_(hub_.dir()) {
    EXPECT_TRUE(MakePrivateDirectory(layout_.keys_dir()).ok());
    const auto pair = *crypto::GenerateEd25519();
    legacy_ = {"ward7", pair.private_key, pair.public_key};
    EXPECT_TRUE(WriteFileAtomic(layout_.ledger_key(), pair.private_key, 0600).ok());
    EXPECT_TRUE(WriteFileAtomic(layout_.ledger_verifier_key(),
                                VerifierKey("ward7", pair.public_key) + "\n", 0644)
                    .ok());
    ledger_ = std::move(Ledger::Open(hub_.store())).value();
  }
  void Grow(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(ledger_
                      ->Append({events::Record(
                          i, events::audit::PatientAdded{.patient = "p-" + std::to_string(i)})})
                      .ok());
    }
  }
  std::string PublishedKey() { return ReadFile(layout_.ledger_verifier_key()).value(); }

  testing::TestHub hub_;
  HubLayout layout_;
  NoteKey legacy_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerOriginTest, AHubSignedUnderItsNameMovesToItsOriginOnRecord) {
  Grow(3);
  ASSERT_TRUE(ledger_->MakeCheckpoint("ward7/ledger", legacy_, 1).ok());  // as before session 10
  auto key = LoadOrCreateLedgerKey(layout_, kOrigin, "ward7");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->key.name, kOrigin);
  EXPECT_EQ(key->superseded, VerifierKey("ward7", legacy_.public_key));
  ASSERT_TRUE(AdoptOrigin(layout_, *ledger_, *key, 2).ok());
  EXPECT_EQ(PublishedKey(), VerifierKey(kOrigin, legacy_.public_key) + "\n");
  auto entry = DecodeEntry(hub_.store().LedgerEntries(3, 1)->at(0));
  ASSERT_TRUE(entry.ok());
  const auto change = events::As<events::audit::LedgerOriginChanged>(*entry);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->old_origin, "ward7/ledger");
  EXPECT_EQ(change->origin, kOrigin);
  ASSERT_TRUE(ledger_->MakeCheckpoint(kOrigin, key->key, 3).ok());
  Grow(2);
  ASSERT_TRUE(ledger_->MakeCheckpoint(kOrigin, key->key, 4).ok());
  // Opened again: nothing more to adopt.
  EXPECT_TRUE(LoadOrCreateLedgerKey(layout_, kOrigin, "ward7")->superseded.empty());

  const auto report =
      admin::VerifyLedger(hub_.store(), PublishedKey().substr(0, PublishedKey().size() - 1));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->checkpoints, 3u);
  EXPECT_TRUE(report->notes.empty());
}

TEST_F(LedgerOriginTest, ACheckpointForAnotherOriginWithoutAnEntryFailsVerify) {
  Grow(3);
  ASSERT_TRUE(ledger_->MakeCheckpoint("ward7/ledger", legacy_, 1).ok());
  Grow(1);
  // The same key, another origin, no entry recording a change: not this log's history.
  const NoteKey renamed{kOrigin, legacy_.private_key, legacy_.public_key};
  ASSERT_TRUE(ledger_->MakeCheckpoint(kOrigin, renamed, 2).ok());
  const auto report = admin::VerifyLedger(hub_.store(), VerifierKey("ward7", legacy_.public_key));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("no entry records a change"), std::string::npos)
      << report.status().ToString();
}

TEST_F(LedgerOriginTest, AnotherHubsKeyIsNotAdopted) {
  auto key = LoadOrCreateLedgerKey(layout_, "ward8.example.org/ledger/ward8", "ward8");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("signed as 'ward7'"), std::string::npos)
      << key.status().ToString();
}

}  // namespace
}  // namespace vigil::ledger
