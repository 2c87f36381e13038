#pragma once
// The configuration a command runs with: the file named by --config (or the embedded default),
// then each flag's override, then validation.
#include "app/command_line.hpp"
#include "rules/node_config.hpp"

namespace rtpof::app {

// Flags every command that opens a data directory understands.
inline const std::set<std::string> data_dir_flags = {"--config", "--data-dir"};

rules::NodeConfig node_config_from(const CommandLine& command_line);

}  // namespace rtpof::app
