// The index's prepared statements are reused across callers: each use must start clean (no values
// left bound by the last caller) and end clean (no half-read SELECT holding the connection's snapshot).
#include "storage/statement_cache.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "tests/support/test_paths.hpp"

using rtpof::storage::StatementCache;
using rtpof::testing::TempDir;

namespace {

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("CREATE TABLE t(v TEXT); INSERT INTO t VALUES('a'); INSERT INTO t VALUES('b');");
  }
  TempDir dir_;
  const std::string file_ = (dir_.path() / "index.sqlite").string();
  SQLite::Database db_{file_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  StatementCache prepared_{db_};
};

TEST_F(StatementCacheTest, TheSameSqlIsPreparedOnce) {
  const SQLite::Statement* first = nullptr;
  {
    auto lease = prepared_("SELECT v FROM t");
    first = &*lease;
  }
  auto again = prepared_("SELECT v FROM t");
  EXPECT_EQ(first, &*again);
  auto other = prepared_("SELECT count(*) FROM t");
  EXPECT_NE(first, &*other);
}

TEST_F(StatementCacheTest, ValuesBoundByTheLastUserAreGone) {
  {
    auto lease = prepared_("SELECT count(*) FROM t WHERE v = ?");
    lease->bind(1, "a");
    ASSERT_TRUE(lease->executeStep());
    EXPECT_EQ(lease->getColumn(0).getInt(), 1);
  }
  auto lease = prepared_("SELECT count(*) FROM t WHERE v = ?");  // nothing bound: NULL matches no row
  ASSERT_TRUE(lease->executeStep());
  EXPECT_EQ(lease->getColumn(0).getInt(), 0);
}

TEST_F(StatementCacheTest, AHalfReadSelectDoesNotKeepAnOldSnapshot) {
  {
    auto lease = prepared_("SELECT v FROM t ORDER BY v");
    ASSERT_TRUE(lease->executeStep());  // one of two rows read, then the lease ends
    EXPECT_EQ(lease->getColumn(0).getString(), "a");
  }
  // Another connection (another rtpof process: `rtpof status`, a second node on the same data) writes.
  SQLite::Database other(file_, SQLite::OPEN_READWRITE);
  other.exec("INSERT INTO t VALUES('c')");
  // Had the SELECT stayed open, this connection would still read in its old snapshot: 2 rows.
  auto count = prepared_("SELECT count(*) FROM t");
  ASSERT_TRUE(count->executeStep());
  EXPECT_EQ(count->getColumn(0).getInt(), 3);
  auto first = prepared_("SELECT v FROM t ORDER BY v");  // and it starts from its first row again
  ASSERT_TRUE(first->executeStep());
  EXPECT_EQ(first->getColumn(0).getString(), "a");
}

}  // namespace
