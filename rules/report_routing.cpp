#include "rules/report_routing.hpp"

#include <algorithm>

#include "rules/node_config.hpp"

namespace rtpof::rules {

RoutingRules routing_rules_from(const NodeConfig& config) {
  RoutingRules rules;
  for (const DestinationConfig& d : config.destinations)
    rules.destinations.push_back({d.ae_title, d.host, d.port, d.objects});
  if (config.to_sender)
    for (const PeerConfig& peer : config.peers)
      if (!peer.host.empty() && peer.port != 0)
        rules.peers_to_answer.push_back({peer.ae_title, peer.host, peer.port, peer.objects});
  return rules;
}

std::vector<storage::DeliveryTarget> report_destinations(const RoutingRules& rules, const std::string& followup_sender) {
  std::vector<storage::DeliveryTarget> targets;
  // The same AE at the same address once, with every kind either entry wants.
  auto add = [&](const storage::DeliveryTarget& t) {
    const auto known = std::find_if(targets.begin(), targets.end(), [&](const storage::DeliveryTarget& o) {
      return o.ae_title == t.ae_title && o.host == t.host && o.port == t.port;
    });
    if (known == targets.end()) {
      targets.push_back(t);
    } else if (known->kinds.empty() || t.kinds.empty()) {
      known->kinds.clear();
    } else {
      for (const std::string& kind : t.kinds)
        if (!known->wants(kind)) known->kinds.push_back(kind);
    }
  };
  for (const auto& d : rules.destinations) add(d);
  for (const auto& peer : rules.peers_to_answer)
    if (!followup_sender.empty() && peer.ae_title == followup_sender) add(peer);
  return targets;
}

std::vector<storage::DeliveryTarget> tls_endpoints(const NodeConfig& config) {
  std::vector<storage::DeliveryTarget> endpoints;
  for (const DestinationConfig& d : config.destinations)
    if (d.tls) endpoints.push_back({d.ae_title, d.host, d.port});
  for (const PeerConfig& peer : config.peers)
    if (peer.tls) endpoints.push_back({peer.ae_title, peer.host, peer.port});
  return endpoints;
}

bool speaks_tls(const std::vector<storage::DeliveryTarget>& tls_endpoints, const storage::DeliveryTarget& target) {
  return std::any_of(tls_endpoints.begin(), tls_endpoints.end(), [&](const storage::DeliveryTarget& e) {
    return e.host == target.host && e.port == target.port;
  });
}

}  // namespace rtpof::rules
