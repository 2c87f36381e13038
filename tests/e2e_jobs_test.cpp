// The node deciding cases by itself: objects of several patients sent in any order over many
// associations become exactly one job per patient; a missing RTDOSE is named once and its later arrival
// starts the job; a re-sent object changes nothing, a corrected recurrence makes a new case version; a
// node killed while a job runs runs it again after the restart; a job that failed for the node's own
// reason (its reports folder unusable) runs again with `rtpof rerun` once that is mended. Real storescu, real node, real index.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <chrono>
#include <random>
#include <thread>

#include "storage/index.hpp"
#include "tests/support/dicom_files.hpp"
#include "tests/support/node_fixture.hpp"
#include "tests/support/sr_reader.hpp"

namespace rtpof::testing {
namespace {

// The SRs the node kept: each job also keeps its RTSTRUCT, PDF and (after an automatic registration) REG
// beside its SR, so a count of files would count objects, not reports.
std::size_t kept_srs(const std::filesystem::path& reports) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(reports))
    if (entry.is_regular_file() && entry.path().extension() == ".dcm" && string_of(entry.path(), DCM_Modality) == "SR") ++n;
  return n;
}

namespace fs = std::filesystem;
using nlohmann::json;

class NodeJobs : public NodeFixture {
 protected:
  // Starts a node, sends a patient without a REG (seconds of automatic registration) and returns once
  // its job has started.
  void start_job_needing_registration(std::uint64_t seed) {
    const phantom::PhantomFiles p = patient("marginal-93", false, seed);
    start_node({"--stable-age", "1"});
    send(patient_files(p), "a");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (node_->log().find("started, attempt 1") == std::string::npos && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_NE(node_->log().find("started, attempt 1"), std::string::npos) << node_->log();
  }

  static std::string input(const storage::JobRow& job, const std::string& role) {
    for (const auto& [r, uid] : job.inputs)
      if (r == role) return uid;
    return {};
  }
  static std::size_t count_role(const storage::JobRow& job, const std::string& role) {
    return static_cast<std::size_t>(std::count_if(job.inputs.begin(), job.inputs.end(),
                                                  [&](const auto& i) { return i.first == role; }));
  }
  static std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }
};

TEST_F(NodeJobs, ThreePatientsInterleavedOverSixAssociationsGiveOneJobEach) {
  const std::vector<phantom::PhantomFiles> patients = {patient("in-field", true, 21), patient("marginal", true, 22),
                                                       patient("out-field", false, 23)};
  std::vector<fs::path> files;
  for (const auto& p : patients) {
    const auto own = patient_files(p);
    files.insert(files.end(), own.begin(), own.end());
  }
  std::shuffle(files.begin(), files.end(), std::mt19937(5));
  start_node({"--stable-age", "3"});
  const std::size_t batches = 6;
  for (std::size_t b = 0; b < batches; ++b) {
    std::vector<fs::path> batch;
    for (std::size_t i = b; i < files.size(); i += batches) batch.push_back(files[i]);
    send(batch, std::to_string(b));
    std::this_thread::sleep_for(std::chrono::milliseconds(700));  // well below the stable age
  }
  ASSERT_TRUE(wait_for_done(3)) << node_->log();
  std::this_thread::sleep_for(std::chrono::seconds(4));  // nothing more may come of it
  const auto all = jobs();
  ASSERT_EQ(all.size(), 3u) << node_->log();
  for (const auto& p : patients) {
    const std::string dose = string_of(p.plan.rtdose, DCM_SOPInstanceUID);
    const auto job = std::find_if(all.begin(), all.end(), [&](const storage::JobRow& j) { return input(j, "rtdose") == dose; });
    ASSERT_NE(job, all.end()) << "no job for " << p.plan.patient_id;
    EXPECT_EQ(job->state, "done");
    EXPECT_EQ(job->attempts, 1);
    EXPECT_EQ(input(*job, "rtplan"), string_of(p.plan.rtplan, DCM_SOPInstanceUID));
    EXPECT_EQ(input(*job, "rtstruct"), string_of(p.plan.rtstruct, DCM_SOPInstanceUID));
    EXPECT_EQ(input(*job, "recurrence"), string_of(p.followup.recurrence, DCM_SOPInstanceUID));
    EXPECT_EQ(input(*job, "reg"), p.followup.reg ? string_of(*p.followup.reg, DCM_SOPInstanceUID) : "");
    EXPECT_EQ(count_role(*job, "ct"), 24u);
    EXPECT_EQ(count_role(*job, "mr"), 20u);
    const json truth = json::parse(read_text(p.truth));
    const json result = json::parse(job->result);
    EXPECT_EQ(result["recurrences"][0]["class"], truth["recurrences"][0]["class"]) << p.plan.patient_id;
    EXPECT_EQ(result["registration"]["source"], p.followup.reg ? "REG" : "auto");
  }
  // The log names patients by pseudonym only.
  for (const auto& p : patients) EXPECT_EQ(node_->log().find(p.plan.patient_id), std::string::npos);
}

