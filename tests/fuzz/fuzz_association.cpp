// Fuzz harness: the association and DIMSE path from bytes. The node's listener (scp/: accept loop, worker
// slots, DCMTK's negotiation and DIMSE, ingest into a scratch store) runs in this process on a loopback
// port; each input is sent on one TCP connection as a peer would send it, the write side is closed, and
// the answer is read until the node closes. The next input starts once no association is active, so
// every input is judged on a quiet node (and LeakSanitizer sees its allocations freed).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <thread>

#include "scp/dicom_listener.hpp"
#include "storage/archive.hpp"
#include "tests/fuzz/fuzz_setup.hpp"

namespace {

// A port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    std::abort();
  ::close(fd);
  return ntohs(address.sin_port);
}

// The listener and its store, for the life of the process.
class Node {
 public:
  Node() : archive_({rtpof::fuzz::scratch_dir() + "/node"}, quiet()) {
    rtpof::scp::ListenerOptions options;
    options.port = free_port();
    options.max_associations = 4;
    options.acse_timeout_s = 1;  // an input that stops mid-PDU costs a second, not ten
    options.dimse_timeout_s = 1;
    options.shutdown_grace_s = 1;
    port_ = options.port;
    listener_ = std::make_unique<rtpof::scp::DicomListener>(options, archive_, quiet());
    thread_ = std::thread([this] { listener_->run(); });
  }
  ~Node() {
    listener_->request_stop();
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  bool quiet_now() const { return listener_->active_associations() == 0; }

 private:
  static std::shared_ptr<spdlog::logger> quiet() {
    return std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
  }
  rtpof::storage::Archive archive_;
  std::unique_ptr<rtpof::scp::DicomListener> listener_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

// The node's timeouts are 1 s; 20 s (inside libFuzzer's 30 s per input) leave room for a loaded machine:
// an input whose command declares gigabytes makes DCMTK allocate them, which under ASan and a parallel
// build took over 10 s.
void wait_until_quiet(const Node& node) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!node.quiet_now() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  if (!node.quiet_now()) std::abort();  // an association that outlives every timeout is a finding
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rtpof::fuzz::initialise_once();
  static Node node;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(node.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int attempt = 0; ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0; ++attempt) {
    if (attempt == 200) std::abort();  // the listener stopped accepting: a finding
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the node closed: it has judged the input already
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  char answer[4096];
  while (::recv(fd, answer, sizeof answer, 0) > 0) {
  }
  ::close(fd);
  wait_until_quiet(node);
  return 0;
}
