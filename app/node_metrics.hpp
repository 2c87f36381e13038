#pragma once
// What the metrics port says about the node: its counters and gauges in the Prometheus text format,
// and whether it is healthy. Everything here is read when asked (a scrape), from the same sources as
// the stats line and `rtpof status`, so the three always agree.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

#include "app/metrics_endpoint.hpp"

namespace rtpof::storage {
class Index;
}

namespace rtpof::app {

class NodeListeners;

struct NodeMetricsSources {
  const NodeListeners& listeners;
  storage::Index& index;
  std::filesystem::path data_dir;
  std::uint64_t min_free_bytes = 0;
  const std::atomic<bool>& listening;  // every listener bound and not stopped
};

std::string prometheus_text(const NodeMetricsSources& sources);

// Unhealthy when a listener is not listening or the data directory's free space is below the floor
// under which C-STOREs are refused (storage.min_free_mb).
Health node_health(const NodeMetricsSources& sources);

}  // namespace rtpof::app
