// Cases and jobs in the index (schema 2): one job per distinct set of inputs, versions that supersede,
// jobs left running by a dead process requeued, and all of it kept across a reindex.
#include <gtest/gtest.h>

#include "storage/index.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::storage {
namespace {

TEST(JobsIndex, OneJobPerDistinctInputsAndVersionsSupersede) {
  testing::TempDir dir;
  Index index(dir / "index.sqlite");
  const std::vector<std::pair<std::string, std::string>> inputs = {{"rtdose", "1.2.3"}, {"recurrence", "1.2.4"}};
  const auto first = index.cases().record_case("pA", "digest-1", inputs, "2026-11-26T10:00:00.000Z");
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(index.cases().record_case("pA", "digest-1", inputs, "2026-11-26T10:01:00.000Z").has_value());
  const auto other_patient = index.cases().record_case("pB", "digest-1", inputs, "2026-11-26T10:02:00.000Z");
  ASSERT_TRUE(other_patient.has_value());
  const auto second = index.cases().record_case("pA", "digest-2", inputs, "2026-11-26T10:03:00.000Z");
  ASSERT_TRUE(second.has_value());

  const auto jobs = index.cases().jobs();
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].case_version, 1);
  EXPECT_TRUE(jobs[0].superseded);
  EXPECT_EQ(jobs[2].case_version, 2);
  EXPECT_FALSE(jobs[2].superseded);
  EXPECT_EQ(jobs[0].inputs, inputs);
  EXPECT_EQ(jobs[0].state, "pending");
}

TEST(JobsIndex, ClaimFinishRequeueAndReindexKeepsJobs) {
  testing::TempDir dir;
  {
    Index index(dir / "index.sqlite");
    index.cases().record_case("pA", "d1", {{"rtdose", "1.2.3"}}, "t0");
    index.cases().record_case("pB", "d2", {{"rtdose", "1.2.5"}}, "t0");
    const auto job = index.cases().claim_next_job("t1");
    ASSERT_TRUE(job.has_value());
    EXPECT_EQ(job->attempts, 1);
    index.cases().finish_job(job->id, true, "", "load=10", "{}", "t2");
    const auto running = index.cases().claim_next_job("t3");
    ASSERT_TRUE(running.has_value());
    EXPECT_FALSE(index.cases().claim_next_job("t3").has_value());
    // The process dies here, with the second job running.
  }
  Index reopened(dir / "index.sqlite");
  EXPECT_EQ(reopened.cases().requeue_running_jobs(), 1);
  reopened.instances().clear();  // a reindex empties the instance tables only
  const auto again = reopened.cases().claim_next_job("t4");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->patient, "pB");
  EXPECT_EQ(again->attempts, 2);
  const auto jobs = reopened.cases().jobs();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].state, "done");
  EXPECT_EQ(jobs[0].stages, "load=10");
}

}  // namespace
}  // namespace rtpof::storage

namespace rtpof::storage {
namespace {

// An index written by schema 1 (the released one) opens under the current schema: the later steps run once, the
// instance rows stay.
TEST(JobsIndex, ASchemaOneIndexIsUpgradedInPlace) {
  testing::TempDir dir;
  const auto file = dir / "index.sqlite";
  { Index fresh(file); }
  // Make it what schema 1 wrote: no cases, jobs, decisions or rt_status; version 1; one instance row.
  const testing::RunResult downgrade = testing::run(
      {"sqlite3", file.string(),
       "DROP TABLE outbox; DROP TABLE reports; DROP TABLE jobs; DROP TABLE cases; DROP TABLE patient_decisions; ALTER TABLE instances DROP COLUMN rt_status;"
       "INSERT INTO patients(pseudonym, patient_id) VALUES('pA', 'X');"
       "INSERT INTO studies(uid, patient) VALUES('1.2', 1); INSERT INTO series(uid, study, modality) VALUES('1.3', 1, 'CT');"
       "INSERT INTO instances(sop_instance_uid, sop_class_uid, series, path, size_bytes, content_sha256, received_at) "
       "VALUES('1.4', '1.2.840.10008.5.1.4.1.1.2', 1, 'a.dcm', 1, '', 't');"
       "PRAGMA user_version=1;"});
  ASSERT_EQ(downgrade.exit_code, 0) << downgrade.output;
  Index upgraded(file);
  EXPECT_EQ(upgraded.instances().rows_of_patient("pA").size(), 1u);
  EXPECT_TRUE(upgraded.cases().record_case("pA", "d", {{"ct", "1.4"}}, "t").has_value());
  upgraded.cases().record_decision("pA", "complete", "inputs d", "t");
  EXPECT_EQ(upgraded.cases().decisions().size(), 1u);
  EXPECT_TRUE(upgraded.reports().deliveries().empty());
  EXPECT_EQ(testing::run({"sqlite3", file.string(), "PRAGMA user_version;"}).output,
            std::to_string(Database::current_schema_version) + "\n");
}

TEST(JobsIndex, RerunQueuesFailedJobsOfCurrentVersionsOrTheIdsGiven) {
  testing::TempDir dir;
  Index index(dir / "index.sqlite");
  index.cases().record_case("pA", "a1", {{"rtdose", "1.2.3"}}, "t0");
  index.cases().record_case("pB", "b1", {{"rtdose", "1.2.5"}}, "t0");
  for (int i = 0; i < 2; ++i) {
    const auto job = index.cases().claim_next_job("t1");
    ASSERT_TRUE(job.has_value());
    index.cases().finish_job(job->id, false, "disk full", "", "", "t2");
  }
  index.cases().record_case("pA", "a2", {{"rtdose", "1.2.4"}}, "t3");  // supersedes pA's failed version 1
  const auto done = index.cases().claim_next_job("t4");
  ASSERT_TRUE(done.has_value());
  index.cases().finish_job(done->id, true, "", "", "{}", "t5");

  // All: only pB's failed job; pA's failed version 1 is superseded and a done job is not failed.
  EXPECT_EQ(index.cases().requeue_failed_jobs({}), 1);
  auto jobs = index.cases().jobs();
  EXPECT_EQ(jobs[0].state, "failed");
  EXPECT_EQ(jobs[1].state, "pending");
  EXPECT_EQ(jobs[1].reason, "");
  EXPECT_EQ(jobs[2].state, "done");
  // By id, even a superseded version; ids that are not failed jobs change nothing.
  EXPECT_EQ(index.cases().requeue_failed_jobs({jobs[0].id, jobs[2].id, 99}), 1);
  jobs = index.cases().jobs();
  EXPECT_EQ(jobs[0].state, "pending");
  EXPECT_EQ(jobs[2].state, "done");
}

}  // namespace
}  // namespace rtpof::storage
