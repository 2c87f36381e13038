#include "scp/connection_gate.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <thread>
#include <vector>

#include "scp/associate_request_check.hpp"

namespace rtpof::scp {
namespace {

using Clock = std::chrono::steady_clock;

// A DICOM PDU header is 6 bytes (type, reserved, 32-bit length); a TLS record header 5 (type,
// version, 16-bit length). Past this many bytes buffered, a connection is handed on anyway: the
// kernel's buffer may never hold a very large A-ASSOCIATE-RQ whole.
constexpr std::size_t enough_bytes = 64 * 1024;

struct Waiting {
  int fd;
  std::string address;
  Clock::time_point deadline;
};

std::string listen_error(std::uint16_t port, int error) {
  std::string text = "cannot listen on port " + std::to_string(port) + ": " + std::strerror(error);
  if (error == EADDRINUSE) text += " (another process is using it: `ss -ltnp 'sport = :" + std::to_string(port) + "'` names it)";
  if (error == EACCES) text += " (ports below 1024 need root or the CAP_NET_BIND_SERVICE capability)";
  return text;
}

void set_low_water_mark(int fd, std::size_t bytes) {
  const int value = static_cast<int>(bytes);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &value, sizeof value);
}

// How many bytes the first PDU (or TLS record) needs in all, once its header is in; 0 while the header
// has not fully arrived.
std::size_t first_unit_size(int fd, bool tls) {
  unsigned char header[6] = {};
  const std::size_t header_size = tls ? 5 : 6;
  const ssize_t got = ::recv(fd, header, header_size, MSG_PEEK | MSG_DONTWAIT);
  if (got < static_cast<ssize_t>(header_size)) return 0;
  if (tls) return header_size + ((std::size_t{header[3]} << 8) | header[4]);
  if (header[0] != 0x01) return header_size;  // not an A-ASSOCIATE-RQ: DCMTK answers it with an abort
  const std::size_t length = (std::size_t{header[2]} << 24) | (std::size_t{header[3]} << 16) |
                             (std::size_t{header[4]} << 8) | header[5];
  return header_size + length;
}

// The A-ASSOCIATE-RQ's structure, when the whole PDU is buffered (not on a TLS port, whose first
// record is a handshake, nor for a request too large to buffer); empty when it may go to DCMTK.
std::string malformed_request(int fd, std::size_t needed, bool tls) {
  if (tls || needed > enough_bytes) return {};
  std::vector<unsigned char> pdu(needed);
  const ssize_t got = ::recv(fd, pdu.data(), pdu.size(), MSG_PEEK | MSG_DONTWAIT);
  if (got != static_cast<ssize_t>(pdu.size()) || pdu[0] != 0x01) return {};
  return associate_request_problem(pdu.data(), pdu.size());
}

}  // namespace

std::string peer_address(int fd) {
  sockaddr_in peer{};
  socklen_t length = sizeof peer;
  char text[INET_ADDRSTRLEN] = "?";
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0)
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
  return text;
}

ConnectionGate::ConnectionGate(GateOptions options) : options_(options) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) throw std::runtime_error(listen_error(options_.port, errno));
  const int yes = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = htons(options_.port);
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, SOMAXCONN) != 0) {
    const int error = errno;
    ::close(listen_fd_);
    throw std::runtime_error(listen_error(options_.port, error));
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    const int error = errno;
    ::close(listen_fd_);
    throw std::runtime_error(std::string("cannot create the listener's wake-up descriptor: ") + std::strerror(error));
  }
}

ConnectionGate::~ConnectionGate() {
  ::close(listen_fd_);
  ::close(wake_fd_);
}

void ConnectionGate::request_stop() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

void ConnectionGate::run(const std::function<void(int, const std::string&)>& ready,
                         const std::function<void(const std::string&, const std::string&)>& dropped) {
  std::deque<Waiting> waiting;  // oldest first
  std::vector<pollfd> polled;
  auto drop = [&](std::size_t index, const std::string& why) {
    dropped(waiting[index].address, why);
    ::close(waiting[index].fd);
    waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(index));
  };
  for (;;) {
    polled.clear();
    polled.push_back({wake_fd_, POLLIN, 0});
    polled.push_back({listen_fd_, POLLIN, 0});
    for (const auto& w : waiting) polled.push_back({w.fd, POLLIN | POLLRDHUP, 0});
    int timeout_ms = -1;
    if (!waiting.empty()) {
      const auto next = waiting.front().deadline;  // deadlines grow with arrival order
      timeout_ms = static_cast<int>(
          std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count() + 1));
    }
    const int n = ::poll(polled.data(), polled.size(), timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("the listener's poll() failed: ") + std::strerror(errno));
    }
    if (polled[0].revents) {
      for (auto& w : waiting) ::close(w.fd);
      return;
    }

    // Connections first (their indices shift as they leave): ready, closed, or still waiting.
    for (std::size_t p = polled.size(); p-- > 2;) {
      const std::size_t index = p - 2;
      const short events = polled[p].revents;
      if (!events) continue;
      const int fd = waiting[index].fd;
      int available = 0;
      if (::ioctl(fd, FIONREAD, &available) != 0) available = 0;
      const std::size_t needed = available > 0 ? first_unit_size(fd, options_.tls) : 0;
      const std::size_t target = needed == 0 ? (options_.tls ? 5 : 6) : std::min(needed, enough_bytes);
      if (needed != 0 && static_cast<std::size_t>(available) >= target) {
        if (const std::string problem = malformed_request(fd, needed, options_.tls); !problem.empty()) {
          (void)!::send(fd, provider_abort_pdu, sizeof provider_abort_pdu, MSG_NOSIGNAL | MSG_DONTWAIT);
          drop(index, "malformed A-ASSOCIATE-RQ (" + problem + "); answered with an A-ABORT");
          continue;
        }
        set_low_water_mark(fd, 1);
        const Waiting w = waiting[index];
        waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(index));
        ready(w.fd, w.address);
      } else if (available == 0 || (events & (POLLRDHUP | POLLHUP | POLLERR))) {
        // Readable with nothing to read, or the peer's half is shut with the PDU still incomplete.
        drop(index, "closed by the peer before a complete A-ASSOCIATE-RQ");
      } else {
        // poll() wakes this connection again only once the rest has arrived (or it closes).
        set_low_water_mark(fd, target);
      }
    }
    const auto now = Clock::now();
    while (!waiting.empty() && waiting.front().deadline <= now)
      drop(0, "no complete A-ASSOCIATE-RQ within " + std::to_string(options_.first_pdu_timeout.count()) +
                  " s (ACSE timeout)");

    if (polled[1].revents & POLLIN) {
      // Take every pending connection; the listening socket is non-blocking.
      for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EINTR || errno == ECONNABORTED) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            // Out of descriptors: the connection stays in the kernel's queue; try again shortly.
            dropped("", std::string("cannot accept a connection: ") + std::strerror(errno));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            break;
          }
          throw std::runtime_error(std::string("the listener's accept() failed: ") + std::strerror(errno));
        }
        if (waiting.size() >= options_.max_waiting) drop(0, "too many connections waiting for their A-ASSOCIATE-RQ");
        // Small PDUs (responses, releases) must not wait for Nagle's algorithm and delayed ACKs.
        const int no_delay = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &no_delay, sizeof no_delay);
        set_low_water_mark(fd, options_.tls ? 5 : 6);
        waiting.push_back({fd, peer_address(fd), Clock::now() + options_.first_pdu_timeout});
      }
    }
  }
}

}  // namespace rtpof::scp
