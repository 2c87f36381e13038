// `rtpof status`, `rtpof resend`, `rtpof rerun` and `rtpof reindex`: the operator's view of a data directory.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/dcmtk_runtime.hpp"
#include "app/logging.hpp"
#include "app/node_settings.hpp"
#include "storage/printable.hpp"
#include "storage/archive.hpp"
#include "storage/data_dir_backup.hpp"
#include "storage/data_dir_lock.hpp"
#include "storage/utc_time.hpp"

namespace rtpof::app {
namespace {

// A finished job's classes, from the result JSON it kept; none for a job without one.
struct JobFinding {
  std::string roi, miss_class;
  double v95_pct = 0;
};

std::vector<JobFinding> findings_of(const std::string& result) {
  std::vector<JobFinding> findings;
  if (result.empty()) return findings;
  const nlohmann::json parsed = nlohmann::json::parse(result, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("recurrences")) return findings;
  for (const nlohmann::json& r : parsed.at("recurrences"))
    findings.push_back({r.value("roi", ""), r.value("class", ""), r.value("v95_pct", 0.0)});
  return findings;
}

}  // namespace

int status_command(const Arguments& args) {
  const CommandLine cl(args, data_dir_flags, {"--json"});
  const rules::NodeConfig config = node_config_from(cl);
  const auto log = make_logger("text", "warn");
  if (!std::filesystem::exists(config.data_dir / "index.sqlite")) {
    std::cerr << "no rtpof data directory at " << config.data_dir.string() << " (no index.sqlite)\n";
    return 1;
  }
  // Reading the index is safe beside a running node (WAL): no lock is taken.
  storage::Index index(config.data_dir / "index.sqlite");
  const auto c = index.instances().counts();
  const auto outbox = index.reports().deliveries();
  if (cl.has("--json")) {
    nlohmann::json out = {{"data_dir", std::filesystem::absolute(config.data_dir).string()},
                          {"patients", c.patients},
                          {"studies", c.studies},
                          {"series", c.series},
                          {"instances", c.instances},
                          {"bytes", c.bytes},
                          {"instances_by_modality", c.instances_by_modality},
                          {"jobs", nlohmann::json::array()},
                          {"cases", nlohmann::json::array()},
                          {"outbox", nlohmann::json::array()}};
    for (const auto& j : index.cases().jobs()) {
      nlohmann::json row = {{"id", j.id}, {"patient", j.patient}, {"case_version", j.case_version}, {"state", j.state},
                            {"attempts", j.attempts}, {"superseded", j.superseded}, {"inputs", j.inputs.size()},
                            {"stages", j.stages}, {"reason", j.reason}, {"results", nlohmann::json::array()}};
      for (const JobFinding& f : findings_of(j.result))
        row["results"].push_back({{"roi", f.roi}, {"class", f.miss_class}, {"v95_pct", f.v95_pct}});
      if (const auto report = index.reports().report_of_job(j.id))
        row["report_file"] = (config.data_dir / "reports" / report->relative_path).string();
      // Every object the job wrote, by kind (sr, rtstruct, reg, pdf).
      for (const auto& object : index.reports().objects_of_job(j.id))
        row["objects"][object.kind] = (config.data_dir / "reports" / object.relative_path).string();
      out["jobs"].push_back(row);
    }
    for (const auto& d : index.cases().decisions())
      out["cases"].push_back({{"patient", d.patient}, {"state", d.state}, {"detail", d.detail}, {"decided_at", d.decided_at}});
    for (const auto& o : outbox)
      out["outbox"].push_back({{"id", o.id}, {"job", o.job_id}, {"patient", o.report.patient},
                               {"kind", o.report.kind}, {"report_uid", o.report.sop_instance_uid},
                               {"report_file", (config.data_dir / "reports" / o.report.relative_path).string()},
                               {"destination", o.destination.label()}, {"state", o.state}, {"attempts", o.attempts},
                               {"last_status", o.last_status}, {"next_attempt_at", o.next_attempt_at},
                               {"sent_at", o.sent_at}});
    std::cout << out.dump() << "\n";
  } else {
    std::cout << "data dir   " << std::filesystem::absolute(config.data_dir).string() << "\n"
              << "patients   " << c.patients << "\nstudies    " << c.studies << "\nseries     " << c.series
              << "\ninstances  " << c.instances << " (" << c.bytes / 1000000.0 << " MB)\n";
    for (const auto& [modality, n] : c.instances_by_modality) std::cout << "  " << storage::printable(modality) << "  " << n << "\n";
    const auto decisions = index.cases().decisions();
    std::cout << "cases      " << decisions.size() << "\n";
    for (const auto& d : decisions)
      std::cout << "  patient " << d.patient << "  " << d.state << "  " << storage::printable(d.detail) << "  (" << d.decided_at << ")\n";
    const auto jobs = index.cases().jobs();
    std::cout << "jobs       " << jobs.size() << "\n";
    for (const auto& j : jobs)
      std::cout << "  job " << j.id << "  patient " << j.patient << "  case v" << j.case_version
                << (j.superseded ? " (superseded)" : "") << "  " << j.state << "  attempts " << j.attempts
                << (j.stages.empty() ? "" : "  " + j.stages) << (j.reason.empty() ? "" : "  reason: " + storage::printable(j.reason))
                << (j.state == "failed" ? "  (rtpof rerun " + std::to_string(j.id) + ")" : "") << "\n";
    for (const auto& j : jobs) {
      // What the physicist asks first: each recurrence's class and V95, and where the report is.
      const auto findings = findings_of(j.result);
      if (findings.empty()) continue;
      std::cout << "  job " << j.id << " result:";
      for (const JobFinding& f : findings) {
        char v95[32];
        std::snprintf(v95, sizeof v95, "%.1f", f.v95_pct);
        std::cout << "  " << storage::printable(f.roi) << " " << f.miss_class << " (V95 " << v95 << " %)";
      }
      for (const auto& object : index.reports().objects_of_job(j.id))
        std::cout << "; " << (object.kind == "sr" ? std::string("report") : object.kind) << " "
                  << (config.data_dir / "reports" / object.relative_path).string();
      std::cout << "\n";
    }
    std::cout << "outbox     " << outbox.size() << "\n";
    for (const auto& o : outbox)
      std::cout << "  " << o.id << "  " << o.report.kind << " " << o.report.sop_instance_uid << " (job " << o.job_id << ", patient "
                << o.report.patient << ")  to " << o.destination.label() << "  " << o.state << "  attempts "
                << o.attempts << (o.last_status.empty() ? "" : "  last: " + storage::printable(o.last_status))
                << (o.state == "pending" ? "  next " + o.next_attempt_at : "")
                << (o.state == "dead" ? "  (rtpof resend " + std::to_string(o.id) + ")" : "") << "\n";
  }
  return 0;
}

namespace {

// `resend` and `rerun`: ids from the command line (outbox rows or jobs), and the data directory's index,
// which is safe to change beside a running node (WAL, one transaction) that polls it.
struct Requeue {
  std::filesystem::path index_file;
  std::vector<std::int64_t> ids;
};

std::optional<Requeue> requeue_request(const Arguments& args, const std::string& what) {
  const CommandLine cl(args, data_dir_flags, {});
  const rules::NodeConfig config = node_config_from(cl);
  if (!std::filesystem::exists(config.data_dir / "index.sqlite")) {
    std::cerr << "no rtpof data directory at " << config.data_dir.string() << " (no index.sqlite)\n";
    return std::nullopt;
  }
  Requeue request{config.data_dir / "index.sqlite", {}};
  for (const std::string& id : cl.positionals()) {
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos || id.size() > 18)
      throw UsageError(what + " ids are numbers (see `rtpof status`), not \"" + id + "\"");
    request.ids.push_back(std::stoll(id));
  }
  return request;
}

}  // namespace

