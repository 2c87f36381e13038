#pragma once
// Prepared statements kept for the life of the index's connection. Preparing (parsing and planning the
// SQL) cost more than running the few statements of an instance's row: a quarter of the node's CPU
// while receiving, measured with perf (docs/architecture.md, "Durability"). Used only under
// Database::locked_with_statements().
#include <memory>
#include <string>
#include <unordered_map>

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace rtpof::storage {

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& connection);
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement lent for one use: reset when the lease ends, so no half-read SELECT keeps its
  // snapshot of the index open between callers.
  class Lease {
   public:
    explicit Lease(SQLite::Statement& statement) : statement_(statement) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SQLite::Statement* operator->() const { return &statement_; }
    SQLite::Statement& operator*() const { return statement_; }

   private:
    SQLite::Statement& statement_;
  };

  // `sql`'s statement, prepared on its first use, with no values bound; throws SQLite::Exception when
  // the SQL does not prepare.
  Lease operator()(const std::string& sql);

 private:
  SQLite::Database& connection_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

}  // namespace rtpof::storage
