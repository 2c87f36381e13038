#pragma once
// The node's one logger: stderr, text or JSON lines. DCMTK's own log (kept at WARN, since at DEBUG
// it dumps whole datasets with patient data) is routed into it.
#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <string>

namespace spdlog {
class logger;
}

namespace rtpof::app {

// format: "text" | "json"; level: trace | debug | info | warn | error.
std::shared_ptr<spdlog::logger> make_logger(const std::string& format, const std::string& level);

// Keeps the last line at error level or above, with its UTC time, for systemd's STATUS line.
class LastErrorSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LastErrorSink() { set_level(spdlog::level::err); }
  std::string last();  // "" before the first error

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::string last_;
};

// Routes DCMTK's log4cplus output into `logger`, at WARN and above only.
void route_dcmtk_log(const std::shared_ptr<spdlog::logger>& logger);

}  // namespace rtpof::app
