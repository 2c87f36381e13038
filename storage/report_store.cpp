// The index's reports and outbox tables (schema version 6).
#include "storage/report_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/database.hpp"

namespace rtpof::storage {
namespace {


const char* const outbox_columns = R"sql(
  SELECT outbox.id, outbox.report_id, reports.job_id, reports.sop_instance_uid, reports.sop_class_uid,
         reports.study_uid, reports.series_uid, reports.patient, reports.relative_path, outbox.ae_title, outbox.host,
         outbox.port, outbox.state, outbox.attempts, outbox.next_attempt_at, outbox.first_attempt_at,
         outbox.last_status, outbox.created_at, outbox.sent_at, reports.kind
  FROM outbox JOIN reports ON reports.id = outbox.report_id )sql";

const char* const report_columns =
    "SELECT sop_instance_uid, sop_class_uid, study_uid, series_uid, patient, relative_path, kind FROM reports ";

ReportRecord report_of(SQLite::Statement& q) {
  return ReportRecord{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                      q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                      q.getColumn(6).getString()};
}

OutboxRow outbox_row_of(SQLite::Statement& q) {
  OutboxRow row;
  row.id = q.getColumn(0).getInt64();
  row.report_id = q.getColumn(1).getInt64();
  row.job_id = q.getColumn(2).getInt64();
  row.report = {q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                q.getColumn(6).getString(), q.getColumn(7).getString(), q.getColumn(8).getString(),
                q.getColumn(19).getString()};
  row.destination = {q.getColumn(9).getString(), q.getColumn(10).getString(),
                     static_cast<std::uint16_t>(q.getColumn(11).getInt())};
  row.state = q.getColumn(12).getString();
  row.attempts = q.getColumn(13).getInt();
  row.next_attempt_at = q.getColumn(14).getString();
  row.first_attempt_at = q.getColumn(15).getString();
  row.last_status = q.getColumn(16).getString();
  row.created_at = q.getColumn(17).getString();
  row.sent_at = q.getColumn(18).getString();
  return row;
}

}  // namespace

std::int64_t ReportStore::record_report(std::int64_t job, const std::string& stages, const std::string& result,
                                       const std::vector<ReportRecord>& objects,
                                       const std::vector<DeliveryTarget>& destinations, const std::string& now) {
  return database_.locked([&](SQLite::Database& db) -> std::int64_t {
    SQLite::Transaction transaction(db);
    SQLite::Statement finish(db, "UPDATE jobs SET state = 'done', reason = '', stages = ?, result = ?, finished_at = ? "
                                   "WHERE id = ?");
    finish.bind(1, stages);
    finish.bind(2, result);
    finish.bind(3, now);
    finish.bind(4, job);
    finish.exec();
    std::int64_t first_id = 0;
    for (const ReportRecord& report : objects) {
      SQLite::Statement insert(db, "INSERT INTO reports(sop_instance_uid, sop_class_uid, study_uid, series_uid, job_id, "
                                     "patient, relative_path, created_at, kind) VALUES(?,?,?,?,?,?,?,?,?)");
      insert.bind(1, report.sop_instance_uid);
      insert.bind(2, report.sop_class_uid);
      insert.bind(3, report.study_uid);
      insert.bind(4, report.series_uid);
      insert.bind(5, job);
      insert.bind(6, report.patient);
      insert.bind(7, report.relative_path);
      insert.bind(8, now);
      insert.bind(9, report.kind);
      insert.exec();
      const std::int64_t report_id = db.getLastInsertRowid();
      if (first_id == 0) first_id = report_id;
      for (const DeliveryTarget& d : destinations) {
        if (!d.wants(report.kind)) continue;
        SQLite::Statement row(db, "INSERT OR IGNORE INTO outbox(report_id, ae_title, host, port, state, next_attempt_at, "
                                    "created_at) VALUES(?,?,?,?,'pending',?,?)");
        row.bind(1, report_id);
        row.bind(2, d.ae_title);
        row.bind(3, d.host);
        row.bind(4, static_cast<int>(d.port));
        row.bind(5, now);
        row.bind(6, now);
        row.exec();
      }
    }
    transaction.commit();
    return first_id;
  });
}

std::optional<ReportRecord> ReportStore::latest_report(const std::string& pseudonym) {
  return database_.locked([&](SQLite::Database& db) -> std::optional<ReportRecord> {
    // A patient whose studies came from another by a corrected PatientID continues that one's reports.
    SQLite::Statement q(db, std::string(report_columns) +
                                "WHERE kind = 'sr' AND (patient = ? OR patient IN "
                                "(SELECT from_patient FROM patient_moves WHERE to_patient = ?)) ORDER BY id DESC LIMIT 1");
    q.bind(1, pseudonym);
    q.bind(2, pseudonym);
    if (!q.executeStep()) return std::nullopt;
    return report_of(q);
  });
}