TEST_F(NodeJobs, AMissingDoseIsNamedOnceAndItsArrivalStartsTheJob) {
  const phantom::PhantomFiles p = patient("marginal", true, 31);
  std::vector<fs::path> without_dose;
  for (const auto& f : patient_files(p))
    if (f != p.plan.rtdose) without_dose.push_back(f);
  start_node({"--stable-age", "1"});
  send(std::vector<fs::path>(without_dose.begin(), without_dose.begin() + 30), "a");
  send(std::vector<fs::path>(without_dose.begin() + 30, without_dose.end()), "b");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_TRUE(jobs().empty());
  const std::string waiting = "case waiting: no RTDOSE has arrived (RTPLAN " + string_of(p.plan.rtplan, DCM_SOPInstanceUID);
  EXPECT_EQ(occurrences(node_->log(), waiting), 1u) << node_->log();
  const auto status = [&] { return run({rtpof_binary().string(), "status", "--data-dir", data_dir().string()}).output; };
  EXPECT_NE(status().find("  waiting  no RTDOSE has arrived"), std::string::npos) << status();

  send({p.plan.rtdose}, "c");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  EXPECT_EQ(jobs().size(), 1u);
  EXPECT_NE(status().find("  complete  inputs "), std::string::npos) << status();
  EXPECT_NE(status().find("  done  attempts 1"), std::string::npos) << status();
}

