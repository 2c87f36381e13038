#include "rules/restart_settings.hpp"

namespace rtpof::rules {
namespace {

std::string peers_text(const std::vector<PeerConfig>& peers) {
  std::string text;
  for (const PeerConfig& p : peers)
    text += (text.empty() ? "" : ", ") + p.ae_title + (p.host.empty() ? "" : "@" + p.host);
  return text.empty() ? "none" : text;
}

std::string paths_text(const std::vector<std::filesystem::path>& paths) {
  std::string text;
  for (const auto& p : paths) text += (text.empty() ? "" : ", ") + p.string();
  return text;
}

}  // namespace

std::vector<std::string> settings_needing_restart(const NodeConfig& running, const NodeConfig& reloaded) {
  std::vector<std::string> changed;
  auto compare = [&changed](const std::string& name, const std::string& before, const std::string& after) {
    if (before != after) changed.push_back(name + " " + before + " -> " + after);
  };
  auto yes_no = [](bool b) { return std::string(b ? "true" : "false"); };
  compare("node.ae_title", running.ae_title, reloaded.ae_title);
  compare("node.port", std::to_string(running.port), std::to_string(reloaded.port));
  compare("node.data_dir", running.data_dir.string(), reloaded.data_dir.string());
  compare("node.accept_any_caller", yes_no(running.accept_any_caller), yes_no(reloaded.accept_any_caller));
  compare("node.max_associations", std::to_string(running.max_associations), std::to_string(reloaded.max_associations));
  compare("node.acse_timeout_s", std::to_string(running.acse_timeout_s), std::to_string(reloaded.acse_timeout_s));
  compare("node.dimse_timeout_s", std::to_string(running.dimse_timeout_s), std::to_string(reloaded.dimse_timeout_s));
  compare("peers", peers_text(running.peers), peers_text(reloaded.peers));
  compare("tls.port", std::to_string(running.tls.port), std::to_string(reloaded.tls.port));
  compare("tls.profile", running.tls.profile, reloaded.tls.profile);
  compare("tls.require_client_certificate", yes_no(running.tls.require_client_certificate),
          yes_no(reloaded.tls.require_client_certificate));
  compare("tls.certificate (listener)", running.tls.certificate.string(), reloaded.tls.certificate.string());
  compare("tls.trusted_certificates (listener)", paths_text(running.tls.trusted_certificates),
          paths_text(reloaded.tls.trusted_certificates));
  compare("metrics.address", running.metrics_address, reloaded.metrics_address);
  compare("metrics.port", std::to_string(running.metrics_port), std::to_string(reloaded.metrics_port));
  compare("audit.repository", running.audit_repository, reloaded.audit_repository);
  compare("audit.file", running.audit_file.string(), reloaded.audit_file.string());
  compare("audit.source_id", running.audit_source_id, reloaded.audit_source_id);
  compare("audit.enterprise_site", running.audit_enterprise_site, reloaded.audit_enterprise_site);
  return changed;
}

}  // namespace rtpof::rules
