#include "rules/node_config.hpp"

#include "storage/outbox_row.hpp"

#include <pwd.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace rtpof::rules {
namespace {

std::string where(const std::string& key, const toml::node& node) {
  std::ostringstream out;
  out << "key '" << key << "'";
  if (node.source().begin.line > 0) out << " at line " << node.source().begin.line;
  return out.str();
}

// Reads one table, refusing keys it does not know. Each known key has a reader for its value.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix) : table_(table), prefix_(std::move(prefix)) {}

  void text(const std::string& key, std::string& out) {
    if (const auto* node = take(key)) {
      if (!node->is_string()) throw ConfigError(where(full(key), *node) + " must be a string");
      out = node->as_string()->get();
    }
  }
  void path(const std::string& key, std::filesystem::path& out) {
    std::string value = out.string();
    text(key, value);
    out = value;
  }
  void flag(const std::string& key, bool& out) {
    if (const auto* node = take(key)) {
      if (!node->is_boolean()) throw ConfigError(where(full(key), *node) + " must be true or false");
      out = node->as_boolean()->get();
    }
  }
  void paths(const std::string& key, std::vector<std::filesystem::path>& out) {
    if (const auto* node = take(key)) {
      const auto* array = node->as_array();
      if (array == nullptr) throw ConfigError(where(full(key), *node) + " must be a list of strings");
      out.clear();
      for (const auto& item : *array) {
        if (!item.is_string()) throw ConfigError(where(full(key), item) + " must be a list of strings");
        out.emplace_back(item.as_string()->get());
      }
    }
  }
  // A command as its words (argv; no shell): a non-empty list of strings whose first is an absolute path.
  void command(const std::string& key, std::vector<std::string>& out) {
    if (const auto* node = take(key)) {
      const auto* array = node->as_array();
      if (array == nullptr || array->empty())
        throw ConfigError(where(full(key), *node) + " must be a command as a list of strings, e.g. [\"/usr/local/bin/notify\", \"--job\"]");
      out.clear();
      for (const auto& item : *array) {
        if (!item.is_string()) throw ConfigError(where(full(key), item) + " must be a list of strings");
        out.emplace_back(item.as_string()->get());
      }
      if (out.front().empty() || out.front().front() != '/')
        throw ConfigError(where(full(key), *node) + " must start with the program's absolute path (it runs without a "
                          "shell and without a search path), not \"" + out.front() + "\"");
    }
  }
  // A list of report kinds, each one of storage::report_kinds(), without repeats.
  void kinds(const std::string& key, std::vector<std::string>& out) {
    if (const auto* node = take(key)) {
      const auto* array = node->as_array();
      if (array == nullptr || array->empty())
        throw ConfigError(where(full(key), *node) + " must be a non-empty list of sr, rtstruct, reg, pdf");
      out.clear();
      for (const auto& item : *array) {
        const auto& known = storage::report_kinds();
        if (!item.is_string() || std::find(known.begin(), known.end(), item.as_string()->get()) == known.end())
          throw ConfigError(where(full(key), item) + " must be a list of sr, rtstruct, reg, pdf");
        if (std::find(out.begin(), out.end(), item.as_string()->get()) != out.end())
          throw ConfigError(where(full(key), item) + " names \"" + item.as_string()->get() + "\" twice");
        out.push_back(item.as_string()->get());
      }
    }
  }
  template <typename T>
  void integer(const std::string& key, T& out, std::int64_t min, std::int64_t max) {
    if (const auto* node = take(key)) {
      if (!node->is_integer()) throw ConfigError(where(full(key), *node) + " must be an integer");
      const std::int64_t value = node->as_integer()->get();
      if (value < min || value > max)
        throw ConfigError(where(full(key), *node) + " must be between " + std::to_string(min) + " and " +
                          std::to_string(max) + ", not " + std::to_string(value));
      out = static_cast<T>(value);
    }
  }
  void number(const std::string& key, double& out, double min, double max) {
    if (const auto* node = take(key)) {
      double value = 0;
      if (node->is_integer()) value = static_cast<double>(node->as_integer()->get());
      else if (node->is_floating_point()) value = node->as_floating_point()->get();
      else throw ConfigError(where(full(key), *node) + " must be a number");
      if (!std::isfinite(value) || value < min || value > max) {
        std::ostringstream message;
        message << where(full(key), *node) << " must be between " << min << " and " << max << ", not " << value;
        throw ConfigError(message.str());
      }
      out = value;
    }
  }
  void one_of(const std::string& key, std::string& out, const std::set<std::string>& allowed) {
    const auto* node = table_.get(key);
    text(key, out);
    if (allowed.count(out) == 0) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw ConfigError(where(full(key), *node) + " must be one of " + list + ", not \"" + out + "\"");
    }
  }
  // After all reads: anything left is a key we do not know (often a typo).
  void finish() const {
    for (auto&& [key, node] : table_) {
      const std::string name(key.str());
      if (seen_.count(name) == 0) throw ConfigError("unknown " + where(full(name), node));
    }
  }
  const toml::node* take(const std::string& key) {
    seen_.insert(key);
    return table_.get(key);
  }
  std::string full(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

 private:
  const toml::table& table_;
  std::string prefix_;
  std::set<std::string> seen_;
};