// A course dose ten times its prescription (a wrong DoseGridScaling) must not become a report: the job
// fails naming the grid's maximum and the reference dose, and the node goes on serving.
TEST_F(NodeJobs, ADoseTenTimesItsPrescriptionFailsTheJobWithBothFigures) {
  const phantom::PhantomFiles p = patient("marginal", true, 41);
  const fs::path tenfold = source_ / "tenfold" / "RTDOSE.dcm";
  fs::create_directories(tenfold.parent_path());
  const double scaling = std::stod(string_of(p.plan.rtdose, DCM_DoseGridScaling));
  char value[32];
  std::snprintf(value, sizeof value, "%.10g", scaling * 10);
  rewrite(p.plan.rtdose, tenfold, [&](DcmDataset& d) { d.putAndInsertString(DCM_DoseGridScaling, value); });
  std::vector<fs::path> files;
  for (const auto& f : patient_files(p)) files.push_back(f == p.plan.rtdose ? tenfold : f);
  start_node({"--stable-age", "1"});
  send(files, "a");
  std::vector<storage::JobRow> all;
  for (int i = 0; i < 300; ++i) {
    all = jobs();
    if (!all.empty() && all.front().state == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(all.size(), 1u) << node_->log();
  EXPECT_EQ(all.front().state, "failed") << node_->log();
  EXPECT_NE(all.front().reason.find("the reference dose 70.00 Gy"), std::string::npos) << all.front().reason;
  EXPECT_NE(all.front().reason.find("course dose's maximum"), std::string::npos) << all.front().reason;
  EXPECT_NE(node_->log().find("failed after"), std::string::npos) << node_->log();
  EXPECT_TRUE(node_->echo()) << "the node must go on serving";
  EXPECT_TRUE(fs::is_empty(data_dir() / "reports")) << "no report may come of it";
}

// Issue 23 item 5: another patient's object reusing the victim's RTPLAN UID used to move the victim's
// plan aside and strand its case. It is refused (0x0111) with a logged clash; the victim's case stays
// complete and a later job of it still runs on its own plan.
TEST_F(NodeJobs, AnotherPatientsObjectReusingAUidDisplacesNothing) {
  const phantom::PhantomFiles victim = patient("marginal", true, 51);
  const phantom::PhantomFiles other = patient("marginal", true, 52);
  const std::string plan_uid = string_of(victim.plan.rtplan, DCM_SOPInstanceUID);
  ASSERT_NE(string_of(victim.plan.rtplan, DCM_PatientID), string_of(other.plan.rtplan, DCM_PatientID));
  const fs::path clash = source_ / "clash" / "RTPLAN.dcm";
  fs::create_directories(clash.parent_path());
  rewrite(other.plan.rtplan, clash, [&](DcmDataset& d) { d.putAndInsertString(DCM_SOPInstanceUID, plan_uid.c_str()); });
  start_node({"--stable-age", "1"});
  send(patient_files(victim), "victim");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  const auto before = stored_datasets();
  storescu(clash.parent_path());
  const std::string log = node_->log();
  EXPECT_NE(log.find("instance refused (0x0111)"), std::string::npos) << log;
  EXPECT_NE(log.find("UID clash"), std::string::npos) << log;
  EXPECT_EQ(stored_datasets(), before) << "the victim's plan must stay where it was";
  // The victim's case is still complete: its recurrence sent again with a change makes a new version
  // that runs on the victim's own plan.
  const fs::path changed = source_ / "changed" / "recurrence.dcm";
  fs::create_directories(changed.parent_path());
  rewrite(victim.followup.recurrence, changed, [](DcmDataset& d) { d.putAndInsertString(DCM_StructureSetLabel, "AGAIN"); });
  send({changed}, "again");
  ASSERT_TRUE(wait_for_done(2)) << node_->log();
  const auto all = jobs();
  ASSERT_EQ(all.size(), 2u);
  for (const auto& job : all) EXPECT_EQ(input(job, "rtplan"), plan_uid);
}

TEST_F(NodeJobs, AResentObjectMakesNoJobACorrectedRecurrenceMakesANewVersion) {
  const phantom::PhantomFiles p = patient("in-field", true, 41);
  start_node({"--stable-age", "1"});
  send(patient_files(p), "a");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();

  send({p.plan.rtplan, p.followup.mr.front()}, "again");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_EQ(jobs().size(), 1u) << node_->log();

  // The physician corrects the recurrence outline: a new RTSTRUCT instance (new UID, other content).
  const fs::path corrected = source_ / "corrected" / "RTSTRUCT_RECURRENCE.dcm";
  write_corrected_recurrence(p.followup.recurrence, corrected);
  send({corrected}, "corrected");
  ASSERT_TRUE(wait_for_done(2)) << node_->log();
  const auto all = jobs();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].case_version, 1);
  EXPECT_TRUE(all[0].superseded);
  EXPECT_EQ(all[1].case_version, 2);
  EXPECT_FALSE(all[1].superseded);
  EXPECT_EQ(input(all[1], "recurrence"), string_of(corrected, DCM_SOPInstanceUID));
  // Each version has its report; the second names the first as its predecessor (no destination: kept locally).
  storage::Index index(data_dir() / "index.sqlite");
  const auto latest = index.reports().latest_report(all[1].patient);
  ASSERT_TRUE(latest.has_value());
  const ParsedReport second = read_report(data_dir() / "reports" / latest->relative_path);
  EXPECT_EQ(second.instance_number, "2");
  ASSERT_EQ(second.predecessors.size(), 1u);
  EXPECT_NE(second.predecessors[0], second.sop_instance_uid);
  EXPECT_EQ(kept_srs(data_dir() / "reports"), 2u);
}

TEST_F(NodeJobs, AJobInterruptedByKillRunsAgainAfterTheRestart) {
  ASSERT_NO_FATAL_FAILURE(start_job_needing_registration(51));
  node_->kill_hard();
  const auto before = jobs();
  ASSERT_EQ(before.size(), 1u);
  ASSERT_EQ(before[0].state, "running") << "the job ended before the kill; the test needs a longer job";

  start_node({"--stable-age", "1"});
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  const auto after = jobs();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].state, "done");
  EXPECT_EQ(after[0].attempts, 2);
  EXPECT_NE(node_->log().find("1 job(s) left running by the last run are queued again"), std::string::npos);
}

// SIGTERM while a job runs (issue 23): the node stops accepting, lets the job finish (well within the
// unit's TimeoutStopSec of 60 s; a SIGKILL after that is the case above), records it and exits 0. The
// next start finds nothing to redo and sends nothing twice.
TEST_F(NodeJobs, SigtermMidJobLetsTheJobFinishAndTheNextStartHasNothingToRedo) {
  ASSERT_NO_FATAL_FAILURE(start_job_needing_registration(52));
  ASSERT_EQ(jobs().at(0).state, "running") << "the job ended before the signal; the test needs a longer job";
  const auto signalled = std::chrono::steady_clock::now();
  EXPECT_EQ(node_->stop(std::chrono::seconds(60)), 0) << node_->log();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(60));
  const auto stopped = jobs();
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].state, "done") << stopped[0].reason;
  EXPECT_EQ(stopped[0].attempts, 1);
  EXPECT_EQ(kept_srs(data_dir() / "reports"), 1u);

  start_node({"--stable-age", "1"});
  std::this_thread::sleep_for(std::chrono::seconds(3));  // past the stable age: the case is decided again
  const auto after = jobs();
  ASSERT_EQ(after.size(), 1u) << "the same inputs made a second job";
  EXPECT_EQ(after[0].attempts, 1);
  EXPECT_EQ(kept_srs(data_dir() / "reports"), 1u);
  EXPECT_EQ(node_->log().find("left running by the last run"), std::string::npos) << node_->log();
}

