// The witness (C2SP tlog-witness) against real ledgers over in-memory stores: it cosigns a
// log's consistent growth, and refuses a stale size, a fork at one size, a fork that grows from
// another history, an unknown log and a checkpoint the log's key did not sign; what it cosigned
// survives a restart.
#include "witness/witness.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "crypto/ed25519.h"
#include "events/audit_records.h"
#include "ledger/ledger.h"
#include "memory_ledger_store.h"
#include "witness/add_checkpoint.h"

namespace vigil::witness {
namespace {

class FixedClock final : public Clock {
 public:
  int64_t NowMillis() const override { return 1'800'000'000'000; }
};

constexpr const char* kOrigin = "ward7.example.org/ledger/ward7";

struct Log {
  store::MemoryLedgerStore store;
  std::unique_ptr<ledger::Ledger> ledger = std::move(ledger::Ledger::Open(store)).value();

  void Grow(int entries, const std::string& tag) {
    for (int i = 0; i < entries; ++i) {
      ASSERT_TRUE(ledger
                      ->Append({events::Record(
                          i, events::audit::PatientAdded{.patient = tag + std::to_string(i)})})
                      .ok());
    }
  }
  std::string Note(const ledger::NoteKey& key) {
    return ledger->MakeCheckpoint(kOrigin, key, 1).value().note;
  }
  // The add-checkpoint body from `old` to the ledger as it stands.
  std::string Request(uint64_t old, const ledger::NoteKey& key) {
    AddCheckpoint request{.old_size = old, .checkpoint = Note(key)};
    if (old > 0 && old < ledger->size()) {
      request.proof = ledger::ConsistencyProof(old, ledger->size(), ledger->nodes()).value();
    }
    return RenderAddCheckpoint(request);
  }
};

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vigil-witness-XXXXXX";
    dir_ = mkdtemp(tmpl);
    const auto pair = *crypto::GenerateEd25519();
    key_ = {kOrigin, pair.private_key, pair.public_key};
    witness_ = Open();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Witness> Open() {
    return std::move(Witness::Open(dir_ + "/w", "witness.example.org/w1",
                                   {ledger::VerifierKey(kOrigin, key_.public_key)}, clock_))
        .value();
  }
  void ExpectCosigned(const WitnessReply& reply, const std::string& note) {
    ASSERT_EQ(reply.status, 200) << reply.body;
    const auto cosigner = ParseCosignerVerifierKey(witness_->VerifierKey());
    ASSERT_TRUE(cosigner.ok());
    const auto parts = ledger::SplitNote(note);
    const auto time = VerifyCosignature(parts->body, reply.body, *cosigner);
    ASSERT_TRUE(time.ok()) << reply.body;
    EXPECT_EQ(*time, 1'800'000'000u);
    // Over another checkpoint it is no cosignature at all.
    EXPECT_FALSE(VerifyCosignature("other/origin\n1\nAAAA\n", reply.body, *cosigner).ok());
  }

  FixedClock clock_;
  std::string dir_;
  ledger::NoteKey key_;
  std::unique_ptr<Witness> witness_;
};

TEST_F(WitnessTest, CosignsConsistentGrowthAndRefusesForks) {
  Log log;
  log.Grow(3, "a");
  ExpectCosigned(witness_->AddCheckpoint(log.Request(0, key_)), log.Note(key_));
  log.Grow(2, "b");
  ExpectCosigned(witness_->AddCheckpoint(log.Request(3, key_)), log.Note(key_));

  // A client that thinks the witness is still at 3 is told where it is.
  const auto stale = witness_->AddCheckpoint(log.Request(3, key_));
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.content_type, "text/x.tlog.size");
  EXPECT_EQ(stale.body, "5\n");

  // Another history signed by the same key: the same size with another root, and growth
  // proven from that history's own size 5, are both refused.
  Log fork;
  fork.Grow(5, "x");
  EXPECT_EQ(witness_->AddCheckpoint(fork.Request(5, key_)).status, 409);
  fork.Grow(3, "y");
  const auto forked = witness_->AddCheckpoint(fork.Request(5, key_));
  EXPECT_EQ(forked.status, 422) << forked.body;

  // What it cosigned survives a restart: the fork is still refused, the log still grows.
  witness_ = Open();
  EXPECT_EQ(witness_->AddCheckpoint(fork.Request(5, key_)).status, 422);
  EXPECT_EQ(witness_->AddCheckpoint(log.Request(0, key_)).body, "5\n");
  log.Grow(1, "c");
  ExpectCosigned(witness_->AddCheckpoint(log.Request(5, key_)), log.Note(key_));
}

TEST_F(WitnessTest, RefusesUnknownLogsForeignSignaturesAndMalformedRequests) {
  Log log;
  log.Grow(2, "a");
  const auto other = *crypto::GenerateEd25519();
  EXPECT_EQ(witness_->AddCheckpoint(log.Request(0, {kOrigin, other.private_key, other.public_key}))
                .status,
            403);
  const ledger::NoteKey stranger{"elsewhere.example/ledger/x", other.private_key, other.public_key};
  AddCheckpoint unknown{
      .old_size = 0,
      .checkpoint = log.ledger->MakeCheckpoint(stranger.name, stranger, 1).value().note};
  EXPECT_EQ(witness_->AddCheckpoint(RenderAddCheckpoint(unknown)).status, 404);
  for (const char* body : {"", "old 01\n\nx", "old 1\nnot base64!\n\nx", "old 0\n", "new 0\n\nx",
                           "old 5\nPlRNCrwHpqhDJsX3b2oyin1nPZqhf5temvuZZDDpkan=\n\nx\n"}) {
    EXPECT_EQ(witness_->AddCheckpoint(body).status, 400) << body;
  }
  AddCheckpoint above{.old_size = 9, .checkpoint = log.Note(key_)};
  EXPECT_EQ(witness_->AddCheckpoint(RenderAddCheckpoint(above)).status, 400);
  AddCheckpoint proof_from_zero{
      .old_size = 0, .proof = {ledger::Hash{}}, .checkpoint = log.Note(key_)};
  EXPECT_EQ(witness_->AddCheckpoint(RenderAddCheckpoint(proof_from_zero)).status, 422);
}

}  // namespace
}  // namespace vigil::witness
