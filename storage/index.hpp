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

#include "storage/instance_attributes.hpp"

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

class Index {
 public:
  static constexpr int current_schema_version = 1;

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

  // Empties every table (for a rebuild from the files).
  void clear();

 private:
  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace rtpof::storage
