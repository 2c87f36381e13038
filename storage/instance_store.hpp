#pragma once
// The index's instance tables (patients, studies, series, instances and their references): what the
// store holds, for whom, and what references what. A cache of the files, rebuildable with `rtpof reindex`.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/indexed_row.hpp"
#include "storage/instance_attributes.hpp"

namespace rtpof::storage {

class Database;

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

class InstanceStore {
 public:
  explicit InstanceStore(Database& database) : database_(database) {}

  std::optional<StoredFile> find(const std::string& sop_instance_uid);
  // Inserts the instance, or replaces the row of the same SOP Instance UID, in one transaction.
  void put(const InstanceAttributes& attributes, const std::string& pseudonym, const StoredFile& file);
  std::unordered_set<std::string> all_relative_paths();
  std::vector<ReferencedUid> references_of(const std::string& sop_instance_uid);
  IndexCounts counts();
  // Empties the instance tables (for a rebuild from the files); cases, jobs and reports stay.
  void clear();

  // Matching's view of the index.
  std::vector<std::string> patient_pseudonyms();
  std::vector<IndexedRow> rows_of_patient(const std::string& pseudonym);

 private:
  Database& database_;
};

}  // namespace rtpof::storage
