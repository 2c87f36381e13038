#pragma once
// A throw-away public key infrastructure for TLS tests, made with the openssl command: a test CA that
// the node trusts, certificates it issued for the node and for a client, a stranger's certificate
// from another CA, and a key that belongs to no certificate.
#include <filesystem>
#include <string>
#include <vector>

namespace rtpof::testing {

struct TestPki {
  std::filesystem::path ca_certificate;
  std::filesystem::path node_certificate, node_key;
  std::filesystem::path client_certificate, client_key;
  std::filesystem::path stranger_certificate, stranger_key;  // issued by another CA, not trusted
  std::filesystem::path unrelated_key;                       // matches no certificate

  // DCMTK command-line flags (echoscu, storescu, storescp) for TLS with the client's or stranger's identity,
  // trusting the test CA.
  std::vector<std::string> client_flags() const;
  std::vector<std::string> stranger_flags() const;
};

// Writes the files into `dir` (RSA 2048, SHA-256: what BCP 195 accepts). Throws when openssl fails.
TestPki make_test_pki(const std::filesystem::path& dir);

}  // namespace rtpof::testing
