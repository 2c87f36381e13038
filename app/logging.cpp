#include "app/logging.hpp"
#include "storage/utc_time.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/oflog/oflog.h>
#include <dcmtk/oflog/spi/logevent.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>

namespace rtpof::app {
namespace {

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

// One JSON object per line, for log shippers.
class JsonLinesSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string stamp = storage::utc_iso8601(msg.time);
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line = std::string("{\"time\":\"") + stamp + "\",\"level\":\"" +
                       std::string(level.data(), level.size()) + "\",\"msg\":\"" +
                       json_escape(std::string_view(msg.payload.data(), msg.payload.size())) + "\"}\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

class DcmtkToSpdlog : public dcmtk::log4cplus::Appender {
 public:
  explicit DcmtkToSpdlog(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
  ~DcmtkToSpdlog() override { destructorImpl(); }
  void close() override {}

 protected:
  void append(const dcmtk::log4cplus::spi::InternalLoggingEvent& event) override {
    const std::string message = event.getMessage().c_str();
    // DCMTK's own errors are details of a failure rtpof reports itself, in one error line that says what to
    // do (a refused report, a failed association); kept as warnings so an operator counting errors counts
    // each failure once.
    logger_->warn("dcmtk {}: {}", event.getLoggerName().c_str(), message);
  }

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace

std::shared_ptr<spdlog::logger> make_logger(const std::string& format, const std::string& level) {
  spdlog::sink_ptr sink;
  if (format == "json") {
    sink = std::make_shared<JsonLinesSink>();
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  }
  auto logger = std::make_shared<spdlog::logger>("rtpof", sink);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);  // operators and tests read the log live
  return logger;
}

void route_dcmtk_log(const std::shared_ptr<spdlog::logger>& logger) {
  auto root = dcmtk::log4cplus::Logger::getRoot();
  root.removeAllAppenders();
  // log4cplus's shared pointer takes ownership of the appender.
  root.addAppender(dcmtk::log4cplus::SharedAppenderPtr(new DcmtkToSpdlog(logger)));
  root.setLogLevel(dcmtk::log4cplus::WARN_LOG_LEVEL);
}

}  // namespace rtpof::app
