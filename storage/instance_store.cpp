#include "storage/instance_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <stdexcept>

#include "storage/database.hpp"

namespace rtpof::storage {
namespace {

std::int64_t upsert_id(StatementCache& prepared, const char* insert_sql, const char* select_sql,
                       const std::vector<std::string>& insert_values, const std::string& key) {
  {
    auto insert = prepared(insert_sql);
    for (std::size_t i = 0; i < insert_values.size(); ++i) insert->bind(static_cast<int>(i + 1), insert_values[i]);
    insert->exec();
  }
  auto select = prepared(select_sql);
  select->bind(1, key);
  if (!select->executeStep()) throw std::logic_error(std::string("index: row vanished after ") + insert_sql);
  return select->getColumn(0).getInt64();
}

// A study indexed under another patient than the instance now says: the sender corrected the PatientID
// (RIS/PACS reconciliation). The study, and with it its series and instances, moves to the new patient.
std::optional<std::string> move_study_to(StatementCache& prepared, const std::string& study_uid, std::int64_t patient,
                                         const std::string& pseudonym, const std::string& now) {
  std::int64_t previous = 0;
  std::string previous_pseudonym;
  {
    auto owner = prepared("SELECT s.patient, p.pseudonym FROM studies s JOIN patients p ON p.id = s.patient "
                          "WHERE s.uid = ?");
    owner->bind(1, study_uid);
    if (!owner->executeStep()) return std::nullopt;
    previous = owner->getColumn(0).getInt64();
    previous_pseudonym = owner->getColumn(1).getString();
  }
  if (previous == patient) return std::nullopt;
  {
    auto move = prepared("UPDATE studies SET patient = ? WHERE uid = ?");
    move->bind(1, static_cast<int64_t>(patient));
    move->bind(2, study_uid);
    move->exec();
  }
  {
    auto record = prepared("INSERT INTO patient_moves(from_patient, to_patient, study_uid, moved_at) VALUES(?,?,?,?)");
    record->bind(1, previous_pseudonym);
    record->bind(2, pseudonym);
    record->bind(3, study_uid);
    record->bind(4, now);
    record->exec();
  }
  auto forget = prepared("DELETE FROM patients WHERE id = ? AND NOT EXISTS (SELECT 1 FROM studies WHERE patient = ?)");
  forget->bind(1, static_cast<int64_t>(previous));
  forget->bind(2, static_cast<int64_t>(previous));
  forget->exec();
  return previous_pseudonym;
}

}  // namespace

std::optional<StoredFile> InstanceStore::find(const std::string& sop_instance_uid) {
  return database_.locked_with_statements([&](SQLite::Database&, StatementCache& prepared) -> std::optional<StoredFile> {
    auto query = prepared("SELECT path, size_bytes, content_sha256, received_at, calling_ae FROM instances "
                          "WHERE sop_instance_uid = ?");
    query->bind(1, sop_instance_uid);
    if (!query->executeStep()) return std::nullopt;
    return StoredFile{query->getColumn(0).getString(), static_cast<std::uint64_t>(query->getColumn(1).getInt64()),
                      query->getColumn(2).getString(), query->getColumn(3).getString(), query->getColumn(4).getString()};
  });
}

std::optional<std::string> InstanceStore::put(const InstanceAttributes& a, const std::string& pseudonym,
                                              const StoredFile& file, const std::string& now) {
  return database_.locked_with_statements([&](SQLite::Database& db,
                                              StatementCache& prepared) -> std::optional<std::string> {
    SQLite::Transaction transaction(db);
    const auto patient = upsert_id(prepared, "INSERT OR IGNORE INTO patients(pseudonym, patient_id, issuer) VALUES(?,?,?)",
                                   "SELECT id FROM patients WHERE pseudonym = ?",
                                   {pseudonym, a.patient_id, a.issuer_of_patient_id}, pseudonym);
    const std::optional<std::string> moved_from = move_study_to(prepared, a.study_instance_uid, patient, pseudonym, now);
    const auto study = upsert_id(prepared, "INSERT OR IGNORE INTO studies(uid, patient) VALUES(?,?)",
                                 "SELECT id FROM studies WHERE uid = ?",
                                 {a.study_instance_uid, std::to_string(patient)}, a.study_instance_uid);
    const auto series =
        upsert_id(prepared, "INSERT OR IGNORE INTO series(uid, study, modality, frame_of_reference_uid) VALUES(?,?,?,?)",
                  "SELECT id FROM series WHERE uid = ?",
                  {a.series_instance_uid, std::to_string(study), a.modality, a.frame_of_reference_uid},
                  a.series_instance_uid);
    {
      auto insert = prepared(R"sql(
        INSERT INTO instances(sop_instance_uid, sop_class_uid, series, frame_of_reference_uid, path, size_bytes,
                              content_sha256, received_at, calling_ae, rt_status)
        VALUES(?,?,?,?,?,?,?,?,?,?)
        ON CONFLICT(sop_instance_uid) DO UPDATE SET
          sop_class_uid=excluded.sop_class_uid, series=excluded.series,
          frame_of_reference_uid=excluded.frame_of_reference_uid, path=excluded.path,
          size_bytes=excluded.size_bytes, content_sha256=excluded.content_sha256,
          received_at=excluded.received_at, calling_ae=excluded.calling_ae, rt_status=excluded.rt_status)sql");
      insert->bind(1, a.sop_instance_uid);
      insert->bind(2, a.sop_class_uid);
      insert->bind(3, static_cast<int64_t>(series));
      insert->bind(4, a.frame_of_reference_uid);
      insert->bind(5, file.relative_path);
      insert->bind(6, static_cast<int64_t>(file.size_bytes));
      insert->bind(7, file.content_sha256);
      insert->bind(8, file.received_at);
      insert->bind(9, file.calling_ae);
      insert->bind(10, a.rt_status);
      insert->exec();
    }
    std::int64_t instance = 0;
    {
      auto id_query = prepared("SELECT id FROM instances WHERE sop_instance_uid = ?");
      id_query->bind(1, a.sop_instance_uid);
      if (!id_query->executeStep())
        throw std::logic_error("index: the row of instance " + a.sop_instance_uid + " vanished after its insert");
      instance = id_query->getColumn(0).getInt64();
    }
    {
      auto clear_refs = prepared("DELETE FROM instance_references WHERE instance = ?");
      clear_refs->bind(1, static_cast<int64_t>(instance));
      clear_refs->exec();
    }
    for (const auto& ref : a.references) {
      auto add = prepared("INSERT OR IGNORE INTO instance_references(instance, kind, uid) VALUES(?,?,?)");
      add->bind(1, static_cast<int64_t>(instance));
      add->bind(2, ref.kind);
      add->bind(3, ref.uid);
      add->exec();
    }
    transaction.commit();
    return moved_from;
  });
}

std::optional<std::string> InstanceStore::moved_to(const std::string& pseudonym) {
  return database_.locked([&](SQLite::Database& db) -> std::optional<std::string> {
    SQLite::Statement q(db, "SELECT to_patient FROM patient_moves WHERE from_patient = ? ORDER BY id DESC LIMIT 1");
    q.bind(1, pseudonym);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
  });
}

std::unordered_set<std::string> InstanceStore::all_relative_paths() {
  return database_.locked([&](SQLite::Database& db) -> std::unordered_set<std::string> {
    std::unordered_set<std::string> paths;
    SQLite::Statement query(db, "SELECT path FROM instances");
    while (query.executeStep()) paths.insert(query.getColumn(0).getString());
    return paths;
  });
}

std::vector<ReferencedUid> InstanceStore::references_of(const std::string& sop_instance_uid) {
  return database_.locked([&](SQLite::Database& db) -> std::vector<ReferencedUid> {
    std::vector<ReferencedUid> refs;
    SQLite::Statement query(db,
                            "SELECT r.kind, r.uid FROM instance_references r JOIN instances i ON i.id = r.instance "
                            "WHERE i.sop_instance_uid = ? ORDER BY r.kind, r.uid");
    query.bind(1, sop_instance_uid);
    while (query.executeStep()) refs.push_back({query.getColumn(0).getString(), query.getColumn(1).getString()});
    return refs;
  });
}

void InstanceStore::record_refused_context(const RefusedContext& r) {
  database_.locked([&](SQLite::Database& db) {
    SQLite::Statement upsert(db, R"sql(
      INSERT INTO refused_contexts(calling_ae, sop_class_uid, offered_syntaxes, reason, times, last_at)
      VALUES(?,?,?,?,1,?)
      ON CONFLICT(calling_ae, sop_class_uid) DO UPDATE SET
        offered_syntaxes=excluded.offered_syntaxes, reason=excluded.reason, times=times+1,
        last_at=excluded.last_at)sql");
    upsert.bind(1, r.calling_ae);
    upsert.bind(2, r.sop_class_uid);
    upsert.bind(3, r.offered_syntaxes);
    upsert.bind(4, r.reason);
    upsert.bind(5, r.last_at);
    upsert.exec();
  });
}

std::vector<RefusedContext> InstanceStore::refused_contexts_of_patient(const std::string& pseudonym) {
  return database_.locked([&](SQLite::Database& db) -> std::vector<RefusedContext> {
    SQLite::Statement query(db, R"sql(
      SELECT r.calling_ae, r.sop_class_uid, r.offered_syntaxes, r.reason, r.times, r.last_at
      FROM refused_contexts r
      WHERE r.calling_ae IN (
        SELECT DISTINCT i.calling_ae FROM instances i JOIN series s ON s.id = i.series
        JOIN studies st ON st.id = s.study JOIN patients p ON p.id = st.patient WHERE p.pseudonym = ?)
      ORDER BY r.calling_ae, r.sop_class_uid)sql");
    query.bind(1, pseudonym);
    std::vector<RefusedContext> rows;
    while (query.executeStep())
      rows.push_back({query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getString(),
                      query.getColumn(3).getString(), query.getColumn(4).getInt64(), query.getColumn(5).getString()});
    return rows;
  });
}

std::optional<std::string> InstanceStore::last_received_at() {
  return database_.locked([&](SQLite::Database& db) -> std::optional<std::string> {
    const SQLite::Column newest = db.execAndGet("SELECT max(received_at) FROM instances");
    if (newest.isNull()) return std::nullopt;
    return newest.getString();
  });
}

IndexCounts InstanceStore::counts() {
  return database_.locked([&](SQLite::Database& db) -> IndexCounts {
    IndexCounts c;
    c.patients = db.execAndGet("SELECT count(*) FROM patients").getInt64();
    c.studies = db.execAndGet("SELECT count(*) FROM studies").getInt64();
    c.series = db.execAndGet("SELECT count(*) FROM series").getInt64();
    c.instances = db.execAndGet("SELECT count(*) FROM instances").getInt64();
    c.bytes = static_cast<std::uint64_t>(db.execAndGet("SELECT coalesce(sum(size_bytes), 0) FROM instances").getInt64());
    SQLite::Statement query(db,
                            "SELECT s.modality, count(*) FROM instances i JOIN series s ON s.id = i.series "
                            "GROUP BY s.modality ORDER BY s.modality");
    while (query.executeStep()) c.instances_by_modality[query.getColumn(0).getString()] = query.getColumn(1).getInt64();
    return c;
  });
}

void InstanceStore::clear() {
  return database_.locked([&](SQLite::Database& db) -> void {
    SQLite::Transaction transaction(db);
    db.exec("DELETE FROM instance_references; DELETE FROM instances; DELETE FROM series; DELETE FROM studies; "
              "DELETE FROM patients;");
    transaction.commit();
  });
}

std::vector<std::string> InstanceStore::patient_pseudonyms() {
  return database_.locked([&](SQLite::Database& db) -> std::vector<std::string> {
    SQLite::Statement q(db, "SELECT pseudonym FROM patients ORDER BY pseudonym");
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  });
}

std::vector<IndexedRow> InstanceStore::rows_of_patient(const std::string& pseudonym) {
  return database_.locked([&](SQLite::Database& db) -> std::vector<IndexedRow> {
    SQLite::Statement q(db, R"sql(
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
    SQLite::Statement r(db, R"sql(
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
  });
}

}  // namespace rtpof::storage
