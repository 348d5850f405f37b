// A throwaway hub directory with a real store and key ring, for unit tests: SQLite, or a
// database of its own on the suite's PostgreSQL server when there is one (test_postgres.h).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "crypto/bytes.h"
#include "store/keyring.h"
#include "store/sealed_record.h"
#include "store/store.h"
#include "test_postgres.h"

namespace vigil::testing {

// SQL that puts a store's receipts back the way schema 9 kept them (one table keyed by device
// and sequence number), for tests that migrate an older store.
inline constexpr const char* kReceiptsAsInSchema9 =
    "CREATE TABLE receipts_v9 (device_id TEXT NOT NULL REFERENCES devices(id),"
    " seq INTEGER NOT NULL, payload_digest BLOB NOT NULL, received_ms INTEGER NOT NULL,"
    " ledger_index INTEGER, PRIMARY KEY (device_id, seq)) WITHOUT ROWID;"
    "INSERT INTO receipts_v9 SELECT device_id, seq, payload_digest, received_ms, ledger_index"
    " FROM reading_receipts;"
    "DROP TABLE reading_receipts; DROP TABLE receipts_by_device; DROP TABLE receipts_indexed;"
    "ALTER TABLE receipts_v9 RENAME TO reading_receipts;";

class TestHub {
 public:
  // A new hub whose files are written through `env`.
  explicit TestHub(Env& env = Env::Default()) : env_(env), master_key_(*crypto::RandomBytes(32)) {
    char tmpl[] = "/tmp/vigil-unit-XXXXXX";
    dir_ = mkdtemp(tmpl);
    location_ = TestPostgres() ? CreateTestDatabase() : dir_ + "/vigil.db";
    store_ = std::move(store::OpenStore(location_, store::OpenMode::kCreate, {}, env_)).value();
    keys_ = std::make_unique<store::KeyRing>(*store_, master_key_);
  }
  ~TestHub() {
    Close();
    if (TestPostgres()) DropTestDatabase(location_);
    std::filesystem::remove_all(dir_);
  }

  // Adds a patient (with a data key) and a device enrolled to them.
  void Enroll(const std::string& patient_id, const std::string& device_id) {
    auto key = keys_->MakeDataKey(patient_id);
    Check(key.status());
    Check(store_->InsertPatient({patient_id, "sealed", 1}, key->wrapped));
    store::DeviceRecord d;
    d.id = device_id;
    d.patient_id = patient_id;
    d.type = "pulse-oximeter";
    d.cert_serial = "01";
    d.cert_fingerprint = "ff";
    Check(store_->InsertDevice(d));
  }

  // Closes the store (as a process that ends), then opens it again.
  void Close() {
    keys_.reset();
    store_.reset();
  }
  void Reopen() {
    Close();
    store_ =
        std::move(store::OpenStore(location_, store::OpenMode::kOpenExisting, {}, env_)).value();
    keys_ = std::make_unique<store::KeyRing>(*store_, master_key_);
  }

  const std::string& dir() const { return dir_; }
  // Where the store is: the SQLite file, or the PostgreSQL database's URL.
  const std::string& location() const { return location_; }
  store::Store& store() { return *store_; }
  store::KeyRing& keys() { return *keys_; }
  const std::string& master_key() const { return master_key_; }

 private:
  static void Check(const Status& s) {
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
  Env& env_;
  std::string master_key_;
  std::string dir_;
  std::string location_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::KeyRing> keys_;
};

}  // namespace vigil::testing
