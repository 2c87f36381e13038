// The jobs layer on its own library, with a real data directory (files and SQLite) and a phantom patient:
// the scheduler decides a case once and records each input's role; the runner assembles exactly those
// inputs, even when the store holds another plan and dose for the patient and the runner's own rules
// would choose them.
#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include "jobs/analysis_rules.hpp"
#include "jobs/case_roles.hpp"
#include "jobs/case_scheduler.hpp"
#include "jobs/job_runner.hpp"
#include "phantom/phantom_writer.hpp"
#include "rules/node_config.hpp"
#include "storage/archive.hpp"
#include "tests/support/dicom_files.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::jobs {
namespace {

namespace fs = std::filesystem;
using testing::string_of;

std::shared_ptr<spdlog::logger> quiet_logger() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

class JobsLayer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto spec = phantom::PhantomSpec::small(11);
    spec.case_name = "marginal";
    spec.reg = true;  // the fusion from the REG: the job takes seconds, not a registration's half minute
    spec.slices = 30;
    spec.mr_slices = 24;
    spec.truth_points = 2e4;
    files_ = phantom::write_phantom(spec, source_.path());
    archive_ = std::make_unique<storage::Archive>(storage::ArchiveOptions{data_.path()}, quiet_logger());
  }

  void ingest(const fs::path& file) {
    storage::IncomingFile incoming = archive_->new_incoming_file();
    fs::copy_file(file, incoming.path());
    archive_->ingest(std::move(incoming), {string_of(file, DCM_SOPClassUID), string_of(file, DCM_SOPInstanceUID)},
                     "TESTSCU");
  }
  void ingest_planning() {
    for (const auto& ct : files_.plan.ct) ingest(ct);
    for (const auto& file : {files_.plan.rtstruct, files_.plan.rtplan, files_.plan.rtdose}) ingest(file);
  }
  void ingest_followup() {
    for (const auto& mr : files_.followup.mr) ingest(mr);
    ingest(files_.followup.recurrence);
    ingest(*files_.followup.reg);
  }

  // Another plan and its dose for the same patient and structure set: new UIDs, half the dose.
  void ingest_another_plan_and_dose() {
    char uid[100];
    other_plan_uid_ = dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
    other_dose_uid_ = dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
    const fs::path plan = source_ / "other_plan.dcm", dose = source_ / "other_dose.dcm";
    testing::rewrite(files_.plan.rtplan, plan,
                     [&](DcmDataset& d) { d.putAndInsertString(DCM_SOPInstanceUID, other_plan_uid_.c_str()); });
    testing::rewrite(files_.plan.rtdose, dose, [&](DcmDataset& d) {
      d.putAndInsertString(DCM_SOPInstanceUID, other_dose_uid_.c_str());
      DcmItem* reference = nullptr;
      d.findAndGetSequenceItem(DCM_ReferencedRTPlanSequence, reference, 0);
      ASSERT_NE(reference, nullptr);
      reference->putAndInsertString(DCM_ReferencedSOPInstanceUID, other_plan_uid_.c_str());
      Float64 scaling = 0;
      d.findAndGetFloat64(DCM_DoseGridScaling, scaling);
      char half[32];
      std::snprintf(half, sizeof half, "%.10g", scaling / 2);
      d.putAndInsertString(DCM_DoseGridScaling, half);
    });
    ingest(plan);
    ingest(dose);
  }

  std::string pseudonym() { return archive_->pseudonym(files_.plan.patient_id, ""); }

  // Runs the scheduler's decisions (stable age 0) until none is left.
  void decide(const rules::MatchRules& rules, int* jobs_created) {
    boost::asio::io_context io;
    CaseScheduler scheduler(io, archive_->index().instances(), archive_->index().cases(), std::chrono::milliseconds(0),
                            rules, quiet_logger(), [jobs_created] { ++*jobs_created; });
    scheduler.check_all();
    io.run();
  }

  // Runs the pending jobs with one worker; returns the first job's row once it ended.
  storage::JobRow run_jobs(AnalysisRules rules) {
    rules.options.points_per_structure = 50'000;
    JobRunner runner(*archive_, 1, std::move(rules), "RTPOF_TEST", {}, quiet_logger());
    runner.wake();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto jobs = archive_->index().cases().jobs();
      if (!jobs.empty() && (jobs[0].state == "done" || jobs[0].state == "failed")) return jobs[0];
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the job did not end within 3 minutes";
    return {};
  }

  testing::TempDir source_, data_;
  phantom::PhantomFiles files_;
  std::unique_ptr<storage::Archive> archive_;
  std::string other_plan_uid_, other_dose_uid_;
};

