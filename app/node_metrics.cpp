#include "app/node_metrics.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <regex>
#include <vector>

#include "app/node_listeners.hpp"
#include "storage/archive.hpp"
#include "storage/case_store.hpp"
#include "storage/index.hpp"
#include "storage/report_store.hpp"
#include "storage/utc_time.hpp"

namespace rtpof::app {
namespace {

// Builds one exposition: each family's HELP and TYPE once, then its samples.
class Exposition {
 public:
  void family(const char* name, const char* type, const char* help) {
    text_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(const std::string& name, double value, const std::string& labels = "") {
    char number[64];
    std::snprintf(number, sizeof number, "%.17g", value);
    text_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + number + "\n";
  }
  std::string text() && { return std::move(text_); }

 private:
  std::string text_;
};

double seconds_since_epoch(const std::string& iso) {
  const auto when = storage::parse_utc_iso8601(iso);
  return when ? std::chrono::duration<double>(when->time_since_epoch()).count() : 0.0;
}

}  // namespace

std::string prometheus_text(const NodeMetricsSources& s) {
  Exposition out;
  const ListenerCounts c = s.listeners.counts();
  out.family("rtpof_associations_total", "counter", "DICOM associations since the node started, by outcome.");
  out.sample("rtpof_associations_total", static_cast<double>(c.associations_accepted), "result=\"accepted\"");
  out.sample("rtpof_associations_total", static_cast<double>(c.associations_refused), "result=\"refused\"");
  out.family("rtpof_associations_refused_total", "counter",
             "DICOM associations refused since the node started, by reason: not_authorised (AE title or address), "
             "tls_handshake, other (no acceptable context, the association limit, no readable request).");
  const std::uint64_t other = c.associations_refused - std::min(c.associations_refused,
                                                                c.refused_not_authorised + c.refused_tls_handshake);
  out.sample("rtpof_associations_refused_total", static_cast<double>(c.refused_not_authorised),
             "reason=\"not_authorised\"");
  out.sample("rtpof_associations_refused_total", static_cast<double>(c.refused_tls_handshake),
             "reason=\"tls_handshake\"");
  out.sample("rtpof_associations_refused_total", static_cast<double>(other), "reason=\"other\"");
  out.family("rtpof_associations_active", "gauge", "DICOM associations running now.");
  out.sample("rtpof_associations_active", static_cast<double>(c.active_associations));
  out.family("rtpof_presentation_contexts_refused_total", "counter",
             "Presentation contexts refused since the node started (SOP class or transfer syntax not accepted).");
  out.sample("rtpof_presentation_contexts_refused_total", static_cast<double>(c.contexts_refused));
  out.family("rtpof_instances_received_total", "counter", "C-STORE requests since the node started, by outcome.");
  out.sample("rtpof_instances_received_total", static_cast<double>(c.instances_stored), "result=\"stored\"");
  out.sample("rtpof_instances_received_total", static_cast<double>(c.instances_duplicate), "result=\"duplicate\"");
  out.sample("rtpof_instances_received_total", static_cast<double>(c.instances_refused), "result=\"refused\"");
  out.family("rtpof_received_bytes_total", "counter", "Bytes of instances stored since the node started.");
  out.sample("rtpof_received_bytes_total", static_cast<double>(c.bytes_stored));

  // The index: what `rtpof status` shows, across restarts.
  const auto counts = s.archive.index().instances().counts();
  out.family("rtpof_last_instance_stored_timestamp_seconds", "gauge",
             "When the newest instance in the index was received (Unix time); 0 for an empty index.");
  out.sample("rtpof_last_instance_stored_timestamp_seconds",
             seconds_since_epoch(s.archive.index().instances().last_received_at().value_or("")));
  out.family("rtpof_index_patients", "gauge", "Patients in the index.");
  out.sample("rtpof_index_patients", static_cast<double>(counts.patients));
  out.family("rtpof_index_instances", "gauge", "Instances in the index.");
  out.sample("rtpof_index_instances", static_cast<double>(counts.instances));
  out.family("rtpof_index_bytes", "gauge", "Bytes of the instances in the index.");
  out.sample("rtpof_index_bytes", static_cast<double>(counts.bytes));
  out.family("rtpof_jobs", "gauge", "Analysis jobs in the index, by state.");
  auto jobs = s.archive.index().cases().job_counts();
  for (const char* state : {"pending", "running", "done", "failed"})
    out.sample("rtpof_jobs", static_cast<double>(jobs[state]), std::string("state=\"") + state + "\"");
  // Stage durations of the finished jobs, as a histogram per stage, rebuilt from the index at each
  // scrape (jobs are never deleted, so each bucket only grows, as a counter must).
  const double bounds[] = {0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300};
  std::map<std::string, std::vector<double>> durations;
  static const std::regex stage_time(R"(([a-z_]+)=([0-9]+)ms)");
  for (const std::string& stages : s.archive.index().cases().stages_of_done_jobs())
    for (auto m = std::sregex_iterator(stages.begin(), stages.end(), stage_time); m != std::sregex_iterator(); ++m)
      durations[(*m)[1].str()].push_back(std::stod((*m)[2].str()) / 1000.0);
  out.family("rtpof_job_stage_duration_seconds", "histogram",
             "How long each stage of the finished jobs took (load_and_register, analyse, sr, rtstruct, "
             "reg_and_pdf, report: all report objects).");
  for (const auto& [stage, seconds] : durations) {
    double sum = 0;
    for (double v : seconds) sum += v;
    for (double bound : bounds) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", bound);
      const auto below = std::count_if(seconds.begin(), seconds.end(), [&](double v) { return v <= bound; });
      out.sample("rtpof_job_stage_duration_seconds_bucket", static_cast<double>(below),
                 "stage=\"" + stage + "\",le=\"" + le + "\"");
    }
    out.sample("rtpof_job_stage_duration_seconds_bucket", static_cast<double>(seconds.size()),
               "stage=\"" + stage + "\",le=\"+Inf\"");
    out.sample("rtpof_job_stage_duration_seconds_sum", sum, "stage=\"" + stage + "\"");
    out.sample("rtpof_job_stage_duration_seconds_count", static_cast<double>(seconds.size()), "stage=\"" + stage + "\"");
  }
  out.family("rtpof_report_deliveries", "gauge",
             "Report objects queued for a destination, by state: pending (being retried), sent, dead (given up).");
  for (const auto& [state, n] : s.archive.index().reports().delivery_counts())
    out.sample("rtpof_report_deliveries", static_cast<double>(n), "state=\"" + state + "\"");
  out.family("rtpof_last_report_delivered_timestamp_seconds", "gauge",
             "When a report object last reached its destination (Unix time); 0 before the first.");
  out.sample("rtpof_last_report_delivered_timestamp_seconds",
             seconds_since_epoch(s.archive.index().reports().last_sent_at().value_or("")));

  out.family("rtpof_disk_free_bytes", "gauge", "Free space of the data directory's file system.");
  out.sample("rtpof_disk_free_bytes", static_cast<double>(s.archive.free_bytes().value_or(0)));
  out.family("rtpof_disk_min_free_bytes", "gauge", "Below this free space C-STOREs are refused (storage.min_free_mb).");
  out.sample("rtpof_disk_min_free_bytes", static_cast<double>(s.archive.min_free_bytes()));
  out.family("rtpof_up", "gauge", "1 when /healthz answers 200.");
  out.sample("rtpof_up", node_health(s).ok ? 1 : 0);
  return std::move(out).text();
}

Health node_health(const NodeMetricsSources& s) {
  if (!s.listening.load()) return {false, "a DICOM listener is not listening (see the log)"};
  if (const auto refused = s.archive.refuses_new_instances())
    return {false, "C-STOREs are refused (0xA700): " + *refused};
  return {};
}

}  // namespace rtpof::app
