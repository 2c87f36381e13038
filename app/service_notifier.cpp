#include "app/service_notifier.hpp"

#include <systemd/sd-daemon.h>

namespace rtpof::app {

ServiceNotifier::ServiceNotifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_interval_ = std::chrono::microseconds(usec / 2);
}

void ServiceNotifier::ready(const std::string& status) const {
  sd_notify(0, ("READY=1\nSTATUS=" + status).c_str());
}

void ServiceNotifier::stopping() const { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

void ServiceNotifier::status(const std::string& status) const { sd_notify(0, ("STATUS=" + status).c_str()); }

void ServiceNotifier::watchdog() const { sd_notify(0, "WATCHDOG=1"); }

}  // namespace rtpof::app
