#include "tests/support/test_pki.hpp"

#include <stdexcept>

#include "tests/support/process.hpp"

namespace rtpof::testing {
namespace {

void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  const RunResult result = run(args, std::chrono::seconds(60));
  if (result.exit_code != 0) throw std::runtime_error("openssl failed: " + result.output);
}

void make_ca(const std::filesystem::path& dir, const std::string& name) {
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2", "-subj", "/CN=" + name + " test CA",
           "-keyout", (dir / (name + ".key")).string(), "-out", (dir / (name + ".crt")).string()});
}

void issue(const std::filesystem::path& dir, const std::string& name, const std::string& ca) {
  const auto key = dir / (name + ".key"), request = dir / (name + ".csr");
  openssl({"req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", key.string(), "-out",
           request.string()});
  openssl({"x509", "-req", "-sha256", "-days", "2", "-in", request.string(), "-CA", (dir / (ca + ".crt")).string(),
           "-CAkey", (dir / (ca + ".key")).string(), "-CAcreateserial", "-out", (dir / (name + ".crt")).string()});
}

}  // namespace

std::vector<std::string> TestPki::client_flags() const {
  return {"+tls", client_key.string(), client_certificate.string(), "+cf", ca_certificate.string()};
}

std::vector<std::string> TestPki::stranger_flags() const {
  return {"+tls", stranger_key.string(), stranger_certificate.string(), "+cf", ca_certificate.string()};
}

TestPki make_test_pki(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  make_ca(dir, "ca");
  make_ca(dir, "rogue");
  issue(dir, "node", "ca");
  issue(dir, "client", "ca");
  issue(dir, "stranger", "rogue");
  openssl({"genrsa", "-out", (dir / "unrelated.key").string(), "2048"});
  TestPki pki;
  pki.ca_certificate = dir / "ca.crt";
  pki.node_certificate = dir / "node.crt";
  pki.node_key = dir / "node.key";
  pki.client_certificate = dir / "client.crt";
  pki.client_key = dir / "client.key";
  pki.stranger_certificate = dir / "stranger.crt";
  pki.stranger_key = dir / "stranger.key";
  pki.unrelated_key = dir / "unrelated.key";
  return pki;
}

}  // namespace rtpof::testing
