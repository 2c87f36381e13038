#pragma once
// DICOM over TLS (PS3.15 B.9 BCP 195 profiles), in the scp layer's own terms: app/ fills it from the
// configuration. The same identity serves the listener (as the server) and TLS destinations (as the
// client); the trusted certificates decide which peers are believed.
#include <filesystem>
#include <string>
#include <vector>

namespace rtpof::scp {

enum class TlsProfile { bcp195_nd, bcp195, bcp195_extended };

struct TlsOptions {
  std::filesystem::path certificate;  // PEM: ours, presented to every peer
  std::filesystem::path private_key;  // PEM, unencrypted (the service starts unattended)
  std::vector<std::filesystem::path> trusted_certificates;  // PEM CA certificates a peer's must chain to
  TlsProfile profile = TlsProfile::bcp195_nd;  // non-downgrading: TLS 1.2 or later, BCP 195 cipher suites
  bool require_peer_certificate = true;        // as a server: refuse clients without a trusted certificate
};

std::string profile_name(TlsProfile profile);

}  // namespace rtpof::scp
