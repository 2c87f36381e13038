#pragma once
// The index's reports and their outbox: one row per destination, kept until the destination acknowledged
// the report (sent) or rtpof gave up on it (dead, until `rtpof resend`). Not rebuildable from the files,
// so `rtpof reindex` keeps them. The delivery/ layer sends; this store only records.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/outbox_row.hpp"

namespace rtpof::storage {

class Database;

enum class DeliveryResult { sent, retry, dead };

class ReportStore {
 public:
  explicit ReportStore(Database& database) : database_(database) {}

  // Finishes a job with what it wrote in one transaction: the job done, each object recorded (the SR
  // first), one pending outbox row per object and destination that wants its kind (due now). Returns the
  // SR's id.
  std::int64_t record_report(std::int64_t job, const std::string& stages, const std::string& result,
                             const std::vector<ReportRecord>& objects, const std::vector<DeliveryTarget>& destinations,
                             const std::string& now);
  // A job that wrote the SR alone.
  std::int64_t record_report(std::int64_t job, const std::string& stages, const std::string& result,
                             const ReportRecord& report, const std::vector<DeliveryTarget>& destinations,
                             const std::string& now) {
    return record_report(job, stages, result, std::vector<ReportRecord>{report}, destinations, now);
  }
  // The newest report of a patient (the predecessor of the next one), if any; it may be a report of a
  // patient whose studies moved to this one (a corrected PatientID, InstanceStore::put).
  std::optional<ReportRecord> latest_report(const std::string& pseudonym);
  // The SR a job wrote, if any (what `rtpof status` points to).
  std::optional<ReportRecord> report_of_job(std::int64_t job);
  // Everything a job wrote, the SR first.
  std::vector<ReportRecord> objects_of_job(std::int64_t job);
  // Pending rows whose next attempt is due at `now`, oldest first.
  std::vector<OutboxRow> due_deliveries(const std::string& now, int limit = 16);
  // The earliest next attempt among pending rows (for the sender's timer).
  std::optional<std::string> next_delivery_due();
  // Records one attempt: sent, to be retried at `next_attempt_at`, or given up.
  void record_delivery_attempt(std::int64_t outbox_id, DeliveryResult result, const std::string& status,
                               const std::string& next_attempt_at, const std::string& now);
  // Dead rows (all, or those with the given ids) pending again, due now, attempts reset. Returns how many.
  int requeue_dead_deliveries(const std::vector<std::int64_t>& ids, const std::string& now);
  std::vector<OutboxRow> deliveries();
  std::int64_t pending_deliveries();
  // Outbox rows by state: pending, sent, dead (each present, 0 when none).
  std::map<std::string, std::int64_t> delivery_counts();
  // When a report object last reached its destination (UTC ISO 8601); nullopt before the first.
  std::optional<std::string> last_sent_at();

 private:
  Database& database_;
};

}  // namespace rtpof::storage
