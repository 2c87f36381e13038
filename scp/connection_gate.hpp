#pragma once
// The accept loop: rtpof's own listening socket and a poll() over the connections that have not yet
// said what they want. A connection is handed on only once its first PDU (an A-ASSOCIATE-RQ, or on a
// TLS port the first TLS record) has fully arrived, so a silent or slow peer costs nothing but its
// entry here until the ACSE timeout, and never a worker thread or the loop itself.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace rtpof::scp {

struct GateOptions {
  std::uint16_t port = 0;
  bool tls = false;              // the first record is a TLS record, not a DICOM PDU
  std::chrono::seconds first_pdu_timeout{10};
  std::size_t max_waiting = 512;  // connections not yet handed on; past it the oldest is dropped
};

// The peer's numeric IPv4 address of a connected socket ("?" when it cannot be read).
std::string peer_address(int fd);

class ConnectionGate {
 public:
  // Binds and listens. Throws std::runtime_error naming the port and the reason when it cannot.
  explicit ConnectionGate(GateOptions options);
  ~ConnectionGate();
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // Serves until request_stop(). `ready(fd, address)` takes ownership of each connection whose first
  // PDU has arrived; `dropped(address, why)` reports one closed before that. Throws on a failure of
  // the loop itself (not of one connection), so the node can exit non-zero.
  void run(const std::function<void(int fd, const std::string& address)>& ready,
           const std::function<void(const std::string& address, const std::string& why)>& dropped);

  void request_stop();  // thread-safe, async-signal-safe

 private:
  GateOptions options_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd: request_stop() writes it to end poll()
};

}  // namespace rtpof::scp
