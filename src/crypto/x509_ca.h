// The hub's certificate authority: it makes the device CA and the server certificate at
// `vigil init`, and issues each device its client certificate (from a key it generates, or from
// a CSR so the device key never leaves the device). Keys are ECDSA P-256; signatures SHA-256.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::crypto {

struct KeyAndCert {
  std::string key_pem;   // PKCS#8 private key; a secret
  std::string cert_pem;  // X.509 certificate
};

struct CertificateInfo {
  std::string subject_cn;
  std::string serial_hex;
  std::string sha256_fingerprint;  // hex SHA-256 over the DER encoding
  int64_t not_after_epoch_seconds = 0;
};

// A new P-256 private key as PKCS#8 PEM.
Result<std::string> GeneratePrivateKeyPem();

// A self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign, cRLSign).
Result<KeyAndCert> CreateCertificateAuthority(const std::string& common_name, int days);

// A TLS server certificate for `hostnames` (DNS names and IP literals become subjectAltNames),
// signed by the CA, with a key generated here.
Result<KeyAndCert> IssueServerCertificate(const KeyAndCert& ca,
                                          const std::vector<std::string>& hostnames, int days);

// A TLS client certificate whose subject CN is `device_id`, for the public key in
// `private_key_pem`.
Result<std::string> IssueDeviceCertificateForKey(const KeyAndCert& ca, const std::string& device_id,
                                                 const std::string& private_key_pem, int days);

// The same for a PEM certificate signing request. The CSR's signature must verify, and its
// subject CN, when present, must equal `device_id`.
Result<std::string> IssueDeviceCertificateForCsr(const KeyAndCert& ca, const std::string& device_id,
                                                 const std::string& csr_pem, int days);

// Facts about a PEM certificate.
Result<CertificateInfo> InspectCertificatePem(const std::string& cert_pem);

// Facts about a DER certificate (what a TLS peer presented).
Result<CertificateInfo> InspectCertificateDer(std::string_view der);

}  // namespace vigil::crypto
