#include "storage/database.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <stdexcept>
#include <string>

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

// Version 5: presentation contexts refused to a peer inside an accepted association, one row per
// (calling AE, SOP class), so that a case waiting for that class can say why; and the studies moved to
// another patient by a corrected PatientID, so that the corrected report can name its predecessor.
const char* const schema_v5 = R"sql(
CREATE TABLE patient_moves(
  id INTEGER PRIMARY KEY,
  from_patient TEXT NOT NULL,
  to_patient TEXT NOT NULL,
  study_uid TEXT NOT NULL,
  moved_at TEXT NOT NULL);
CREATE INDEX patient_moves_to ON patient_moves(to_patient);
CREATE TABLE refused_contexts(
  calling_ae TEXT NOT NULL,
  sop_class_uid TEXT NOT NULL,
  offered_syntaxes TEXT NOT NULL,
  reason TEXT NOT NULL,
  times INTEGER NOT NULL DEFAULT 1,
  last_at TEXT NOT NULL,
  PRIMARY KEY(calling_ae, sop_class_uid));
)sql";

// Version 6: a job writes several objects (the SR, the recurrence on the planning CT as an RTSTRUCT, the
// fusion as a REG, the PDF); each is a row of reports with its kind, and each gets its own outbox rows.
// The predecessor of a report and what `status` points to are the SR (kind 'sr'), as every row before.
const char* const schema_v6 = R"sql(
ALTER TABLE reports ADD COLUMN kind TEXT NOT NULL DEFAULT 'sr';
CREATE INDEX reports_job ON reports(job_id);
)sql";

}  // namespace

Database::Database(const std::filesystem::path& file) {
  try {
    connection_ = std::make_unique<SQLite::Database>(file.string(),
                                                     SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX);
    SQLite::Database& db = *connection_;
    db.exec("PRAGMA journal_mode=WAL");
    // NORMAL is durable across a process crash in WAL mode; after a power loss the last rows may be
    // missing, and start-up indexes any file the index lacks, so no acknowledged instance is lost.
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("PRAGMA foreign_keys=ON");
    db.setBusyTimeout(10000);
    const int version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > current_schema_version)
      throw std::runtime_error("schema version " + std::to_string(version) + " is newer than this rtpof knows (" +
                               std::to_string(current_schema_version) + "); run a newer rtpof or `rtpof reindex`");
    // Each step once, in order, each in its own transaction: an interrupted upgrade resumes where it stopped.
    const char* const steps[current_schema_version] = {schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6};
    for (int step = version; step < current_schema_version; ++step) {
      SQLite::Transaction transaction(db);
      db.exec(steps[step]);
      db.exec("PRAGMA user_version=" + std::to_string(step + 1));
      transaction.commit();
    }
    statements_ = std::make_unique<StatementCache>(db);
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("cannot open the index " + file.string() + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot open the index " + file.string() + ": " + e.what());
  }
}

Database::~Database() = default;

}  // namespace rtpof::storage