int resend_command(const Arguments& args) {
  const auto request = requeue_request(args, "outbox");
  if (!request) return 1;
  // The node's sender sees the rows within a second.
  storage::Index index(request->index_file);
  const int requeued = index.reports().requeue_dead_deliveries(request->ids, storage::utc_iso8601());
  std::cout << requeued << " dead report deliver" << (requeued == 1 ? "y" : "ies") << " queued again"
            << (requeued == 0 && !request->ids.empty() ? " (the ids given are not dead letters; see `rtpof status`)" : "")
            << "\n";
  return requeued == 0 && !request->ids.empty() ? 1 : 0;
}

int rerun_command(const Arguments& args) {
  const auto request = requeue_request(args, "job");
  if (!request) return 1;
  // The node's job runner looks for pending jobs every few seconds.
  storage::Index index(request->index_file);
  const int requeued = index.cases().requeue_failed_jobs(request->ids);
  std::cout << requeued << " failed job" << (requeued == 1 ? "" : "s") << " queued again"
            << (requeued == 0 && !request->ids.empty() ? " (the ids given are not failed jobs; see `rtpof status`)" : "")
            << "\n";
  return requeued == 0 && !request->ids.empty() ? 1 : 0;
}

int backup_command(const Arguments& args) {
  const CommandLine cl(args, data_dir_flags, {});
  const rules::NodeConfig config = node_config_from(cl);
  if (cl.positionals().size() != 1) throw UsageError("give exactly one backup folder: rtpof backup DIR");
  // No lock: the point is to copy beside a running node; SQLite's backup API takes the snapshot.
  const auto summary = storage::backup_data_dir(config.data_dir, cl.positionals().front());
  std::cout << "backup of " << config.data_dir.string() << " in " << cl.positionals().front() << ": index snapshot with "
            << summary.instances << " instances, " << summary.files << " files (" << summary.bytes / 1000000.0
            << " MB)" << (summary.vanished ? ", " + std::to_string(summary.vanished) + " moved aside meanwhile" : "")
            << "\nto restore: stop the node, put this folder in place of its data directory (data_dir), start it\n";
  return 0;
}

int reindex_command(const Arguments& args) {
  const CommandLine cl(args, data_dir_flags, {});
  const rules::NodeConfig config = node_config_from(cl);
  const auto log = make_logger("text", "info");
  route_dcmtk_log(log);
  try {
    initialise_dcmtk();
    const storage::DataDirLock lock(config.data_dir);
    storage::Archive archive({config.data_dir, 0, 0}, log);
    const auto report = archive.rebuild_index();
    const auto counts = archive.counts();
    log->info("index rebuilt from {}: {} files indexed ({} instances of {} patients), {} unreadable, {} temporary "
              "files removed",
              archive.store_dir().string(), report.files_indexed, counts.instances, counts.patients,
              report.files_unreadable, report.temporary_files_removed);
    return report.files_unreadable == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    log->critical("cannot reindex: {}", e.what());
    return 1;
  }
}

}  // namespace rtpof::app
