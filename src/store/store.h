// The hub's repository: patients, their wrapped data keys, devices, and sealed readings.
// Implementations: SQLite (store/sqlite/, one node); PostgreSQL later. Every method is
// thread-safe. Nothing in a record is health data in the clear: values, names and birth dates
// are sealed before they reach the store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::store {

struct PatientRecord {
  std::string id;
  std::string sealed_demographics;  // SealedRecord of the FHIR Patient's name and birth date
  int64_t created_ms = 0;
};

enum class DeviceStatus { kActive, kRevoked };

struct DeviceRecord {
  std::string id;
  std::string patient_id;
  std::string type;              // e.g. "pulse-oximeter"
  std::string cert_serial;       // hex serial of the certificate issued at enrolment
  std::string cert_fingerprint;  // hex SHA-256 of that certificate; others are refused
  DeviceStatus status = DeviceStatus::kActive;
  int64_t enrolled_ms = 0;
  uint64_t last_seq = 0;  // highest durably accepted sequence number
};

struct SealedObservation {
  std::string id;
  std::string patient_id;
  std::string device_id;
  std::string code;  // LOINC
  int64_t effective_ms = 0;
  uint64_t seq = 0;
  std::string sealed;  // SealedRecord bytes
};

// One accepted device message: its receipt (which makes resends idempotent and replays
// detectable) and the Observations it produced.
struct ReadingCommit {
  std::string device_id;
  uint64_t seq = 0;
  std::string payload_digest;  // SHA-256 of the payload as received, 32 bytes
  int64_t received_ms = 0;
  std::vector<SealedObservation> observations;
};

class Store {
 public:
  virtual ~Store() = default;

  // Inserts a patient with their data key wrapped by the master key, atomically.
  // AlreadyExists if the id is taken.
  virtual Status InsertPatient(const PatientRecord& patient, const std::string& wrapped_key) = 0;
  virtual Result<std::optional<PatientRecord>> FindPatient(const std::string& id) = 0;
  virtual Result<std::vector<PatientRecord>> ListPatients() = 0;

  // The patient's data key wrapped by the master key, if it exists (it is gone once erased).
  virtual Result<std::optional<std::string>> FindPatientKey(const std::string& patient_id) = 0;

  // AlreadyExists if the id is taken; FailedPrecondition if the patient does not exist.
  virtual Status InsertDevice(const DeviceRecord& device) = 0;
  virtual Result<std::optional<DeviceRecord>> FindDevice(const std::string& id) = 0;
  virtual Result<std::vector<DeviceRecord>> ListDevices() = 0;
  // NotFound if there is no such device.
  virtual Status SetDeviceStatus(const std::string& id, DeviceStatus status) = 0;

  // Makes all of `commits` durable in one transaction (fsync'd before it returns ok), and
  // raises each device's last_seq. All or nothing.
  virtual Status CommitReadings(std::span<const ReadingCommit> commits) = 0;

  // The payload digest of the committed message (device, seq), if there is one.
  virtual Result<std::optional<std::string>> FindReceiptDigest(const std::string& device_id,
                                                               uint64_t seq) = 0;

  // A patient's sealed Observations ordered by effective time, then device, sequence and the
  // order they were made in.
  virtual Result<std::vector<SealedObservation>> ListObservations(
      const std::string& patient_id) = 0;
};

enum class OpenMode { kCreate, kOpenExisting };

// Opens (or creates) the SQLite store at `path`: WAL journal, synchronous=FULL, files 0600.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode);

}  // namespace vigil::store
