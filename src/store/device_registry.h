// Who is enrolled: patients, their data keys wrapped by the master key, and their devices with
// the certificate each may present and the sequence numbers it has used. Every method is
// thread-safe; nothing in a record is health data in the clear (demographics are sealed).
#pragma once

#include <cstdint>
#include <optional>
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
  bool quarantined = false;  // held by a containment playbook until released
  bool vitals_only = false;  // restricted by one instead: its readings accepted, nothing else
  int64_t enrolled_ms = 0;
  uint64_t last_seq = 0;  // highest durably accepted sequence number
};

// When a hub last heard from a device, and until when its certificate is valid: for silent
// devices and certificates about to expire.
struct DeviceActivity {
  std::string device_id;
  int64_t last_seen_ms = 0;       // 0: never heard from since the hub began keeping it
  int64_t cert_not_after_ms = 0;  // 0: not known (enrolled before, and not heard from since)
};

class DeviceRegistry {
 public:
  virtual ~DeviceRegistry() = default;

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
  // Raises the device's last_seq to `seq` if it is lower, so that sequence numbers up to it are
  // refused as replays (after a loss of acknowledged readings: `vigil recover`).
  virtual Status RaiseLastSequence(const std::string& id, uint64_t seq) = 0;
  // Quarantines a device (idempotent; FailedPrecondition for an unknown device) or releases it
  // (NotFound if it was neither quarantined nor restricted). kVitalsOnly restricts it instead:
  // its readings are still taken (a patient's monitoring goes on), nothing else is.
  enum class Hold { kQuarantine, kVitalsOnly };
  virtual Status QuarantineDevice(const std::string& id, const std::string& reason,
                                  int64_t since_ms, Hold hold) = 0;
  virtual Status ReleaseDevice(const std::string& id) = 0;

  // Merges what hubs saw of devices: the later last_seen_ms wins, a non-zero cert_not_after_ms
  // replaces the one stored (several hubs may record one device). Atomic.
  virtual Status RecordDeviceActivity(const std::vector<DeviceActivity>& activity) = 0;
  virtual Result<std::vector<DeviceActivity>> ListDeviceActivity() = 0;
};

}  // namespace vigil::store