// SIGHUP: a broken rules file is refused with its reason and the old thresholds stay; a valid one's
// thresholds decide the next job (here in-field from V95 >= 40, so a V95 of 50 becomes in-field).
TEST_F(NodeJobs, SighupReloadsValidRulesAndKeepsTheOldOnesOnAnError) {
  const fs::path config = write_config("[node]\naccept_any_caller = true\n[classification]\nin_field_min_v95_pct = 95\n");
  start_node({"--config", config.string(), "--stable-age", "1"});
  std::ofstream(config) << "[node]\naccept_any_caller = true\n[classification]\nin_field_min_v95_pct = \"high\"\n";
  node_->send_signal(SIGHUP);
  const auto wait_for_log = [&](const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (node_->log().find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return node_->log().find(text) != std::string::npos;
  };
  ASSERT_TRUE(wait_for_log("rules NOT reloaded on SIGHUP, the previous rules stay")) << node_->log();
  EXPECT_NE(node_->log().find("in_field_min_v95_pct"), std::string::npos) << "the reason names the key";

  const phantom::PhantomFiles first = patient("marginal", true, 61);
  send(patient_files(first), "a");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  EXPECT_EQ(json::parse(jobs()[0].result)["recurrences"][0]["class"], "marginal");

  std::ofstream(config) << "[node]\naccept_any_caller = true\n[classification]\nin_field_min_v95_pct = 40\n";
  node_->send_signal(SIGHUP);
  ASSERT_TRUE(wait_for_log("rules reloaded on SIGHUP: in-field V95 >= 40")) << node_->log();
  const phantom::PhantomFiles second = patient("marginal", true, 62);
  send(patient_files(second), "b");
  ASSERT_TRUE(wait_for_done(2)) << node_->log();
  EXPECT_EQ(json::parse(jobs()[1].result)["recurrences"][0]["class"], "in-field");
}

TEST_F(NodeJobs, AJobThatFailedForTheNodesOwnReasonRunsAgainWithRerunOnceMended) {
  start_node({"--stable-age", "1"});
  // The report cannot be written: where the reports folder should be, there is a file.
  const fs::path reports = data_dir() / "reports";
  fs::remove_all(reports);
  std::ofstream(reports) << "not a folder";
  send(patient_files(patient("marginal", true, 24)), "all");
  const auto state_is = [&](const std::string& state) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto all = jobs();
      if (!all.empty() && all[0].state == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  };
  ASSERT_TRUE(state_is("failed")) << node_->log();
  const std::int64_t id = jobs().at(0).id;
  // The error line says how to run it again, and `status` lists the command beside the job.
  EXPECT_NE(node_->log().find("run `rtpof rerun " + std::to_string(id) + "`"), std::string::npos) << node_->log();
  const RunResult status = run({rtpof_binary().string(), "status", "--data-dir", data_dir().string()});
  EXPECT_NE(status.output.find("(rtpof rerun " + std::to_string(id) + ")"), std::string::npos) << status.output;
  // Not a failed job: refused with exit code 1.
  EXPECT_EQ(run({rtpof_binary().string(), "rerun", "--data-dir", data_dir().string(), "999"}).exit_code, 1);

  fs::remove(reports);
  fs::create_directories(reports);
  const RunResult rerun = run({rtpof_binary().string(), "rerun", "--data-dir", data_dir().string(), std::to_string(id)});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_NE(rerun.output.find("1 failed job queued again"), std::string::npos) << rerun.output;
  ASSERT_TRUE(state_is("done")) << node_->log();  // the running node finds it by itself
  const auto job = jobs().at(0);
  EXPECT_EQ(job.attempts, 2);
  EXPECT_EQ(jobs().size(), 1u);  // the same job, not a new case version
  EXPECT_TRUE(job.reason.empty()) << job.reason;
}

}  // namespace
}  // namespace rtpof::testing
