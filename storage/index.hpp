#pragma once
// The SQLite index of the store: what is there, for whom, and what references what. It is a cache of
// the files (rebuildable with `rtpof reindex`), kept in WAL mode and reached only through this class.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/indexed_row.hpp"
#include "storage/instance_attributes.hpp"
#include "storage/outbox_row.hpp"

namespace SQLite {
class Database;
}

namespace rtpof::storage {

struct StoredFile {
  std::string relative_path;  // below <data-dir>/store
  std::uint64_t size_bytes = 0;
  std::string content_sha256;  // of the dataset without the meta header; empty until a second copy arrives
  std::string received_at;     // UTC, ISO 8601
  std::string calling_ae;      // empty when the file was indexed from disk
};

struct IndexCounts {
  std::int64_t patients = 0;
  std::int64_t studies = 0;
  std::int64_t series = 0;
  std::int64_t instances = 0;
  std::uint64_t bytes = 0;
  std::map<std::string, std::int64_t> instances_by_modality;
};

// A job: the analysis of one version of one patient's case. Jobs and cases are not rebuildable from the
// files: `clear()` (reindex) keeps them.
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
  std::vector<std::pair<std::string, std::string>> inputs;  // (role, SOP Instance UID)
  bool superseded = false;  // a later version of the case exists
};

class Index {
 public:
  static constexpr int current_schema_version = 4;

  // Opens (creating or migrating) the index; throws std::runtime_error naming the file on failure,
  // or when the file was written by a newer rtpof.
  explicit Index(const std::filesystem::path& database_file);
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  std::optional<StoredFile> find(const std::string& sop_instance_uid);

  // Inserts the instance, or replaces the row of the same SOP Instance UID, in one transaction.
  void put(const InstanceAttributes& attributes, const std::string& pseudonym, const StoredFile& file);

  std::unordered_set<std::string> all_relative_paths();
  std::vector<ReferencedUid> references_of(const std::string& sop_instance_uid);
  IndexCounts counts();

  // Empties the instance tables (for a rebuild from the files); cases and jobs stay.
  void clear();

  // Matching's view of the index.
  std::vector<std::string> patient_pseudonyms();
  std::vector<IndexedRow> rows_of_patient(const std::string& pseudonym);

  // Records a complete case of `pseudonym` with the given inputs. The same inputs (digest) again return
  // nullopt: no second job. New inputs make a new case version, mark the earlier ones superseded and
  // return the new pending job's id.
  std::optional<std::int64_t> record_case(const std::string& pseudonym, const std::string& inputs_digest,
                                          const std::vector<std::pair<std::string, std::string>>& inputs,
                                          const std::string& now);
  // The oldest pending job, now running (attempts + 1); nullopt when none waits.
  std::optional<JobRow> claim_next_job(const std::string& now);
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

  // The scheduler's last decision per patient ("waiting" with what is missing, or "complete"), for status.
  struct PatientDecision {
    std::string patient, state, detail, decided_at;
  };
  void record_decision(const std::string& pseudonym, const std::string& state, const std::string& detail,
                       const std::string& now);
  std::vector<PatientDecision> decisions();

  // Reports and their deliveries (outbox_index.cpp).
  // Finishes a job with its report in one transaction: the job done, the report recorded, one pending
  // outbox row per destination (due now). Returns the report's id.
  std::int64_t finish_job_with_report(std::int64_t job, const std::string& stages, const std::string& result,
                                      const ReportRecord& report, const std::vector<DeliveryTarget>& destinations,
                                      const std::string& now);
  // The newest report of a patient (the predecessor of the next one), if any.
  std::optional<ReportRecord> latest_report(const std::string& pseudonym);
  // Pending rows whose next attempt is due at `now`, oldest first.
  std::vector<OutboxRow> due_deliveries(const std::string& now, int limit = 16);
  // The earliest next attempt among pending rows (for the sender's timer).
  std::optional<std::string> next_delivery_due();
  enum class DeliveryResult { sent, retry, dead };
  // Records one attempt: sent, to be retried at `next_attempt_at`, or given up.
  void record_delivery_attempt(std::int64_t outbox_id, DeliveryResult result, const std::string& status,
                               const std::string& next_attempt_at, const std::string& now);
  // Dead rows (all, or those with the given ids) pending again, due now, attempts reset. Returns how many.
  int requeue_dead_deliveries(const std::vector<std::int64_t>& ids, const std::string& now);
  std::vector<OutboxRow> outbox();
  std::int64_t pending_deliveries();

 private:
  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace rtpof::storage
