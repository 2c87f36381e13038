#include "app/logging.hpp"

#include "app/journal_sink.hpp"
#include "app/log_fields.hpp"
#include "storage/utc_time.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/oflog/oflog.h>
#include <dcmtk/oflog/spi/logevent.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>
#include <mutex>

namespace rtpof::app {
namespace {

// One JSON object per line, for log shippers: time (UTC), level, msg, and the line's structured fields
// (app/log_fields) under lower-case names: event, job, patient, class.
class JsonLinesSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string message(msg.payload.data(), msg.payload.size());
    const auto level = spdlog::level::to_string_view(msg.level);
    nlohmann::json line = {{"time", storage::utc_iso8601(msg.time)},
                           {"level", std::string(level.data(), level.size())},
                           {"msg", message}};
    for (const auto& [name, value] : log_fields(message)) {
      std::string key = name.substr(std::string("RTPOF_").size());
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      line[key] = value;
    }
    // Invalid UTF-8 (a peer's bytes in a refusal reason) is replaced, never a reason to lose the line.
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), stderr);
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
  if (const auto journal = journal_socket_for_stderr()) {
    // Under systemd: the journal keeps its own time stamps, priorities and fields (app/journal_sink).
    sink = std::make_shared<JournalSink>(*journal);
  } else if (format == "json") {
    sink = std::make_shared<JsonLinesSink>();
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    // UTC with its offset, as the JSON lines, the index and `rtpof status` write time.
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%e%z %l %v",
                                                                    spdlog::pattern_time_type::utc));
  }
  auto logger = std::make_shared<spdlog::logger>("rtpof", sink);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);  // operators and tests read the log live
  return logger;
}

std::string LastErrorSink::last() {
  std::lock_guard lock(mutex_);
  return last_;
}

void LastErrorSink::sink_it_(const spdlog::details::log_msg& msg) {
  // Called with mutex_ held by base_sink.
  last_ = storage::utc_iso8601(msg.time) + " " + std::string(msg.payload.data(), msg.payload.size());
}

void route_dcmtk_log(const std::shared_ptr<spdlog::logger>& logger) {
  auto root = dcmtk::log4cplus::Logger::getRoot();
  root.removeAllAppenders();
  // log4cplus's shared pointer takes ownership of the appender.
  root.addAppender(dcmtk::log4cplus::SharedAppenderPtr(new DcmtkToSpdlog(logger)));
  root.setLogLevel(dcmtk::log4cplus::WARN_LOG_LEVEL);
}

}  // namespace rtpof::app
