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
    if (version < 1) {
      SQLite::Transaction transaction(*db_);
      db_->exec(schema_v1);
      db_->exec("PRAGMA user_version=1");
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
                          content_sha256, received_at, calling_ae)
    VALUES(?,?,?,?,?,?,?,?,?)
    ON CONFLICT(sop_instance_uid) DO UPDATE SET
      sop_class_uid=excluded.sop_class_uid, series=excluded.series,
      frame_of_reference_uid=excluded.frame_of_reference_uid, path=excluded.path,
      size_bytes=excluded.size_bytes, content_sha256=excluded.content_sha256,
      received_at=excluded.received_at, calling_ae=excluded.calling_ae)sql");
  insert.bind(1, a.sop_instance_uid);
  insert.bind(2, a.sop_class_uid);
  insert.bind(3, static_cast<int64_t>(series));
  insert.bind(4, a.frame_of_reference_uid);
  insert.bind(5, file.relative_path);
  insert.bind(6, static_cast<int64_t>(file.size_bytes));
  insert.bind(7, file.content_sha256);
  insert.bind(8, file.received_at);
  insert.bind(9, file.calling_ae);
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

}  // namespace rtpof::storage
