#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "ingest/reading_committer.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_receipts.h"
#include "test_hub.h"

namespace vigil::store {
namespace {

using vigil::testing::TestHub;

model::Observation SampleObservation(const std::string& id) {
  model::Observation o;
  o.id = id;
  o.patient_id = "p-1";
  o.device_id = "d-1";
  o.code = "8867-4";
  o.effective_ms = 1795341600000;
  o.seq = 5;
  o.issued_ms = 1795341600123;
  o.measurements = {{model::VitalKind::kHeartRate, 72.5, o.effective_ms}};
  return o;
}

ReadingCommit CommitOf(const std::string& device, uint64_t seq, const SealedObservation& row) {
  return {device, seq, std::string(32, 'x'), 1, {row}};
}

TEST(StoreTest, DevicesAndPatientsRoundTrip) {
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  EXPECT_EQ(hub.store().InsertPatient({"p-1", "x", 1}, "k").code(), StatusCode::kAlreadyExists);
  auto d = hub.store().FindDevice("d-1");
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ((*d)->patient_id, "p-1");
  EXPECT_EQ((*d)->status, DeviceStatus::kActive);
  ASSERT_TRUE(hub.store().SetDeviceStatus("d-1", DeviceStatus::kRevoked).ok());
  EXPECT_EQ((**hub.store().FindDevice("d-1")).status, DeviceStatus::kRevoked);
  EXPECT_EQ(hub.store().SetDeviceStatus("nope", DeviceStatus::kRevoked).code(),
            StatusCode::kNotFound);
  DeviceRecord orphan;
  orphan.id = "d-2";
  orphan.patient_id = "nobody";
  EXPECT_EQ(hub.store().InsertDevice(orphan).code(), StatusCode::kFailedPrecondition);
}

TEST(StoreTest, DatabaseFileIsPrivate) {
  VIGIL_SQLITE_ONLY();
  TestHub hub;
  struct stat st;
  ASSERT_EQ(::stat((hub.dir() + "/vigil.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST(StoreTest, CommitsSealedObservationsThatOpenOnlyInTheirRow) {
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  const std::string key = *hub.keys().DataKey("p-1");
  auto sealed = SealObservation(key, SampleObservation("d-1.5.0"));
  ASSERT_TRUE(sealed.ok());
  const ReadingCommit commit = CommitOf("d-1", 5, *sealed);
  ASSERT_TRUE(hub.store().CommitReadings({&commit, 1}).ok());
  EXPECT_EQ((**hub.store().FindDevice("d-1")).last_seq, 5u);
  EXPECT_TRUE(hub.store().FindReceiptDigest("d-1", 5)->has_value());
  auto rows = hub.store().ListObservations("p-1");
  ASSERT_EQ(rows->size(), 1u);
  const auto opened = OpenObservation(key, rows->at(0));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->issued_ms, 1795341600123);
  ASSERT_EQ(opened->measurements.size(), 1u);
  EXPECT_EQ(opened->measurements[0].kind, model::VitalKind::kHeartRate);
  EXPECT_EQ(opened->measurements[0].value, 72.5);
  EXPECT_EQ(model::ToFhirJson(*opened), model::ToFhirJson(SampleObservation("d-1.5.0")));
  SealedObservation moved = rows->at(0);
  moved.effective_ms += 1;
  EXPECT_EQ(OpenObservation(key, moved).status().code(), StatusCode::kDataLoss);
  // The same (device, seq) twice is refused, and the whole transaction with it.
  EXPECT_FALSE(hub.store().CommitReadings({&commit, 1}).ok());
}

TEST(StoreTest, FindsAnObservationByIdWithinItsMessagesSpan) {
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  // Messages 1..50 received at their first Observation's time, each with three Observations a
  // few seconds apart; message 20's last one is backdated an hour.
  std::vector<ReadingCommit> commits;
  for (uint64_t seq = 1; seq <= 50; ++seq) {
    const int64_t received = 1795341600000 + static_cast<int64_t>(seq) * 60000;
    ReadingCommit c{"d-1", seq, std::string(32, 'x'), received, {}};
    for (int n = 0; n < 3; ++n) {
      const int64_t at = received + (seq == 20 && n == 2 ? -3600000 : n * 5000);
      c.observations.push_back({"d-1." + std::to_string(seq) + "." + std::to_string(n), "p-1",
                                "d-1", "8867-4", at, seq, "sealed"});
    }
    commits.push_back(std::move(c));
  }
  // Another process, open before the commit: it finds the receipts in the table's tail.
  auto another = OpenStore(hub.location(), OpenMode::kOpenExisting);
  ASSERT_TRUE(another.ok());
  ASSERT_TRUE(hub.store().CommitReadings(commits).ok());
  for (const std::string id : {"d-1.1.0", "d-1.20.0", "d-1.20.2", "d-1.50.2"}) {
    for (Store* store : {&hub.store(), another->get()}) {
      const auto found = store->FindObservation("p-1", id);
      ASSERT_TRUE(found.ok() && found->has_value()) << id;
      EXPECT_EQ((*found)->id, id);
    }
  }
  EXPECT_FALSE(hub.store().FindObservation("p-1", "d-1.51.0")->has_value());
  EXPECT_FALSE(hub.store().FindObservation("p-2", "d-1.20.1")->has_value());
  EXPECT_FALSE(hub.store().FindObservation("p-1", "d-1")->has_value());
  EXPECT_FALSE(hub.store().FindObservation("p-1", "d-1.x.0")->has_value());
  // A device whose id has dots, and whose first part is another device's id with a message of
  // that sequence number: the id is read from the right.
  hub.Enroll("p-2", "d-1.5");
  const std::vector<ReadingCommit> dotted{
      {"d-1.5",
       1,
       std::string(32, 'z'),
       1795400000000,
       {{"d-1.5.1.0", "p-2", "d-1.5", "8867-4", 1795400000000, 1, "sealed"}}}};
  ASSERT_TRUE(hub.store().CommitReadings(dotted).ok());
  const auto other = hub.store().FindObservation("p-2", "d-1.5.1.0");
  ASSERT_TRUE(other.ok() && other->has_value());
  EXPECT_EQ((*other)->device_id, "d-1.5");
  // A schema-8 store: the widest skew is computed from the stored rows when it is opened.
  if (testing::TestPostgres()) return;  // the PostgreSQL store began with it
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((hub.dir() + "/vigil.db").c_str(), &db), SQLITE_OK);
  const std::string to_schema8 =
      std::string(vigil::testing::kReceiptsAsInSchema9) +
      "ALTER TABLE devices DROP COLUMN max_skew_ms; PRAGMA user_version=8;";
  ASSERT_EQ(sqlite3_exec(db, to_schema8.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  std::vector<std::pair<int, int>> notices;
  const auto notice = [&](int from, int to) { notices.emplace_back(from, to); };
  auto migrated = OpenSqliteStore(hub.dir() + "/vigil.db", OpenMode::kOpenExisting, notice);
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  ASSERT_EQ(notices.size(), 1u);  // told once, before; not when the store is current
  EXPECT_EQ(notices[0], std::make_pair(8, 14));
  ASSERT_TRUE(OpenSqliteStore(hub.dir() + "/vigil.db", OpenMode::kOpenExisting, notice).ok());
  EXPECT_EQ(notices.size(), 1u);
  for (const std::string id : {"d-1.20.2", "d-1.50.2"}) {
    const auto found = (*migrated)->FindObservation("p-1", id);
    ASSERT_TRUE(found.ok() && found->has_value()) << id;
    EXPECT_EQ((*found)->id, id);
  }
}

// Receipts are appended in commit order and indexed by device in sorted batches: one is found,
// and a second one for its (device, seq) refused, whether it is in the index or in the tail.
TEST(StoreTest, ReceiptsAreFoundAndUniqueBothIndexedAndInTheTail) {
  VIGIL_SQLITE_ONLY();
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  hub.Enroll("p-2", "d-2");
  const auto digest_of = [](uint64_t seq) { return "digest-" + std::to_string(seq); };
  // Another process's view: it opened the store before these commits, so it finds the tail's
  // receipts in the table, not in what it remembers.
  auto other = OpenSqliteStore(hub.dir() + "/vigil.db", OpenMode::kOpenExisting);
  ASSERT_TRUE(other.ok());
  // Even sequence numbers, two devices interleaved, past one batch of the index.
  const uint64_t highest = 2 * (sqlite::kReceiptTailRows / 2 + 100);
  std::vector<ReadingCommit> batch;
  for (uint64_t seq = 2; seq <= highest; seq += 2) {
    for (const std::string device : {"d-1", "d-2"})
      batch.push_back({device, seq, digest_of(seq), 1, {}});
    if (batch.size() == 100 || seq == highest) {
      ASSERT_TRUE(hub.store().CommitReadings(batch).ok());
      batch.clear();
    }
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((hub.dir() + "/vigil.db").c_str(), &db), SQLITE_OK);
  const auto count = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    const int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
  };
  const int64_t indexed = count("SELECT count(*) FROM receipts_by_device");
  EXPECT_GE(indexed, sqlite::kReceiptTailRows);
  EXPECT_LT(indexed, count("SELECT count(*) FROM reading_receipts"));  // a tail is left
  for (const uint64_t seq : {uint64_t{2}, uint64_t{1000}, highest - 2, highest}) {
    for (const std::string device : {"d-1", "d-2"}) {
      for (Store* store : {&hub.store(), other->get()}) {
        const auto found = store->FindReceiptDigest(device, seq);
        ASSERT_TRUE(found.ok() && found->has_value()) << device << " " << seq;
        EXPECT_EQ(**found, digest_of(seq));
      }
    }
  }
  for (Store* store : {&hub.store(), other->get()}) {
    EXPECT_FALSE(store->FindReceiptDigest("d-1", 3)->has_value());
    EXPECT_FALSE(store->FindReceiptDigest("d-3", 2)->has_value());
  }
  // A second receipt for an indexed, a tail or a same-batch (device, seq) fails its whole
  // commit; a lower sequence number never stored is accepted.
  const int64_t before = count("SELECT count(*) FROM reading_receipts");
  const std::vector<std::vector<ReadingCommit>> refused = {
      {{"d-2", highest + 2, "new", 1, {}}, {"d-1", 2, "again", 1, {}}},
      {{"d-2", highest + 2, "new", 1, {}}, {"d-1", highest, "again", 1, {}}},
      {{"d-2", highest + 2, "new", 1, {}}, {"d-2", highest + 2, "again", 1, {}}}};
  for (const auto& commits : refused) {
    EXPECT_EQ(hub.store().CommitReadings(commits).code(), StatusCode::kAlreadyExists);
  }
  EXPECT_EQ(count("SELECT count(*) FROM reading_receipts"), before);
  EXPECT_EQ((**hub.store().FindDevice("d-2")).last_seq, highest);
  const std::vector<ReadingCommit> late = {{"d-1", 3, digest_of(3), 1, {}}};
  ASSERT_TRUE(hub.store().CommitReadings(late).ok());
  EXPECT_EQ(**hub.store().FindReceiptDigest("d-1", 3), digest_of(3));
  EXPECT_EQ(hub.store().CommitReadings(late).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*other)->CommitReadings(late).code(), StatusCode::kAlreadyExists);
  // Reopened: the tail is read back.
  other->reset();
  auto reopened = OpenSqliteStore(hub.dir() + "/vigil.db", OpenMode::kOpenExisting);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(**(*reopened)->FindReceiptDigest("d-2", highest), digest_of(highest));
  sqlite3_close(db);
}

// The readings' tables have no foreign keys: the commit checks each message's device, and that
// each Observation is that device's patient's, and a commit that fails one changes nothing.
TEST(StoreTest, ACommitRefusesAnUnknownDeviceAndAnotherPatientsObservation) {
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  hub.Enroll("p-2", "d-2");
  const ReadingCommit good{"d-1", 1, "x", 1, {{"d-1.1.0", "p-1", "d-1", "8867-4", 1, 1, "s"}}};
  const std::vector<ReadingCommit> unknown_device{
      good, {"d-9", 1, "x", 1, {{"d-9.1.0", "p-1", "d-9", "8867-4", 1, 1, "s"}}}};
  EXPECT_EQ(hub.store().CommitReadings(unknown_device).code(), StatusCode::kFailedPrecondition);
  const std::vector<ReadingCommit> other_patient{
      good, {"d-2", 1, "x", 1, {{"d-2.1.0", "p-1", "d-2", "8867-4", 1, 1, "s"}}}};
  EXPECT_EQ(hub.store().CommitReadings(other_patient).code(), StatusCode::kInvalidArgument);
  const std::vector<ReadingCommit> other_device{
      good, {"d-2", 1, "x", 1, {{"d-1.1.1", "p-2", "d-1", "8867-4", 1, 1, "s"}}}};
  EXPECT_EQ(hub.store().CommitReadings(other_device).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hub.store().ListObservations("p-1")->empty());
  EXPECT_FALSE(hub.store().FindReceiptDigest("d-1", 1)->has_value());
  EXPECT_EQ((**hub.store().FindDevice("d-1")).last_seq, 0u);
  ASSERT_TRUE(hub.store().CommitReadings({&good, 1}).ok());
  EXPECT_EQ(hub.store().ListObservations("p-1")->size(), 1u);
}

TEST(StoreTest, AStatementThatDoesNotPrepareIsAnErrorEachTimeNotACrash) {
  VIGIL_SQLITE_ONLY();
  TestHub hub;
  sqlite::ReaderPool readers(hub.dir() + "/vigil.db");
  for (int i = 0; i < 2; ++i) {  // the second time from the connection's prepared statements
    const auto found = sqlite::FindRow(
        readers, "SELECT no_such_column FROM patients WHERE id = ?",
        [](const sqlite::Statement& st) { return st.Int(0); }, std::string("p-1"));
    ASSERT_FALSE(found.ok());
    EXPECT_NE(found.status().message().find("no_such_column"), std::string::npos)
        << found.status().ToString();
  }
}

TEST(StoreTest, KeyRingUnwrapsOnlyStoredKeysForTheirPatient) {
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  EXPECT_TRUE(hub.keys().DataKey("p-1").ok());
  EXPECT_EQ(hub.keys().DataKey("p-2").status().code(), StatusCode::kNotFound);
  // A wrapped key copied to another patient does not unwrap there.
  const std::string wrapped = **hub.store().FindPatientKey("p-1");
  ASSERT_TRUE(hub.store().InsertPatient({"p-2", "sealed", 1}, wrapped).ok());
  EXPECT_EQ(hub.keys().DataKey("p-2").status().code(), StatusCode::kDataLoss);
}

TEST(GroupCommitTest, EveryCallbackRunsOnceAndBadCommitsFailAlone) {
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  const std::string key = *hub.keys().DataKey("p-1");
  std::atomic<int> ok{0}, failed{0};
  {
    ingest::ReadingCommitter writer(hub.store(), nullptr, SystemClock::Instance(), 64);
    for (int i = 1; i <= 200; ++i) {
      auto obs = SampleObservation("d-1." + std::to_string(i) + ".0");
      obs.seq = static_cast<uint64_t>(i);
      writer.Submit(CommitOf("d-1", static_cast<uint64_t>(i), *SealObservation(key, obs)),
                    [&](const Status& s) { (s.ok() ? ok : failed)++; });
    }
    // A duplicate receipt fails on its own, without taking its batch down.
    auto dup = SampleObservation("d-1.dup");
    writer.Submit(CommitOf("d-1", 1, *SealObservation(key, dup)),
                  [&](const Status& s) { (s.ok() ? ok : failed)++; });
  }
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(failed.load(), 1);
  EXPECT_EQ(hub.store().ListObservations("p-1")->size(), 200u);
}

TEST(LedgerSubjectsTest, AccountingFindsEntriesBeforeAndAfterAMerge) {
  vigil::testing::TestHub hub;
  // More appends than are kept before a merge: some subjects end up in the sorted index, the
  // rest in the recent table, and a query sees both, in order.
  const uint64_t total = 250'000;
  std::vector<uint64_t> expected;
  for (uint64_t first = 0; first < total; first += 50'000) {
    store::LedgerAppend append;
    append.first_index = first;
    for (uint64_t i = first; i < first + 50'000; ++i) {
      append.entries.push_back("entry-" + std::to_string(i));
      append.subjects.push_back(i % 1000 == 7 ? "p-7"
                                : i % 3 == 0  ? ""
                                              : "p-" + std::to_string(i % 50));
      if (append.subjects.back() == "p-7") expected.push_back(i);
    }
    ASSERT_TRUE(hub.store().AppendLedger(append).ok());
  }
  auto about = hub.store().LedgerEntriesAbout("p-7", 1'000'000);
  ASSERT_TRUE(about.ok()) << about.status().ToString();
  std::vector<uint64_t> found;
  for (const auto& e : *about) found.push_back(e.index);
  EXPECT_EQ(found, expected);
  EXPECT_EQ(about->back().entry, "entry-" + std::to_string(expected.back()));
  EXPECT_EQ(hub.store().LedgerEntriesAbout("p-7", 3)->size(), 3u);  // the oldest three
  EXPECT_EQ(hub.store().LedgerEntriesAbout("p-7", 3)->at(0).index, expected[0]);
}

}  // namespace
}  // namespace vigil::store
