// ledger::Checkpointer over a real store: one signed checkpoint per growth of the ledger,
// remembered in the head file and appended to the checkpoint log.
#include "ledger/checkpointer.h"

#include <gtest/gtest.h>

#include "core/files.h"
#include "crypto/ed25519.h"
#include "events/audit_records.h"
#include "ledger/signed_head.h"
#include "test_hub.h"

namespace vigil::ledger {
namespace {

TEST(CheckpointerTest, SignsOnlyWhenTheLedgerGrewAndRemembersAndLogsEachCheckpoint) {
  testing::TestHub hub;
  hub.Enroll("p-1", "d-1");
  auto ledger = std::move(Ledger::Open(hub.store())).value();
  const auto pair = *crypto::GenerateEd25519();
  const NoteKey key{"test-hub", pair.private_key, pair.public_key};
  const std::string head = hub.dir() + "/ledger.head", log = hub.dir() + "/checkpoints.log";
  Checkpointer checkpointer(*ledger, hub.store(), key,
                            {.origin = "test-hub", .head_path = head, .checkpoint_log = log});
  const auto append = [&](int64_t t) {
    ASSERT_TRUE(ledger->Append({events::Record(t, events::audit::Logout{.user = "u"})}).ok());
  };

  append(1);
  ASSERT_TRUE(checkpointer.CheckpointIfGrown(10).ok());
  ASSERT_TRUE(checkpointer.CheckpointIfGrown(20).ok());  // nothing new: nothing signed
  EXPECT_EQ(hub.store().ListCheckpoints()->size(), 1u);
  append(2);
  append(3);
  ASSERT_TRUE(checkpointer.CheckpointIfGrown(30).ok());
  const auto stored = *hub.store().ListCheckpoints();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored.back().size, 3u);

  auto remembered = ReadSignedHead(head, VerifierKey(key.name, key.public_key));
  ASSERT_TRUE(remembered.ok()) << remembered.status().ToString();
  ASSERT_TRUE(remembered->has_value());
  EXPECT_EQ((*remembered)->checkpoint.size, 3u);
  EXPECT_EQ((*remembered)->device_last_seq.size(), 0u);  // d-1 has sent nothing yet
  auto logged = ReadCheckpointNotes(*ReadFile(log), VerifierKey(key.name, key.public_key), log);
  ASSERT_TRUE(logged.ok()) << logged.status().ToString();
  ASSERT_EQ(logged->size(), 2u);
  EXPECT_EQ((*logged)[0].size, 1u);
  EXPECT_EQ((*logged)[1].size, 3u);
}

TEST(CheckpointerTest, AHeadThatCannotBeWrittenIsAnErrorNamingTheStep) {
  testing::TestHub hub;
  auto ledger = std::move(Ledger::Open(hub.store())).value();
  const auto pair = *crypto::GenerateEd25519();
  Checkpointer checkpointer(*ledger, hub.store(), {"test-hub", pair.private_key, pair.public_key},
                            {.origin = "test-hub", .head_path = hub.dir() + "/no-such-dir/head"});
  const Status failed = checkpointer.CheckpointIfGrown(10);
  EXPECT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("ledger checkpoint failed"), std::string::npos)
      << failed.ToString();
}

}  // namespace
}  // namespace vigil::ledger
