#pragma once
// Log lines for systemd's journal, when the node's standard error is the journal's stream (JOURNAL_STREAM
// names its device and inode, as systemd sets it for a service): each line is sent through the journal's
// native protocol with its priority (so `journalctl -p warning -u rtpof` finds the warnings and errors)
// and its structured fields (app/log_fields: RTPOF_EVENT, RTPOF_JOB, RTPOF_PATIENT, RTPOF_CLASS). The
// socket is /run/systemd/journal/socket, or $RTPOF_JOURNAL_SOCKET where a container mounts it elsewhere.
// A line the socket does not take at once goes to standard error with a "<N>" priority prefix, which the
// journal's stream reader understands.
#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <optional>
#include <string>

namespace rtpof::app {

// The journal socket's path when standard error is the journal's stream; nullopt otherwise.
std::optional<std::string> journal_socket_for_stderr();

class JournalSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit JournalSink(std::string socket_path);
  ~JournalSink() override;
  JournalSink(const JournalSink&) = delete;
  JournalSink& operator=(const JournalSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::string socket_path_;
  int fd_ = -1;
};

// syslog priority of a spdlog level: critical 2, error 3, warning 4, info 6, debug and trace 7.
int journal_priority(spdlog::level::level_enum level);

}  // namespace rtpof::app
