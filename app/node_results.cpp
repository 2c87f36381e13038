#include "app/node_results.hpp"

#include <stdexcept>

#include "storage/index.hpp"

namespace rtpof::app {

std::vector<NodeResult> node_results(const std::filesystem::path& data_dir, bool all_versions, bool include_failed) {
  if (!std::filesystem::exists(data_dir / "index.sqlite"))
    throw std::runtime_error("no rtpof data directory at " + data_dir.string() + " (no index.sqlite)");
  storage::Index index(data_dir / "index.sqlite");
  std::vector<NodeResult> results;
  for (const storage::JobRow& job : index.cases().jobs()) {
    if (job.superseded && !all_versions) continue;
    const bool done = job.state == "done" && !job.result.empty();
    if (!done && !(include_failed && job.state == "failed")) continue;
    NodeResult r;
    r.job = job.id;
    r.case_version = job.case_version;
    r.superseded = job.superseded;
    r.finished_at = job.finished_at;
    r.outcome.patient.index = results.size();
    r.outcome.patient.folder = "job " + std::to_string(job.id);
    r.outcome.patient.label = job.patient;
    r.outcome.digest = job.inputs_digest;
    if (done) {
      r.outcome.analysis = nlohmann::json::parse(job.result, nullptr, false);
      if (r.outcome.analysis->is_discarded())
        throw std::runtime_error("job " + std::to_string(job.id) + "'s result in the index is not JSON");
    } else {
      r.outcome.error = job.reason.empty() ? "the job failed" : job.reason;
    }
    results.push_back(r);
  }
  return results;
}

}  // namespace rtpof::app
