#pragma once
// Which settings a SIGHUP reload cannot apply: the listeners (ports, AE title, who may call, timeouts,
// TLS identity) and the data directory are set up once at start. A reload that changes one of them says
// so, naming each, instead of silently keeping the old value.
#include <string>
#include <vector>

#include "rules/node_config.hpp"

namespace rtpof::rules {

// "port 11112 -> 11113", one entry per changed setting that takes effect only after a restart.
std::vector<std::string> settings_needing_restart(const NodeConfig& running, const NodeConfig& reloaded);

}  // namespace rtpof::rules
