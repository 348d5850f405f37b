// The hub's repository, split by owner: who is enrolled (DeviceRegistry), sealed readings
// (ReadingStore), the audit ledger's tables (LedgerStore), users and consents (AccessStore)
// and alerts (AlertStore), all in one database so that a commit can span them. Modules take
// the narrowest of these they need. Implementations: SQLite (store/sqlite/, one hub, the
// default) and PostgreSQL (store/postgres/, one or several hubs on one database). Every method is
// thread-safe. Nothing in a record is health data in the clear: values, names and birth dates are
// sealed before they reach the store.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/status.h"
#include "store/access_store.h"
#include "store/alert_store.h"
#include "store/device_registry.h"
#include "store/ledger_store.h"
#include "store/privacy_store.h"
#include "store/reading_store.h"

namespace vigil::store {

// A `vigil verify` that passed: when, over how much of the ledger, by whom.
struct IntegrityCheck {
  int64_t checked_ms = 0;
  uint64_t ledger_size = 0;
  std::string root_hex;  // the ledger's root hash at that size
  std::string by;        // "os:<name>"
};

class Store : public DeviceRegistry, public ReadingStore, public LedgerStore {
 public:
  ~Store() override = default;

  // Records a verification that passed, and the latest one (nullopt: none yet).
  virtual Status RecordIntegrityCheck(const IntegrityCheck& check) = 0;
  virtual Result<std::optional<IntegrityCheck>> LatestIntegrityCheck() = 0;

  // Checks the database's own structure (pages, B-trees, indexes; SQLite's quick_check).
  // DataLoss naming the database file and the first problem found.
  virtual Status CheckIntegrity() = 0;
  // Whether the store is a server reached over the network, which can go away and come back by
  // itself (a failover): the hub then polls CheckWritable to say when it is ready. False for
  // SQLite, whose failures are the local disk's (watched apart, cleared by a commit).
  virtual bool networked() const = 0;
  // Whether a commit could succeed now: Unavailable while the server cannot be reached or is a
  // read-only standby (during a failover). Cheap: polled once a second. Ok for SQLite.
  virtual Status CheckWritable() = 0;
  // Gives back to the file system what the store can without losing anything: folds its
  // write-ahead log into the database and truncates the log (for a disk running out of space).
  virtual Status ReclaimSpace() = 0;

  // Rewraps every wrapped data key and every sealed user secret (a TOTP secret) in one
  // transaction, for a master-key rotation: `rewrap` is given ("patient", id, wrapped key) or
  // ("user", username, sealed secret) and returns the new bytes; if it fails once, nothing
  // changes. How many keys and secrets were rewrapped.
  using Rewrap = std::function<Result<std::string>(std::string_view kind, const std::string& id,
                                                   const std::string& sealed)>;
  virtual Result<std::pair<int64_t, int64_t>> RewrapSecrets(const Rewrap& rewrap) = 0;

  // Users, sessions, care teams, consents and reviews, in the same database.
  virtual AccessStore& access() = 0;
  // The detection engine's alerts, in the same database.
  virtual AlertStore& alerts() = 0;
  // Patients' legal holds, restrictions and erasures, in the same database.
  virtual PrivacyStore& privacy() = 0;
};

enum class OpenMode { kCreate, kOpenExisting };

// Told before a store of an older schema version is migrated to the current one, which can
// take a while on a large hub (version 10 rewrites the receipts): the two versions.
using MigrationNotice = std::function<void(int from_version, int to_version)>;
// What to tell a user about that migration, in a sentence.
std::string DescribeMigration(int from_version, int to_version);

// Opens (or creates) the SQLite store at `path`: WAL journal, synchronous=FULL, files 0600,
// every file's I/O through `env`. An older store is migrated first (`notice`, if given, is
// told).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode,
                                               const MigrationNotice& notice = {},
                                               Env& env = Env::Default());

// Whether `location` names a PostgreSQL database (postgresql://... or postgres://...).
bool IsPostgresUrl(std::string_view location);

// Opens the hub's store in the PostgreSQL database at `url` (a libpq connection URI; a
// password is better kept in ~/.pgpass or PGPASSFILE than in the URL). kCreate creates the
// tables in an empty database (AlreadyExists if it holds a hub); kOpenExisting checks that it
// holds a hub of this schema version. Unavailable if the server cannot be reached.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, OpenMode mode);

// `url` with any password replaced by "***", for messages and logs.
std::string RedactedStoreUrl(const std::string& url);

// Opens the store at `location`: a PostgreSQL URL, or else the path of a SQLite database.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, OpenMode mode,
                                         const MigrationNotice& notice = {},
                                         Env& env = Env::Default());

}  // namespace vigil::store
