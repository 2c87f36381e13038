#include "storage/index.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <stdexcept>

namespace rtpof::storage {
namespace {

// Version 1. Later versions append migration steps; a step is never edited once released.
const char* const schema_v1 = R"sql(
CREATE TABLE patients(
  id INTEGER PRIMARY KEY,
  pseudonym TEXT NOT NULL UNIQUE,
  patient_id TEXT NOT NULL,
  issuer TEXT NOT NULL DEFAULT '',
  UNIQUE(patient_id, issuer));
CREATE TABLE studies(
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  patient INTEGER NOT NULL REFERENCES patients(id));
CREATE TABLE series(
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  study INTEGER NOT NULL REFERENCES studies(id),
  modality TEXT NOT NULL,
  frame_of_reference_uid TEXT NOT NULL DEFAULT '');
CREATE TABLE instances(
  id INTEGER PRIMARY KEY,
  sop_instance_uid TEXT NOT NULL UNIQUE,
  sop_class_uid TEXT NOT NULL,
  series INTEGER NOT NULL REFERENCES series(id),
  frame_of_reference_uid TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  content_sha256 TEXT NOT NULL,
  received_at TEXT NOT NULL,
  calling_ae TEXT NOT NULL DEFAULT '');
CREATE INDEX instances_series ON instances(series);
CREATE TABLE instance_references(
  instance INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  uid TEXT NOT NULL,
  PRIMARY KEY(instance, kind, uid));
CREATE INDEX instance_references_uid ON instance_references(uid);
)sql";

// Version 2: cases and jobs. Keyed by the patient's pseudonym, not the patients table, so that a reindex
// (which empties the instance tables) keeps them: they cannot be rebuilt from the files.
const char* const schema_v2 = R"sql(
CREATE TABLE cases(
  id INTEGER PRIMARY KEY,
  patient TEXT NOT NULL,
  version INTEGER NOT NULL,
  inputs_digest TEXT NOT NULL,
  inputs TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  superseded INTEGER NOT NULL DEFAULT 0,
  UNIQUE(patient, inputs_digest),
  UNIQUE(patient, version));
CREATE TABLE jobs(
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
  state TEXT NOT NULL CHECK(state IN ('pending', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  started_at TEXT NOT NULL DEFAULT '',
  finished_at TEXT NOT NULL DEFAULT '',
  stages TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '');
CREATE INDEX jobs_state ON jobs(state);
)sql";

// Version 3: the scheduler's last decision per patient, so that `rtpof status` can say what a case waits
// for; and what matching weighs between candidates (plan approval, dose summation type). Instances indexed
// by version 2 have it empty until `rtpof reindex`.
const char* const schema_v3 = R"sql(
CREATE TABLE patient_decisions(
  patient TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  detail TEXT NOT NULL,
  decided_at TEXT NOT NULL);
ALTER TABLE instances ADD COLUMN rt_status TEXT NOT NULL DEFAULT '';
)sql";

// Version 4: the reports rtpof wrote and their outbox, one row per destination.
const char* const schema_v4 = R"sql(
CREATE TABLE reports(
  id INTEGER PRIMARY KEY,
  sop_instance_uid TEXT NOT NULL UNIQUE,
  sop_class_uid TEXT NOT NULL,
  study_uid TEXT NOT NULL,
  series_uid TEXT NOT NULL,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  patient TEXT NOT NULL,
  relative_path TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE INDEX reports_patient ON reports(patient);
CREATE TABLE outbox(
  id INTEGER PRIMARY KEY,
  report_id INTEGER NOT NULL REFERENCES reports(id),
  ae_title TEXT NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending', 'sent', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  first_attempt_at TEXT NOT NULL DEFAULT '',
  last_status TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  sent_at TEXT NOT NULL DEFAULT '',
  UNIQUE(report_id, ae_title, host, port));
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
)sql";

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

std::int64_t upsert_id(SQLite::Database& db, const char* insert_sql, const char* select_sql,
                       const std::vector<std::string>& insert_values, const std::string& key) {
  SQLite::Statement insert(db, insert_sql);
  for (std::size_t i = 0; i < insert_values.size(); ++i) insert.bind(static_cast<int>(i + 1), insert_values[i]);
  insert.exec();
  SQLite::Statement select(db, select_sql);
  select.bind(1, key);
  if (!select.executeStep()) throw std::logic_error(std::string("index: row vanished after ") + insert_sql);
  return select.getColumn(0).getInt64();
}

}  // namespace

