// `rtpof serve`: the node. Opens the data directory, recovers the index from the files, listens,
// and on SIGTERM/SIGINT stops accepting and lets running associations finish (bounded wait).
#include <signal.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>

#include "app/commands.hpp"
#include "jobs/analysis_rules.hpp"
#include "app/dcmtk_runtime.hpp"
#include "app/audit_wiring.hpp"
#include "app/hook_runner.hpp"
#include "jobs/job_runner.hpp"
#include "delivery/outbox_sender.hpp"
#include "app/service_notifier.hpp"
#include "jobs/case_scheduler.hpp"
#include "app/logging.hpp"
#include "app/metrics_endpoint.hpp"
#include "app/node_listeners.hpp"
#include "app/node_metrics.hpp"
#include "app/node_settings.hpp"
#include "rtpof_version.hpp"
#include "rules/report_routing.hpp"
#include "rules/restart_settings.hpp"
#include "scp/listening_port.hpp"
#include "scp/tls_layer.hpp"
#include "storage/archive.hpp"
#include "storage/data_dir_lock.hpp"

namespace rtpof::app {

using namespace rtpof::jobs;  // app/ wires the jobs layer
namespace {

std::optional<scp::TlsOptions> tls_options(const rules::NodeConfig& config) {
  if (!rules::uses_tls(config)) return std::nullopt;
  scp::TlsOptions tls;
  tls.certificate = config.tls.certificate;
  tls.private_key = config.tls.private_key;
  tls.trusted_certificates = config.tls.trusted_certificates;
  tls.profile = config.tls.profile == "bcp195" ? scp::TlsProfile::bcp195
                : config.tls.profile == "bcp195-ex" ? scp::TlsProfile::bcp195_extended
                                                    : scp::TlsProfile::bcp195_nd;
  tls.require_peer_certificate = config.tls.require_client_certificate;
  return tls;
}

// One listener per open port: plain DICOM on [node] port, DICOM over TLS on [tls] port.
std::vector<scp::ListenerOptions> listener_ports(const rules::NodeConfig& config) {
  scp::ListenerOptions options;
  options.ae_title = config.ae_title;
  options.accept_any_caller = config.accept_any_caller;
  for (const auto& peer : config.peers) options.peers.push_back({peer.ae_title, peer.host});
  options.max_associations = config.max_associations;
  options.acse_timeout_s = config.acse_timeout_s;
  options.dimse_timeout_s = config.dimse_timeout_s;
  options.shutdown_grace_s = config.shutdown_grace_s;
  std::vector<scp::ListenerOptions> ports;
  if (config.port != 0) {
    ports.push_back(options);
    ports.back().port = config.port;
  }
  if (config.tls.port != 0) {
    ports.push_back(options);
    ports.back().port = config.tls.port;
    ports.back().tls = tls_options(config);
  }
  return ports;
}

// Throws TlsSetupError naming the file at fault. The listener's role is checked at start-up only: it
// takes its identity once, and a reload does not change it.
void check_tls_identity(const rules::NodeConfig& config, bool as_listener) {
  const auto tls = tls_options(config);
  if (!tls) return;
  if (as_listener) scp::check_tls_setup(*tls, scp::TlsRole::server);
  if (!rules::tls_endpoints(config).empty()) scp::check_tls_setup(*tls, scp::TlsRole::client);
}

delivery::DeliverySettings delivery_settings_from(const rules::NodeConfig& config) {
  return {config.ae_title, rules::retry_policy_from(config), config.warning_is_delivered, config.send_timeout_s,
          tls_options(config), rules::tls_endpoints(config)};
}

void log_stats(spdlog::logger& log, const NodeListeners& listeners, storage::Archive& archive) {
  storage::Index& index = archive.index();
  const ListenerCounts s = listeners.counts();
  auto jobs = index.cases().job_counts();
  log.info("stats: associations accepted={} refused={} active={}; contexts refused={}; instances stored={} "
           "duplicate={} refused={}; {:.1f} MB stored; jobs pending={} running={} done={} failed={}; outbox pending={}; "
           "disk free {:.1f} GiB",
           s.associations_accepted, s.associations_refused, s.active_associations, s.contexts_refused, s.instances_stored,
           s.instances_duplicate, s.instances_refused, static_cast<double>(s.bytes_stored) / 1e6, jobs["pending"], jobs["running"], jobs["done"],
           jobs["failed"], index.reports().pending_deliveries(),
           archive.free_bytes() ? static_cast<double>(*archive.free_bytes()) / (1ull << 30) : -1.0);
}

// systemd's STATUS line (`systemctl status rtpof`): what the node holds and owes, and its last error.
std::string status_summary(const std::string& listening, storage::Index& index, const std::string& last_error) {
  auto jobs = index.cases().job_counts();
  auto outbox = index.reports().delivery_counts();
  std::string status = listening + "; " + std::to_string(index.instances().counts().instances) + " instances; jobs " +
                       std::to_string(jobs["pending"]) + " pending, " + std::to_string(jobs["running"]) + " running, " +
                       std::to_string(jobs["failed"]) + " failed; outbox " + std::to_string(outbox["pending"]) +
                       " pending, " + std::to_string(outbox["dead"]) + " dead";
  if (!last_error.empty()) status += "; last error " + last_error.substr(0, 160);
  return status;
}

}  // namespace

int serve_command(const Arguments& args) {
  const CommandLine cl(args,
                       {"--config", "--data-dir", "--port", "--ae-title", "--destination", "--stable-age",
                        "--log-format", "--log-level"},
                       {});
  if (!cl.positionals().empty()) throw UsageError("serve takes no positional argument: " + cl.positionals().front());
  const rules::NodeConfig config = node_config_from(cl);
  const auto log = make_logger(config.log_format, config.log_level);
  const auto last_error = std::make_shared<LastErrorSink>();
  log->sinks().push_back(last_error);
  route_dcmtk_log(log);
  ::signal(SIGPIPE, SIG_IGN);  // a peer closing its socket must not kill the node
  try {
    initialise_dcmtk();
    // A TLS identity that cannot work stops the node now, not at the first handshake or report.
    check_tls_identity(config, config.tls.port != 0);
    // DCMTK would also refuse the bind, but only after this process had said it was ready.
    for (const auto& port : listener_ports(config))
      if (scp::port_is_listening(port.port).value_or(false))
        throw std::runtime_error("cannot listen on port " + std::to_string(port.port) +
                                 ": another process is listening on it (another rtpof? see `ss -ltnp`)");
    const storage::DataDirLock lock(config.data_dir);
    storage::Archive archive({config.data_dir, config.quota_bytes, config.min_free_bytes}, log);
    const auto recovery = archive.recover();
    const auto counts = archive.counts();
    log->info("rtpof {} starting: data dir {}; index holds {} instances of {} patients; recovery removed {} "
              "temporary files, indexed {} files, {} unreadable",
              version, std::filesystem::absolute(config.data_dir).string(), counts.instances, counts.patients,
              recovery.temporary_files_removed, recovery.files_indexed, recovery.files_unreadable);

    // Declared before the sender and the listeners, which record into it: it outlives both.
    audit::AuditTrail audit_trail(audit_settings_from(config, tls_options(config)), log);
    if (audit_trail.enabled()) log->info("audit trail: DICOM audit messages to {}", audit_trail.describe());

    boost::asio::io_context io;
    const int requeued = archive.index().cases().requeue_running_jobs();
    if (requeued > 0) log->info("{} job(s) left running by the last run are queued again", requeued);
    // Declared before the runner and the sender, which call it: it outlives both.
    HookRunner hooks(log);
    hooks.set_commands(config.hook_on_job_done, config.hook_on_dead_letter, config.hook_timeout_s);
    delivery::OutboxSender sender(archive.index().reports(), archive.reports_dir(), delivery_settings_from(config), log);
    const auto pending = archive.index().reports().pending_deliveries();
    if (pending > 0) log->info("{} report deliveries are pending from the last run", pending);
    JobRunner runner(archive, config.job_workers, analysis_rules_from(config), config.ae_title,
                     [&sender] { sender.wake(); }, log);
    runner.on_finished([&hooks](const jobs::FinishedJob& job) { hooks.job_finished(job); });
    sender.on_dead_letter([&hooks](const delivery::DeadLetter& letter) { hooks.dead_letter(letter); });
    sender.on_delivered([&audit_trail, &log](const delivery::Delivered& delivered) {
      try {
        audit_delivered(audit_trail, delivered, *log);
      } catch (const std::exception& e) {
        log->error("audit: the Export message of report {} could not be made: {}", delivered.report.sop_instance_uid,
                   e.what());
      }
    });
    jobs::CaseScheduler scheduler(io, archive.index().instances(), archive.index().cases(),
                                   std::chrono::milliseconds(static_cast<long>(config.stable_age_s * 1000)),
                                   match_rules_from(config), log, [&runner] { runner.wake(); });
    std::atomic<bool> listening_now{false};  // for /healthz
    archive.on_stored([&scheduler](const storage::IngestOutcome& stored) {
      scheduler.instance_stored(stored.pseudonym);
      // A corrected PatientID moved a study: the patient it left is decided again too.
      if (!stored.moved_from.empty()) scheduler.instance_stored(stored.moved_from);
    });
    scheduler.check_all();
    runner.wake();

    // The metrics port, when configured, is bound before the DICOM ports: one in use stops the node before
    // it listens (the listeners' threads must not be running when an exception leaves this scope). It
    // answers nothing before the event loop runs, by which time its sources are set.
    std::optional<NodeMetricsSources> metrics_sources;
    std::optional<MetricsEndpoint> metrics;
    if (config.metrics_port != 0)
      metrics.emplace(io, config.metrics_address, config.metrics_port,
                      [&metrics_sources] { return prometheus_text(*metrics_sources); },
                      [&metrics_sources] { return node_health(*metrics_sources); }, log);
    NodeListeners listeners(listener_ports(config), archive, log, [&io, &listening_now] {
      listening_now = false;
      boost::asio::post(io, [&io] { io.stop(); });
    }, audit_observer(audit_trail));
    // The pools bind inside their threads: READY and the log line wait for every bind (or a failure).
    const bool listening = listeners.wait_until_bound(std::chrono::seconds(30));
    listening_now = listening;
    metrics_sources.emplace(NodeMetricsSources{listeners, archive, listening_now});
    if (metrics) log->info("metrics: http://{}:{}/metrics and /healthz", config.metrics_address, metrics->port());
    if (listening)
      log->info("listening: AE \"{}\" on {}, up to {} associations per port, {}", config.ae_title,
                listeners.describe(), config.max_associations,
                config.accept_any_caller ? "any calling AE accepted"
                                         : std::to_string(config.peers.size()) + " configured peers");
    const ServiceNotifier systemd;
    if (listening) systemd.ready("listening as " + config.ae_title + " on " + listeners.describe());
    if (listening) audit_application(audit_trail, true);
    // The watchdog is pinged from the event loop that also runs matching, stats and signals: a loop that
    // stops turning stops the pings, and systemd restarts the node.
    boost::asio::steady_timer watchdog_timer(io);
    std::function<void()> arm_watchdog = [&] {
      const auto interval = systemd.watchdog_interval();
      if (!interval) return;
      systemd.watchdog();
      watchdog_timer.expires_after(*interval);
      watchdog_timer.async_wait([&](const boost::system::error_code& error) {
        if (!error) arm_watchdog();
      });
    };
    arm_watchdog();

    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    bool stopping = false;
    signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
      if (error) return;
      stopping = true;
      systemd.stopping();
      watchdog_timer.cancel();
      log->info("stopping on signal {}: no new associations; waiting up to {} s for {} running", signal_number,
                config.shutdown_grace_s, listeners.counts().active_associations);
      listeners.request_stop();
    });
    // SIGHUP: read the rules again. A valid file takes effect for the next decisions; an invalid one is
    // refused with its reason and the rules in force stay. (Listener settings need a restart.)
    boost::asio::signal_set hangup(io, SIGHUP);
    std::function<void()> arm_hangup = [&] {
      hangup.async_wait([&](const boost::system::error_code& error, int) {
        if (error) return;
        try {
          const rules::NodeConfig fresh = node_config_from(cl);
          check_tls_identity(fresh, false);  // destinations' TLS takes the reloaded identity
          runner.set_rules(analysis_rules_from(fresh));
          scheduler.set_rules(match_rules_from(fresh));
          sender.set_settings(delivery_settings_from(fresh));
          hooks.set_commands(fresh.hook_on_job_done, fresh.hook_on_dead_letter, fresh.hook_timeout_s);
          audit_trail.reopen_file();  // after logrotate moved it
          log->info("rules reloaded on SIGHUP: in-field V95 >= {}, marginal V95 >= {}, reference dose {}",
                    fresh.in_field_min_v95_pct, fresh.marginal_min_v95_pct,
                    fresh.reference_dose_gy > 0 ? std::to_string(fresh.reference_dose_gy) + " Gy" : "from the RTPLAN");
          for (const std::string& change : rules::settings_needing_restart(config, fresh))
            log->warn("SIGHUP: {} takes effect only after a restart (systemctl restart rtpof); the running "
                      "value stays until then", change);
        } catch (const std::exception& e) {
          log->error("rules NOT reloaded on SIGHUP, the previous rules stay: {}; fix the file and send SIGHUP again",
                     e.what());
        }
        arm_hangup();
      });
    };
    arm_hangup();
    boost::asio::steady_timer stats_timer(io);
    std::function<void()> arm_stats = [&] {
      if (config.stats_interval_s == 0) return;
      stats_timer.expires_after(std::chrono::seconds(config.stats_interval_s));
      stats_timer.async_wait([&](const boost::system::error_code& error) {
        if (error) return;
        log_stats(*log, listeners, archive);
        arm_stats();
      });
    };
    arm_stats();
    // STATUS= every 5 s: cheap counts, and `systemctl status` shows them at once.
    const std::string listening_text = "listening as " + config.ae_title + " on " + listeners.describe();
    boost::asio::steady_timer status_timer(io);
    std::function<void()> arm_status = [&] {
      status_timer.expires_after(std::chrono::seconds(5));
      status_timer.async_wait([&](const boost::system::error_code& error) {
        if (error || stopping) return;
        systemd.status(status_summary(listening_text, archive.index(), last_error->last()));
        arm_status();
      });
    };
    if (listening) arm_status();
    io.run();

    // Not a signal: a listener stopped by itself (its port could not be opened); the others follow.
    if (!stopping) listeners.request_stop();
    if (!listeners.wait_finished(std::chrono::seconds(stopping ? config.shutdown_grace_s : 5))) {
      // Whatever is still being received was never acknowledged: the peer will send it again.
      log->warn("associations still running after {} s; exiting without waiting for them", config.shutdown_grace_s);
      log_stats(*log, listeners, archive);
      audit_application(audit_trail, false);
      audit_trail.close();
      log->flush();
      std::_Exit(stopping ? 0 : 1);
    }
    if (listening) audit_application(audit_trail, false);
    listeners.rethrow_failure();  // a port that could not be opened
    log_stats(*log, listeners, archive);
    log->info("stopped");
    return 0;
  } catch (const std::exception& e) {
    log->critical("cannot serve: {}", e.what());
    return 1;
  }
}

}  // namespace rtpof::app
