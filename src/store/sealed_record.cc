#include "store/sealed_record.h"

#include <openssl/crypto.h>

#include <bit>
#include <charconv>
#include <cstring>

#include "core/big_endian.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"

namespace vigil::store {
namespace {

constexpr char kVersion1 = 0x01;

// Fields joined with NUL bytes, which no id, code or number contains, written into `aad`.
void ObservationAad(std::string& aad, std::string_view id, std::string_view patient,
                    std::string_view device, std::string_view code, int64_t effective_ms,
                    uint64_t seq) {
  aad.assign("vigil.observation.v1");
  for (std::string_view part : {id, patient, device, code}) {
    aad.push_back('\0');
    aad += part;
  }
  char number[24];
  aad.push_back('\0');
  aad.append(number, std::to_chars(number, number + sizeof number, effective_ms).ptr);
  aad.push_back('\0');
  aad.append(number, std::to_chars(number, number + sizeof number, seq).ptr);
}

std::string DemographicsAad(const std::string& patient_id) {
  return std::string("vigil.patient.v1") + '\0' + patient_id;
}

Result<std::string> Seal(const std::string& key, const std::string& plaintext,
                         const std::string& aad) {
  VIGIL_ASSIGN_OR_RETURN(std::string body, crypto::AeadSeal(key, plaintext, aad));
  return std::string(1, kVersion1) + body;
}

// The AEAD part of a sealed record, after its version byte.
Result<std::string_view> SealedBody(std::string_view sealed) {
  if (sealed.empty() || sealed[0] != kVersion1) {
    return Status::DataLoss("sealed record has an unknown version");
  }
  return sealed.substr(1);
}

Result<std::string> Open(const std::string& key, const std::string& sealed,
                         const std::string& aad) {
  VIGIL_ASSIGN_OR_RETURN(std::string_view body, SealedBody(sealed));
  return crypto::AeadOpen(key, body, aad);
}

std::string EncodeValues(const model::Observation& o) {
  std::string out;
  out.reserve(9 + 9 * o.measurements.size());
  PutBigEndian(out, static_cast<uint64_t>(o.issued_ms), 8);
  out.push_back(static_cast<char>(o.measurements.size()));
  for (const auto& m : o.measurements) {
    out.push_back(static_cast<char>(m.kind));
    PutBigEndian(out, std::bit_cast<uint64_t>(m.value), 8);
  }
  return out;
}

Status DecodeValues(std::string_view in, model::Observation& o) {
  auto corrupt = [&o] {
    return Status::DataLoss("Observation " + o.id + " has a malformed sealed value");
  };
  uint64_t issued, count;
  if (!ReadBigEndian(in, 8, issued) || !ReadBigEndian(in, 1, count) || count < 1 || count > 2 ||
      in.size() != 9 * count) {
    return corrupt();
  }
  o.issued_ms = static_cast<int64_t>(issued);
  o.measurements.clear();
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t kind, bits;
    if (!ReadBigEndian(in, 1, kind) || !ReadBigEndian(in, 8, bits) ||
        kind > static_cast<uint8_t>(model::VitalKind::kBodyWeight)) {
      return corrupt();
    }
    o.measurements.push_back(
        {static_cast<model::VitalKind>(kind), std::bit_cast<double>(bits), o.effective_ms});
  }
  return Status::Ok();
}

}  // namespace

Result<SealedObservation> SealObservation(const std::string& data_key,
                                          const model::Observation& o) {
  SealedObservation row{o.id, o.patient_id, o.device_id, o.code, o.effective_ms, o.seq, {}};
  std::string aad;
  ObservationAad(aad, o.id, o.patient_id, o.device_id, o.code, o.effective_ms, o.seq);
  VIGIL_ASSIGN_OR_RETURN(row.sealed, Seal(data_key, EncodeValues(o), aad));
  return row;
}

Result<model::Observation> OpenObservation(const std::string& data_key,
                                           const SealedObservation& row) {
  ObservationOpener opener(data_key);
  model::Observation o;
  VIGIL_RETURN_IF_ERROR(opener.OpenInto(SealedObservationView(row), o));
  return o;
}

ObservationOpener::~ObservationOpener() { OPENSSL_cleanse(plaintext_.data(), plaintext_.size()); }

Status ObservationOpener::OpenInto(const SealedObservationView& row, model::Observation& o) {
  VIGIL_ASSIGN_OR_RETURN(std::string_view body, SealedBody(row.sealed));
  ObservationAad(aad_, row.id, row.patient_id, row.device_id, row.code, row.effective_ms, row.seq);
  VIGIL_RETURN_IF_ERROR(aead_.Open(body, aad_, plaintext_));
  o.id.assign(row.id);
  o.patient_id.assign(row.patient_id);
  o.device_id.assign(row.device_id);
  o.code.assign(row.code);
  o.effective_ms = row.effective_ms;
  o.seq = row.seq;
  o.suspect.clear();
  const Status decoded = DecodeValues(plaintext_, o);
  OPENSSL_cleanse(plaintext_.data(), plaintext_.size());
  if (!decoded.ok()) o.measurements.clear();  // nothing of a row that did not decode
  return decoded;
}

namespace {
std::string DeviceStateAad(const std::string& patient_id, const std::string& device_id) {
  return std::string("vigil.device-state.v1") + '\0' + patient_id + '\0' + device_id;
}
}  // namespace

Result<std::string> SealDeviceState(const std::string& data_key, const std::string& patient_id,
                                    const std::string& device_id, const std::string& state) {
  return Seal(data_key, state, DeviceStateAad(patient_id, device_id));
}

Result<std::string> OpenDeviceState(const std::string& data_key, const std::string& patient_id,
                                    const std::string& device_id, const std::string& sealed) {
  return Open(data_key, sealed, DeviceStateAad(patient_id, device_id));
}

Result<std::string> SealDemographics(const std::string& data_key, const std::string& patient_id,
                                     const std::string& demographics_json) {
  return Seal(data_key, demographics_json, DemographicsAad(patient_id));
}

Result<std::string> OpenDemographics(const std::string& data_key, const std::string& patient_id,
                                     const std::string& sealed) {
  return Open(data_key, sealed, DemographicsAad(patient_id));
}

std::string ReceiptDigest(const std::string& data_key, std::string_view payload) {
  const auto receipt_key = crypto::HmacSha256(data_key, "vigil.receipt-digest.v1");
  const auto digest = crypto::HmacSha256(
      std::string_view(reinterpret_cast<const char*>(receipt_key.data()), receipt_key.size()),
      payload);
  return std::string(digest.begin(), digest.end());
}

}  // namespace vigil::store
