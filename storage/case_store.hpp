#pragma once
// The index's cases, jobs and the scheduler's last decision per patient. Not rebuildable from the files,
// so `rtpof reindex` keeps them. The jobs/ layer decides and runs; this store only records.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rtpof::storage {

class Database;

// A job: the analysis of one version of one patient's case.
struct JobRow {
  std::int64_t id = 0;
  std::int64_t case_id = 0;
  std::string patient;  // pseudonym
  int case_version = 0;
  std::string state;    // pending, running, done, failed
  int attempts = 0;
  std::string reason;   // why it failed
  std::string created_at, started_at, finished_at;
  std::string stages;   // "name=ms ..." per stage
  std::string result;   // the analysis (JSON text)
  std::string inputs_digest;
  std::vector<std::pair<std::string, std::string>> inputs;  // (role, SOP Instance UID): the case as decided
  bool superseded = false;  // a later version of the case exists
};

// The scheduler's last decision about a patient ("waiting" with what is missing, or "complete").
struct PatientDecision {
  std::string patient, state, detail, decided_at;
};

class CaseStore {
 public:
  explicit CaseStore(Database& database) : database_(database) {}

  // Records a complete case of `pseudonym` with the given inputs. The same inputs (digest) again return
  // nullopt: no second job. New inputs make a new case version, mark the earlier ones superseded and
  // return the new pending job's id.
  std::optional<std::int64_t> record_case(const std::string& pseudonym, const std::string& inputs_digest,
                                          const std::vector<std::pair<std::string, std::string>>& inputs,
                                          const std::string& now);
  // The oldest pending job, now running (attempts + 1); nullopt when none waits.
  std::optional<JobRow> claim_next_job(const std::string& now);
  // Ends a job without a report (a failure, or success without one). A job with a report ends through
  // ReportStore::record_report, in the report's transaction.
  void finish_job(std::int64_t job, bool succeeded, const std::string& reason, const std::string& stages,
                  const std::string& result, const std::string& now);
  // At start-up: jobs left running by a process that died are pending again. Returns how many.
  int requeue_running_jobs();
  // `rtpof rerun`: failed jobs back to pending, the ids given or (none given) every failed job of a case
  // version not superseded since. Returns how many.
  int requeue_failed_jobs(const std::vector<std::int64_t>& ids);
  std::vector<JobRow> jobs();
  // How many jobs are in each state (pending, running, done, failed), for the stats line.
  std::map<std::string, std::int64_t> job_counts();
  // Each finished job's stage timings ("load_and_register=717ms analyse=1481ms ..."), oldest first.
  std::vector<std::string> stages_of_done_jobs();

  // A patient left without instances (its studies moved to `successor` by a corrected PatientID): its
  // cases are superseded and its decision says where the data went. One transaction.
  void retire_patient(const std::string& pseudonym, const std::string& successor, const std::string& now);
  void record_decision(const std::string& pseudonym, const std::string& state, const std::string& detail,
                       const std::string& now);
  std::vector<PatientDecision> decisions();

 private:
  Database& database_;
};

}  // namespace rtpof::storage
