#include "jobs/job_runner.hpp"

#include <malloc.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <cstdio>

#include "jobs/analysis_json.hpp"
#include "jobs/case_assembly.hpp"
#include "jobs/case_roles.hpp"
#include "jobs/report_inputs.hpp"
#include "pipeline/itk_globals.hpp"
#include "report/encapsulated_pdf_writer.hpp"
#include "report/pdf_report.hpp"
#include "report/registration_writer.hpp"
#include "report/report_writer.hpp"
#include "report/structure_set_writer.hpp"
#include "storage/archive.hpp"
#include "storage/utc_time.hpp"

namespace rtpof::jobs {
namespace {

using Clock = std::chrono::steady_clock;

// How soon a job queued by `rtpof rerun` (another process) is noticed.
constexpr auto rerun_poll_interval = std::chrono::seconds(2);

long ms_since(Clock::time_point start) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

}  // namespace

JobRunner::JobRunner(storage::Archive& archive, unsigned workers, AnalysisRules rules, std::string device_name,
                     std::function<void()> report_ready, std::shared_ptr<spdlog::logger> log)
    : archive_(archive),
      rules_(std::make_shared<const AnalysisRules>(std::move(rules))),
      device_name_(std::move(device_name)),
      report_ready_(std::move(report_ready)),
      log_(std::move(log)) {
  pipeline::make_itk_globals();  // workers may start their first jobs, and their first ITK objects, together
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
    // Woken by the scheduler for new jobs; the timeout finds jobs that `rtpof rerun` queued from outside.
    wakeup_.wait_for(lock, rerun_poll_interval, [this] { return stopping_ || signals_ > 0; });
    if (stopping_) return;
    if (signals_ > 0) --signals_;
  }
}

void JobRunner::on_finished(std::function<void(const FinishedJob&)> observer) {
  std::lock_guard lock(mutex_);
  on_finished_ = std::move(observer);
}

