#include "delivery/outbox_sender.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <spdlog/spdlog.h>

#include <chrono>

#include "rules/report_routing.hpp"
#include "delivery/store_sender.hpp"
#include "storage/report_store.hpp"
#include "storage/utc_time.hpp"

namespace rtpof::delivery {
namespace {

using Clock = std::chrono::system_clock;

// A pending row that is not yet due is looked at again this often; `rtpof resend`, run beside the node,
// is noticed within this time too.
constexpr auto poll_interval = std::chrono::seconds(1);
// Destinations served at the same time; past this, the next due rows wait for a lane.
constexpr std::size_t max_lanes = 8;

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, s < 10 ? "%.1f s" : "%.0f s", s);
  return text;
}

}  // namespace

OutboxSender::OutboxSender(storage::ReportStore& reports, std::filesystem::path reports_dir, DeliverySettings settings,
                           std::shared_ptr<spdlog::logger> log)
    : reports_(reports), reports_dir_(std::move(reports_dir)), log_(std::move(log)), settings_(std::move(settings)) {
  thread_ = std::thread([this] { run(); });
}

OutboxSender::~OutboxSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  thread_.join();
  // Each lane ends after its send in progress (bounded by send_timeout_s).
  for (Lane& lane : lanes_)
    if (lane.thread.joinable()) lane.thread.join();
}

void OutboxSender::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

void OutboxSender::set_settings(DeliverySettings settings) {
  std::lock_guard lock(mutex_);
  settings_ = std::move(settings);
}

void OutboxSender::run() {
  for (;;) {
    DeliverySettings settings;
    {
      std::unique_lock lock(mutex_);
      if (stopping_) return;
      woken_ = false;
      settings = settings_;
    }
    join_finished_lanes();
    std::vector<storage::OutboxRow> due;
    try {
      due = reports_.due_deliveries(storage::utc_iso8601());
    } catch (const std::exception& e) {
      log_->error("outbox: cannot read the index ({}); retrying; check the data directory's disk", e.what());
    }
    if (start_lanes(due, settings)) continue;  // more may be due already
    // A lane that finishes wakes this loop too, so a destination's next report goes at once.
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, poll_interval, [this] { return stopping_ || woken_; });
  }
}

bool OutboxSender::start_lanes(const std::vector<storage::OutboxRow>& due, const DeliverySettings& settings) {
  bool started = false;
  std::lock_guard lock(mutex_);
  std::set<std::string> busy;
  for (const Lane& lane : lanes_) busy.insert(lane.destination);
  for (const auto& row : due) {
    if (stopping_ || lanes_.size() >= max_lanes) break;
    const std::string destination = row.destination.label();
    if (!busy.insert(destination).second) continue;  // its lane is sending; this row waits its turn
    Lane& lane = lanes_.emplace_back();
    lane.destination = destination;
    lane.thread = std::thread([this, &lane, row, settings] {
      try {
        deliver(row, settings);
      } catch (const std::exception& e) {
        log_->error("outbox row {}: delivery could not be recorded ({}); it will be tried again", row.id, e.what());
      }
      {
        std::lock_guard done(mutex_);
        lane.finished = true;
        woken_ = true;
      }
      wakeup_.notify_all();
    });
    started = true;
  }
  return started;
}

void OutboxSender::join_finished_lanes() {
  std::list<Lane> finished;
  {
    std::lock_guard lock(mutex_);
    for (auto it = lanes_.begin(); it != lanes_.end();) {
      if (it->finished) finished.splice(finished.end(), lanes_, it++);
      else ++it;
    }
  }
  for (Lane& lane : finished) lane.thread.join();
}

void OutboxSender::on_dead_letter(std::function<void(const DeadLetter&)> observer) {
  std::lock_guard lock(mutex_);
  on_dead_ = std::move(observer);
}

void OutboxSender::on_delivered(std::function<void(const Delivered&)> observer) {
  std::lock_guard lock(mutex_);
  on_delivered_ = std::move(observer);
}

void OutboxSender::tell_dead(const storage::OutboxRow& row, const std::string& status,
                             const std::filesystem::path& file) {
  std::function<void(const DeadLetter&)> observer;
  {
    std::lock_guard lock(mutex_);
    observer = on_dead_;
  }
  if (observer)
    observer({row.id, row.job_id, row.report.patient, row.report.kind, row.report.sop_instance_uid,
              row.destination.label(), status, file});
}

