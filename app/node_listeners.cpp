#include "app/node_listeners.hpp"

#include "scp/dicom_listener.hpp"
#include "scp/listening_port.hpp"

namespace rtpof::app {

struct NodeListeners::Running {
  scp::ListenerOptions options;
  std::unique_ptr<scp::DicomListener> listener;
  std::promise<void> done;
  std::shared_future<void> finished = done.get_future().share();
  std::thread thread;

  bool ended() const { return finished.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }
};

NodeListeners::NodeListeners(const std::vector<scp::ListenerOptions>& ports, storage::Archive& archive,
                             std::shared_ptr<spdlog::logger> logger, std::function<void()> on_finished,
                             const scp::AssociationObserver& observer) {
  // All are built before any thread starts: a TLS file that does not fit throws with nothing running.
  for (const auto& options : ports) {
    auto running = std::make_unique<Running>();
    running->options = options;
    running->listener = std::make_unique<scp::DicomListener>(options, archive, logger, observer);
    running_.push_back(std::move(running));
  }
  for (auto& r : running_) {
    Running* self = r.get();
    self->thread = std::thread([self, on_finished] {
      try {
        self->listener->run();
        self->done.set_value();
      } catch (...) {
        self->done.set_exception(std::current_exception());
      }
      on_finished();
    });
  }
}

NodeListeners::~NodeListeners() {
  for (auto& r : running_)
    if (r->thread.joinable()) r->thread.join();
}

bool NodeListeners::wait_until_bound(std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& r : running_) {
    // Where /proc/self/net cannot be read, a listener that has not failed is taken as bound.
    while (!r->ended() && !scp::port_is_listening(r->options.port).value_or(true) &&
           std::chrono::steady_clock::now() < deadline)
      r->finished.wait_for(std::chrono::milliseconds(10));
    if (r->ended()) return false;
  }
  return true;
}

void NodeListeners::request_stop() {
  for (auto& r : running_) r->listener->request_stop();
}

bool NodeListeners::wait_finished(std::chrono::seconds grace) const {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (const auto& r : running_)
    if (r->finished.wait_until(deadline) != std::future_status::ready) return false;
  return true;
}

void NodeListeners::rethrow_failure() {
  for (auto& r : running_) r->finished.get();
}

ListenerCounts NodeListeners::counts() const {
  ListenerCounts c;
  for (const auto& r : running_) {
    const scp::ListenerStats& s = r->listener->stats();
    c.associations_accepted += s.associations_accepted.load();
    c.associations_refused += s.associations_refused.load();
    c.refused_not_authorised += s.refused_not_authorised.load();
    c.refused_tls_handshake += s.refused_tls_handshake.load();
    c.contexts_refused += s.contexts_refused.load();
    c.active_associations += r->listener->active_associations();
    c.instances_stored += s.instances_stored.load();
    c.instances_duplicate += s.instances_duplicate.load();
    c.instances_refused += s.instances_refused.load();
    c.bytes_stored += s.bytes_stored.load();
  }
  return c;
}

std::string NodeListeners::describe() const {
  std::string text;
  for (const auto& r : running_) {
    if (!text.empty()) text += " and ";
    const auto& tls = r->options.tls;
    text += tls ? "TLS port " + std::to_string(r->options.port) + " (" + scp::profile_name(tls->profile) +
                      (tls->require_peer_certificate ? ", client certificate required)" : ", client certificate optional)")
                : "port " + std::to_string(r->options.port);
  }
  return text;
}

}  // namespace rtpof::app
