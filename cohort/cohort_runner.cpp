#include "cohort/cohort_runner.hpp"

#include <cstdio>
#include <fstream>

#include "cohort/cohort_outputs.hpp"
#include "cohort/inputs_digest.hpp"
#include "pipeline/parallel.hpp"

namespace rtpof::cohort {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct CacheEntry {
  std::optional<json> analysis;
  std::string error;
};

std::optional<CacheEntry> read_cache(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  try {
    const json j = json::parse(in);
    CacheEntry entry;
    if (!j.at("analysis").is_null()) entry.analysis = j["analysis"];
    entry.error = j.at("error").get<std::string>();
    return entry;
  } catch (const json::exception&) {
    return std::nullopt;  // a damaged entry is analysed again, and rewritten
  }
}

std::string describe(const json& analysis) {
  std::string text = analysis.value("patient", json::object()).value("pseudonym", std::string("?")) + ",";
  for (const json& r : analysis.value("recurrences", json::array()))
    text += " " + r.value("roi", std::string("?")) + " " + r.value("class", std::string("?"));
  return text;
}

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", s);
  return text;
}

PatientOutcome analyse_one(const CohortPatient& patient, const RunOptions& options, Progress& progress) {
  PatientOutcome outcome;
  outcome.patient = patient;
  const std::string who = "patient " + std::to_string(patient.index + 1) + " (" + patient.folder + ")";
  try {
    if (!fs::is_directory(patient.folder)) throw std::runtime_error("no such folder");
    outcome.digest = inputs_digest(patient.folder, options.salt);
  } catch (const std::exception& e) {
    outcome.error = std::string("its inputs cannot be read: ") + e.what();
    progress.patient_done(who + ": not analysed: " + outcome.error, true);
    return outcome;
  }
  const fs::path cache_file = options.cache / (outcome.digest + ".json");
  if (const auto cached = read_cache(cache_file); cached && (cached->analysis || !options.retry_failed)) {
    outcome.analysis = cached->analysis;
    outcome.error = cached->error;
    progress.patient_done(who + ": inputs unchanged, from the cache: " +
                              (outcome.analysis ? describe(*outcome.analysis) : "not analysed: " + outcome.error),
                          !outcome.analysis);
    return outcome;
  }
  const std::string stem = std::to_string(patient.index + 1) + "-" + outcome.digest.substr(0, 12);
  const AnalysisRun run = run_analysis(options.command, patient.folder, options.cache / (stem + ".analysis.json"),
                                       options.out / "logs" / (stem + ".log"));
  outcome.analysis = run.analysis;
  outcome.error = run.reason;
  // Only what the same inputs would give again is kept: an analysis, or the analysis' own refusal.
  if (run.analysis || run.deterministic_failure)
    write_file_whole(cache_file, json({{"analysis", run.analysis ? *run.analysis : json(nullptr)}, {"error", run.reason}}).dump() + "\n");
  progress.patient_done(who + (run.analysis ? ": analysed in " + seconds_text(run.seconds) + " (new or changed inputs): " + describe(*run.analysis)
                                            : ": not analysed (" + seconds_text(run.seconds) + "): " + run.reason),
                        !run.analysis);
  return outcome;
}

}  // namespace

std::vector<PatientOutcome> run_cohort(const PatientList& patients, const RunOptions& options, Progress& progress) {
  fs::create_directories(options.cache);
  fs::create_directories(options.out / "logs");
  std::vector<PatientOutcome> outcomes(patients.patients.size());
  // A patient's failure is its outcome; what escapes analyse_one is the run's own failure (a process
  // that cannot start, a cache that cannot be written), rethrown once every patient is done.
  pipeline::rethrow_first(pipeline::for_each_index(outcomes.size(), options.jobs, [&](std::size_t i) {
    outcomes[i] = analyse_one(patients.patients[i], options, progress);
  }));
  return outcomes;
}

}  // namespace rtpof::cohort
