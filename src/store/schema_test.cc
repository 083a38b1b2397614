// The migration mechanism on real SQLite files, with migration lists made up for the test (the
// store's own list has one version so far), and the store's version-1 schema itself.
#include "schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "store_test_util.h"

namespace modelwatch::store::internal {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

constexpr Migration kV1 = {1,
                           "CREATE TABLE meta(key TEXT PRIMARY KEY, value ANY) STRICT;"
                           "CREATE TABLE items(x INTEGER) STRICT;"};
constexpr Migration kV2 = {2,
                           "ALTER TABLE items ADD COLUMN y TEXT NOT NULL DEFAULT 'new';"
                           "CREATE INDEX items_by_y ON items(y);"};
// Changes something, then fails: the whole migration must roll back.
constexpr Migration kBadV2 = {2, "CREATE TABLE t2(x INTEGER); INSERT INTO nowhere VALUES (1);"};

class SchemaTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connection> Connect() {
    auto conn = Connection::Open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return std::move(conn).value();
  }
  static int64_t Count(Connection& conn, const std::string& sql) {
    auto n = conn.QueryInt64(sql);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("schema.db");
};

TEST_F(SchemaTest, FreshDatabaseGetsEveryStepAndTheApplicationId) {
  auto conn = Connect();
  EXPECT_EQ(*ReadSchemaVersion(*conn), 0);
  const Migration steps[] = {kV1, kV2};
  auto version = Migrate(*conn, steps);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 2);
  EXPECT_EQ(*ReadSchemaVersion(*conn), 2);
  EXPECT_EQ(Count(*conn, "PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(Count(*conn, "SELECT count(*) FROM sqlite_schema WHERE name = 'items_by_y'"), 1);
}

TEST_F(SchemaTest, MigratesForwardFromAnOlderVersionKeepingData) {
  {
    auto conn = Connect();
    const Migration v1_only[] = {kV1};
    ASSERT_EQ(*Migrate(*conn, v1_only), 1);
    ASSERT_TRUE(conn->Exec("INSERT INTO items(x) VALUES (7), (8)").ok());
  }
  auto conn = Connect();
  const Migration steps[] = {kV1, kV2};  // step 1 must not run again ("table exists")
  auto version = Migrate(*conn, steps);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 2);
  EXPECT_EQ(Count(*conn, "SELECT count(*) FROM items WHERE y = 'new'"), 2);
  EXPECT_EQ(Count(*conn, "SELECT sum(x) FROM items"), 15);
  // Opening again at the same version changes nothing.
  EXPECT_EQ(*Migrate(*conn, steps), 2);
}

TEST_F(SchemaTest, AFailingStepLeavesTheDatabaseAsItWas) {
  auto conn = Connect();
  const Migration v1_only[] = {kV1};
  ASSERT_EQ(*Migrate(*conn, v1_only), 1);
  const Migration bad[] = {kV1, kBadV2};
  auto version = Migrate(*conn, bad);
  ASSERT_FALSE(version.ok());
  EXPECT_THAT(version.status().message(), HasSubstr("migration to schema version 2"));
  EXPECT_THAT(version.status().message(), HasSubstr("no such table: nowhere"));
  EXPECT_EQ(*ReadSchemaVersion(*conn), 1);
  EXPECT_EQ(Count(*conn, "SELECT count(*) FROM sqlite_schema WHERE name = 't2'"), 0);
  EXPECT_FALSE(conn->InTransaction());
}

TEST_F(SchemaTest, NewerDatabaseIsRefusedNamingBothVersions) {
  auto conn = Connect();
  const Migration steps[] = {kV1, kV2};
  ASSERT_EQ(*Migrate(*conn, steps), 2);
  const Migration v1_only[] = {kV1};
  auto version = Migrate(*conn, v1_only);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(version.status().message(),
              HasSubstr("schema version 2 is newer than this build supports (1)"));
}

TEST_F(SchemaTest, ForeignDatabaseIsDataLoss) {
  auto conn = Connect();
  ASSERT_TRUE(conn->Exec("CREATE TABLE users(name TEXT)").ok());
  auto version = ReadSchemaVersion(*conn);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(version.status().message(), HasSubstr("not a modelwatch database"));
  const Migration steps[] = {kV1};
  EXPECT_EQ(Migrate(*conn, steps).status().code(), StatusCode::kDataLoss);
}

TEST_F(SchemaTest, StoreSchemaCreatesEveryTableAndIndex) {
  auto conn = Connect();
  auto version = Migrate(*conn, StoreMigrations());
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, LatestSchemaVersion());
  std::vector<std::string> names;
  {
    auto stmt = conn->Prepare("SELECT name FROM sqlite_schema");
    ASSERT_TRUE(stmt.ok());
    while (*stmt->Step()) names.emplace_back(stmt->Text(0));
  }
  EXPECT_THAT(names,
              IsSupersetOf({"meta", "predictions", "predictions_by_minute", "pending_labels",
                            "pending_labels_by_received", "windows", "models", "counters",
                            "label_journal", "resource_samples"}));
  EXPECT_THAT(names, Not(Contains("predictions_by_time")));  // replaced in version 4
}

// The index key (MW_PREDICTION_MINUTE_SQL, evaluated by SQLite) and the minutes the scans bind
// (PredictionMinute) must agree, or a scan would miss rows: both truncate toward zero.
TEST_F(SchemaTest, SqlMinuteExpressionEqualsPredictionMinute) {
  auto conn = Connect();
  auto stmt = conn->Prepare("SELECT " MW_PREDICTION_MINUTE_SQL " FROM (SELECT ?1 AS ts_us)");
  ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
  for (int64_t ts : {int64_t{0}, int64_t{1}, int64_t{-1}, kPredictionMinuteUs - 1,
                     kPredictionMinuteUs, -kPredictionMinuteUs, -kPredictionMinuteUs - 1,
                     int64_t{1'764'000'000'123'456}, -int64_t{1'764'000'000'123'456},
                     std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    stmt->BindInt64(1, ts);
    ASSERT_TRUE(*stmt->Step());
    EXPECT_EQ(stmt->Int64(0), PredictionMinute(ts)) << ts;
    stmt->Reset();
  }
}

}  // namespace
}  // namespace modelwatch::store::internal
