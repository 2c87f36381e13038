#pragma once
// Where a case's report goes: every configured destination, and with [delivery] to_sender the peer that
// sent the follow-up data, when it is a configured peer with a host and a port to send back to.
#include <string>
#include <vector>

#include "storage/outbox_row.hpp"

namespace rtpof::rules {

struct NodeConfig;
struct DestinationConfig;
struct PeerConfig;

struct RoutingRules {
  std::vector<storage::DeliveryTarget> destinations;
  std::vector<storage::DeliveryTarget> peers_to_answer;  // peers with a host and a port (to_sender only)
};

RoutingRules routing_rules_from(const NodeConfig& config);

// Without duplicates (same AE, host and port; the kinds each wants are merged). `followup_sender` is the calling AE of the recurrence
// object's association (empty when it came from disk).
std::vector<storage::DeliveryTarget> report_destinations(const RoutingRules& rules, const std::string& followup_sender);

// The destinations and peers configured with tls = true. An outbox row is sent over TLS when its host
// and port are one of these: TLS belongs to the port that listens, whichever AE title is called there.
std::vector<storage::DeliveryTarget> tls_endpoints(const NodeConfig& config);
bool speaks_tls(const std::vector<storage::DeliveryTarget>& tls_endpoints, const storage::DeliveryTarget& target);

}  // namespace rtpof::rules