TEST_F(JobsLayer, TheJobUsesTheRecordedPlanAndDoseNotAnotherOneTheStoreHolds) {
  ingest_planning();
  ingest_followup();
  ingest_another_plan_and_dose();
  const std::string plan_uid = string_of(files_.plan.rtplan, DCM_SOPInstanceUID);
  const std::string dose_uid = string_of(files_.plan.rtdose, DCM_SOPInstanceUID);

  // The decision names the original plan; the runner's own rules would name the other one.
  rules::MatchRules decided;
  decided.plan_uid = plan_uid;
  int created = 0;
  decide(decided, &created);
  ASSERT_EQ(created, 1);
  const auto recorded = roles_from_pairs(archive_->index().cases().jobs().at(0).inputs);
  EXPECT_EQ(single_uid(recorded, "rtplan"), plan_uid);
  EXPECT_EQ(single_uid(recorded, "rtdose"), dose_uid);
  EXPECT_EQ(uids_with_role(recorded, "ct").size(), files_.plan.ct.size());
  EXPECT_EQ(uids_with_role(recorded, "mr").size(), files_.followup.mr.size());
  for (const auto& input : recorded) {
    EXPECT_NE(input.sop_instance_uid, other_plan_uid_);
    EXPECT_NE(input.sop_instance_uid, other_dose_uid_);
  }

  AnalysisRules runner_rules = analysis_rules_from(rules::default_node_config());
  runner_rules.options.match.plan_uid = other_plan_uid_;  // ignored: the job does not match again
  const storage::JobRow job = run_jobs(runner_rules);
  ASSERT_EQ(job.state, "done") << job.reason;
  const auto result = nlohmann::json::parse(job.result);
  ASSERT_EQ(result.at("dose").at("grids").size(), 1u) << result.at("dose").dump();
  EXPECT_EQ(result.at("dose").at("grids")[0].at("rtdose_uid"), dose_uid);
  // The half dose of the other plan would put the recurrence nearly out of field; the phantom's
  // marginal case stays marginal with the recorded dose.
  EXPECT_EQ(result.at("recurrences")[0].at("class"), "marginal") << result.at("recurrences").dump();
}

TEST_F(JobsLayer, AQuietPatientIsDecidedOnceWaitingSaysWhatIsMissingAndSameInputsMakeNoSecondJob) {
  ingest_planning();
  int created = 0;
  decide({}, &created);
  EXPECT_EQ(created, 0);
  auto decisions = archive_->index().cases().decisions();
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].patient, pseudonym());
  EXPECT_EQ(decisions[0].state, "waiting");
  EXPECT_NE(decisions[0].detail.find("MR"), std::string::npos) << decisions[0].detail;

  ingest_followup();
  decide({}, &created);
  EXPECT_EQ(created, 1);
  decide({}, &created);  // the same inputs again: no second job
  EXPECT_EQ(created, 1);
  EXPECT_EQ(archive_->index().cases().jobs().size(), 1u);
  decisions = archive_->index().cases().decisions();
  EXPECT_EQ(decisions.at(0).state, "complete");
}

TEST_F(JobsLayer, AJobWhoseRecordedInputLeftTheIndexFailsNamingIt) {
  ingest_planning();
  ingest_followup();
  int created = 0;
  decide({}, &created);
  ASSERT_EQ(created, 1);
  // The index is rebuilt from files that no longer hold the dose (an operator moved it away).
  const auto dose = archive_->index().instances().find(string_of(files_.plan.rtdose, DCM_SOPInstanceUID));
  ASSERT_TRUE(dose.has_value());
  fs::remove(archive_->store_dir() / dose->relative_path);
  archive_->rebuild_index();
  const storage::JobRow job = run_jobs(analysis_rules_from(rules::default_node_config()));
  EXPECT_EQ(job.state, "failed");
  EXPECT_NE(job.reason.find("rtdose " + string_of(files_.plan.rtdose, DCM_SOPInstanceUID)), std::string::npos)
      << job.reason;
}

}  // namespace
}  // namespace rtpof::jobs
