#pragma once
// The node's one logger: stderr, text or JSON lines. DCMTK's own log (kept at WARN, since at DEBUG
// it dumps whole datasets with patient data) is routed into it.
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace rtpof::app {

// format: "text" | "json"; level: trace | debug | info | warn | error.
std::shared_ptr<spdlog::logger> make_logger(const std::string& format, const std::string& level);

// Routes DCMTK's log4cplus output into `logger`, at WARN and above only.
void route_dcmtk_log(const std::shared_ptr<spdlog::logger>& logger);

}  // namespace rtpof::app
