#include "scp/tls_layer.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmtls/tlslayer.h>

#include <fstream>

namespace rtpof::scp {
namespace {

DcmTLSSecurityProfile dcmtk_profile(TlsProfile profile) {
  switch (profile) {
    case TlsProfile::bcp195: return TSP_Profile_BCP195;
    case TlsProfile::bcp195_extended: return TSP_Profile_BCP195_Extended;
    case TlsProfile::bcp195_nd: break;
  }
  return TSP_Profile_BCP195_ND;
}

// OpenSSL's own error for a missing file is terse; say which file and which key of the configuration.
void require_readable(const std::filesystem::path& file, const char* what) {
  if (file.empty()) throw TlsSetupError(std::string("TLS: no ") + what + " file is configured");
  if (!std::ifstream(file).good())
    throw TlsSetupError(std::string("TLS: cannot read the ") + what + " file " + file.string() +
                        " (does it exist, and may this user read it?)");
}

void check(const OFCondition& status, const std::string& what) {
  if (status.bad()) throw TlsSetupError("TLS: " + what + ": " + status.text());
}

}  // namespace

std::string profile_name(TlsProfile profile) {
  switch (profile) {
    case TlsProfile::bcp195: return "bcp195";
    case TlsProfile::bcp195_extended: return "bcp195-ex";
    case TlsProfile::bcp195_nd: break;
  }
  return "bcp195-nd";
}

void initialise_tls_library() { DcmTLSTransportLayer::initializeOpenSSL(); }

std::unique_ptr<DcmTLSTransportLayer> make_tls_layer(const TlsOptions& options, TlsRole role) {
  require_readable(options.certificate, "certificate");
  require_readable(options.private_key, "private key");
  if (options.trusted_certificates.empty())
    throw TlsSetupError("TLS: no trusted certificates are configured: no peer's certificate could be verified");
  for (const auto& file : options.trusted_certificates) require_readable(file, "trusted certificate");

  auto layer = std::make_unique<DcmTLSTransportLayer>(role == TlsRole::server ? NET_ACCEPTOR : NET_REQUESTOR,
                                                      nullptr, OFFalse);
  if (!*layer) throw TlsSetupError("TLS: OpenSSL could not be set up for DICOM TLS");
  // The profile first: it decides the protocol versions and the cipher suites the key must fit.
  check(layer->setTLSProfile(dcmtk_profile(options.profile)),
        "the security profile " + profile_name(options.profile) + " is not available");
  check(layer->setPrivateKeyFile(options.private_key.c_str(), DCF_Filetype_PEM),
        "cannot load the private key " + options.private_key.string() + " (PEM, unencrypted)");
  check(layer->setCertificateFile(options.certificate.c_str(), DCF_Filetype_PEM),
        "cannot load the certificate " + options.certificate.string() +
            " (PEM; BCP 195 wants an RSA key of 2048 bits or more and a SHA-2 signature)");
  if (!layer->checkPrivateKeyMatchesCertificate())
    throw TlsSetupError("TLS: the private key " + options.private_key.string() + " does not match the certificate " +
                        options.certificate.string() + ": install the key the certificate was issued for");
  for (const auto& file : options.trusted_certificates)
    check(layer->addTrustedCertificateFile(file.c_str(), DCF_Filetype_PEM),
          "cannot load the trusted certificate " + file.string() + " (PEM)");
  // A client always verifies the server; a server asks for and verifies the client's certificate.
  layer->setCertificateVerification(role == TlsRole::client || options.require_peer_certificate
                                        ? DCV_requireCertificate
                                        : DCV_checkCertificate);
  check(layer->activateCipherSuites(), "the cipher suites of " + profile_name(options.profile) + " cannot be used");
  return layer;
}

void check_tls_setup(const TlsOptions& options, TlsRole role) { make_tls_layer(options, role); }

}  // namespace rtpof::scp
