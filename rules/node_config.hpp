#pragma once
// The node's configuration: what `rtpof serve` listens as, whom it accepts, where it keeps data.
// Loaded from a TOML file (rules/rtpof.example.toml documents every key) or the embedded default
// of docs/interface.md; command-line flags override either.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace rtpof::rules {

// A configuration problem; the message names the key (and the line, for a file).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PeerConfig {
  std::string ae_title;
  std::string host;        // empty: any address
  std::uint16_t port = 0;  // where reports go back to, when routed to the sender (0: unknown)
  bool tls = false;        // reports go back to it over TLS
  std::vector<std::string> objects = {};  // the report kinds it gets back (sr, rtstruct, reg, pdf); empty: all
};

struct DestinationConfig {
  std::string ae_title;
  std::string host;
  std::uint16_t port = 0;
  bool tls = false;  // DICOM over TLS with the node's [tls] identity
  // The report kinds it gets (sr, rtstruct, reg, pdf): a PACS may want the SR and the PDF, a planning
  // system the RTSTRUCT and the REG. Empty: all.
  std::vector<std::string> objects = {};
};

// [tls]: the node's identity for DICOM over TLS, as a server (its own port, tls.port) and as a client
// (destinations and peers with tls = true). The listener reads it at start-up only.
struct TlsConfig {
  std::uint16_t port = 0;  // a second listener, speaking DICOM over TLS only (2762 is DICOM-TLS's); 0: none
  std::filesystem::path certificate, private_key;       // PEM
  std::vector<std::filesystem::path> trusted_certificates;  // PEM CA certificates peers must chain to
  std::string profile = "bcp195-nd";                    // bcp195-nd | bcp195 | bcp195-ex
  bool require_client_certificate = true;               // the listener refuses clients without one
};

struct NodeConfig {
  // [node]
  std::string ae_title = "RTPOF";
  std::uint16_t port = 11112;  // plain DICOM; 0: none (a TLS-only node, with tls.port)
  std::filesystem::path data_dir = "rtpof-data";
  bool accept_any_caller = true;
  unsigned max_associations = 16;
  unsigned acse_timeout_s = 10;
  unsigned dimse_timeout_s = 120;
  unsigned shutdown_grace_s = 30;
  // [storage]
  std::uint64_t quota_bytes = 0;
  std::uint64_t min_free_bytes = 256ull << 20;
  // [logging]
  std::string log_format = "text";  // text | json
  std::string log_level = "info";   // trace | debug | info | warn | error
  unsigned stats_interval_s = 300;
  // [metrics]: Prometheus metrics and /healthz over HTTP; off while port is 0
  std::string metrics_address = "127.0.0.1";
  std::uint16_t metrics_port = 0;
  // [hooks]: commands (argv, no shell) run after each job and for each dead letter; empty: none
  std::vector<std::string> hook_on_job_done, hook_on_dead_letter;
  unsigned hook_timeout_s = 30;  // a hook still running then is killed
  // [audit]: DICOM audit messages (PS3.15 A.5) as RFC 5424 records; off while both are empty
  std::string audit_repository;       // "udp://host:514" or "tls://host:6514" (with the [tls] identity)
  std::filesystem::path audit_file;   // a local file, one record per line
  std::string audit_source_id;        // AuditSourceID; empty: the AE title
  std::string audit_enterprise_site;  // AuditEnterpriseSiteID; empty: none
  // [matching]
  double stable_age_s = 60;
  unsigned job_workers = 1;  // analyses run at the same time (each uses every core for its heavy parts)
  std::string several_plan_doses = "refuse";  // refuse | latest | sum: several PLAN doses of one plan, no MULTI_PLAN
  // [classification]
  double in_field_min_v95_pct = 95;  // in-field: V95 >= this
  double marginal_min_v95_pct = 20;  // marginal: this <= V95 < in-field; out-field below
  double reference_dose_gy = 0;      // 0: the RTPLAN's highest target prescription
  // [dose]: bounds on the course dose's maximum as a multiple of the reference dose (docs/analysis.md)
  double min_max_to_reference = 0.5;
  double max_max_to_reference = 1.5;
  // [roi_names]: ECMAScript patterns matched case-insensitively against whole ROI names; empty keeps
  // the built-in default (Eclipse naming, see docs/analysis.md)
  std::string recurrence_pattern, ctv_pattern, gtv_primary_pattern, gtv_nodal_pattern;
  // [delivery]: how reports reach their destinations
  double retry_base_s = 10;        // the first retry waits this long
  double retry_factor = 2;         // each further retry waits this much longer
  double retry_cap_s = 600;        // but never longer than this
  double give_up_after_h = 72;     // retries stop this long after the first attempt: dead letter
  bool warning_is_delivered = true;  // a C-STORE warning (0xB0xx) counts as delivered; false retries it
  bool to_sender = false;          // also send each report to the peer that sent the follow-up data
  unsigned send_timeout_s = 30;    // connection, association and C-STORE response each
  TlsConfig tls;
  // [[peers]], [[destinations]]
  std::vector<PeerConfig> peers;
  std::vector<DestinationConfig> destinations;
};

NodeConfig default_node_config();

// Reads and validates a TOML file. Unknown keys, wrong types and out-of-range values are errors.
NodeConfig load_node_config(const std::filesystem::path& file);

// Checks that hold whatever the source (file, defaults, flags); throws ConfigError.
void validate(const NodeConfig& config);

// An audit record repository, "udp://HOST:PORT" or "tls://HOST:PORT" (HOST may be [IPv6]).
struct AuditRepositoryAddress {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
};
AuditRepositoryAddress parse_audit_repository(const std::string& text);  // throws ConfigError

// Parses "AET@HOST:PORT" (the --destination flag).
DestinationConfig parse_destination(const std::string& text);

// AE titles: 1 to 16 characters, no backslash or control characters, not only spaces (PS3.5 6.2).
bool is_valid_ae_title(const std::string& ae_title);

// Whether anything in the configuration speaks TLS (the listener, a destination or a peer).
bool uses_tls(const NodeConfig& config);

}  // namespace rtpof::rules
