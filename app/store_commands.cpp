// `rtpof status` and `rtpof reindex`: the operator's view of a data directory.
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/commands.hpp"
#include "app/dcmtk_runtime.hpp"
#include "app/logging.hpp"
#include "app/node_settings.hpp"
#include "storage/archive.hpp"
#include "storage/data_dir_lock.hpp"

namespace rtpof::app {

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
  const auto c = index.counts();
  if (cl.has("--json")) {
    std::cout << "{\"data_dir\":\"" << std::filesystem::absolute(config.data_dir).string() << "\",\"patients\":"
              << c.patients << ",\"studies\":" << c.studies << ",\"series\":" << c.series
              << ",\"instances\":" << c.instances << ",\"bytes\":" << c.bytes << ",\"instances_by_modality\":{";
    bool first = true;
    for (const auto& [modality, n] : c.instances_by_modality) {
      std::cout << (first ? "" : ",") << "\"" << modality << "\":" << n;
      first = false;
    }
    std::cout << "},\"jobs\":[";
    bool first_job = true;
    for (const auto& j : index.jobs()) {
      std::cout << (first_job ? "" : ",") << "{\"id\":" << j.id << ",\"patient\":\"" << j.patient
                << "\",\"case_version\":" << j.case_version << ",\"state\":\"" << j.state << "\",\"attempts\":"
                << j.attempts << ",\"superseded\":" << (j.superseded ? "true" : "false") << ",\"inputs\":"
                << j.inputs.size() << ",\"stages\":\"" << j.stages << "\"}";
      first_job = false;
    }
    std::cout << "],\"cases\":[";
    bool first_case = true;
    for (const auto& d : index.decisions()) {
      std::string detail;
      for (char ch : d.detail) detail += ch == '"' || ch == '\\' ? std::string("\\") + ch : std::string(1, ch);
      std::cout << (first_case ? "" : ",") << "{\"patient\":\"" << d.patient << "\",\"state\":\"" << d.state
                << "\",\"detail\":\"" << detail << "\",\"decided_at\":\"" << d.decided_at << "\"}";
      first_case = false;
    }
    std::cout << "]}\n";
  } else {
    std::cout << "data dir   " << std::filesystem::absolute(config.data_dir).string() << "\n"
              << "patients   " << c.patients << "\nstudies    " << c.studies << "\nseries     " << c.series
              << "\ninstances  " << c.instances << " (" << c.bytes / 1000000.0 << " MB)\n";
    for (const auto& [modality, n] : c.instances_by_modality) std::cout << "  " << modality << "  " << n << "\n";
    const auto decisions = index.decisions();
    std::cout << "cases      " << decisions.size() << "\n";
    for (const auto& d : decisions)
      std::cout << "  patient " << d.patient << "  " << d.state << "  " << d.detail << "  (" << d.decided_at << ")\n";
    const auto jobs = index.jobs();
    std::cout << "jobs       " << jobs.size() << "\n";
    for (const auto& j : jobs)
      std::cout << "  job " << j.id << "  patient " << j.patient << "  case v" << j.case_version
                << (j.superseded ? " (superseded)" : "") << "  " << j.state << "  attempts " << j.attempts
                << (j.stages.empty() ? "" : "  " + j.stages) << (j.reason.empty() ? "" : "  reason: " + j.reason) << "\n";
  }
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
