#include "jobs/case_scheduler.hpp"

#include <boost/asio/post.hpp>
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <spdlog/spdlog.h>

#include "jobs/case_roles.hpp"
#include "storage/case_store.hpp"
#include "storage/instance_store.hpp"
#include "storage/utc_time.hpp"

namespace rtpof::jobs {
namespace {

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += (text.empty() ? "" : "; ") + line;
  return text;
}

// Why a peer's objects may never come: a class the node stores that the peer offered only in transfer
// syntaxes the node does not read (recorded by scp/ at negotiation).
std::vector<std::string> refusal_notes(const std::vector<storage::RefusedContext>& refused) {
  std::vector<std::string> notes;
  for (const auto& r : refused)
    notes.push_back(std::string(dcmFindNameOfUID(r.sop_class_uid.c_str(), r.sop_class_uid.c_str())) +
                    " was refused to \"" + r.calling_ae + "\", which offered only " + r.offered_syntaxes +
                    " (see docs/conformance-statement.md for the syntaxes read)");
  return notes;
}

}  // namespace

CaseScheduler::CaseScheduler(boost::asio::io_context& io, storage::InstanceStore& instances, storage::CaseStore& cases,
                             std::chrono::milliseconds stable_age, rules::MatchRules rules,
                             std::shared_ptr<spdlog::logger> log, std::function<void()> job_created)
    : io_(io),
      instances_(instances),
      cases_(cases),
      stable_age_(stable_age),
      rules_(std::move(rules)),
      log_(std::move(log)),
      job_created_(std::move(job_created)) {}

void CaseScheduler::instance_stored(const std::string& pseudonym) {
  boost::asio::post(io_, [this, pseudonym] { arm(pseudonym); });
}

void CaseScheduler::check_all() {
  for (const std::string& pseudonym : instances_.patient_pseudonyms()) arm(pseudonym);
}

void CaseScheduler::arm(const std::string& pseudonym) {
  auto& timer = timers_[pseudonym];
  if (!timer) timer = std::make_unique<boost::asio::steady_timer>(io_);
  timer->expires_after(stable_age_);  // cancels a pending wait: the patient is not quiet yet
  timer->async_wait([this, pseudonym](const boost::system::error_code& error) {
    if (error) return;
    try {
      decide(pseudonym);
    } catch (const std::exception& e) {
      log_->error("patient {}: the case could not be decided: {}; it is decided again when more data arrive or at "
                  "the next start", pseudonym, e.what());
    }
  });
}

void CaseScheduler::decide(const std::string& pseudonym) {
  timers_.erase(pseudonym);
  const std::vector<storage::IndexedRow> rows = instances_.rows_of_patient(pseudonym);
  if (rows.empty()) {
    // Every study moved to another patient (a corrected PatientID): nothing is waiting here any more.
    last_waiting_.erase(pseudonym);
    const std::string successor = instances_.moved_to(pseudonym).value_or("(unknown)");
    cases_.retire_patient(pseudonym, successor, storage::utc_iso8601());
    log_->info("patient {}: no instances left, its studies now belong to patient {}; its cases are superseded",
               pseudonym, successor);
    return;
  }
  const rules::CaseMatch match = rules::match_case(rows, rules_);
  if (!match.complete) {
    std::vector<std::string> reasons = match.missing;
    for (auto& note : refusal_notes(instances_.refused_contexts_of_patient(pseudonym))) reasons.push_back(std::move(note));
    const std::string waiting = joined(reasons);
    if (last_waiting_[pseudonym] != waiting) {
      log_->info("patient {}: case waiting: {}", pseudonym, waiting);
      cases_.record_decision(pseudonym, "waiting", waiting, storage::utc_iso8601());
    }
    last_waiting_[pseudonym] = waiting;
    return;
  }
  last_waiting_.erase(pseudonym);
  cases_.record_decision(pseudonym, "complete", "inputs " + match.inputs_digest, storage::utc_iso8601());
  for (const auto& note : match.notes) log_->info("patient {}: {}", pseudonym, note);
  const auto job = cases_.record_case(pseudonym, match.inputs_digest, pairs_of(roles_of(match)), storage::utc_iso8601());
  if (!job) {
    log_->debug("patient {}: case unchanged (inputs {}), no new job", pseudonym, match.inputs_digest);
    return;
  }
  log_->info("patient {}: case complete: RTDOSE {}, RTPLAN {}, RTSTRUCT {}, CT {} ({} images), recurrence {}, MR {} "
             "({} images), {}; job {} queued",
             pseudonym, match.rtdose_uid, match.rtplan_uid, match.rtstruct_uid, match.ct_series_uid,
             match.ct_instance_uids.size(), match.recurrence_uid, match.mr_series_uid, match.mr_instance_uids.size(),
             match.reg_uid ? "REG " + *match.reg_uid : std::string("no REG (automatic registration)"), *job);
  job_created_();
}

}  // namespace rtpof::jobs
