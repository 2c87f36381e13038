#pragma once
// Analyses a cohort's patients, several at a time, each in its own process, skipping those whose inputs
// digest is in the output folder's cache (docs/cohort.md). One patient's failure is its outcome, never
// the run's.
#include <filesystem>
#include <string>
#include <vector>

#include "cohort/analysis_process.hpp"
#include "cohort/patient_list.hpp"
#include "cohort/patient_outcome.hpp"
#include "cohort/progress.hpp"

namespace rtpof::cohort {

struct RunOptions {
  AnalysisCommand command;
  unsigned jobs = 1;               // patients at once
  std::filesystem::path out;       // the output folder: logs/ lives in it
  std::filesystem::path cache;     // the cache: one file per inputs digest (shards may share one)
  std::string salt;                // what besides the files decides an analysis (inputs_digest)
  bool retry_failed = false;       // analyse again patients whose failure is cached
};

// The outcomes in the list's order.
std::vector<PatientOutcome> run_cohort(const PatientList& patients, const RunOptions& options, Progress& progress);

}  // namespace rtpof::cohort
