#pragma once
// One patient analysed by a child process, `rtpof analyze FOLDER --json FILE ...`: a patient whose data
// crash or exhaust the analysis takes down only its own process, its memory is returned when it ends,
// and the cohort's numbers are exactly those `rtpof analyze` gives for the folder alone.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace rtpof::cohort {

struct AnalysisCommand {
  std::filesystem::path executable;     // the rtpof binary
  std::vector<std::string> extra_args;  // --config, --key, --reference-dose as given to the cohort
  unsigned threads = 0;                 // threads for each analysis (RTPOF_THREADS and ITK's); 0: its default
};

struct AnalysisRun {
  std::optional<nlohmann::json> analysis;  // set when the analysis succeeded
  std::string reason;                      // why not, in the analysis' own words
  bool deterministic_failure = false;      // the analysis refused the data (exit 1): the same inputs fail the same way
  double seconds = 0;
};

// Runs the analysis of `folder`; the JSON goes to `json_file`, its standard error to `log_file` (kept:
// the stage timings and notes, or the failure). Throws std::runtime_error when the process cannot start.
AnalysisRun run_analysis(const AnalysisCommand& command, const std::string& folder,
                         const std::filesystem::path& json_file, const std::filesystem::path& log_file);

}  // namespace rtpof::cohort