std::optional<ReportRecord> ReportStore::report_of_job(std::int64_t job) {
  return database_.locked([&](SQLite::Database& db) -> std::optional<ReportRecord> {
    SQLite::Statement q(db, std::string(report_columns) + "WHERE job_id = ? AND kind = 'sr' ORDER BY id DESC LIMIT 1");
    q.bind(1, static_cast<int64_t>(job));
    if (!q.executeStep()) return std::nullopt;
    return report_of(q);
  });
}

std::vector<ReportRecord> ReportStore::objects_of_job(std::int64_t job) {
  return database_.locked([&](SQLite::Database& db) -> std::vector<ReportRecord> {
    SQLite::Statement q(db, std::string(report_columns) + "WHERE job_id = ? ORDER BY id");
    q.bind(1, static_cast<int64_t>(job));
    std::vector<ReportRecord> objects;
    while (q.executeStep()) objects.push_back(report_of(q));
    return objects;
  });
}

std::vector<OutboxRow> ReportStore::due_deliveries(const std::string& now, int limit) {
  return database_.locked([&](SQLite::Database& db) -> std::vector<OutboxRow> {
    SQLite::Statement q(db, std::string(outbox_columns) +
                                  "WHERE outbox.state = 'pending' AND outbox.next_attempt_at <= ? "
                                  "ORDER BY outbox.next_attempt_at, outbox.id LIMIT ?");
    q.bind(1, now);
    q.bind(2, limit);
    std::vector<OutboxRow> rows;
    while (q.executeStep()) rows.push_back(outbox_row_of(q));
    return rows;
  });
}

std::optional<std::string> ReportStore::next_delivery_due() {
  return database_.locked([&](SQLite::Database& db) -> std::optional<std::string> {
    SQLite::Statement q(db, "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'");
    if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
    return q.getColumn(0).getString();
  });
}

void ReportStore::record_delivery_attempt(std::int64_t outbox_id, DeliveryResult result, const std::string& status,
                                    const std::string& next_attempt_at, const std::string& now) {
  return database_.locked([&](SQLite::Database& db) -> void {
    SQLite::Statement q(db, R"sql(
      UPDATE outbox SET state = ?, attempts = attempts + 1, last_status = ?, next_attempt_at = ?,
        first_attempt_at = CASE WHEN first_attempt_at = '' THEN ? ELSE first_attempt_at END,
        sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END
      WHERE id = ?)sql");
    const char* state = result == DeliveryResult::sent ? "sent" : result == DeliveryResult::retry ? "pending" : "dead";
    q.bind(1, state);
    q.bind(2, status);
    q.bind(3, result == DeliveryResult::retry ? next_attempt_at : std::string());
    q.bind(4, now);
    q.bind(5, state);
    q.bind(6, now);
    q.bind(7, outbox_id);
    q.exec();
  });
}

int ReportStore::requeue_dead_deliveries(const std::vector<std::int64_t>& ids, const std::string& now) {
  return database_.locked([&](SQLite::Database& db) -> int {
    const char* const sql = "UPDATE outbox SET state = 'pending', attempts = 0, first_attempt_at = '', "
                            "next_attempt_at = ? WHERE state = 'dead'";
    if (ids.empty()) {
      SQLite::Statement q(db, sql);
      q.bind(1, now);
      return q.exec();
    }
    SQLite::Transaction transaction(db);
    int changed = 0;
    for (std::int64_t id : ids) {
      SQLite::Statement q(db, std::string(sql) + " AND id = ?");
      q.bind(1, now);
      q.bind(2, id);
      changed += q.exec();
    }
    transaction.commit();
    return changed;
  });
}

std::vector<OutboxRow> ReportStore::deliveries() {
  return database_.locked([&](SQLite::Database& db) -> std::vector<OutboxRow> {
    SQLite::Statement q(db, std::string(outbox_columns) + "ORDER BY outbox.id");
    std::vector<OutboxRow> rows;
    while (q.executeStep()) rows.push_back(outbox_row_of(q));
    return rows;
  });
}

std::int64_t ReportStore::pending_deliveries() {
  return database_.locked([&](SQLite::Database& db) -> std::int64_t {
    return db.execAndGet("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").getInt64();
  });
}

std::map<std::string, std::int64_t> ReportStore::delivery_counts() {
  return database_.locked([&](SQLite::Database& db) -> std::map<std::string, std::int64_t> {
    std::map<std::string, std::int64_t> counts = {{"pending", 0}, {"sent", 0}, {"dead", 0}};
    SQLite::Statement q(db, "SELECT state, COUNT(*) FROM outbox GROUP BY state");
    while (q.executeStep()) counts[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
    return counts;
  });
}

std::optional<std::string> ReportStore::last_sent_at() {
  return database_.locked([&](SQLite::Database& db) -> std::optional<std::string> {
    const SQLite::Column newest = db.execAndGet("SELECT max(sent_at) FROM outbox WHERE state = 'sent'");
    if (newest.isNull()) return std::nullopt;
    return newest.getString();
  });
}

}  // namespace rtpof::storage
