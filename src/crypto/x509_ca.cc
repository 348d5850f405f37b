#include "crypto/x509_ca.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "crypto/bytes.h"

namespace vigil::crypto {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Status OpenSslError(const std::string& what) {
  return Status::Internal(what + " failed (OpenSSL)");
}

Bio MemoryBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::string DrainBio(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<Key> ParsePrivateKey(const std::string& pem) {
  Bio bio = MemoryBio(pem);
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Status::InvalidArgument("not a PEM private key");
  return key;
}

Result<Cert> ParseCertificate(const std::string& pem) {
  Bio bio = MemoryBio(pem);
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::InvalidArgument("not a PEM certificate");
  return cert;
}

Result<std::string> KeyToPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return OpenSslError("writing private key");
  }
  return DrainBio(bio.get());
}

Result<std::string> CertToPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) return OpenSslError("writing certificate");
  return DrainBio(bio.get());
}

Result<Key> NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("P-256 key generation");
  return key;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return OpenSslError("certificate extension " + value);
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok ? Status::Ok() : OpenSslError("adding certificate extension");
}

// A certificate body: random 128-bit serial, validity from one hour ago (clock slack) for `days`.
Result<Cert> NewCertificate(const std::string& common_name, EVP_PKEY* subject_key, int days) {
  Cert cert(X509_new());
  if (!cert || !X509_set_version(cert.get(), 2)) return OpenSslError("certificate allocation");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return OpenSslError("serial generation");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  ASN1_INTEGER* asn1_serial = BN_to_ASN1_INTEGER(bn, nullptr);
  BN_free(bn);
  X509_set_serialNumber(cert.get(), asn1_serial);
  ASN1_INTEGER_free(asn1_serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                  -1, 0) ||
      !X509_set_pubkey(cert.get(), subject_key)) {
    return OpenSslError("certificate subject");
  }
  return cert;
}

Status SignWith(X509* cert, X509* issuer_cert, EVP_PKEY* issuer_key) {
  if (!X509_set_issuer_name(cert, X509_get_subject_name(issuer_cert))) {
    return OpenSslError("certificate issuer");
  }
  VIGIL_RETURN_IF_ERROR(AddExtension(cert, issuer_cert, NID_subject_key_identifier, "hash"));
  VIGIL_RETURN_IF_ERROR(
      AddExtension(cert, issuer_cert, NID_authority_key_identifier, "keyid:always"));
  if (!X509_sign(cert, issuer_key, EVP_sha256())) return OpenSslError("certificate signing");
  return Status::Ok();
}

Result<std::string> IssueDeviceCertificate(const KeyAndCert& ca, const std::string& device_id,
                                           EVP_PKEY* device_key, int days) {
  VIGIL_ASSIGN_OR_RETURN(Key ca_key, ParsePrivateKey(ca.key_pem));
  VIGIL_ASSIGN_OR_RETURN(Cert ca_cert, ParseCertificate(ca.cert_pem));
  VIGIL_ASSIGN_OR_RETURN(Cert cert, NewCertificate(device_id, device_key, days));
  VIGIL_RETURN_IF_ERROR(
      AddExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  VIGIL_RETURN_IF_ERROR(
      AddExtension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature"));
  VIGIL_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_ext_key_usage, "clientAuth"));
  VIGIL_RETURN_IF_ERROR(SignWith(cert.get(), ca_cert.get(), ca_key.get()));
  return CertToPem(cert.get());
}

std::string SubjectCn(X509* cert) {
  char buf[256] = {0};
  const int len =
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return len > 0 ? std::string(buf, static_cast<size_t>(len)) : std::string();
}

Result<CertificateInfo> Inspect(X509* cert) {
  CertificateInfo info;
  info.subject_cn = SubjectCn(cert);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  info.serial_hex = Hex(std::string_view(reinterpret_cast<const char*>(serial->data),
                                         static_cast<size_t>(serial->length)));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (!X509_digest(cert, EVP_sha256(), md, &md_len)) return OpenSslError("certificate digest");
  info.sha256_fingerprint = Hex(std::string_view(reinterpret_cast<char*>(md), md_len));
  struct tm tm_after {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm_after)) {
    info.not_after_epoch_seconds = static_cast<int64_t>(timegm(&tm_after));
  }
  return info;
}

}  // namespace

