#include "rules/node_config.hpp"
#include "rules/restart_settings.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_paths.hpp"

using namespace rtpof::rules;
using rtpof::testing::TempDir;

namespace {
std::string error_of(const std::string& toml) {
  TempDir dir;
  std::ofstream(dir / "rtpof.toml") << toml;
  try {
    load_node_config(dir / "rtpof.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

// Issue 24: a SIGHUP that changes a listener setting names it as needing a restart; rules that a reload
// applies (classification, delivery) are not named.
TEST(NodeConfig, AReloadNamesEachSettingThatNeedsARestart) {
  NodeConfig running, reloaded;
  EXPECT_TRUE(settings_needing_restart(running, reloaded).empty());
  reloaded.in_field_min_v95_pct = 90;  // applied by the reload
  reloaded.port = 11113;
  reloaded.peers.push_back({"EclipseA", "10.0.0.7", 104, false});
  reloaded.metrics_port = 9464;
  const auto changed = settings_needing_restart(running, reloaded);
  ASSERT_EQ(changed.size(), 3u);
  EXPECT_EQ(changed[0], "node.port 11112 -> 11113");
  EXPECT_EQ(changed[1], "peers none -> EclipseA@10.0.0.7");
  EXPECT_EQ(changed[2], "metrics.port 0 -> 9464");
}

TEST(NodeConfig, EmbeddedDefaultMatchesInterface) {
  const NodeConfig c = default_node_config();
  EXPECT_EQ(c.ae_title, "RTPOF");
  EXPECT_EQ(c.port, 11112);
  EXPECT_EQ(c.data_dir, "rtpof-data");
  EXPECT_TRUE(c.accept_any_caller);
  EXPECT_DOUBLE_EQ(c.stable_age_s, 60.0);
  EXPECT_TRUE(c.destinations.empty());
  EXPECT_NO_THROW(validate(c));
}

TEST(NodeConfig, ExampleFileLoads) {
  const NodeConfig c = load_node_config(RTPOF_SOURCE_DIR "/rules/rtpof.example.toml");
  EXPECT_EQ(c.ae_title, "RTPOF");
  EXPECT_FALSE(c.peers.empty());
  EXPECT_FALSE(c.destinations.empty());
}

TEST(NodeConfig, ReadsEveryTable) {
  TempDir dir;
  std::ofstream(dir / "rtpof.toml") << R"(
[node]
ae_title = "NODE1"
port = 4242
data_dir = "/srv/rtpof"
max_associations = 4
[storage]
quota_gb = 2
min_free_mb = 10
[logging]
format = "json"
level = "debug"
[matching]
stable_age_s = 5.5
[metrics]
address = "0.0.0.0"
port = 9464
[[peers]]
ae_title = "ECLIPSE"
host = "127.0.0.1"
[[destinations]]
ae_title = "PACS"
host = "127.0.0.1"
port = 104
)";
  const NodeConfig c = load_node_config(dir / "rtpof.toml");
  EXPECT_EQ(c.ae_title, "NODE1");
  EXPECT_EQ(c.port, 4242);
  EXPECT_EQ(c.data_dir, "/srv/rtpof");
  EXPECT_EQ(c.max_associations, 4u);
  EXPECT_EQ(c.quota_bytes, 2ull << 30);
  EXPECT_EQ(c.min_free_bytes, 10ull << 20);
  EXPECT_EQ(c.log_format, "json");
  EXPECT_DOUBLE_EQ(c.stable_age_s, 5.5);
  EXPECT_EQ(c.metrics_address, "0.0.0.0");
  EXPECT_EQ(c.metrics_port, 9464);
  ASSERT_EQ(c.peers.size(), 1u);
  EXPECT_EQ(c.peers[0].host, "127.0.0.1");
  ASSERT_EQ(c.destinations.size(), 1u);
  EXPECT_EQ(c.destinations[0].port, 104);
  EXPECT_FALSE(c.accept_any_caller);
}

TEST(NodeConfig, ErrorsNameTheKeyAndLine) {
  const std::string unknown = error_of("[node]\nae_title = \"X\"\nprot = 104\n");
  EXPECT_NE(unknown.find("unknown key 'node.prot' at line 3"), std::string::npos) << unknown;
  const std::string type = error_of("[[peers]]\nae_title = \"A\"\n[node]\nport = \"104\"\n");
  EXPECT_NE(type.find("key 'node.port' at line 4 must be an integer"), std::string::npos) << type;
  const std::string range = error_of("[[peers]]\nae_title = \"A\"\n[node]\nport = 70000\n");
  EXPECT_NE(range.find("node.port"), std::string::npos) << range;
  const std::string syntax = error_of("[node\n");
  EXPECT_NE(syntax.find("line 1"), std::string::npos) << syntax;
  const std::string missing = error_of("[[destinations]]\nae_title = \"PACS\"\n");
  EXPECT_NE(missing.find("destinations[0]"), std::string::npos) << missing;
  const std::string level = error_of("[[peers]]\nae_title = \"A\"\n[logging]\nlevel = \"loud\"\n");
  EXPECT_NE(level.find("logging.level"), std::string::npos) << level;
  const std::string metrics = error_of("[[peers]]\nae_title = \"A\"\n[metrics]\nport = 9464\npath = \"/m\"\n");
  EXPECT_NE(metrics.find("unknown key 'metrics.path'"), std::string::npos) << metrics;
  const std::string hook = error_of("[[peers]]\nae_title = \"A\"\n[hooks]\non_job_done = [\"notify\", \"--job\"]\n");
  EXPECT_NE(hook.find("hooks.on_job_done' at line 4 must start with the program's absolute path"), std::string::npos)
      << hook;
  const std::string shell = error_of("[[peers]]\nae_title = \"A\"\n[hooks]\non_dead_letter = \"/bin/mail ops\"\n");
  EXPECT_NE(shell.find("must be a command as a list of strings"), std::string::npos) << shell;
  const std::string nobody = error_of("[node]\nae_title = \"X\"\n");
  EXPECT_NE(nobody.find("no [[peers]]"), std::string::npos) << nobody;
}

TEST(NodeConfig, TheAuditRepositoryIsUdpOrTlsWithAHostAndAPort) {
  const auto udp = parse_audit_repository("udp://audit.example.org:514");
  EXPECT_FALSE(udp.tls);
  EXPECT_EQ(udp.host, "audit.example.org");
  EXPECT_EQ(udp.port, 514);
  const auto tls = parse_audit_repository("tls://[fd00::1]:6514");
  EXPECT_TRUE(tls.tls);
  EXPECT_EQ(tls.host, "fd00::1");
  EXPECT_EQ(tls.port, 6514);
  for (const char* bad : {"tcp://host:514", "udp://host", "udp://host:0", "udp://host:70000", "host:514", "udp://:514"})
    EXPECT_THROW(parse_audit_repository(bad), ConfigError) << bad;
  const std::string wrong = error_of("[[peers]]\nae_title = \"A\"\n[audit]\nrepository = \"syslog.example.org\"\n");
  EXPECT_NE(wrong.find("audit.repository \"syslog.example.org\" must be udp://HOST:PORT or tls://HOST:PORT"),
            std::string::npos) << wrong;
  // A TLS repository needs the node's TLS identity.
  const std::string no_identity = error_of("[[peers]]\nae_title = \"A\"\n[audit]\nrepository = \"tls://a:6514\"\n");
  EXPECT_NE(no_identity.find("tls.certificate is required: a destination, a peer or the audit repository uses TLS"),
            std::string::npos) << no_identity;
  const std::string unknown = error_of("[[peers]]\nae_title = \"A\"\n[audit]\nfacility = 10\n");
  EXPECT_NE(unknown.find("unknown key 'audit.facility'"), std::string::npos) << unknown;
}

TEST(NodeConfig, DestinationFlag) {
  const auto d = parse_destination("PACS@10.0.0.5:104");
  EXPECT_EQ(d.ae_title, "PACS");
  EXPECT_EQ(d.host, "10.0.0.5");
  EXPECT_EQ(d.port, 104);
  EXPECT_THROW(parse_destination("PACS@host"), ConfigError);
  EXPECT_THROW(parse_destination("PACS@host:0"), ConfigError);
  EXPECT_THROW(parse_destination("WAY_TOO_LONG_AE_TITLE@host:104"), ConfigError);
}

TEST(NodeConfig, RulesForClassificationAndRoiNamesAreValidated) {
  TempDir dir;
  std::ofstream(dir / "rtpof.toml") << "[node]\naccept_any_caller = true\n[classification]\nin_field_min_v95_pct = 90\n"
                                       "reference_dose_gy = 66\n[roi_names]\nctv = \"ctv_hr.*\"\n[matching]\njob_workers = 2\n";
  const NodeConfig c = load_node_config(dir / "rtpof.toml");
  EXPECT_EQ(c.in_field_min_v95_pct, 90);
  EXPECT_EQ(c.marginal_min_v95_pct, 20);
  EXPECT_EQ(c.reference_dose_gy, 66);
  EXPECT_EQ(c.ctv_pattern, "ctv_hr.*");
  EXPECT_TRUE(c.recurrence_pattern.empty());
  EXPECT_EQ(c.job_workers, 2u);

  const std::string regex = error_of("[node]\naccept_any_caller = true\n[roi_names]\nctv = \"ctv[\"\n");
  EXPECT_NE(regex.find("roi_names.ctv \"ctv[\" is not a valid regular expression"), std::string::npos) << regex;
  const std::string order =
      error_of("[node]\naccept_any_caller = true\n[classification]\nin_field_min_v95_pct = 50\nmarginal_min_v95_pct = 60\n");
  EXPECT_NE(order.find("classification.marginal_min_v95_pct"), std::string::npos) << order;
  const std::string range = error_of("[node]\naccept_any_caller = true\n[classification]\nin_field_min_v95_pct = 120\n");
  EXPECT_NE(range.find("classification.in_field_min_v95_pct"), std::string::npos) << range;
}

TEST(NodeConfig, TlsTableIsReadAndItsIdentityIsRequiredWhereverTlsIsUsed) {
  TempDir dir;
  std::ofstream(dir / "rtpof.toml") << R"(
[node]
accept_any_caller = true
[tls]
port = 2762
certificate = "/etc/rtpof/tls/node.crt"
private_key = "/etc/rtpof/tls/node.key"
trusted_certificates = ["/etc/rtpof/tls/ca.crt", "/etc/rtpof/tls/pacs-ca.crt"]
profile = "bcp195"
require_client_certificate = false
[[destinations]]
ae_title = "PACS"
host = "10.0.0.5"
port = 2762
tls = true
[[peers]]
ae_title = "ECLIPSE"
tls = true
)";
  const NodeConfig c = load_node_config(dir / "rtpof.toml");
  EXPECT_EQ(c.tls.port, 2762);
  EXPECT_EQ(c.tls.certificate, "/etc/rtpof/tls/node.crt");
  EXPECT_EQ(c.tls.private_key, "/etc/rtpof/tls/node.key");
  ASSERT_EQ(c.tls.trusted_certificates.size(), 2u);
  EXPECT_EQ(c.tls.trusted_certificates[1], "/etc/rtpof/tls/pacs-ca.crt");
  EXPECT_EQ(c.tls.profile, "bcp195");
  EXPECT_FALSE(c.tls.require_client_certificate);
  EXPECT_TRUE(c.destinations.at(0).tls);
  EXPECT_TRUE(c.peers.at(0).tls);
  EXPECT_TRUE(uses_tls(c));
  EXPECT_FALSE(uses_tls(default_node_config()));

  // The listener, a destination or a peer with TLS each need the identity, and the message says which key.
  EXPECT_NE(error_of("[node]\naccept_any_caller = true\n[tls]\nport = 2762\n").find("tls.certificate is required: "
                                                                                     "tls.port is set"),
            std::string::npos);
  EXPECT_NE(error_of("[node]\naccept_any_caller = true\n[tls]\ncertificate = \"a\"\nprivate_key = \"b\"\n"
                     "[[destinations]]\nae_title = \"P\"\nhost = \"h\"\nport = 1\ntls = true\n")
                .find("tls.trusted_certificates is required"),
            std::string::npos);
  EXPECT_NE(error_of("[tls]\nprofile = \"tls1.0\"\n").find("key 'tls.profile' at line 2 must be one of"),
            std::string::npos);
  EXPECT_NE(error_of("[tls]\ntrusted_certificates = \"/ca.crt\"\n").find("must be a list of strings"),
            std::string::npos);
  EXPECT_NE(error_of("[tls]\nprot = 2762\n").find("unknown key 'tls.prot'"), std::string::npos);
  // A TLS-only node closes its plain port; a node must listen somewhere, and not twice on one port.
  const std::string identity = "certificate = \"a\"\nprivate_key = \"b\"\ntrusted_certificates = [\"c\"]\n";
  EXPECT_EQ(error_of("[node]\naccept_any_caller = true\nport = 0\n[tls]\nport = 2762\n" + identity), "");
  EXPECT_NE(error_of("[node]\naccept_any_caller = true\nport = 0\n").find("would listen nowhere"), std::string::npos);
  EXPECT_NE(error_of("[node]\naccept_any_caller = true\nport = 2762\n[tls]\nport = 2762\n" + identity)
                .find("need ports of their own"),
            std::string::npos);
}