const toml::table& as_table(const toml::node* node, const std::string& key) {
  if (!node->is_table()) throw ConfigError(where(key, *node) + " must be a table ([" + key + "])");
  return *node->as_table();
}

template <typename Entry, typename ReadEntry>
void read_array_of_tables(TableReader& top, const std::string& key, std::vector<Entry>& out, ReadEntry read_entry) {
  const auto* node = top.take(key);
  if (node == nullptr) return;
  if (!node->is_array_of_tables()) throw ConfigError(where(key, *node) + " must be written as [[" + key + "]] tables");
  const auto& array = *node->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    TableReader entry(*array[i].as_table(), key + "[" + std::to_string(i) + "]");
    out.push_back(read_entry(entry, array[i]));
    entry.finish();
  }
}

}  // namespace

bool is_valid_ae_title(const std::string& ae_title) {
  if (ae_title.empty() || ae_title.size() > 16) return false;
  bool only_spaces = true;
  for (const char c : ae_title) {
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
    if (c != ' ') only_spaces = false;
  }
  return !only_spaces;
}

NodeConfig default_node_config() { return NodeConfig{}; }

AuditRepositoryAddress parse_audit_repository(const std::string& text) {
  static const std::regex form(R"(^(udp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})$)");
  std::smatch m;
  if (!std::regex_match(text, m, form))
    throw ConfigError("audit.repository \"" + text + "\" must be udp://HOST:PORT or tls://HOST:PORT");
  AuditRepositoryAddress address;
  address.tls = m[1] == "tls";
  address.host = m[2];
  if (address.host.front() == '[') address.host = address.host.substr(1, address.host.size() - 2);
  const unsigned long port = std::stoul(m[3]);
  if (port == 0 || port > 65535) throw ConfigError("audit.repository \"" + text + "\": the port must be 1-65535");
  address.port = static_cast<std::uint16_t>(port);
  return address;
}

bool uses_tls(const NodeConfig& config) {
  if (config.tls.port != 0) return true;
  if (!config.audit_repository.empty() && parse_audit_repository(config.audit_repository).tls) return true;
  for (const auto& d : config.destinations)
    if (d.tls) return true;
  for (const auto& p : config.peers)
    if (p.tls) return true;
  return false;
}

namespace {

// Who this process runs as, for an error a service's operator can act on: a file readable by root is
// not by the service user.
std::string running_as() {
  const uid_t uid = geteuid();
  if (const passwd* entry = getpwuid(uid)) return entry->pw_name;
  return "uid " + std::to_string(uid);
}

// The file must open before it is parsed: toml++ reports an unreadable file as "line 0: File could not
// be opened for reading", which hides that it is a permission.
void check_readable(const std::filesystem::path& file) {
  std::ifstream probe(file);
  if (probe) return;
  const int error = errno;
  std::string reason = std::strerror(error);
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  throw ConfigError("cannot open " + file.string() + ": " + reason + " (running as user " + running_as() + ")");
}

}  // namespace

