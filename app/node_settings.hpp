#pragma once
// The configuration a command runs with: the file named by --config; without --config or --data-dir,
// the installed one (installed_config); else the embedded default. Then each flag's override, then
// validation.
#include "app/command_line.hpp"
#include "rules/node_config.hpp"

#include <filesystem>
#include <optional>

namespace rtpof::app {

// Flags every command that opens a data directory understands.
inline const std::set<std::string> data_dir_flags = {"--config", "--data-dir"};

// $RTPOF_CONFIG when set, else /etc/rtpof/rtpof.toml (the Debian package's conffile) when it exists.
std::optional<std::filesystem::path> installed_config();

rules::NodeConfig node_config_from(const CommandLine& command_line);

}  // namespace rtpof::app
