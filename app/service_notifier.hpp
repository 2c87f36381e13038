#pragma once
// Tells systemd how the node is doing (sd_notify): READY once it listens, STOPPING when it stops, a
// STATUS line, and the watchdog ping. Outside systemd (no NOTIFY_SOCKET) every call does nothing.
#include <chrono>
#include <optional>
#include <string>

namespace rtpof::app {

class ServiceNotifier {
 public:
  ServiceNotifier();
  void ready(const std::string& status) const;
  void stopping() const;
  void status(const std::string& status) const;
  void watchdog() const;
  // How often to ping: half the unit's WatchdogSec, or nullopt when systemd runs no watchdog.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_interval_; }

 private:
  std::optional<std::chrono::microseconds> watchdog_interval_;
};

}  // namespace rtpof::app