void OutboxSender::deliver(const storage::OutboxRow& row, const DeliverySettings& settings) {
  const std::string where = row.destination.label();
  const auto file = reports_dir_ / row.report.relative_path;
  const auto now = Clock::now();
  const std::string now_text = storage::utc_iso8601(now);
  if (!std::filesystem::exists(file)) {
    reports_.record_delivery_attempt(row.id, storage::DeliveryResult::dead, "report file missing", "", now_text);
    log_->error("report {} (patient {}) NOT delivered to {}: its file {} is missing; restore it from a backup and run "
                "`rtpof resend {}`, or let the case run again",
                row.report.sop_instance_uid, row.report.patient, where, file.string(), row.id);
    tell_dead(row, "report file missing", file);
    return;
  }
  SendTarget target;
  target.calling_ae = settings.calling_ae;
  target.called_ae = row.destination.ae_title;
  target.host = row.destination.host;
  target.port = row.destination.port;
  target.connect_timeout_s = settings.send_timeout_s;
  target.dimse_timeout_s = settings.send_timeout_s;
  if (rules::speaks_tls(settings.tls_endpoints, row.destination)) target.tls = settings.tls;
  const auto started = std::chrono::steady_clock::now();
  const SendOutcome outcome = send_file(file, row.report.sop_class_uid, target, settings.warning_is_delivered);
  const long ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  const int attempt = row.attempts + 1;

  if (outcome.verdict == SendVerdict::delivered) {
    reports_.record_delivery_attempt(row.id, storage::DeliveryResult::sent, outcome.status, "", now_text);
    log_->info("report {} (patient {}) delivered to {} on attempt {} in {} ms: {}", row.report.sop_instance_uid,
               row.report.patient, where, attempt, ms, outcome.status);
    std::function<void(const Delivered&)> observer;
    {
      std::lock_guard lock(mutex_);
      observer = on_delivered_;
    }
    if (observer) observer({settings.calling_ae, row.report, row.destination, file});
    return;
  }
  if (outcome.verdict == SendVerdict::permanent) {
    reports_.record_delivery_attempt(row.id, storage::DeliveryResult::dead, outcome.status, "", now_text);
    // What to mend: the destination, or (for the objects beside the SR) the rules that send it there.
    const std::string fix = row.report.kind == "sr"
                                ? "Fix the destination (it must accept Enhanced SR Storage or Comprehensive SR Storage)"
                                : "Fix the destination (it must accept " +
                                      std::string(dcmFindNameOfUID(row.report.sop_class_uid.c_str(),
                                                                   row.report.sop_class_uid.c_str())) +
                                      "), or leave \"" + row.report.kind + "\" out of its objects in the rules";
    log_->error("report {} ({}, patient {}) refused by {}: {}; not retried (the same object would be refused again). "
                "{}, then run `rtpof resend {}`",
                row.report.sop_instance_uid, row.report.kind, row.report.patient, where, outcome.status, fix, row.id);
    tell_dead(row, outcome.status, file);
    return;
  }
  const auto first = row.first_attempt_at.empty() ? std::optional<Clock::time_point>(now)
                                                  : storage::parse_utc_iso8601(row.first_attempt_at);
  const double since_first = std::chrono::duration<double>(now - first.value_or(now)).count();
  if (rules::gives_up(settings.retry, since_first)) {
    reports_.record_delivery_attempt(row.id, storage::DeliveryResult::dead, outcome.status, "", now_text);
    log_->error("report {} (patient {}) NOT delivered to {} after {} attempts over {}: {}; gave up. Check that the "
                "destination is up and accepts AE \"{}\", then run `rtpof resend {}`",
                row.report.sop_instance_uid, row.report.patient, where, attempt, seconds_text(since_first),
                outcome.status, settings.calling_ae, row.id);
    tell_dead(row, outcome.status, file);
    return;
  }
  const double delay = rules::retry_delay_s(settings.retry, attempt);
  const auto next = now + std::chrono::milliseconds(static_cast<long>(delay * 1000));
  reports_.record_delivery_attempt(row.id, storage::DeliveryResult::retry, outcome.status,
                                storage::utc_iso8601(next), now_text);
  log_->warn("report {} (patient {}) not delivered to {} (attempt {}): {}; retry in {}", row.report.sop_instance_uid,
             row.report.patient, where, attempt, outcome.status, seconds_text(delay));
}

}  // namespace rtpof::delivery