NodeConfig load_node_config(const std::filesystem::path& file) {
  check_readable(file);
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream message;
    message << file.string() << " line " << e.source().begin.line << ": " << e.description();
    throw ConfigError(message.str());
  }
  NodeConfig config = default_node_config();
  config.accept_any_caller = false;  // a configuration file names its peers; opening up is explicit
  try {
    TableReader top(root, "");
    if (const auto* node = top.take("node")) {
      TableReader t(as_table(node, "node"), "node");
      t.text("ae_title", config.ae_title);
      t.integer("port", config.port, 0, 65535);
      t.path("data_dir", config.data_dir);
      t.flag("accept_any_caller", config.accept_any_caller);
      t.integer("max_associations", config.max_associations, 1, 256);
      t.integer("acse_timeout_s", config.acse_timeout_s, 1, 600);
      t.integer("dimse_timeout_s", config.dimse_timeout_s, 1, 3600);
      t.integer("shutdown_grace_s", config.shutdown_grace_s, 0, 3600);
      t.finish();
    }
    if (const auto* node = top.take("storage")) {
      TableReader t(as_table(node, "storage"), "storage");
      double quota_gb = static_cast<double>(config.quota_bytes) / (1ull << 30);
      double min_free_mb = static_cast<double>(config.min_free_bytes) / (1ull << 20);
      t.number("quota_gb", quota_gb, 0, 1e6);
      t.number("min_free_mb", min_free_mb, 0, 1e9);
      config.quota_bytes = static_cast<std::uint64_t>(quota_gb * (1ull << 30));
      config.min_free_bytes = static_cast<std::uint64_t>(min_free_mb * (1ull << 20));
      t.finish();
    }
    if (const auto* node = top.take("logging")) {
      TableReader t(as_table(node, "logging"), "logging");
      t.one_of("format", config.log_format, {"text", "json"});
      t.one_of("level", config.log_level, {"trace", "debug", "info", "warn", "error"});
      t.integer("stats_interval_s", config.stats_interval_s, 0, 86400);
      t.finish();
    }
    if (const auto* node = top.take("metrics")) {
      TableReader t(as_table(node, "metrics"), "metrics");
      t.text("address", config.metrics_address);
      t.integer("port", config.metrics_port, 0, 65535);
      t.finish();
    }
    if (const auto* node = top.take("hooks")) {
      TableReader t(as_table(node, "hooks"), "hooks");
      t.command("on_job_done", config.hook_on_job_done);
      t.command("on_dead_letter", config.hook_on_dead_letter);
      t.integer("timeout_s", config.hook_timeout_s, 1, 3600);
      t.finish();
    }
    if (const auto* node = top.take("audit")) {
      TableReader t(as_table(node, "audit"), "audit");
      t.text("repository", config.audit_repository);
      t.path("file", config.audit_file);
      t.text("source_id", config.audit_source_id);
      t.text("enterprise_site", config.audit_enterprise_site);
      t.finish();
    }
    if (const auto* node = top.take("matching")) {
      TableReader t(as_table(node, "matching"), "matching");
      t.number("stable_age_s", config.stable_age_s, 0, 7 * 86400);
      t.integer("job_workers", config.job_workers, 1, 64);
      t.one_of("several_plan_doses", config.several_plan_doses, {"refuse", "latest", "sum"});
      t.finish();
    }
    if (const auto* node = top.take("classification")) {
      TableReader t(as_table(node, "classification"), "classification");
      t.number("in_field_min_v95_pct", config.in_field_min_v95_pct, 0, 100);
      t.number("marginal_min_v95_pct", config.marginal_min_v95_pct, 0, 100);
      t.number("reference_dose_gy", config.reference_dose_gy, 0, 1000);
      t.finish();
    }
    if (const auto* node = top.take("dose")) {
      TableReader t(as_table(node, "dose"), "dose");
      t.number("min_max_to_reference", config.min_max_to_reference, 0, 100);
      t.number("max_max_to_reference", config.max_max_to_reference, 0, 100);
      t.finish();
      if (config.min_max_to_reference >= config.max_max_to_reference)
        throw ConfigError(file.string() + ": [dose] min_max_to_reference must be below max_max_to_reference");
    }
    if (const auto* node = top.take("delivery")) {
      TableReader t(as_table(node, "delivery"), "delivery");
      t.number("retry_base_s", config.retry_base_s, 0.1, 86400);
      t.number("retry_factor", config.retry_factor, 1, 10);
      t.number("retry_cap_s", config.retry_cap_s, 0.1, 7 * 86400);
      t.number("give_up_after_h", config.give_up_after_h, 0.001, 365 * 24);
      t.flag("warning_is_delivered", config.warning_is_delivered);
      t.flag("to_sender", config.to_sender);
      t.integer("send_timeout_s", config.send_timeout_s, 1, 3600);
      t.finish();
    }
    if (const auto* node = top.take("roi_names")) {
      TableReader t(as_table(node, "roi_names"), "roi_names");
      t.text("recurrence", config.recurrence_pattern);
      t.text("ctv", config.ctv_pattern);
      t.text("gtv_primary", config.gtv_primary_pattern);
      t.text("gtv_nodal", config.gtv_nodal_pattern);
      t.finish();
    }
    if (const auto* node = top.take("tls")) {
      TableReader t(as_table(node, "tls"), "tls");
      t.integer("port", config.tls.port, 0, 65535);
      t.path("certificate", config.tls.certificate);
      t.path("private_key", config.tls.private_key);
      t.paths("trusted_certificates", config.tls.trusted_certificates);
      t.one_of("profile", config.tls.profile, {"bcp195-nd", "bcp195", "bcp195-ex"});
      t.flag("require_client_certificate", config.tls.require_client_certificate);
      t.finish();
    }
    read_array_of_tables(top, "peers", config.peers, [](TableReader& t, const toml::node& node) {
      PeerConfig peer;
      t.text("ae_title", peer.ae_title);
      t.text("host", peer.host);
      t.integer("port", peer.port, 1, 65535);
      t.flag("tls", peer.tls);
      t.kinds("objects", peer.objects);
      if (peer.ae_title.empty()) throw ConfigError(where(t.full("ae_title"), node) + " is required");
      return peer;
    });
    read_array_of_tables(top, "destinations", config.destinations, [](TableReader& t, const toml::node& node) {
      DestinationConfig destination;
      t.text("ae_title", destination.ae_title);
      t.text("host", destination.host);
      t.integer("port", destination.port, 1, 65535);
      t.flag("tls", destination.tls);
      t.kinds("objects", destination.objects);
      if (destination.ae_title.empty() || destination.host.empty() || destination.port == 0)
        throw ConfigError(where(t.full("ae_title"), node) + ": a destination needs ae_title, host and port");
      return destination;
    });
    top.finish();
    validate(config);
  } catch (const ConfigError& e) {
    throw ConfigError(file.string() + ": " + e.what());
  }
  return config;
}