Index::Index(const std::filesystem::path& database_file) {
  try {
    db_ = std::make_unique<SQLite::Database>(database_file.string(),
                                             SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX);
    db_->exec("PRAGMA journal_mode=WAL");
    // NORMAL is durable across a process crash in WAL mode; after a power loss the last rows may be
    // missing, and start-up indexes any file the index lacks, so no acknowledged instance is lost.
    db_->exec("PRAGMA synchronous=NORMAL");
    db_->exec("PRAGMA foreign_keys=ON");
    db_->setBusyTimeout(10000);
    const int version = db_->execAndGet("PRAGMA user_version").getInt();
    if (version > current_schema_version)
      throw std::runtime_error("schema version " + std::to_string(version) + " is newer than this rtpof knows (" +
                               std::to_string(current_schema_version) + "); run a newer rtpof or `rtpof reindex`");
    // Each step once, in order, each in its own transaction: an interrupted upgrade resumes where it stopped.
    const char* const steps[current_schema_version] = {schema_v1, schema_v2, schema_v3, schema_v4};
    for (int step = version; step < current_schema_version; ++step) {
      SQLite::Transaction transaction(*db_);
      db_->exec(steps[step]);
      db_->exec("PRAGMA user_version=" + std::to_string(step + 1));
      transaction.commit();
    }
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("cannot open the index " + database_file.string() + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot open the index " + database_file.string() + ": " + e.what());
  }
}

Index::~Index() = default;

std::optional<StoredFile> Index::find(const std::string& sop_instance_uid) {
  std::lock_guard lock(mutex_);
  SQLite::Statement query(*db_,
                          "SELECT path, size_bytes, content_sha256, received_at, calling_ae FROM instances "
                          "WHERE sop_instance_uid = ?");
  query.bind(1, sop_instance_uid);
  if (!query.executeStep()) return std::nullopt;
  return StoredFile{query.getColumn(0).getString(), static_cast<std::uint64_t>(query.getColumn(1).getInt64()),
                    query.getColumn(2).getString(), query.getColumn(3).getString(), query.getColumn(4).getString()};
}

void Index::put(const InstanceAttributes& a, const std::string& pseudonym, const StoredFile& file) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction transaction(*db_);
  const auto patient = upsert_id(*db_, "INSERT OR IGNORE INTO patients(pseudonym, patient_id, issuer) VALUES(?,?,?)",
                                 "SELECT id FROM patients WHERE pseudonym = ?",
                                 {pseudonym, a.patient_id, a.issuer_of_patient_id}, pseudonym);
  const auto study = upsert_id(*db_, "INSERT OR IGNORE INTO studies(uid, patient) VALUES(?,?)",
                               "SELECT id FROM studies WHERE uid = ?",
                               {a.study_instance_uid, std::to_string(patient)}, a.study_instance_uid);
  const auto series =
      upsert_id(*db_, "INSERT OR IGNORE INTO series(uid, study, modality, frame_of_reference_uid) VALUES(?,?,?,?)",
                "SELECT id FROM series WHERE uid = ?",
                {a.series_instance_uid, std::to_string(study), a.modality, a.frame_of_reference_uid},
                a.series_instance_uid);
  SQLite::Statement insert(*db_, R"sql(
    INSERT INTO instances(sop_instance_uid, sop_class_uid, series, frame_of_reference_uid, path, size_bytes,
                          content_sha256, received_at, calling_ae, rt_status)
    VALUES(?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT(sop_instance_uid) DO UPDATE SET
      sop_class_uid=excluded.sop_class_uid, series=excluded.series,
      frame_of_reference_uid=excluded.frame_of_reference_uid, path=excluded.path,
      size_bytes=excluded.size_bytes, content_sha256=excluded.content_sha256,
      received_at=excluded.received_at, calling_ae=excluded.calling_ae, rt_status=excluded.rt_status)sql");
  insert.bind(1, a.sop_instance_uid);
  insert.bind(2, a.sop_class_uid);
  insert.bind(3, static_cast<int64_t>(series));
  insert.bind(4, a.frame_of_reference_uid);
  insert.bind(5, file.relative_path);
  insert.bind(6, static_cast<int64_t>(file.size_bytes));
  insert.bind(7, file.content_sha256);
  insert.bind(8, file.received_at);
  insert.bind(9, file.calling_ae);
  insert.bind(10, a.rt_status);
  insert.exec();
  SQLite::Statement id_query(*db_, "SELECT id FROM instances WHERE sop_instance_uid = ?");
  id_query.bind(1, a.sop_instance_uid);
  id_query.executeStep();
  const auto instance = id_query.getColumn(0).getInt64();
  SQLite::Statement clear_refs(*db_, "DELETE FROM instance_references WHERE instance = ?");
  clear_refs.bind(1, static_cast<int64_t>(instance));
  clear_refs.exec();
  for (const auto& ref : a.references) {
    SQLite::Statement add(*db_, "INSERT OR IGNORE INTO instance_references(instance, kind, uid) VALUES(?,?,?)");
    add.bind(1, static_cast<int64_t>(instance));
    add.bind(2, ref.kind);
    add.bind(3, ref.uid);
    add.exec();
  }
  transaction.commit();
}

std::unordered_set<std::string> Index::all_relative_paths() {
  std::lock_guard lock(mutex_);
  std::unordered_set<std::string> paths;
  SQLite::Statement query(*db_, "SELECT path FROM instances");
  while (query.executeStep()) paths.insert(query.getColumn(0).getString());
  return paths;
}

std::vector<ReferencedUid> Index::references_of(const std::string& sop_instance_uid) {
  std::lock_guard lock(mutex_);
  std::vector<ReferencedUid> refs;
  SQLite::Statement query(*db_,
                          "SELECT r.kind, r.uid FROM instance_references r JOIN instances i ON i.id = r.instance "
                          "WHERE i.sop_instance_uid = ? ORDER BY r.kind, r.uid");
  query.bind(1, sop_instance_uid);
  while (query.executeStep()) refs.push_back({query.getColumn(0).getString(), query.getColumn(1).getString()});
  return refs;
}

IndexCounts Index::counts() {
  std::lock_guard lock(mutex_);
  IndexCounts c;
  c.patients = db_->execAndGet("SELECT count(*) FROM patients").getInt64();
  c.studies = db_->execAndGet("SELECT count(*) FROM studies").getInt64();
  c.series = db_->execAndGet("SELECT count(*) FROM series").getInt64();
  c.instances = db_->execAndGet("SELECT count(*) FROM instances").getInt64();
  c.bytes = static_cast<std::uint64_t>(db_->execAndGet("SELECT coalesce(sum(size_bytes), 0) FROM instances").getInt64());
  SQLite::Statement query(*db_,
                          "SELECT s.modality, count(*) FROM instances i JOIN series s ON s.id = i.series "
                          "GROUP BY s.modality ORDER BY s.modality");
  while (query.executeStep()) c.instances_by_modality[query.getColumn(0).getString()] = query.getColumn(1).getInt64();
  return c;
}

void Index::clear() {
  std::lock_guard lock(mutex_);
  SQLite::Transaction transaction(*db_);
  db_->exec("DELETE FROM instance_references; DELETE FROM instances; DELETE FROM series; DELETE FROM studies; "
            "DELETE FROM patients;");
  transaction.commit();
}

std::vector<std::string> Index::patient_pseudonyms() {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, "SELECT pseudonym FROM patients ORDER BY pseudonym");
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

std::vector<IndexedRow> Index::rows_of_patient(const std::string& pseudonym) {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, R"sql(
    SELECT instances.id, instances.sop_instance_uid, instances.sop_class_uid, studies.uid, series.uid,
           series.modality, instances.frame_of_reference_uid, instances.received_at,
           instances.size_bytes || ':' || instances.content_sha256, instances.rt_status
    FROM instances JOIN series ON series.id = instances.series JOIN studies ON studies.id = series.study
         JOIN patients ON patients.id = studies.patient
    WHERE patients.pseudonym = ? ORDER BY instances.id)sql");
  q.bind(1, pseudonym);
  std::vector<IndexedRow> rows;
  std::map<std::int64_t, std::size_t> by_id;
  while (q.executeStep()) {
    by_id[q.getColumn(0).getInt64()] = rows.size();
    rows.push_back({q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString(),
                    q.getColumn(4).getString(), q.getColumn(5).getString(), q.getColumn(6).getString(), {},
                    q.getColumn(7).getString(), q.getColumn(8).getString(), q.getColumn(9).getString()});
  }
  SQLite::Statement r(*db_, R"sql(
    SELECT instance_references.instance, instance_references.kind, instance_references.uid
    FROM instance_references JOIN instances ON instances.id = instance_references.instance
         JOIN series ON series.id = instances.series JOIN studies ON studies.id = series.study
         JOIN patients ON patients.id = studies.patient
    WHERE patients.pseudonym = ?)sql");
  r.bind(1, pseudonym);
  while (r.executeStep()) {
    const auto it = by_id.find(r.getColumn(0).getInt64());
    if (it != by_id.end()) rows[it->second].references.push_back({r.getColumn(1).getString(), r.getColumn(2).getString()});
  }
  return rows;
}

