#include "storage/case_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/database.hpp"

namespace rtpof::storage {
namespace {

// "role uid" per line, the inputs of a case as stored.
std::string encode_inputs(const std::vector<std::pair<std::string, std::string>>& inputs) {
  std::string text;
  for (const auto& [role, uid] : inputs) text += role + " " + uid + "\n";
  return text;
}

std::vector<std::pair<std::string, std::string>> decode_inputs(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> inputs;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    const std::size_t space = line.find(' ');
    if (space != std::string::npos) inputs.emplace_back(line.substr(0, space), line.substr(space + 1));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return inputs;
}

const char* const job_columns = R"sql(
  SELECT jobs.id, jobs.case_id, cases.patient, cases.version, jobs.state, jobs.attempts, jobs.reason,
         jobs.created_at, jobs.started_at, jobs.finished_at, jobs.stages, jobs.result, cases.inputs_digest,
         cases.inputs, cases.superseded
  FROM jobs JOIN cases ON cases.id = jobs.case_id )sql";

JobRow job_of(SQLite::Statement& q) {
  JobRow j;
  j.id = q.getColumn(0).getInt64();
  j.case_id = q.getColumn(1).getInt64();
  j.patient = q.getColumn(2).getString();
  j.case_version = q.getColumn(3).getInt();
  j.state = q.getColumn(4).getString();
  j.attempts = q.getColumn(5).getInt();
  j.reason = q.getColumn(6).getString();
  j.created_at = q.getColumn(7).getString();
  j.started_at = q.getColumn(8).getString();
  j.finished_at = q.getColumn(9).getString();
  j.stages = q.getColumn(10).getString();
  j.result = q.getColumn(11).getString();
  j.inputs_digest = q.getColumn(12).getString();
  j.inputs = decode_inputs(q.getColumn(13).getString());
  j.superseded = q.getColumn(14).getInt() != 0;
  return j;
}

}  // namespace

std::optional<std::int64_t> CaseStore::record_case(const std::string& pseudonym, const std::string& inputs_digest,
                                               const std::vector<std::pair<std::string, std::string>>& inputs,
                                               const std::string& now) {
  return database_.locked([&](SQLite::Database& db) -> std::optional<std::int64_t> {
    SQLite::Transaction transaction(db);
    SQLite::Statement known(db, "SELECT id FROM cases WHERE patient = ? AND inputs_digest = ?");
    known.bind(1, pseudonym);
    known.bind(2, inputs_digest);
    if (known.executeStep()) return std::nullopt;
    SQLite::Statement last(db, "SELECT COALESCE(MAX(version), 0) FROM cases WHERE patient = ?");
    last.bind(1, pseudonym);
    last.executeStep();
    const int version = last.getColumn(0).getInt() + 1;
    SQLite::Statement supersede(db, "UPDATE cases SET superseded = 1 WHERE patient = ?");
    supersede.bind(1, pseudonym);
    supersede.exec();
    SQLite::Statement add_case(db, "INSERT INTO cases(patient, version, inputs_digest, inputs, decided_at) "
                                     "VALUES(?,?,?,?,?)");
    add_case.bind(1, pseudonym);
    add_case.bind(2, version);
    add_case.bind(3, inputs_digest);
    add_case.bind(4, encode_inputs(inputs));
    add_case.bind(5, now);
    add_case.exec();
    const std::int64_t case_id = db.getLastInsertRowid();
    SQLite::Statement add_job(db, "INSERT INTO jobs(case_id, state, created_at) VALUES(?, 'pending', ?)");
    add_job.bind(1, case_id);
    add_job.bind(2, now);
    add_job.exec();
    const std::int64_t job = db.getLastInsertRowid();
    transaction.commit();
    return job;
  });
}

std::optional<JobRow> CaseStore::claim_next_job(const std::string& now) {
  return database_.locked([&](SQLite::Database& db) -> std::optional<JobRow> {
    SQLite::Transaction transaction(db);
    SQLite::Statement q(db, std::string(job_columns) + "WHERE jobs.state = 'pending' ORDER BY jobs.id LIMIT 1");
    if (!q.executeStep()) return std::nullopt;
    JobRow job = job_of(q);
    SQLite::Statement claim(db, "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ? WHERE id = ?");
    claim.bind(1, now);
    claim.bind(2, job.id);
    claim.exec();
    transaction.commit();
    job.state = "running";
    ++job.attempts;
    job.started_at = now;
    return job;
  });
}

