#pragma once
// The node's listening ports: plain DICOM ([node] port) and DICOM over TLS ([tls] port), each a
// DicomListener on a thread of its own, all storing into one archive. They start and stop together;
// when one stops listening (a stop request, or a port it could not open), `on_finished` is called from
// its thread so that the event loop can end.
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "scp/association_events.hpp"
#include "scp/listener_options.hpp"

namespace spdlog {
class logger;
}
namespace rtpof::storage {
class Archive;
}
namespace rtpof::scp {
class DicomListener;
}

namespace rtpof::app {

struct ListenerCounts {
  std::uint64_t associations_accepted = 0, associations_refused = 0, active_associations = 0, contexts_refused = 0;
  std::uint64_t refused_not_authorised = 0, refused_tls_handshake = 0;
  std::uint64_t instances_stored = 0, instances_duplicate = 0, instances_refused = 0, bytes_stored = 0;
};

class NodeListeners {
 public:
  // Builds every listener (TLS files are loaded here) and starts their threads.
  // `observer` hears of every port's received and refused associations (the audit trail).
  NodeListeners(const std::vector<scp::ListenerOptions>& ports, storage::Archive& archive,
                std::shared_ptr<spdlog::logger> logger, std::function<void()> on_finished,
                const scp::AssociationObserver& observer = {});
  ~NodeListeners();  // joins the threads: call only once wait_finished() said they ended
  NodeListeners(const NodeListeners&) = delete;
  NodeListeners& operator=(const NodeListeners&) = delete;

  // Until every port is bound (seen in /proc/self/net), or one listener has stopped; true when all listen.
  bool wait_until_bound(std::chrono::seconds timeout) const;
  void request_stop();  // thread-safe
  // Up to `grace` for every listener to end; false when some association still runs.
  bool wait_finished(std::chrono::seconds grace) const;
  void rethrow_failure();  // the first listener's failure to listen, if any (after wait_finished)

  ListenerCounts counts() const;
  // "port 11112 and TLS port 2762 (bcp195-nd, client certificate required)"
  std::string describe() const;

 private:
  struct Running;
  std::vector<std::unique_ptr<Running>> running_;
};

}  // namespace rtpof::app
