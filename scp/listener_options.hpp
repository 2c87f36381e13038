#pragma once
// What the listener needs to know, in its own terms: app/ fills it from the configuration.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scp/tls_options.hpp"

namespace rtpof::scp {

struct AllowedPeer {
  std::string ae_title;
  std::string host;  // name or numeric address; empty: any address
};

struct ListenerOptions {
  std::string ae_title = "RTPOF";
  std::uint16_t port = 11112;
  bool accept_any_caller = true;
  std::vector<AllowedPeer> peers;
  unsigned max_associations = 16;
  unsigned acse_timeout_s = 10;
  unsigned dimse_timeout_s = 120;
  unsigned shutdown_grace_s = 30;  // after a stop request, how long running associations may take
  std::optional<TlsOptions> tls;  // set: the port speaks DICOM over TLS only
};

}  // namespace rtpof::scp