bool JobRunner::run_one() {
  storage::Index& index = archive_.index();
  const auto job = index.cases().claim_next_job(storage::utc_iso8601());
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
  FinishedJob finished{job->id, job->patient, "failed", {}, {}, ""};
  try {
    std::vector<std::filesystem::path> files;
    for (const auto& [role, uid] : job->inputs) {
      const auto stored = index.instances().find(uid);
      if (!stored) throw std::runtime_error("input " + role + " " + uid + " is no longer in the index; run `rtpof reindex`");
      files.push_back(archive_.store_dir() / stored->relative_path);
    }
    auto stage = Clock::now();
    AssembledCase assembled;
    assemble_recorded_case(roles_from_pairs(job->inputs), files, rules->options, assembled);
    stages += "load_and_register=" + std::to_string(ms_since(stage)) + "ms";
    log_->info("job {}: inputs loaded and MR registered ({}) in {} ms", job->id,
               assembled.registration.quality ? assembled.registration.quality->summary
                                              : "REG " + assembled.registration.reg_uid,
               ms_since(stage));
    for (const std::string& note : assembled.notes) log_->info("job {}: {}", job->id, note);
    for (const auto& dose : assembled.dose_interpretations) {
      log_->info("job {}: dose {}", job->id, pipeline::describe(dose));
      for (const auto& warning : dose.warnings) log_->warn("job {}: {}", job->id, warning);
    }
    stage = Clock::now();
    // The recurrence's outlines on the planning CT need the case, not its figures: they are cut while
    // the analysis runs, filling the cores the analysis leaves idle in its serial parts.
    auto outlines = std::async(std::launch::async, [&assembled] { return planning_outlines(assembled); });
    const pipeline::CaseResult result = pipeline::analyse_case(assembled.inputs, rules->classification);
    stages += " analyse=" + std::to_string(ms_since(stage)) + "ms";
    const std::string json = analysis_json(assembled, result, job->patient).dump();

    stage = Clock::now();
    report::ReportIdentity identity = new_report_identity(assembled, static_cast<unsigned>(job->case_version));
    if (const auto previous = index.reports().latest_report(job->patient)) {
      identity.predecessor = report::SourceInstance{previous->sop_class_uid, previous->sop_instance_uid,
                                                      previous->series_uid, previous->study_uid, "SR"};
      if (previous->patient != job->patient)
        log_->info("job {}: a corrected report: it replaces report {} of patient {}, whose studies moved to patient {} "
                   "(PatientID corrected)", job->id, previous->sop_instance_uid, previous->patient, job->patient);
    }
    const report::ReportContext context = report_context(assembled, report::report_device(device_name_), identity);
    const auto relative = archive_.keep_report(job->patient, identity.sop_instance_uid,
                                               [&](const std::filesystem::path& file) { report::write_report_file(result, context, file); });
    stages += " sr=" + std::to_string(ms_since(stage)) + "ms";
    auto part = Clock::now();
    std::vector<storage::ReportRecord> objects = {{identity.sop_instance_uid, UID_EnhancedSRStorage,
                                                   assembled.subject.study_uid, identity.series_uid, job->patient,
                                                   relative.string(), "sr"}};
    // What the planning system shows the physicist: the recurrence on the planning CT and, when rtpof
    // found the fusion itself, that fusion. Without them the SR still answers: a failure is said, not fatal.
    try {
      const report::PlanningSeries planning = planning_series(assembled);
      const std::string uid = report::structure_set_uid(context);
      const auto file = archive_.keep_report(job->patient, uid, [&](const std::filesystem::path& f) {
        report::write_structure_set_file(outlines.get(), planning, structure_set_description(assembled),
                                         context, f);
      });
      objects.push_back({uid, UID_RTStructureSetStorage, planning.study.study_uid,
                         report::structure_set_series_uid(planning.study.study_uid), job->patient, file.string(),
                         "rtstruct"});
    } catch (const std::exception& e) {
      log_->warn("job {}: no RTSTRUCT of the recurrence on the planning CT: {}", job->id, e.what());
    }
    stages += " rtstruct=" + std::to_string(ms_since(part)) + "ms";
    part = Clock::now();
    if (assembled.registration.source != "REG") {
      const std::string uid = report::registration_uid(context);
      const auto file = archive_.keep_report(job->patient, uid, [&](const std::filesystem::path& f) {
        report::write_registration_file(assembled.registration.mr_to_ct, registered_frames(assembled), context, f);
      });
      objects.push_back({uid, UID_SpatialRegistrationStorage, assembled.subject.study_uid,
                         report::registration_series_uid(assembled.subject.study_uid), job->patient, file.string(), "reg"});
    }
    // The one-page report, as an Encapsulated PDF any PACS viewer shows.
    try {
      std::vector<unsigned char> pdf;
      report::draw_report_pdf(result, report_page(assembled, result, job->patient, context.device.version), pdf);
      const std::string uid = report::encapsulated_pdf_uid(context);
      const auto file = archive_.keep_report(job->patient, uid, [&](const std::filesystem::path& f) {
        report::write_encapsulated_pdf_file(pdf, context, f);
      });
      objects.push_back({uid, UID_EncapsulatedPDFStorage, assembled.subject.study_uid,
                         report::encapsulated_pdf_series_uid(assembled.subject.study_uid), job->patient, file.string(),
                         "pdf"});
    } catch (const std::exception& e) {
      log_->warn("job {}: no PDF report: {}", job->id, e.what());
    }
    stages += " reg_and_pdf=" + std::to_string(ms_since(part)) + "ms";
    const auto recurrence_file = index.instances().find(assembled.recurrence_object.sop_instance_uid);
    const auto destinations =
        rules::report_destinations(rules->routing, recurrence_file ? recurrence_file->calling_ae : std::string());
    stages += " report=" + std::to_string(ms_since(stage)) + "ms";
    index.reports().record_report(job->id, stages, json, objects, destinations, storage::utc_iso8601());
    std::string routed;
    for (const auto& d : destinations) routed += (routed.empty() ? "" : ", ") + d.label();
    std::string written;
    for (const auto& object : objects) written += (written.empty() ? "" : ", ") + object.kind;
    log_->info("job {}: report {} written to {} ({}); {}", job->id, identity.sop_instance_uid,
               (archive_.reports_dir() / relative).string(), written,
               destinations.empty() ? "no destination configured, kept locally" : "queued for " + routed);
    if (!destinations.empty() && report_ready_) report_ready_();
    std::string classes;
    for (const auto& r : result.recurrences) {
      char figure[64];
      std::snprintf(figure, sizeof figure, " (V95 %.2f %%%s)", r.v95_pct, r.borderline ? ", borderline" : "");
      classes += (classes.empty() ? "" : ", ") + r.roi + " " + pipeline::to_string(r.miss_class) + figure;
    }
    finished.state = "done";
    for (const auto& r : result.recurrences) finished.classes.push_back(r.roi + "=" + pipeline::to_string(r.miss_class));
    for (const auto& object : objects)
      finished.report_files.push_back(std::filesystem::absolute(archive_.reports_dir() / object.relative_path).string());
    log_->info("job {} (patient {}) done in {} ms ({}): {}{}", job->id, job->patient, ms_since(started), stages,
               classes,
               assembled.registration.quality && assembled.registration.quality->doubtful ? "; REGISTRATION DOUBTFUL" : "");
  } catch (const std::exception& e) {
    finished.reason = e.what();
    index.cases().finish_job(job->id, false, e.what(), stages, "", storage::utc_iso8601());
    log_->error("job {} (patient {}) failed after {} ms: {}; if an input is at fault, send the corrected object (a "
                "new case version runs by itself); if the node was (disk, permissions), mend that and run `rtpof rerun "
                "{}`", job->id, job->patient, ms_since(started), e.what(), job->id);
  }
  std::function<void(const FinishedJob&)> observer;
  {
    std::lock_guard lock(mutex_);
    observer = on_finished_;
  }
  if (observer) observer(finished);
  // A job's free memory (hundreds of MB at its peak, kept by the allocator policy of app/memory_policy)
  // goes back to the system between jobs: the node idles small.
  malloc_trim(0);
  return true;
}

}  // namespace rtpof::jobs
