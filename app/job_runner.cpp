#include "app/job_runner.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

#include "app/analysis_json.hpp"
#include "app/case_folder.hpp"
#include "storage/archive.hpp"
#include "storage/utc_time.hpp"

namespace rtpof::app {
namespace {

using Clock = std::chrono::steady_clock;

long ms_since(Clock::time_point start) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

}  // namespace

JobRunner::JobRunner(storage::Archive& archive, unsigned workers, AnalysisRules rules,
                     std::shared_ptr<spdlog::logger> log)
    : archive_(archive), rules_(std::make_shared<const AnalysisRules>(std::move(rules))), log_(std::move(log)) {
  for (unsigned i = 0; i < std::max(1u, workers); ++i) workers_.emplace_back([this] { work(); });
}

JobRunner::~JobRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void JobRunner::set_rules(AnalysisRules rules) {
  auto fresh = std::make_shared<const AnalysisRules>(std::move(rules));
  std::lock_guard lock(mutex_);
  rules_ = std::move(fresh);
}

void JobRunner::wake() {
  {
    std::lock_guard lock(mutex_);
    ++signals_;
  }
  wakeup_.notify_one();
}

void JobRunner::work() {
  for (;;) {
    while (run_one()) {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    std::unique_lock lock(mutex_);
    wakeup_.wait(lock, [this] { return stopping_ || signals_ > 0; });
    if (stopping_) return;
    --signals_;
  }
}

bool JobRunner::run_one() {
  storage::Index& index = archive_.index();
  const auto job = index.claim_next_job(storage::utc_iso8601());
  if (!job) return false;
  log_->info("job {} (patient {}, case version {}) started, attempt {}", job->id, job->patient, job->case_version,
             job->attempts);
  const auto started = Clock::now();
  std::shared_ptr<const AnalysisRules> rules;
  {
    std::lock_guard lock(mutex_);
    rules = rules_;
  }
  std::string stages;
  try {
    std::vector<std::filesystem::path> files;
    for (const auto& [role, uid] : job->inputs) {
      const auto stored = index.find(uid);
      if (!stored) throw std::runtime_error("input " + role + " " + uid + " is no longer in the index; run `rtpof reindex`");
      files.push_back(archive_.store_dir() / stored->relative_path);
    }
    auto stage = Clock::now();
    FolderCase assembled;
    assemble_case(files, rules->options, assembled);
    stages += "load_and_register=" + std::to_string(ms_since(stage)) + "ms";
    log_->info("job {}: inputs loaded and MR registered ({}) in {} ms", job->id,
               assembled.registration.quality ? assembled.registration.quality->summary
                                              : "REG " + assembled.registration.reg_uid,
               ms_since(stage));
    stage = Clock::now();
    const pipeline::CaseResult result = pipeline::analyse_case(assembled.inputs, rules->classification);
    stages += " analyse=" + std::to_string(ms_since(stage)) + "ms";
    const std::string json = analysis_json(assembled, result, job->patient).dump();
    index.finish_job(job->id, true, "", stages, json, storage::utc_iso8601());
    std::string classes;
    for (const auto& r : result.recurrences) {
      char figure[64];
      std::snprintf(figure, sizeof figure, " (V95 %.2f %%%s)", r.v95_pct, r.borderline ? ", borderline" : "");
      classes += (classes.empty() ? "" : ", ") + r.roi + " " + pipeline::to_string(r.miss_class) + figure;
    }
    log_->info("job {} done in {} ms: {}{}", job->id, ms_since(started), classes,
               assembled.registration.quality && assembled.registration.quality->doubtful ? "; REGISTRATION DOUBTFUL" : "");
  } catch (const std::exception& e) {
    index.finish_job(job->id, false, e.what(), stages, "", storage::utc_iso8601());
    log_->error("job {} (patient {}) failed after {} ms: {}; fix the input and send it again, which makes a new "
                "case version", job->id, job->patient, ms_since(started), e.what());
  }
  return true;
}

}  // namespace rtpof::app
