#include "audit/audit_trail.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/dcmtrans.h>
#include <dcmtk/dcmtls/tlslayer.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "audit/audit_message.hpp"
#include "audit/syslog_record.hpp"
#include "scp/tls_layer.hpp"

namespace rtpof::audit {
namespace {

constexpr std::size_t kMaxWaiting = 10000;
constexpr std::size_t kMaxDatagram = 65000;  // below UDP's 65 507-byte payload over IPv4
constexpr auto kConnectTimeout = std::chrono::seconds(5);
constexpr auto kMaxBackoff = std::chrono::seconds(60);

// A connected socket of `type` to host:port, or -1 with `error` set. A stream socket's connect waits
// at most kConnectTimeout, and its sends at most 10 s.
int connect_to(const std::string& host, std::uint16_t port, int type, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    error = "cannot resolve " + host + ": " + gai_strerror(rc);
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
  error = "no address";
  for (const addrinfo* a = found; a; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kConnectTimeout).count()));
      int so_error = 0;
      socklen_t length = sizeof so_error;
      if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length) == 0 && so_error == 0) rc = 0;
      else {
        errno = rc == 0 ? ETIMEDOUT : (so_error ? so_error : errno);
        rc = -1;
      }
    }
    if (rc == 0) {
      if (type == SOCK_STREAM) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        timeval limit{10, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
      }
      return fd;
    }
    error = std::strerror(errno);
    ::close(fd);
  }
  return -1;
}

}  // namespace

std::string AuditRepository::label() const {
  return std::string(transport == Transport::tls ? "tls://" : "udp://") + host + ":" + std::to_string(port);
}

AuditTrail::AuditTrail(AuditSettings settings, std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)), log_(std::move(log)) {
  enabled_ = settings_.repository.has_value() || !settings_.file.empty();
  if (!enabled_) return;
  if (!settings_.file.empty()) open_file();
  if (settings_.repository && settings_.repository->transport == AuditRepository::Transport::tls) {
    if (!settings_.tls)
      throw std::runtime_error("[audit] repository " + settings_.repository->label() +
                               " needs the node's TLS identity: set [tls] certificate, private_key and "
                               "trusted_certificates");
    tls_layer_ = scp::make_tls_layer(*settings_.tls, scp::TlsRole::client);
  }
  thread_ = std::thread([this] { run(); });
}

AuditTrail::~AuditTrail() { close(); }

void AuditTrail::close() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  finish_tls();
  if (udp_socket_ >= 0) ::close(udp_socket_);
  if (file_ >= 0) ::close(file_);
  udp_socket_ = file_ = -1;
  enabled_ = false;
}

std::string AuditTrail::describe() const {
  if (!enabled_) return "off";
  std::string text = settings_.repository ? settings_.repository->label() : "";
  if (!settings_.file.empty()) text += (text.empty() ? "" : " and ") + settings_.file.string();
  return text;
}

void AuditTrail::record(const AuditEvent& event) {
  if (!enabled_) return;
  const auto now = std::chrono::system_clock::now();
  const Severity severity = std::holds_alternative<SecurityAlert>(event) ? Severity::warning : Severity::notice;
  std::string record = syslog_record(audit_message_xml(event, settings_.source, now), severity,
                                     settings_.source.host_name, settings_.source.process_id, now);
  {
    std::lock_guard lock(mutex_);
    incoming_.push_back(std::move(record));
  }
  changed_.notify_all();
}

void AuditTrail::reopen_file() {
  {
    std::lock_guard lock(mutex_);
    reopen_ = true;
  }
  changed_.notify_all();
}

void AuditTrail::open_file() {
  const int fd = ::open(settings_.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("[audit] file " + settings_.file.string() + " cannot be opened for appending: " +
                             std::strerror(errno));
  if (file_ >= 0) ::close(file_);
  file_ = fd;
}

void AuditTrail::write_to_file(const std::string& record) {
  if (file_ < 0) return;
  // One write per record (O_APPEND keeps records whole), a line each: the XML carries no newline.
  const std::string line = record + "\n";
  const ssize_t written = ::write(file_, line.data(), line.size());
  if (written != static_cast<ssize_t>(line.size()) || ::fdatasync(file_) != 0)
    log_->error("audit: a record could not be written to {}: {}; check the disk and the file's permissions",
                settings_.file.string(), written < 0 ? std::strerror(errno) : "short write");
}

void AuditTrail::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const bool retry_due = !waiting_.empty();
    if (retry_due)
      changed_.wait_until(lock, next_attempt_, [&] { return stopping_ || reopen_ || !incoming_.empty(); });
    else
      changed_.wait(lock, [&] { return stopping_ || reopen_ || !incoming_.empty(); });
    std::deque<std::string> batch;
    batch.swap(incoming_);
    const bool stopping = stopping_;
    const bool reopen = reopen_;
    reopen_ = false;
    lock.unlock();

    if (reopen && !settings_.file.empty()) {
      try {
        open_file();
      } catch (const std::exception& e) {
        log_->error("audit: {}", e.what());
      }
    }
    for (auto& record : batch) {
      write_to_file(record);
      if (!settings_.repository) continue;
      if (waiting_.size() >= kMaxWaiting) {
        if (dropped_ == 0)
          log_->warn("audit: {} records wait for {}; the oldest are dropped from now on{}", kMaxWaiting,
                     settings_.repository->label(),
                     settings_.file.empty() ? "" : " (they are in " + settings_.file.string() + ")");
        waiting_.pop_front();
        ++dropped_;
      }
      waiting_.push_back(std::move(record));
    }
    if (stopping) next_attempt_ = {};  // one last attempt, whatever the backoff
    if (!waiting_.empty()) send_waiting();  // waits out its backoff itself
    if (stopping) {
      if (!waiting_.empty())
        log_->warn("audit: {} record(s) not taken by {} at shutdown{}", waiting_.size(),
                   settings_.repository->label(),
                   settings_.file.empty() ? "" : "; they are in " + settings_.file.string());
      return;
    }
    lock.lock();
  }
}

