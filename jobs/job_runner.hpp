#pragma once
// Runs the node's jobs: a bounded pool of workers takes pending jobs from the index, loads their input
// instances from the store, analyses them with the same code as `rtpof analyze`, and records the result
// (or the reason it failed) and each stage's duration. A job left running by a process that died is
// pending again at start-up (storage::Index::requeue_running_jobs). A job that succeeds leaves its SR in
// <data-dir>/reports and one outbox row per destination, in the same transaction that marks it done.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <cstdint>
#include <vector>

#include "jobs/analysis_rules.hpp"

namespace spdlog {
class logger;
}
namespace rtpof::storage {
class Archive;
}

namespace rtpof::jobs {

// What a finished job leaves, for whoever watches (the node's hooks).
struct FinishedJob {
  std::int64_t id = 0;
  std::string patient;                  // the pseudonym
  std::string state;                    // done | failed
  std::vector<std::string> classes;     // "ROI=class" per recurrence
  std::vector<std::string> report_files;  // absolute paths: SR, RTSTRUCT, REG, PDF (those written)
  std::string reason;                   // why it failed
};

class JobRunner {
 public:
  // `device_name` names this node in its reports; `report_ready` is called after each report is queued.
  JobRunner(storage::Archive& archive, unsigned workers, AnalysisRules rules, std::string device_name,
            std::function<void()> report_ready, std::shared_ptr<spdlog::logger> log);
  ~JobRunner();  // stops: running jobs finish first
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void wake();  // thread-safe: a job was queued

  // Thread-safe; a running job keeps the rules it started with.
  void set_rules(AnalysisRules rules);
  // Called on the worker's thread after each job, done or failed. Thread-safe.
  void on_finished(std::function<void(const FinishedJob&)> observer);

 private:
  void work();
  bool run_one();

  storage::Archive& archive_;
  std::shared_ptr<const AnalysisRules> rules_;
  std::string device_name_;
  std::function<void()> report_ready_;
  std::function<void(const FinishedJob&)> on_finished_;  // guarded by mutex_
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  unsigned signals_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace rtpof::jobs
