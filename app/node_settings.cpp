#include "app/node_settings.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>

namespace rtpof::app {
namespace {

// $RTPOF_CONFIG when set, else /etc/rtpof/rtpof.toml (the Debian package's conffile) when it exists.
std::optional<std::filesystem::path> installed_config() {
  if (const char* named = std::getenv("RTPOF_CONFIG"); named && *named) return std::filesystem::path(named);
  const std::filesystem::path installed = "/etc/rtpof/rtpof.toml";
  std::error_code ignored;  // an unreadable /etc/rtpof is reported when the file is opened
  if (std::filesystem::exists(installed, ignored)) return installed;
  return std::nullopt;
}

}  // namespace

rules::NodeConfig node_config_from(const CommandLine& cl) {
  // Neither flag: the installed service's configuration, so that `rtpof status` on the server looks at
  // what the service runs with.
  std::optional<std::filesystem::path> file;
  if (auto v = cl.value("--config")) file = *v;
  else if (!cl.has("--data-dir")) file = installed_config();
  rules::NodeConfig config = file ? rules::load_node_config(*file) : rules::default_node_config();
  if (auto v = cl.value("--data-dir")) config.data_dir = *v;
  if (auto v = cl.value("--ae-title")) config.ae_title = *v;
  if (cl.has("--port")) config.port = static_cast<std::uint16_t>(cl.integer("--port", 1, 65535, config.port));
  if (cl.has("--stable-age")) config.stable_age_s = cl.number("--stable-age", 0, 7 * 86400, config.stable_age_s);
  if (auto v = cl.value("--log-format")) {
    if (*v != "text" && *v != "json") throw UsageError("--log-format must be text or json, not \"" + *v + "\"");
    config.log_format = *v;
  }
  if (auto v = cl.value("--log-level")) {
    static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error"};
    if (levels.count(*v) == 0) throw UsageError("--log-level must be trace, debug, info, warn or error");
    config.log_level = *v;
  }
  if (cl.has("--destination")) {
    config.destinations.clear();
    for (const auto& d : cl.values("--destination")) config.destinations.push_back(rules::parse_destination(d));
  }
  rules::validate(config);
  return config;
}

}  // namespace rtpof::app
