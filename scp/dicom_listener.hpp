#pragma once
// The Storage SCP: C-ECHO and C-STORE on a bounded pool of association threads, each instance made
// durable and indexed by storage::Archive before its success status is sent.
#include <memory>

#include "scp/listener_options.hpp"
#include "scp/listener_stats.hpp"

class DcmTLSTransportLayer;
namespace spdlog {
class logger;
}
namespace rtpof::storage {
class Archive;
}

namespace rtpof::scp {

class DicomListener {
 public:
  // Throws std::runtime_error when the options cannot work (a peer host that does not resolve), and
  // TlsSetupError when TLS is asked for and its files do not fit (a key that is not the certificate's).
  DicomListener(ListenerOptions options, storage::Archive& archive, std::shared_ptr<spdlog::logger> logger);
  ~DicomListener();
  DicomListener(const DicomListener&) = delete;
  DicomListener& operator=(const DicomListener&) = delete;

  // Binds the port and serves until request_stop(); then waits for running associations to end.
  // Throws std::runtime_error when the port cannot be opened.
  void run();

  // Thread-safe: stop accepting; run() returns once running associations have ended.
  void request_stop();

  const ListenerStats& stats() const;
  std::size_t active_associations() const;

 private:
  class Pool;
  // Declared before the pool: DCMTK keeps only a pointer, so the layer must be destroyed after it.
  std::unique_ptr<DcmTLSTransportLayer> tls_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace rtpof::scp