std::optional<std::int64_t> Index::record_case(const std::string& pseudonym, const std::string& inputs_digest,
                                               const std::vector<std::pair<std::string, std::string>>& inputs,
                                               const std::string& now) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction transaction(*db_);
  SQLite::Statement known(*db_, "SELECT id FROM cases WHERE patient = ? AND inputs_digest = ?");
  known.bind(1, pseudonym);
  known.bind(2, inputs_digest);
  if (known.executeStep()) return std::nullopt;
  SQLite::Statement last(*db_, "SELECT COALESCE(MAX(version), 0) FROM cases WHERE patient = ?");
  last.bind(1, pseudonym);
  last.executeStep();
  const int version = last.getColumn(0).getInt() + 1;
  SQLite::Statement supersede(*db_, "UPDATE cases SET superseded = 1 WHERE patient = ?");
  supersede.bind(1, pseudonym);
  supersede.exec();
  SQLite::Statement add_case(*db_, "INSERT INTO cases(patient, version, inputs_digest, inputs, decided_at) "
                                   "VALUES(?,?,?,?,?)");
  add_case.bind(1, pseudonym);
  add_case.bind(2, version);
  add_case.bind(3, inputs_digest);
  add_case.bind(4, encode_inputs(inputs));
  add_case.bind(5, now);
  add_case.exec();
  const std::int64_t case_id = db_->getLastInsertRowid();
  SQLite::Statement add_job(*db_, "INSERT INTO jobs(case_id, state, created_at) VALUES(?, 'pending', ?)");
  add_job.bind(1, case_id);
  add_job.bind(2, now);
  add_job.exec();
  const std::int64_t job = db_->getLastInsertRowid();
  transaction.commit();
  return job;
}

