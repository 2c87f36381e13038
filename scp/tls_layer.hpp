#pragma once
// Builds DCMTK's TLS transport layer from TlsOptions, checking everything that can be checked before
// the first peer connects: the files are readable PEM, the key belongs to the certificate, at least one
// trusted certificate, the profile's cipher suites are available. A problem is a TlsSetupError naming
// the file and what to do, so a misconfigured node refuses to start instead of failing every handshake.
#include <memory>
#include <stdexcept>

#include "scp/tls_options.hpp"

class DcmTLSTransportLayer;

namespace rtpof::scp {

class TlsSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class TlsRole { server, client };

// The layer must outlive every association that uses it.
std::unique_ptr<DcmTLSTransportLayer> make_tls_layer(const TlsOptions& options, TlsRole role);

// The same checks, for start-up: throws TlsSetupError, keeps nothing.
void check_tls_setup(const TlsOptions& options, TlsRole role);

// Once per process, before the first layer (OpenSSL's own initialisation).
void initialise_tls_library();

}  // namespace rtpof::scp
