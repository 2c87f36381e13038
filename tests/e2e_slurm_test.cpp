// The cohort as a Slurm job array on a real one-node cluster: scripts/cohort.sbatch submitted with
// sbatch, one shard per array task, then scripts/cohort-merge.sbatch depending on them. The merged files
// must be the bytes one unsharded run writes.
#include <gtest/gtest.h>

#include "cohort/csv.hpp"
#include "tests/support/cohort_phantoms.hpp"
#include "tests/support/process.hpp"
#include "tests/support/slurm_cluster.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;

TEST(CohortOnSlurm, AnArrayOfShardsAndItsMergeGiveTheUnshardedFiles) {
  SlurmCluster slurm;
  const fs::path work = slurm.work();
  const auto phantoms = small_cohort();
  write_cohort_phantoms(phantoms, work / "patients");
  const fs::path manifest = write_manifest(phantoms, work / "patients", work / "manifest.csv");
  const fs::path out = work / "slurm";
  fs::create_directories(out);

  const std::string rtpof = "RTPOF=" + rtpof_binary().string();
  // One CPU per task, so that two shards run at once on this 2-core node.
  const RunResult array = slurm.client({"sbatch", "--parsable", "--array=0-3", "--cpus-per-task=1", "--export=ALL," + rtpof,
                                        "-o", (work / "shard-%a.log").string(), (source_dir() / "scripts/cohort.sbatch").string(),
                                        manifest.string(), out.string()});
  ASSERT_EQ(array.exit_code, 0) << array.output << slurm.logs();
  const std::string job = array.output.substr(0, array.output.find_first_of(";\n"));
  const RunResult merge = slurm.client({"sbatch", "--parsable", "--wait", "--dependency=afterok:" + job, "--export=ALL," + rtpof,
                                        "-o", (work / "merge.log").string(),
                                        (source_dir() / "scripts/cohort-merge.sbatch").string(), out.string()},
                                       std::chrono::seconds(600));
  std::string logs;
  for (int k = 0; k < 4; ++k)
    if (fs::exists(work / ("shard-" + std::to_string(k) + ".log")))
      logs += "\n--- shard " + std::to_string(k) + "\n" + read_text(work / ("shard-" + std::to_string(k) + ".log"));
  if (fs::exists(work / "merge.log")) logs += "\n--- merge\n" + read_text(work / "merge.log");
  ASSERT_EQ(merge.exit_code, 0) << merge.output << logs << slurm.logs();
  for (int k = 0; k < 4; ++k) EXPECT_TRUE(fs::exists(out / ("shard-" + std::to_string(k)) / "patients.json")) << logs;

  // The same cohort in one run on this machine, with the key the shards made.
  const RunResult whole = run({rtpof_binary().string(), "cohort", "--manifest", manifest.string(), "--key",
                               (out / "cohort.key").string(), "--out", (work / "whole").string()},
                              std::chrono::seconds(600));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  for (const char* file : {"table2.csv", "errors.csv", "summary.json", "summary.md", "cohort.pdf", "cohort.png"})
    EXPECT_EQ(read_text(work / "whole" / file), read_text(out / "merged" / file)) << file << " differs" << logs;
  EXPECT_EQ(cohort::parse_csv(read_text(out / "merged/table2.csv")).size(), 5u);  // header + four recurrences
  EXPECT_EQ(cohort::parse_csv(read_text(out / "merged/errors.csv")).size(), 2u);  // header + the incomplete one
}

}  // namespace
}  // namespace rtpof::testing