std::optional<JobRow> Index::claim_next_job(const std::string& now) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction transaction(*db_);
  SQLite::Statement q(*db_, std::string(job_columns) + "WHERE jobs.state = 'pending' ORDER BY jobs.id LIMIT 1");
  if (!q.executeStep()) return std::nullopt;
  JobRow job = job_of(q);
  SQLite::Statement claim(*db_, "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ? WHERE id = ?");
  claim.bind(1, now);
  claim.bind(2, job.id);
  claim.exec();
  transaction.commit();
  job.state = "running";
  ++job.attempts;
  job.started_at = now;
  return job;
}

void Index::finish_job(std::int64_t job, bool succeeded, const std::string& reason, const std::string& stages,
                       const std::string& result, const std::string& now) {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, "UPDATE jobs SET state = ?, reason = ?, stages = ?, result = ?, finished_at = ? WHERE id = ?");
  q.bind(1, succeeded ? "done" : "failed");
  q.bind(2, reason);
  q.bind(3, stages);
  q.bind(4, result);
  q.bind(5, now);
  q.bind(6, job);
  q.exec();
}

int Index::requeue_running_jobs() {
  std::lock_guard lock(mutex_);
  return db_->exec("UPDATE jobs SET state = 'pending' WHERE state = 'running'");
}

int Index::requeue_failed_jobs(const std::vector<std::int64_t>& ids) {
  std::lock_guard lock(mutex_);
  const std::string sql = "UPDATE jobs SET state = 'pending', reason = '' WHERE state = 'failed'";
  if (ids.empty())
    return db_->exec(sql + " AND case_id IN (SELECT id FROM cases WHERE superseded = 0)");
  SQLite::Transaction transaction(*db_);
  int changed = 0;
  for (std::int64_t id : ids) {
    SQLite::Statement q(*db_, sql + " AND id = ?");
    q.bind(1, id);
    changed += q.exec();
  }
  transaction.commit();
  return changed;
}

std::vector<JobRow> Index::jobs() {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, std::string(job_columns) + "ORDER BY jobs.id");
  std::vector<JobRow> out;
  while (q.executeStep()) out.push_back(job_of(q));
  return out;
}

std::map<std::string, std::int64_t> Index::job_counts() {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, "SELECT state, COUNT(*) FROM jobs GROUP BY state");
  std::map<std::string, std::int64_t> counts;
  while (q.executeStep()) counts[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
  return counts;
}

void Index::record_decision(const std::string& pseudonym, const std::string& state, const std::string& detail,
                            const std::string& now) {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, "INSERT INTO patient_decisions(patient, state, detail, decided_at) VALUES(?,?,?,?) "
                            "ON CONFLICT(patient) DO UPDATE SET state=excluded.state, detail=excluded.detail, "
                            "decided_at=excluded.decided_at");
  q.bind(1, pseudonym);
  q.bind(2, state);
  q.bind(3, detail);
  q.bind(4, now);
  q.exec();
}

std::vector<Index::PatientDecision> Index::decisions() {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, "SELECT patient, state, detail, decided_at FROM patient_decisions ORDER BY patient");
  std::vector<PatientDecision> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                   q.getColumn(3).getString()});
  return out;
}

}  // namespace rtpof::storage
