#pragma once
// The node's audit trail: each event becomes a DICOM audit message (PS3.15 A.5) in an RFC 5424
// syslog record, appended to a local file and/or sent to the hospital's audit record repository over
// UDP (RFC 5426) or TLS (RFC 5425, with the node's [tls] identity). Recording never waits on the
// network: a thread of its own writes and sends, and keeps what a TLS repository has not taken yet
// (up to 10 000 records) until it can be reached again. The records name patients, so nothing of
// their content reaches the operational log; its lines say only where the trail goes and whether it
// is reaching it.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "audit/audit_events.hpp"
#include "scp/tls_options.hpp"

class DcmTLSTransportLayer;
class DcmTransportConnection;
namespace spdlog {
class logger;
}

namespace rtpof::audit {

struct AuditRepository {
  enum class Transport { udp, tls };
  Transport transport = Transport::udp;
  std::string host;
  std::uint16_t port = 514;
  std::string label() const;  // "udp://host:514"
};

struct AuditSettings {
  std::optional<AuditRepository> repository;  // none: the file only
  std::filesystem::path file;                 // empty: the repository only
  AuditSource source;
  std::optional<scp::TlsOptions> tls;  // the node's identity; needed for Transport::tls
};

class AuditTrail {
 public:
  // Opens the file (mode 0600; throws std::runtime_error naming it) and, for TLS, builds the client
  // layer (throws scp::TlsSetupError naming the file at fault). With neither a repository nor a file
  // the trail is off and record() does nothing.
  AuditTrail(AuditSettings settings, std::shared_ptr<spdlog::logger> log);
  ~AuditTrail();  // close()
  // Writes and sends what is queued (waiting up to 5 s for an unreachable repository) and stops; later
  // records are dropped. For an exit that skips destructors.
  void close();
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  bool enabled() const { return enabled_; }
  std::string describe() const;  // "udp://host:514 and /var/lib/rtpof/audit.log", "off"
  const AuditSource& source() const { return settings_.source; }  // rtpof as the messages name it

  // Thread-safe; formats the message now (its time is now) and queues it.
  void record(const AuditEvent& event);
  // Thread-safe: the file is opened again by name (after logrotate moved it), before the next record.
  void reopen_file();

 private:
  void run();
  void write_to_file(const std::string& record);
  void open_file();
  // Sends what waits for the repository, oldest first; false when the repository cannot be reached.
  bool send_waiting();
  bool send_udp(const std::string& record);
  bool send_tls(const std::string& record);
  void disconnect();
  // At shutdown: ends our side, then reads until the repository closes (at most 2 s), so that closing
  // does not reset the connection while the repository still has our last records unread.
  void finish_tls();

  AuditSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  bool enabled_ = false;
  std::unique_ptr<DcmTLSTransportLayer> tls_layer_;
  std::unique_ptr<DcmTransportConnection> tls_connection_;
  int tls_socket_ = -1;  // the TLS connection's socket (owned by tls_connection_)
  int udp_socket_ = -1;
  int file_ = -1;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> incoming_;  // guarded by mutex_
  bool stopping_ = false;             // guarded by mutex_
  bool reopen_ = false;               // guarded by mutex_

  // The writer thread's own.
  std::deque<std::string> waiting_;  // records not yet taken by the repository
  std::uint64_t dropped_ = 0;
  bool failing_ = false;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::seconds backoff_{1};

  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace rtpof::audit
