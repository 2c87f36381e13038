#pragma once
// The node's results as a cohort's outcomes: the analysis every finished job kept in the index, named by
// the patient's pseudonym; `rtpof results` and `rtpof cohort --data-dir` read them through this.
#include <filesystem>
#include <vector>

#include "cohort/patient_outcome.hpp"

namespace rtpof::app {

struct NodeResult {
  cohort::PatientOutcome outcome;  // the analysis, or (a failed job) the reason
  std::int64_t job = 0;
  int case_version = 0;
  bool superseded = false;
  std::string finished_at;
};

// Done jobs (and, with `include_failed`, failed ones) of the current case versions; with
// `all_versions` also of superseded ones. In job order. Reading is safe beside a running node (WAL).
std::vector<NodeResult> node_results(const std::filesystem::path& data_dir, bool all_versions, bool include_failed);

}  // namespace rtpof::app
