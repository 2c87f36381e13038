// rtpof cohort: the reference study's Table 2 and its statistics for a folder of patients, a manifest, or
// the node's results; sharded for a Slurm array and merged (docs/cohort.md).
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/node_results.hpp"
#include "cohort/cohort_outputs.hpp"
#include "cohort/cohort_runner.hpp"
#include "cohort/inputs_digest.hpp"
#include "pipeline/parallel.hpp"
#include "rtpof_version.hpp"
#include "rules/node_config.hpp"
#include "storage/pseudonym.hpp"

namespace rtpof::app {
namespace {

namespace fs = std::filesystem;

void say_written(const fs::path& out, const cohort::CohortRecord& record) {
  std::size_t failed = 0;
  for (const auto& o : record.outcomes) failed += !o.analysis;
  std::cerr << "rtpof cohort: " << record.outcomes.size() - failed << " patients analysed, " << failed
            << " not (errors.csv); written to " << out.string()
            << " (table2.csv, summary.md, summary.json, errors.csv, cohort.pdf, cohort.png)\n";
}

int merge_command(const CommandLine& cl) {
  const auto out = cl.value("--out");
  if (!out) throw UsageError("give the merged folder: rtpof cohort merge DIR... --out DIR");
  std::vector<cohort::CohortRecord> shards;
  for (std::size_t i = 1; i < cl.positionals().size(); ++i) shards.push_back(cohort::read_cohort_record(cl.positionals()[i]));
  if (shards.empty()) throw UsageError("give the shard folders: rtpof cohort merge DIR... --out DIR");
  const cohort::CohortRecord merged = cohort::merge_shards(shards);
  cohort::write_cohort_outputs(*out, merged);
  say_written(*out, merged);
  return 0;
}

int from_node(const CommandLine& cl, const fs::path& out) {
  if (cl.has("--shard") || cl.has("--manifest") || !cl.positionals().empty())
    throw UsageError("--data-dir reads the node's results: give no folders, --manifest or --shard with it");
  cohort::CohortRecord record;
  for (const NodeResult& r : node_results(*cl.value("--data-dir"), false, true)) record.outcomes.push_back(r.outcome);
  record.total = record.outcomes.size();
  cohort::write_cohort_outputs(out, record);
  say_written(out, record);
  return 0;
}

}  // namespace

int cohort_command(const Arguments& args) {
  const CommandLine cl(args, {"--out", "--manifest", "--data-dir", "--jobs", "--shard", "--config", "--key", "--reference-dose", "--cache"},
                       {"--retry-failed"});
  if (!cl.positionals().empty() && cl.positionals().front() == "merge") return merge_command(cl);
  const auto out_flag = cl.value("--out");
  if (!out_flag) throw UsageError("give the output folder: --out DIR");
  const fs::path out = *out_flag;
  if (cl.has("--data-dir")) return from_node(cl, out);
  if (cl.has("--manifest") == !cl.positionals().empty())
    throw UsageError("give the patients as folders of patient folders (DIR...) or as --manifest FILE.csv, one of the two");

  cohort::PatientList all;
  try {
    all = cl.has("--manifest") ? cohort::patients_from_manifest(*cl.value("--manifest"))
                               : cohort::patients_from_folders({cl.positionals().begin(), cl.positionals().end()});
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  std::optional<cohort::Shard> shard;
  if (const auto text = cl.value("--shard")) {
    try {
      shard = cohort::parse_shard(*text);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    // Shards run apart must name patients alike, or the merge would mix pseudonyms of different keys.
    if (!cl.has("--key")) throw UsageError("the shards of one cohort must share its pseudonym key: give --key FILE (made on first use)");
  }
  const cohort::PatientList patients = shard ? cohort::shard_of(all, *shard) : all;

  fs::create_directories(out);
  const fs::path key = cl.has("--key") ? fs::path(*cl.value("--key")) : out / "pseudonym.key";
  storage::Pseudonymizer::from_key_file(key);  // made once here, before analyses run side by side

  cohort::RunOptions options;
  const unsigned cores = pipeline::core_count();
  options.jobs = static_cast<unsigned>(cl.integer("--jobs", 1, 256, cores));
  options.out = out;
  options.cache = cl.has("--cache") ? fs::path(*cl.value("--cache")) : out / "cache";
  options.retry_failed = cl.has("--retry-failed");
  options.command.executable = fs::canonical("/proc/self/exe");
  // One thread per analysis, patients side by side: ITK's registration sums in an order that depends on
  // its thread count, so a figure could move in its last digits between a run with --jobs 1 and one with
  // --jobs 4, or between shards on different machines. With one thread each it cannot.
  options.command.threads = 1;
  options.command.extra_args = {"--key", fs::absolute(key).string()};
  // What decides an analysis besides the patient's files: a change to any of these analyses every
  // patient again. The binary itself, not only its version: a rebuilt rtpof may compute differently.
  std::string salt = std::string("rtpof ") + rtpof::version + " " + cohort::file_sha256(options.command.executable) +
                     "\nkey " + cohort::file_sha256(key);
  if (const auto config = cl.value("--config")) {
    // A mistake in the rules file is the run's (exit 2, naming the key and line), not every patient's.
    rules::load_node_config(*config);
    options.command.extra_args.insert(options.command.extra_args.end(), {"--config", fs::absolute(*config).string()});
    salt += "\nconfig " + cohort::file_sha256(*config);
  }
  if (const auto dose = cl.value("--reference-dose")) {
    cl.number("--reference-dose", 0.01, 1000, 0);
    options.command.extra_args.insert(options.command.extra_args.end(), {"--reference-dose", *dose});
    salt += "\nreference-dose " + *dose;
  }
  options.salt = salt;

  std::cerr << "rtpof cohort: " << patients.patients.size() << " patients"
            << (shard ? " (shard " + std::to_string(shard->k) + "/" + std::to_string(shard->n) + " of " +
                            std::to_string(all.patients.size()) + ")"
                      : std::string())
            << ", " << options.jobs << " at a time, one thread each\n";
  cohort::Progress progress(stderr, patients.patients.size(), isatty(STDERR_FILENO) == 1);
  cohort::CohortRecord record;
  record.total = all.patients.size();
  record.shard = shard;
  record.clinical_columns = all.clinical_columns;
  record.outcomes = cohort::run_cohort(patients, options, progress);
  progress.finish();
  cohort::write_cohort_outputs(out, record);
  say_written(out, record);
  return 0;
}

}  // namespace rtpof::app
