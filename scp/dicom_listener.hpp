#pragma once
// The Storage SCP: C-ECHO and C-STORE on a fixed set of association threads, each instance made
// durable and indexed by storage::Archive before its success status is sent. rtpof owns the accept
// loop and the threads (scp/connection_gate.hpp, scp/worker_slots.hpp); DCMTK negotiates and speaks
// DIMSE on each connection it is handed.
#include <memory>

#include "scp/association_events.hpp"
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
  // `observer` hears of associations that brought instances and of refused ones (the audit trail).
  DicomListener(ListenerOptions options, storage::Archive& archive, std::shared_ptr<spdlog::logger> logger,
                AssociationObserver observer = {});
  ~DicomListener();
  DicomListener(const DicomListener&) = delete;
  DicomListener& operator=(const DicomListener&) = delete;

  // Binds the port (in the constructor: throws std::runtime_error naming the port when it cannot be
  // opened) and serves until request_stop(); then lets running associations end for up to
  // shutdown_grace_s and aborts what is left. Throws when the accept loop itself fails.
  void run();

  // Thread-safe: stop accepting; run() returns once running associations have ended.
  void request_stop();

  const ListenerStats& stats() const;
  std::size_t active_associations() const;

 private:
  struct Parts;
  // Declared first: DCMTK keeps only a pointer to it, so it must be destroyed last.
  std::unique_ptr<DcmTLSTransportLayer> tls_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace rtpof::scp
