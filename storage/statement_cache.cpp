#include "storage/statement_cache.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace rtpof::storage {

StatementCache::StatementCache(SQLite::Database& connection) : connection_(connection) {}

StatementCache::~StatementCache() = default;

StatementCache::Lease::~Lease() { statement_.tryReset(); }

StatementCache::Lease StatementCache::operator()(const std::string& sql) {
  auto& slot = statements_[sql];
  if (!slot)
    slot = std::make_unique<SQLite::Statement>(connection_, sql);
  else
    slot->clearBindings();  // the last lease reset it as it ended
  return Lease(*slot);
}

}  // namespace rtpof::storage