void validate(const NodeConfig& config) {
  if (!is_valid_ae_title(config.ae_title))
    throw ConfigError("node.ae_title \"" + config.ae_title + "\" is not a valid AE title (1-16 characters, no backslash)");
  if (config.data_dir.empty()) throw ConfigError("node.data_dir must not be empty");
  for (const auto& peer : config.peers)
    if (!is_valid_ae_title(peer.ae_title))
      throw ConfigError("peers: \"" + peer.ae_title + "\" is not a valid AE title (1-16 characters, no backslash)");
  for (const auto& destination : config.destinations)
    if (!is_valid_ae_title(destination.ae_title))
      throw ConfigError("destinations: \"" + destination.ae_title + "\" is not a valid AE title");
  for (const auto& [key, pattern] : {std::pair<const char*, const std::string*>{"recurrence", &config.recurrence_pattern},
                                     {"ctv", &config.ctv_pattern},
                                     {"gtv_primary", &config.gtv_primary_pattern},
                                     {"gtv_nodal", &config.gtv_nodal_pattern}}) {
    try {
      std::regex(*pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
      throw ConfigError(std::string("roi_names.") + key + " \"" + *pattern + "\" is not a valid regular expression: " +
                        e.what());
    }
  }
  if (config.marginal_min_v95_pct > config.in_field_min_v95_pct)
    throw ConfigError("classification.marginal_min_v95_pct (" + std::to_string(config.marginal_min_v95_pct) +
                      ") must not exceed classification.in_field_min_v95_pct (" +
                      std::to_string(config.in_field_min_v95_pct) + ")");
  if (!config.audit_repository.empty()) parse_audit_repository(config.audit_repository);
  if (uses_tls(config)) {
    const std::string why =
        config.tls.port != 0 ? "tls.port is set" : "a destination, a peer or the audit repository uses TLS";
    if (config.tls.certificate.empty()) throw ConfigError("tls.certificate is required: " + why);
    if (config.tls.private_key.empty()) throw ConfigError("tls.private_key is required: " + why);
    if (config.tls.trusted_certificates.empty())
      throw ConfigError("tls.trusted_certificates is required (the CA certificates peers must present): " + why);
  }
  if (config.port == 0 && config.tls.port == 0)
    throw ConfigError("node.port is 0 and no tls.port is set: the node would listen nowhere");
  if (config.port != 0 && config.port == config.tls.port)
    throw ConfigError("tls.port " + std::to_string(config.tls.port) +
                      " is node.port too: plain DICOM and DICOM over TLS need ports of their own");
  if (!config.accept_any_caller && config.peers.empty())
    throw ConfigError("node.accept_any_caller is false but no [[peers]] are configured: no one could send to this node");
}

DestinationConfig parse_destination(const std::string& text) {
  const auto at = text.find('@');
  const auto colon = text.rfind(':');
  if (at == std::string::npos || colon == std::string::npos || colon < at)
    throw ConfigError("--destination \"" + text + "\" must look like AET@HOST:PORT");
  DestinationConfig d;
  d.ae_title = text.substr(0, at);
  d.host = text.substr(at + 1, colon - at - 1);
  const std::string port = text.substr(colon + 1);
  char* end = nullptr;
  const long value = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value < 1 || value > 65535)
    throw ConfigError("--destination \"" + text + "\": port must be 1-65535");
  d.port = static_cast<std::uint16_t>(value);
  if (!is_valid_ae_title(d.ae_title) || d.host.empty())
    throw ConfigError("--destination \"" + text + "\" must look like AET@HOST:PORT");
  return d;
}

}  // namespace rtpof::rules