bool AuditTrail::send_waiting() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) return false;
  while (!waiting_.empty()) {
    const std::string& record = waiting_.front();
    const bool sent = settings_.repository->transport == AuditRepository::Transport::udp ? send_udp(record)
                                                                                         : send_tls(record);
    if (!sent) break;
    waiting_.pop_front();
  }
  if (waiting_.empty()) {
    if (failing_)
      log_->info("audit: {} reached again{}", settings_.repository->label(),
                 dropped_ ? "; " + std::to_string(dropped_) + " record(s) had to be dropped meanwhile" : "");
    failing_ = false;
    dropped_ = 0;
    backoff_ = std::chrono::seconds(1);
    return true;
  }
  next_attempt_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, std::chrono::duration_cast<std::chrono::seconds>(kMaxBackoff));
  return false;
}

bool AuditTrail::send_udp(const std::string& record) {
  const auto& repository = *settings_.repository;
  if (record.size() > kMaxDatagram) {
    log_->warn("audit: a record of {} bytes is too large for a UDP datagram and was not sent to {}{}", record.size(),
               repository.label(), settings_.file.empty() ? "" : "; it is in " + settings_.file.string());
    return true;  // not retried: it would never fit
  }
  std::string error;
  if (udp_socket_ < 0) udp_socket_ = connect_to(repository.host, repository.port, SOCK_DGRAM, error);
  if (udp_socket_ >= 0 && ::send(udp_socket_, record.data(), record.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
                              static_cast<ssize_t>(record.size()))
    return true;
  if (error.empty()) error = std::strerror(errno);
  if (udp_socket_ >= 0) {
    ::close(udp_socket_);
    udp_socket_ = -1;
  }
  if (!failing_)
    log_->warn("audit: records cannot be sent to {}: {}; retrying", repository.label(), error);
  failing_ = true;
  return false;
}

bool AuditTrail::send_tls(const std::string& record) {
  const auto& repository = *settings_.repository;
  std::string error;
  if (!tls_connection_) {
    const int fd = connect_to(repository.host, repository.port, SOCK_STREAM, error);
    if (fd >= 0) {
      tls_connection_.reset(tls_layer_->createConnection(fd, OFTrue));
      tls_socket_ = fd;
      if (!tls_connection_) {
        ::close(fd);
        error = "the TLS layer could not take the connection";
      } else if (const OFCondition handshake = tls_connection_->clientSideHandshake(); handshake.bad()) {
        error = std::string("TLS handshake failed: ") + handshake.text() +
                " (the repository's certificate must chain to a CA in tls.trusted_certificates)";
        disconnect();
      }
    }
  }
  if (tls_connection_) {
    const std::string frame = octet_counted(record);
    std::size_t done = 0;
    while (done < frame.size()) {
      const ssize_t n = tls_connection_->write(const_cast<char*>(frame.data() + done), frame.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (done == frame.size()) return true;
    error = "the connection broke while sending";
    disconnect();
  }
  if (!failing_)
    log_->warn("audit: records cannot be sent to {}: {}; they wait (up to {}) and are retried", repository.label(),
               error, kMaxWaiting);
  failing_ = true;
  return false;
}

void AuditTrail::disconnect() {
  if (!tls_connection_) return;
  tls_connection_->close();
  tls_connection_.reset();
  tls_socket_ = -1;
}

void AuditTrail::finish_tls() {
  if (!tls_connection_) return;
  // Closing a socket with unread bytes (a TLS 1.3 server's session tickets) sends a reset, and a reset
  // makes the peer drop what it had received but not yet read: the last records would be lost.
  ::shutdown(tls_socket_, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  char discard[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{tls_socket_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    if (::recv(tls_socket_, discard, sizeof discard, 0) <= 0) break;  // the repository closed: all was read
  }
  disconnect();
}

}  // namespace rtpof::audit
