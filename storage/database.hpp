#pragma once
// The index's one SQLite connection and its schema: opened (created or migrated) once, shared by the
// stores (instance_store, case_store, report_store), each of which reaches it only through `locked()`
// (or `locked_with_statements()`, which also lends the connection's prepared statements).
#include <filesystem>
#include <memory>
#include <mutex>

#include "storage/statement_cache.hpp"

namespace SQLite {
class Database;
}

namespace rtpof::storage {

class Database {
 public:
  static constexpr int current_schema_version = 6;

  // Opens (creating or migrating) the file in WAL mode; throws std::runtime_error naming the file on
  // failure, or when the file was written by a newer rtpof.
  explicit Database(const std::filesystem::path& file);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `work(SQLite::Database&)` with the connection, one caller at a time.
  template <class Work>
  auto locked(Work&& work) {
    std::lock_guard lock(mutex_);
    return work(*connection_);
  }

  // The same, with the connection's prepared statements: for what runs once per received instance.
  template <class Work>
  auto locked_with_statements(Work&& work) {
    std::lock_guard lock(mutex_);
    return work(*connection_, *statements_);
  }

 private:
  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> connection_;
  std::unique_ptr<StatementCache> statements_;  // destroyed before the connection they belong to
};

}  // namespace rtpof::storage
