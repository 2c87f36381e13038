#pragma once
// What the metrics port says about the node: its counters and gauges in the Prometheus text format,
// and whether it is healthy. Everything here is read when asked (a scrape), from the same sources as
// the stats line and `rtpof status`, so the three always agree.
#include <atomic>
#include <cstdint>
#include <string>

#include "app/metrics_endpoint.hpp"

namespace rtpof::storage {
class Archive;
}

namespace rtpof::app {

class NodeListeners;

struct NodeMetricsSources {
  const NodeListeners& listeners;
  storage::Archive& archive;          // its index, its disk and its refusal of new instances
  const std::atomic<bool>& listening;  // every listener bound and not stopped
};

std::string prometheus_text(const NodeMetricsSources& sources);

// Unhealthy when a listener is not listening, or when the archive refuses new instances (the disk under
// storage.min_free_mb, the quota reached): the same decision, and reason, as a C-STORE gets.
Health node_health(const NodeMetricsSources& sources);

}  // namespace rtpof::app