void CaseStore::finish_job(std::int64_t job, bool succeeded, const std::string& reason, const std::string& stages,
                       const std::string& result, const std::string& now) {
  return database_.locked([&](SQLite::Database& db) -> void {
    SQLite::Statement q(db, "UPDATE jobs SET state = ?, reason = ?, stages = ?, result = ?, finished_at = ? WHERE id = ?");
    q.bind(1, succeeded ? "done" : "failed");
    q.bind(2, reason);
    q.bind(3, stages);
    q.bind(4, result);
    q.bind(5, now);
    q.bind(6, job);
    q.exec();
  });
}

int CaseStore::requeue_running_jobs() {
  return database_.locked([&](SQLite::Database& db) -> int {
    return db.exec("UPDATE jobs SET state = 'pending' WHERE state = 'running'");
  });
}

int CaseStore::requeue_failed_jobs(const std::vector<std::int64_t>& ids) {
  return database_.locked([&](SQLite::Database& db) -> int {
    const std::string sql = "UPDATE jobs SET state = 'pending', reason = '' WHERE state = 'failed'";
    if (ids.empty())
      return db.exec(sql + " AND case_id IN (SELECT id FROM cases WHERE superseded = 0)");
    SQLite::Transaction transaction(db);
    int changed = 0;
    for (std::int64_t id : ids) {
      SQLite::Statement q(db, sql + " AND id = ?");
      q.bind(1, id);
      changed += q.exec();
    }
    transaction.commit();
    return changed;
  });
}

std::vector<JobRow> CaseStore::jobs() {
  return database_.locked([&](SQLite::Database& db) -> std::vector<JobRow> {
    SQLite::Statement q(db, std::string(job_columns) + "ORDER BY jobs.id");
    std::vector<JobRow> out;
    while (q.executeStep()) out.push_back(job_of(q));
    return out;
  });
}

std::map<std::string, std::int64_t> CaseStore::job_counts() {
  return database_.locked([&](SQLite::Database& db) -> std::map<std::string, std::int64_t> {
    SQLite::Statement q(db, "SELECT state, COUNT(*) FROM jobs GROUP BY state");
    std::map<std::string, std::int64_t> counts;
    while (q.executeStep()) counts[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
    return counts;
  });
}

std::vector<std::string> CaseStore::stages_of_done_jobs() {
  return database_.locked([&](SQLite::Database& db) -> std::vector<std::string> {
    SQLite::Statement q(db, "SELECT stages FROM jobs WHERE state = 'done' ORDER BY id");
    std::vector<std::string> stages;
    while (q.executeStep()) stages.push_back(q.getColumn(0).getString());
    return stages;
  });
}

void CaseStore::retire_patient(const std::string& pseudonym, const std::string& successor, const std::string& now) {
  database_.locked([&](SQLite::Database& db) {
    SQLite::Transaction transaction(db);
    SQLite::Statement supersede(db, "UPDATE cases SET superseded = 1 WHERE patient = ?");
    supersede.bind(1, pseudonym);
    supersede.exec();
    SQLite::Statement decision(db, "INSERT INTO patient_decisions(patient, state, detail, decided_at) VALUES(?,?,?,?) "
                                   "ON CONFLICT(patient) DO UPDATE SET state=excluded.state, detail=excluded.detail, "
                                   "decided_at=excluded.decided_at");
    decision.bind(1, pseudonym);
    decision.bind(2, "moved");
    decision.bind(3, "PatientID corrected: its studies now belong to patient " + successor);
    decision.bind(4, now);
    decision.exec();
    transaction.commit();
  });
}

void CaseStore::record_decision(const std::string& pseudonym, const std::string& state, const std::string& detail,
                            const std::string& now) {
  return database_.locked([&](SQLite::Database& db) -> void {
    SQLite::Statement q(db, "INSERT INTO patient_decisions(patient, state, detail, decided_at) VALUES(?,?,?,?) "
                              "ON CONFLICT(patient) DO UPDATE SET state=excluded.state, detail=excluded.detail, "
                              "decided_at=excluded.decided_at");
    q.bind(1, pseudonym);
    q.bind(2, state);
    q.bind(3, detail);
    q.bind(4, now);
    q.exec();
  });
}

std::vector<PatientDecision> CaseStore::decisions() {
  return database_.locked([&](SQLite::Database& db) -> std::vector<PatientDecision> {
    SQLite::Statement q(db, "SELECT patient, state, detail, decided_at FROM patient_decisions ORDER BY patient");
    std::vector<PatientDecision> out;
    while (q.executeStep())
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                     q.getColumn(3).getString()});
    return out;
  });
}

}  // namespace rtpof::storage
