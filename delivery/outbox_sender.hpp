#pragma once
// Delivers the reports in the outbox: one thread takes due rows from the index and hands each to its
// destination's lane, a thread of its own per destination, so that a destination that hangs delays
// only its own reports. A lane sends with send_file and records the outcome: sent; pending again
// after a backoff (transient failures);
// or dead (permanent failures, or retries past the give-up time), with one error line that says what
// to do. The outbox is in the index, so a restart resumes where the last run stopped; a report is sent
// with the same SOP Instance UID every time, so a repeat is harmless at the destination.
#include <condition_variable>
#include <filesystem>
#include <list>
#include <memory>
#include <set>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "rules/retry_policy.hpp"
#include "scp/tls_options.hpp"
#include "storage/outbox_row.hpp"

namespace spdlog {
class logger;
}
namespace rtpof::storage {
class ReportStore;
}

namespace rtpof::delivery {

struct DeliverySettings {
  std::string calling_ae;
  rules::RetryPolicy retry;
  bool warning_is_delivered = true;
  unsigned send_timeout_s = 30;
  std::optional<scp::TlsOptions> tls;                   // the node's TLS identity, when anything uses TLS
  std::vector<storage::DeliveryTarget> tls_endpoints;  // host and port reached over TLS
};

// A report object that will not be delivered without an operator (`rtpof resend ID`).
struct DeadLetter {
  std::int64_t outbox_id = 0, job_id = 0;
  std::string patient, kind, report_uid, destination, status;
  std::filesystem::path report_file;
};

// A report object a destination acknowledged.
struct Delivered {
  std::string calling_ae;             // rtpof's AE title in the association
  storage::ReportRecord report;
  storage::DeliveryTarget destination;
  std::filesystem::path report_file;  // the object as sent
};

class OutboxSender {
 public:
  // Rows from `reports`; each report's file below `reports_dir` (<data-dir>/reports).
  OutboxSender(storage::ReportStore& reports, std::filesystem::path reports_dir, DeliverySettings settings,
               std::shared_ptr<spdlog::logger> log);
  ~OutboxSender();  // stops after the send in progress
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void wake();  // thread-safe: a report was queued
  void set_settings(DeliverySettings settings);  // thread-safe; applies from the next attempt
  // Called, on a delivery lane's thread, for each report object given up on (a dead letter).
  void on_dead_letter(std::function<void(const DeadLetter&)> observer);  // thread-safe
  // Called, on a delivery lane's thread, for each report object a destination acknowledged.
  void on_delivered(std::function<void(const Delivered&)> observer);  // thread-safe

 private:
  void run();
  // Starts due rows on idle lanes; true when it started any.
  bool start_lanes(const std::vector<storage::OutboxRow>& due, const DeliverySettings& settings);
  void join_finished_lanes();
  void deliver(const storage::OutboxRow& row, const DeliverySettings& settings);
  void tell_dead(const storage::OutboxRow& row, const std::string& status, const std::filesystem::path& file);

  // One delivery in flight, to one destination.
  struct Lane {
    std::string destination;
    std::thread thread;
    bool finished = false;  // guarded by mutex_
  };

  storage::ReportStore& reports_;
  const std::filesystem::path reports_dir_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  DeliverySettings settings_;
  std::function<void(const DeadLetter&)> on_dead_;  // guarded by mutex_
  std::function<void(const Delivered&)> on_delivered_;  // guarded by mutex_
  bool stopping_ = false;
  bool woken_ = false;
  std::list<Lane> lanes_;  // guarded by mutex_; a destination has at most one
  std::thread thread_;
};

}  // namespace rtpof::delivery
