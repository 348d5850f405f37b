#include "crypto/x509_ca.h"

#include <gtest/gtest.h>

namespace vigil::crypto {
namespace {

TEST(X509CaTest, IssuesDeviceCertificatesWithTheDeviceIdAsCn) {
  const auto ca = CreateCertificateAuthority("Vigil test device CA", 30);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  const std::string key = *GeneratePrivateKeyPem();
  const auto cert = IssueDeviceCertificateForKey(*ca, "dev-0001", key, 30);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  const auto info = InspectCertificatePem(*cert);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject_cn, "dev-0001");
  EXPECT_EQ(info->sha256_fingerprint.size(), 64u);
  EXPECT_FALSE(info->serial_hex.empty());
}

TEST(X509CaTest, ServerCertificateForHostnames) {
  const auto ca = CreateCertificateAuthority("Vigil test CA", 30);
  const auto server = IssueServerCertificate(*ca, {"localhost", "127.0.0.1"}, 30);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(InspectCertificatePem(server->cert_pem)->subject_cn, "localhost");
}

TEST(X509CaTest, RefusesGarbageCsr) {
  const auto ca = CreateCertificateAuthority("Vigil test CA", 30);
  EXPECT_EQ(IssueDeviceCertificateForCsr(*ca, "dev-1", "not a csr", 30).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::crypto
