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
  // Make it what schema 1 wrote: no cases, jobs, decisions, rt_status, reports or refusals; version 1; one instance row.
  const testing::RunResult downgrade = testing::run(
      {"sqlite3", file.string(),
       "DROP TABLE refused_contexts; DROP TABLE patient_moves; DROP TABLE outbox; DROP TABLE reports; DROP TABLE jobs; DROP TABLE cases; DROP TABLE patient_decisions; ALTER TABLE instances DROP COLUMN rt_status;"
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
  EXPECT_TRUE(upgraded.instances().refused_contexts_of_patient("pA").empty());  // schema 5's tables
  EXPECT_FALSE(upgraded.instances().moved_to("pA").has_value());
  EXPECT_EQ(testing::run({"sqlite3", file.string(), "PRAGMA user_version;"}).output,
            std::to_string(Database::current_schema_version) + "\n");
}

// A corrected PatientID (RIS/PACS reconciliation): the study and its series move to the corrected
// patient in one transaction, the patient left empty is removed, and the corrected patient's next
// report continues the old patient's reports.
TEST(JobsIndex, ACorrectedPatientIdMovesTheStudyAndTheNextReportContinuesTheOldPatients) {
  testing::TempDir dir;
  Index index(dir / "index.sqlite");
  InstanceAttributes a{"1.2.840.10008.5.1.4.1.1.2", "1.9.1", "OLD", "", "1.9", "1.9.0", "CT", "1.9.5", {}, "", "", "", ""};
  EXPECT_FALSE(index.instances().put(a, "pOld", {"pOld/1.9/1.9.0/1.9.1.dcm", 1, "", "t0", "PACS"}, "t0").has_value());
  a.sop_instance_uid = "1.9.2";
  index.instances().put(a, "pOld", {"pOld/1.9/1.9.0/1.9.2.dcm", 1, "", "t0", "PACS"}, "t0");
  const auto job = index.cases().record_case("pOld", "d", {{"ct", "1.9.1"}}, "t0");
  ASSERT_TRUE(job.has_value());
  index.reports().record_report(*job, "", "{}", {"2.25.1", "1.2.840.10008.5.1.4.1.1.88.22", "1.9", "2.25.2", "pOld", "pOld/2.25.1.dcm"},
                                {}, "t1");

  a.patient_id = "NEW";
  a.sop_instance_uid = "1.9.1";
  const auto moved = index.instances().put(a, "pNew", {"pNew/1.9/1.9.0/1.9.1.dcm", 1, "", "t2", "PACS"}, "t2");
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(*moved, "pOld");
  // Both instances are the new patient's at once, the one not yet re-sent too; the old patient is gone.
  EXPECT_EQ(index.instances().rows_of_patient("pNew").size(), 2u);
  EXPECT_TRUE(index.instances().rows_of_patient("pOld").empty());
  EXPECT_EQ(index.instances().patient_pseudonyms(), std::vector<std::string>{"pNew"});
  EXPECT_EQ(index.instances().moved_to("pOld"), std::optional<std::string>("pNew"));
  // A second corrected copy of the same study moves nothing more.
  a.sop_instance_uid = "1.9.2";
  EXPECT_FALSE(index.instances().put(a, "pNew", {"pNew/1.9/1.9.0/1.9.2.dcm", 1, "", "t3", "PACS"}, "t3").has_value());

  const auto previous = index.reports().latest_report("pNew");
  ASSERT_TRUE(previous.has_value());
  EXPECT_EQ(previous->sop_instance_uid, "2.25.1");
  EXPECT_EQ(previous->patient, "pOld");
  index.cases().retire_patient("pOld", "pNew", "t4");
  EXPECT_TRUE(index.cases().jobs().at(0).superseded);
  EXPECT_EQ(index.cases().decisions().at(0).state, "moved");
}

// Refusals are kept per (calling AE, SOP class) and reach the patients that AE sent data for.
TEST(JobsIndex, RefusedContextsReachThePatientsOfTheirSenderOnly) {
  testing::TempDir dir;
  Index index(dir / "index.sqlite");
  InstanceAttributes a{"1.2.840.10008.5.1.4.1.1.2", "1.8.1", "A", "", "1.8", "1.8.0", "CT", "1.8.5", {}, "", "", "", ""};
  index.instances().put(a, "pA", {"pA/x.dcm", 1, "", "t0", "PACS"}, "t0");
  InstanceAttributes b{"1.2.840.10008.5.1.4.1.1.2", "1.7.1", "B", "", "1.7", "1.7.0", "CT", "1.7.5", {}, "", "", "", ""};
  index.instances().put(b, "pB", {"pB/y.dcm", 1, "", "t0", "OTHER"}, "t0");
  for (int i = 0; i < 3; ++i)
    index.instances().record_refused_context({"PACS", "1.2.840.10008.5.1.4.1.1.481.2", "JPEG2000Multicomponent",
                                              "no offered transfer syntax is read", 1, "t" + std::to_string(i)});
  const auto of_a = index.instances().refused_contexts_of_patient("pA");
  ASSERT_EQ(of_a.size(), 1u);
  EXPECT_EQ(of_a[0].times, 3);
  EXPECT_EQ(of_a[0].last_at, "t2");
  EXPECT_TRUE(index.instances().refused_contexts_of_patient("pB").empty());
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
