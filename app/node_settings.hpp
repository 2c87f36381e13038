#pragma once
// The configuration a command runs with: the file named by --config; without --config or --data-dir,
// the installed one ($RTPOF_CONFIG, else /etc/rtpof/rtpof.toml when it exists); else the embedded
// default. Then each flag's override, then validation.
#include "app/command_line.hpp"
#include "rules/node_config.hpp"

namespace rtpof::app {

// Flags every command that opens a data directory understands.
inline const std::set<std::string> data_dir_flags = {"--config", "--data-dir"};

rules::NodeConfig node_config_from(const CommandLine& command_line);

}  // namespace rtpof::app
