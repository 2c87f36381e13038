// DICOM over TLS at the node's TLS port (issue 9): a client with a certificate from the trusted CA
// stores, while the plain port goes on serving beside it; plain DICOM, a certificate from another CA and
// no certificate at all are refused at the handshake, nothing is stored and the node goes on serving; a
// private key that is not the certificate's stops start-up with a message naming both files. Real node, DCMTK's storescu/echoscu, certificates made by
// the openssl command in the test.
#include <gtest/gtest.h>

#include "tests/support/node_fixture.hpp"
#include "tests/support/test_pki.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;

class TlsE2E : public NodeFixture {
 protected:
  void SetUp() override {
    pki_ = make_test_pki(data_ / "pki");
    tls_port_ = free_port();
  }

  // A TLS port beside the plain one, with the node's certificate, trusting the test CA.
  fs::path tls_config(const fs::path& private_key) {
    return write_config("[node]\naccept_any_caller = true\n[tls]\nport = " + std::to_string(tls_port_) +
                        "\ncertificate = \"" + pki_.node_certificate.string() + "\"\nprivate_key = \"" +
                        private_key.string() + "\"\ntrusted_certificates = [\"" + pki_.ca_certificate.string() +
                        "\"]\n");
  }
  void start_tls_node() { start_node({"--config", tls_config(pki_.node_key).string()}); }

  // storescu and echoscu at the TLS port, with `flags` (TLS options or none).
  RunResult store_at_tls_port(const fs::path& dir, const std::vector<std::string>& flags) {
    return storescu(dir, "STORESCU", flags, tls_port_);
  }
  bool tls_echo() {
    std::vector<std::string> argv = {"echoscu", "-to", "5", "-aec", "RTPOF"};
    const auto flags = pki_.client_flags();
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), {"127.0.0.1", std::to_string(tls_port_)});
    return run(argv, std::chrono::seconds(20)).exit_code == 0;
  }

  // A few CT slices and the planning objects of a small phantom, in one flat folder.
  fs::path small_case() {
    auto spec = phantom::PhantomSpec::small(91);
    spec.slices = 12;
    const auto planning = make_phantom(spec, "tls");
    std::vector<fs::path> files = planning.ct;
    files.insert(files.end(), {planning.rtstruct, planning.rtplan, planning.rtdose});
    return split_into(files, source_ / "send", 1).front();
  }

  TestPki pki_;
  int tls_port_ = 0;
};

TEST_F(TlsE2E, AClientWithACertificateFromTheTrustedCaStoresOverTlsAndThePlainPortServesBeside) {
  start_tls_node();
  const fs::path dir = small_case();
  const RunResult sent = store_at_tls_port(dir, pki_.client_flags());
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_EQ(stored_datasets().size(), count_files(dir));
  EXPECT_NE(node_->log().find("on port " + std::to_string(node_->port()) + " and TLS port " +
                              std::to_string(tls_port_) + " (bcp195-nd, client certificate required)"),
            std::string::npos)
      << node_->log();
  // The same files again at the plain port: one archive, so all are identical duplicates there.
  const RunResult plain = storescu(dir);
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_NE(node_->log().find("; 0 stored, " + std::to_string(count_files(dir)) + " duplicate"), std::string::npos)
      << node_->log();
}

TEST_F(TlsE2E, PlainDicomToTheTlsPortIsRefusedAndNothingIsStored) {
  start_tls_node();
  const RunResult sent = store_at_tls_port(small_case(), {});
  EXPECT_NE(sent.exit_code, 0) << sent.output;
  EXPECT_TRUE(stored_datasets().empty());
  EXPECT_NE(node_->log().find("association refused: from 127.0.0.1: TLS handshake failed ("), std::string::npos) << node_->log();
  EXPECT_TRUE(tls_echo()) << "the node must go on serving TLS clients";
}

TEST_F(TlsE2E, ACertificateFromAnotherCaIsRefusedAtTheHandshake) {
  start_tls_node();
  const RunResult sent = store_at_tls_port(small_case(), pki_.stranger_flags());
  EXPECT_NE(sent.exit_code, 0) << sent.output;
  EXPECT_TRUE(stored_datasets().empty());
  EXPECT_NE(node_->log().find("TLS handshake failed (certificate verify failed)"), std::string::npos) << node_->log();
  EXPECT_TRUE(tls_echo());
}

TEST_F(TlsE2E, AClientWithoutACertificateIsRefused) {
  start_tls_node();
  const RunResult sent = store_at_tls_port(small_case(), {"+tla", "+cf", pki_.ca_certificate.string()});  // anonymous
  EXPECT_NE(sent.exit_code, 0) << sent.output;
  EXPECT_TRUE(stored_datasets().empty());
  EXPECT_NE(node_->log().find("TLS handshake failed (peer did not return a certificate)"), std::string::npos)
      << node_->log();
}

TEST_F(TlsE2E, APrivateKeyThatIsNotTheCertificatesStopsStartUp) {
  const fs::path config = tls_config(pki_.unrelated_key);
  const RunResult served = run({rtpof_binary().string(), "serve", "--config", config.string(), "--data-dir",
                                data_dir().string(), "--port", std::to_string(free_port())},
                               std::chrono::seconds(30));
  EXPECT_EQ(served.exit_code, 1) << served.output;
  EXPECT_NE(served.output.find("the private key " + pki_.unrelated_key.string() + " does not match the certificate " +
                               pki_.node_certificate.string()),
            std::string::npos)
      << served.output;
  EXPECT_EQ(served.output.find("listening:"), std::string::npos) << "it must stop before it listens";
}

TEST_F(TlsE2E, AMissingCertificateFileStopsStartUpNamingTheFile) {
  const fs::path missing = data_ / "pki" / "nowhere.crt";
  const fs::path config = write_config("[node]\naccept_any_caller = true\n[tls]\ncertificate = \"" + missing.string() +
                                       "\"\nprivate_key = \"" + pki_.client_key.string() +
                                       "\"\ntrusted_certificates = [\"" + pki_.ca_certificate.string() +
                                       "\"]\n[[destinations]]\nae_title = \"PACS\"\nhost = \"127.0.0.1\"\n"
                                       "port = 104\ntls = true\n");
  const RunResult served = run({rtpof_binary().string(), "serve", "--config", config.string(), "--data-dir",
                                data_dir().string(), "--port", std::to_string(free_port())},
                               std::chrono::seconds(30));
  EXPECT_EQ(served.exit_code, 1) << served.output;
  EXPECT_NE(served.output.find("cannot read the certificate file " + missing.string()), std::string::npos)
      << served.output;
}

}  // namespace
}  // namespace rtpof::testing
