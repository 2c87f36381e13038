#include "app/journal_sink.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app/log_fields.hpp"

namespace rtpof::app {
namespace {

// One field of the native protocol: NAME=value, or, for a value holding a newline, NAME, a newline,
// the value's length as 64-bit little endian, the value, a newline.
void append_field(std::string& datagram, const std::string& name, const std::string& value) {
  if (value.find('\n') == std::string::npos) {
    datagram += name + "=" + value + "\n";
    return;
  }
  datagram += name + "\n";
  std::uint64_t length = value.size();
  for (int i = 0; i < 8; ++i) datagram.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
  datagram += value + "\n";
}

}  // namespace

std::optional<std::string> journal_socket_for_stderr() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return std::nullopt;
  unsigned long long device = 0, inode = 0;
  struct stat s {};
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2 || ::fstat(STDERR_FILENO, &s) != 0 ||
      static_cast<unsigned long long>(s.st_dev) != device || static_cast<unsigned long long>(s.st_ino) != inode)
    return std::nullopt;  // inherited from a parent, but stderr was redirected since
  const char* custom = std::getenv("RTPOF_JOURNAL_SOCKET");
  return std::string(custom && *custom ? custom : "/run/systemd/journal/socket");
}

int journal_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical: return 2;
    case spdlog::level::err: return 3;
    case spdlog::level::warn: return 4;
    case spdlog::level::info: return 6;
    default: return 7;
  }
}

JournalSink::JournalSink(std::string socket_path)
    : socket_path_(std::move(socket_path)), fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}

JournalSink::~JournalSink() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  const std::string message(msg.payload.data(), msg.payload.size());
  const int priority = journal_priority(msg.level);
  std::string datagram;
  append_field(datagram, "MESSAGE", message);
  append_field(datagram, "PRIORITY", std::to_string(priority));
  append_field(datagram, "SYSLOG_IDENTIFIER", "rtpof");
  for (const auto& [name, value] : log_fields(message)) append_field(datagram, name, value);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path_.c_str());
  // Never blocking: a journal that does not keep up must not stall an association or a job.
  if (fd_ >= 0 && ::sendto(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                           reinterpret_cast<sockaddr*>(&address), sizeof address) == static_cast<ssize_t>(datagram.size()))
    return;
  // No journal socket, a full one, or a line too long for one datagram: the stream, with its priority prefix.
  const std::string line = "<" + std::to_string(priority) + ">" + message + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace rtpof::app