Result<std::string> GeneratePrivateKeyPem() {
  VIGIL_ASSIGN_OR_RETURN(Key key, NewKey());
  return KeyToPem(key.get());
}

Result<KeyAndCert> CreateCertificateAuthority(const std::string& common_name, int days) {
  VIGIL_ASSIGN_OR_RETURN(Key key, NewKey());
  VIGIL_ASSIGN_OR_RETURN(Cert cert, NewCertificate(common_name, key.get(), days));
  VIGIL_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  VIGIL_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  VIGIL_RETURN_IF_ERROR(SignWith(cert.get(), cert.get(), key.get()));
  KeyAndCert out;
  VIGIL_ASSIGN_OR_RETURN(out.key_pem, KeyToPem(key.get()));
  VIGIL_ASSIGN_OR_RETURN(out.cert_pem, CertToPem(cert.get()));
  return out;
}

Result<KeyAndCert> IssueServerCertificate(const KeyAndCert& ca,
                                          const std::vector<std::string>& hostnames, int days) {
  if (hostnames.empty()) return Status::InvalidArgument("a server certificate needs a hostname");
  VIGIL_ASSIGN_OR_RETURN(Key ca_key, ParsePrivateKey(ca.key_pem));
  VIGIL_ASSIGN_OR_RETURN(Cert ca_cert, ParseCertificate(ca.cert_pem));
  VIGIL_ASSIGN_OR_RETURN(Key key, NewKey());
  VIGIL_ASSIGN_OR_RETURN(Cert cert, NewCertificate(hostnames.front(), key.get(), days));
  std::string san;
  for (const auto& host : hostnames) {
    unsigned char addr[16];
    const bool is_ip =
        inet_pton(AF_INET, host.c_str(), addr) == 1 || inet_pton(AF_INET6, host.c_str(), addr) == 1;
    if (!san.empty()) san += ",";
    san += (is_ip ? "IP:" : "DNS:") + host;
  }
  VIGIL_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_subject_alt_name, san));
  VIGIL_RETURN_IF_ERROR(
      AddExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  VIGIL_RETURN_IF_ERROR(
      AddExtension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature"));
  VIGIL_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth"));
  VIGIL_RETURN_IF_ERROR(SignWith(cert.get(), ca_cert.get(), ca_key.get()));
  KeyAndCert out;
  VIGIL_ASSIGN_OR_RETURN(out.key_pem, KeyToPem(key.get()));
  VIGIL_ASSIGN_OR_RETURN(out.cert_pem, CertToPem(cert.get()));
  return out;
}

Result<std::string> IssueDeviceCertificateForKey(const KeyAndCert& ca, const std::string& device_id,
                                                 const std::string& private_key_pem, int days) {
  VIGIL_ASSIGN_OR_RETURN(Key key, ParsePrivateKey(private_key_pem));
  return IssueDeviceCertificate(ca, device_id, key.get(), days);
}

Result<std::string> IssueDeviceCertificateForCsr(const KeyAndCert& ca, const std::string& device_id,
                                                 const std::string& csr_pem, int days) {
  Bio bio = MemoryBio(csr_pem);
  Req req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) return Status::InvalidArgument("not a PEM certificate signing request");
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (!key || X509_REQ_verify(req.get(), key) != 1) {
    return Status::InvalidArgument("the CSR's signature does not verify");
  }
  char cn[256] = {0};
  const int len = X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req.get()), NID_commonName,
                                            cn, sizeof cn);
  if (len > 0 && device_id != std::string(cn, static_cast<size_t>(len))) {
    return Status::InvalidArgument("the CSR's subject CN differs from the device id");
  }
  return IssueDeviceCertificate(ca, device_id, key, days);
}

Result<CertificateInfo> InspectCertificatePem(const std::string& cert_pem) {
  VIGIL_ASSIGN_OR_RETURN(Cert cert, ParseCertificate(cert_pem));
  return Inspect(cert.get());
}

Result<CertificateInfo> InspectCertificateDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Cert cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return Status::InvalidArgument("not a DER certificate");
  return Inspect(cert.get());
}

}  // namespace vigil::crypto
