// The SQLite store against its contract (store.h), on real database files in a per-test
// temporary directory. Nothing is mocked; where a test must reach into the file (a foreign
// database, a newer schema, a damaged payload, a held write lock) it uses a second SQLite
// connection of its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "modelwatch/store/store.h"
#include "schema.h"
#include "sqlite_db.h"
#include "store_test_util.h"

namespace modelwatch::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::MakeLabel;
using testing::MakePrediction;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(SqliteOptions::Sync sync = SqliteOptions::Sync::kFull) {
    auto store = OpenSqliteStore({path_, sync, 1000});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // A connection of the test's own to the same file.
  std::unique_ptr<internal::Connection> Connect(int busy_timeout_ms = 1000) {
    auto conn = internal::Connection::Open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                           busy_timeout_ms);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return std::move(conn).value();
  }

  static std::vector<StoredPrediction> Scan(Store& store, const std::string& model = "fraud",
                                            std::optional<std::string> version = std::nullopt,
                                            int64_t from_us = kMin, int64_t to_us = kMax) {
    std::vector<StoredPrediction> out;
    const Status s =
        store.ScanPredictions(model, version, from_us, to_us, [&](const StoredPrediction& p) {
          out.push_back(p);
          return true;
        });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  static std::vector<std::string> Ids(const std::vector<StoredPrediction>& ps) {
    std::vector<std::string> ids;
    for (const StoredPrediction& p : ps) ids.push_back(p.event.id);
    return ids;
  }

  static std::vector<WindowRecord> Query(Store& store, const WindowQuery& q) {
    auto w = store.Windows(q);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? *w : std::vector<WindowRecord>{};
  }

  static void Append(Store& store, std::vector<PredictionEvent> events, int64_t received_us = 1) {
    auto r = store.AppendPredictions(events, received_us);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("mw.db");
};

// An event that uses every field and every value kind, with awkward values.
PredictionEvent EveryField() {
  PredictionEvent e;
  e.model = "fraud";
  e.version = "v7";
  e.id = "req-81f3 ✓";
  e.ts_us = -5;  // before the epoch is still a time
  e.features = {{"amount", EventValue::Number(129.5)},
                {"negative zero", EventValue::Number(-0.0)},
                {"tiny", EventValue::Number(std::numeric_limits<double>::denorm_min())},
                {"country", EventValue::String("Zürich – 東京 🚀")},
                {"empty", EventValue::String("")},
                {"age", EventValue{}},
                {"vip", EventValue::Bool(true)},
                {"blocked", EventValue::Bool(false)}};
  e.prediction = EventValue::String("cat");
  e.score = 0.91;
  e.scores = {{"cat", 0.7}, {"dog", 0.2}, {"fox", 0.1}};
  e.latency_ms = 12.4;
  e.segment = {{"region", "eu"}, {"país", "España"}};
  return e;
}

TEST_F(SqliteStoreTest, RoundTripsEveryField) {
  auto store = Open();
  PredictionEvent rich = EveryField();
  PredictionEvent minimal;  // no version, no features, nothing optional
  minimal.model = "fraud";
  minimal.id = "m";
  minimal.ts_us = 10;
  PredictionEvent labelled = MakePrediction("l", 20);
  labelled.prediction = EventValue::Bool(true);
  labelled.label = EventValue::Number(-0.0);
  PredictionEvent string_label = MakePrediction("s", 30);
  string_label.label = EventValue::String("");
  PredictionEvent bool_label = MakePrediction("b", 40);
  bool_label.label = EventValue::Bool(false);
  const std::vector<PredictionEvent> events = {rich, minimal, labelled, string_label, bool_label};
  auto r = store->AppendPredictions(events, 1234);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 5u);
  EXPECT_EQ(r->duplicates, 0u);
  EXPECT_THAT(r->joined_on_arrival, IsEmpty());

  const auto stored = Scan(*store);
  ASSERT_EQ(stored.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(stored[i].event, events[i]) << i;
    EXPECT_EQ(stored[i].received_us, 1234);
    // A label sent with the prediction arrived with it.
    EXPECT_EQ(stored[i].label_received_us, events[i].label.is_null() ? 0 : 1234) << i;
  }
  EXPECT_TRUE(std::signbit(stored[2].event.label.number));
}

TEST_F(SqliteStoreTest, InMemoryDatabaseWorks) {
  auto store = OpenSqliteStore({":memory:"});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Append(**store, {EveryField()});
  const auto stored = Scan(**store);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].event, EveryField());
  EXPECT_TRUE((*store)->CheckWritable().ok());
}

TEST_F(SqliteStoreTest, UsesWalMode) {
  auto store = Open();
  auto conn = Connect();
  EXPECT_EQ(*conn->QueryText("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, DuplicatesAreKeptOnceAndCounted) {
  auto store = Open();
  Append(*store, {MakePrediction("a", 1), MakePrediction("b", 2)});
  PredictionEvent changed_b = MakePrediction("b", 99);
  changed_b.score = 0.5;
  const std::vector<PredictionEvent> retry = {changed_b, MakePrediction("c", 3),
                                              MakePrediction("c", 4)};
  auto r = store->AppendPredictions(retry, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 1u);
  EXPECT_EQ(r->duplicates, 2u);
  const auto stored = Scan(*store);
  EXPECT_THAT(Ids(stored), ElementsAre("a", "b", "c"));
  EXPECT_EQ(stored[1].event, MakePrediction("b", 2));  // the first one is kept
  EXPECT_EQ(stored[2].event.ts_us, 3);
  // The same id under another model is another prediction.
  Append(*store, {MakePrediction("a", 1, "v1", "churn")});
  EXPECT_EQ(Scan(*store, "churn").size(), 1u);
}

// Large batches go in as multi-row INSERTs of up to 64 rows; duplicates inside a chunk, across
// chunks and against stored rows, across models, must still be counted exactly, and waiting
// labels must reach the right rows.
TEST_F(SqliteStoreTest, LargeBatchesWithDuplicatesAndWaitingLabels) {
  auto store = Open();
  Append(*store, {MakePrediction("id-7", 7), MakePrediction("id-150", 150)});
  ASSERT_TRUE(store
                  ->AppendLabels(std::vector{MakeLabel("id-3", EventValue::Number(3)),
                                             MakeLabel("id-64", EventValue::Number(64)),
                                             MakeLabel("id-199", EventValue::Number(199)),
                                             MakeLabel("id-5", EventValue::Number(5), 0, "churn")},
                                 50)
                  .ok());
  std::vector<PredictionEvent> batch;
  for (int i = 0; i < 200; ++i) {
    batch.push_back(MakePrediction("id-" + std::to_string(i), i, i % 3 == 0 ? "v1" : "v2"));
    if (i % 50 == 10) batch.push_back(MakePrediction("id-" + std::to_string(i), 1000 + i));
  }
  batch.insert(batch.begin() + 70, MakePrediction("id-5", 5, "v1", "churn"));  // other model
  batch.push_back(MakePrediction("id-0", 0));                                  // last chunk: 1 row
  auto r = store->AppendPredictions(batch, 60);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 199u);  // 198 new fraud ids + churn id-5
  EXPECT_EQ(r->duplicates, 7u);  // id-7, id-150 stored; 4 in-batch repeats; id-0 again
  ASSERT_EQ(r->joined_on_arrival.size(), 4u);
  for (const StoredPrediction& p : r->joined_on_arrival) {
    const int n = std::stoi(p.event.id.substr(3));
    EXPECT_EQ(p.event.label, EventValue::Number(n)) << p.event.id;
    EXPECT_EQ(p.event.ts_us, n) << p.event.id;
  }

  const auto stored = Scan(*store);
  ASSERT_EQ(stored.size(), 200u);
  for (const StoredPrediction& p : stored) {
    const int n = std::stoi(p.event.id.substr(3));
    EXPECT_EQ(p.event.ts_us, n) << "the first copy is kept";
    const bool labelled = n == 3 || n == 64 || n == 199;
    EXPECT_EQ(p.event.label.is_null(), !labelled) << p.event.id;
    if (labelled) {
      EXPECT_EQ(p.event.label, EventValue::Number(n));
    }
  }
  const auto churn = Scan(*store, "churn");
  ASSERT_EQ(churn.size(), 1u);
  EXPECT_EQ(churn[0].event.label, EventValue::Number(5));
  // v1: the 67 ids divisible by 3, plus id-7 (stored as v1 by the first call). v2: the other
  // 133 ids but id-7. Labels: id-3 is v1; id-64 and id-199 are v2.
  EXPECT_THAT(*store->Models(), ElementsAre(ModelRecord{"churn", "v1", 5, 5, 1, 1},
                                            ModelRecord{"fraud", "v1", 0, 198, 68, 1},
                                            ModelRecord{"fraud", "v2", 1, 199, 132, 2}));
}

TEST_F(SqliteStoreTest, LabelAfterPredictionJoins) {
  auto store = Open();
  Append(*store, {MakePrediction("a", 100), MakePrediction("b", 200)}, 1000);
  const std::vector<LabelEvent> labels = {MakeLabel("b", EventValue::Number(0), 250)};
  auto r = store->AppendLabels(labels, 2000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pending, 0u);
  ASSERT_EQ(r->joined.size(), 1u);
  PredictionEvent expected = MakePrediction("b", 200);
  expected.label = EventValue::Number(0);
  EXPECT_EQ(r->joined[0].event, expected);
  EXPECT_EQ(r->joined[0].received_us, 1000);
  EXPECT_EQ(r->joined[0].label_received_us, 2000);

  const auto stored = Scan(*store);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_TRUE(stored[0].event.label.is_null());
  EXPECT_EQ(stored[0].label_received_us, 0);
  EXPECT_EQ(stored[1].event, expected);
  EXPECT_EQ(stored[1].label_received_us, 2000);
}

TEST_F(SqliteStoreTest, ALabelPastTheTtlIsNeitherJoinedNorKeptWaiting) {
  auto store = Open();
  Append(*store, {MakePrediction("old", 100)}, 1000);
  Append(*store, {MakePrediction("new", 200)}, 5000);
  // Predictions received before 4000 are past the TTL; "missing" has no prediction yet.
  const std::vector<LabelEvent> labels = {MakeLabel("old", EventValue::Number(1), 300),
                                          MakeLabel("new", EventValue::Number(0), 300),
                                          MakeLabel("missing", EventValue::Number(0), 300)};
  auto r = store->AppendLabels(labels, 6000, 4000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->too_late, 1u);
  EXPECT_EQ(r->pending, 1u);
  ASSERT_EQ(r->joined.size(), 1u);
  EXPECT_EQ(r->joined[0].event.id, "new");
  const auto stored = Scan(*store);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_TRUE(stored[0].event.label.is_null());  // "old" stays unlabelled
  EXPECT_EQ(stored[0].label_received_us, 0);
  // A prediction received exactly at the limit still joins.
  r = store->AppendLabels(std::vector<LabelEvent>{MakeLabel("old", EventValue::Number(1), 300)},
                          6000, 1000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->too_late, 0u);
  EXPECT_EQ(r->joined.size(), 1u);
}

TEST_F(SqliteStoreTest, LabelBeforePredictionWaitsThenJoinsOnArrival) {
  auto store = Open();
  const std::vector<LabelEvent> labels = {MakeLabel("a", EventValue::String("fraud"), 50),
                                          MakeLabel("x", EventValue::Bool(true), 60)};
  auto waiting = store->AppendLabels(labels, 500);
  ASSERT_TRUE(waiting.ok()) << waiting.status().ToString();
  EXPECT_EQ(waiting->pending, 2u);
  EXPECT_THAT(waiting->joined, IsEmpty());

  auto r =
      store->AppendPredictions(std::vector{MakePrediction("a", 100), MakePrediction("b", 1)}, 900);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 2u);
  ASSERT_EQ(r->joined_on_arrival.size(), 1u);
  PredictionEvent expected = MakePrediction("a", 100);
  expected.label = EventValue::String("fraud");
  EXPECT_EQ(r->joined_on_arrival[0].event, expected);
  EXPECT_EQ(r->joined_on_arrival[0].received_us, 900);
  EXPECT_EQ(r->joined_on_arrival[0].label_received_us, 500);

  const auto stored = Scan(*store);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].event, expected);
  EXPECT_EQ(stored[1].label_received_us, 500);
  // "a" no longer waits; "x" still does.
  EXPECT_EQ(*store->Expire(kMin, kMin, kMax), 1u);
}

TEST_F(SqliteStoreTest, ALaterWaitingLabelReplacesAnEarlierOne) {
  auto store = Open();
  ASSERT_TRUE(store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(0))}, 10).ok());
  auto second = store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(1))}, 20);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->pending, 1u);
  auto r = store->AppendPredictions(std::vector{MakePrediction("a", 1)}, 30);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->joined_on_arrival.size(), 1u);
  EXPECT_EQ(r->joined_on_arrival[0].event.label, EventValue::Number(1));
  EXPECT_EQ(r->joined_on_arrival[0].label_received_us, 20);
}

TEST_F(SqliteStoreTest, ALabelSentWithThePredictionWinsOverAWaitingOne) {
  auto store = Open();
  ASSERT_TRUE(store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(0))}, 10).ok());
  PredictionEvent e = MakePrediction("a", 1);
  e.label = EventValue::Number(1);
  auto r = store->AppendPredictions(std::vector{e}, 30);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->joined_on_arrival, IsEmpty());
  const auto stored = Scan(*store);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].event.label, EventValue::Number(1));
  EXPECT_EQ(stored[0].label_received_us, 30);
  EXPECT_EQ(*store->Expire(kMin, kMin, kMax), 0u);  // the waiting label was consumed
  EXPECT_EQ((*store->Models())[0].labels, 1u);
}

TEST_F(SqliteStoreTest, LabelsJoinWithinTheirModelOnly) {
  auto store = Open();
  Append(*store, {MakePrediction("a", 1, "v1", "fraud")});
  auto r = store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(1), 0, "churn")}, 5);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->joined, IsEmpty());
  EXPECT_EQ(r->pending, 1u);
  EXPECT_TRUE(Scan(*store)[0].event.label.is_null());
}

TEST_F(SqliteStoreTest, ALaterLabelReplacesTheStoredOne) {
  auto store = Open();
  Append(*store, {MakePrediction("a", 1), MakePrediction("b", 2)});
  ASSERT_TRUE(store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(0))}, 10).ok());
  auto r = store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(1))}, 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->joined.size(), 1u);
  EXPECT_EQ(r->joined[0].event.label, EventValue::Number(1));
  EXPECT_EQ(r->joined[0].label_received_us, 20);

  // Two labels for one prediction in one call: reported once, as it ends up.
  const std::vector<LabelEvent> twice = {MakeLabel("b", EventValue::String("x")),
                                         MakeLabel("a", EventValue::Bool(true)),
                                         MakeLabel("b", EventValue::String("y"))};
  auto r2 = store->AppendLabels(twice, 30);
  ASSERT_TRUE(r2.ok());
  ASSERT_EQ(r2->joined.size(), 2u);
  EXPECT_EQ(r2->joined[0].event.id, "b");
  EXPECT_EQ(r2->joined[0].event.label, EventValue::String("y"));
  EXPECT_EQ(r2->joined[1].event.label, EventValue::Bool(true));

  const auto stored = Scan(*store);
  EXPECT_EQ(stored[0].event.label, EventValue::Bool(true));
  EXPECT_EQ(stored[1].event.label, EventValue::String("y"));
  // Replacements do not count as more labels.
  EXPECT_EQ((*store->Models())[0].labels, 2u);
}

TEST_F(SqliteStoreTest, ScanRangesVersionsOrderAndEarlyStop) {
  auto store = Open();
  // Out of event-time order, across batches, two versions, a tie, another model.
  Append(*store, {MakePrediction("t30", 30, "v1"), MakePrediction("t10", 10, "v2"),
                  MakePrediction("t20a", 20, "v1")});
  Append(*store, {MakePrediction("t20b", 20, "v2"), MakePrediction("t5", 5, "v1"),
                  MakePrediction("other", 15, "v1", "churn")});
  EXPECT_THAT(Ids(Scan(*store)), ElementsAre("t5", "t10", "t20a", "t20b", "t30"));
  EXPECT_THAT(Ids(Scan(*store, "fraud", std::nullopt, 10, 30)),
              ElementsAre("t10", "t20a", "t20b"));  // [from, to)
  EXPECT_THAT(Ids(Scan(*store, "fraud", "v1")), ElementsAre("t5", "t20a", "t30"));
  EXPECT_THAT(Ids(Scan(*store, "fraud", "v2", 11, kMax)), ElementsAre("t20b"));
  EXPECT_THAT(Ids(Scan(*store, "fraud", "v3")), IsEmpty());
  EXPECT_THAT(Ids(Scan(*store, "fraud", std::nullopt, 30, 30)), IsEmpty());
  EXPECT_THAT(Ids(Scan(*store, "nobody")), IsEmpty());
  EXPECT_THAT(Ids(Scan(*store, "churn")), ElementsAre("other"));

  std::vector<std::string> seen;
  ASSERT_TRUE(store
                  ->ScanPredictions("fraud", std::nullopt, kMin, kMax,
                                    [&](const StoredPrediction& p) {
                                      seen.push_back(p.event.id);
                                      return seen.size() < 2;
                                    })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("t5", "t10"));
}

// Scans go minute by minute through the (model, minute) index: over many minutes, before 1970
// (minutes truncate toward zero, so minute 0 spans two minutes of time), at and across minute
// boundaries, with a version and with an early stop, a scan returns what filtering and sorting
// every row by (ts_us, insertion order) returns.
TEST_F(SqliteStoreTest, ScansAcrossMinutesMatchAFilteredSort) {
  auto store = Open();
  constexpr int64_t kMinute = 60'000'000;
  std::vector<int64_t> times = {-3 * kMinute - 1, -kMinute, -kMinute + 1, -1, 0, 1,
                                kMinute - 1, kMinute, kMinute, 2 * kMinute + 5, 7 * kMinute,
                                7 * kMinute + 59'999'999, 90 * kMinute};
  for (int i = 0; i < 40; ++i) times.push_back((i * 7919 % 600 - 300) * 1'000'003);
  struct Row {
    int64_t ts;
    size_t order;
    std::string id, version;
  };
  std::vector<Row> rows;
  std::vector<PredictionEvent> batch;
  for (size_t i = 0; i < times.size(); ++i) {
    Row r{times[i], i, "p" + std::to_string(i), i % 3 == 0 ? "v2" : "v1"};
    batch.push_back(MakePrediction(r.id, r.ts, r.version));
    rows.push_back(r);
    if (batch.size() == 7) Append(*store, std::exchange(batch, {}));
  }
  Append(*store, batch);
  auto expected = [&](std::optional<std::string> version, int64_t from, int64_t to) {
    std::vector<Row> in;
    for (const Row& r : rows) {
      if (r.ts >= from && r.ts < to && (!version || r.version == *version)) in.push_back(r);
    }
    std::stable_sort(in.begin(), in.end(), [](const Row& a, const Row& b) { return a.ts < b.ts; });
    std::vector<std::string> ids;
    for (const Row& r : in) ids.push_back(r.id);
    return ids;
  };
  const std::vector<std::pair<int64_t, int64_t>> ranges = {
      {kMin, kMax}, {-kMinute, kMinute}, {-kMinute + 1, 1}, {kMinute, kMinute + 1},
      {kMinute - 1, 2 * kMinute + 6}, {3 * kMinute, 7 * kMinute}, {-300'000'000, 299'000'000},
      {90 * kMinute, kMax}, {91 * kMinute, kMax}, {kMin, -3 * kMinute - 1}};
  for (const auto& [from, to] : ranges) {
    for (const std::optional<std::string>& version :
         {std::optional<std::string>(), std::optional<std::string>("v2")}) {
      SCOPED_TRACE("[" + std::to_string(from) + ", " + std::to_string(to) + ") " +
                   version.value_or("all"));
      EXPECT_EQ(Ids(Scan(*store, "fraud", version, from, to)), expected(version, from, to));
    }
  }
  const std::vector<std::string> all = expected(std::nullopt, kMin, kMax);
  std::vector<std::string> seen;
  ASSERT_TRUE(store
                  ->ScanPredictions("fraud", std::nullopt, kMin, kMax,
                                    [&](const StoredPrediction& p) {
                                      seen.push_back(p.event.id);
                                      return seen.size() < 20;
                                    })
                  .ok());
  EXPECT_EQ(seen, std::vector<std::string>(all.begin(), all.begin() + 20));
}

WindowRecord Window(std::string version, std::string segment, int64_t width_s, int64_t start_us,
                    std::string summary = "{}") {
  WindowRecord w;
  w.model = "fraud";
  w.version = std::move(version);
  w.segment = std::move(segment);
  w.width_s = width_s;
  w.start_us = start_us;
  w.end_us = start_us + width_s * 1'000'000;
  w.summary = std::move(summary);
  w.updated_us = start_us + 1;
  return w;
}

TEST_F(SqliteStoreTest, WindowsUpsertAndQueryFilters) {
  auto store = Open();
  const std::vector<WindowRecord> windows = {
      Window("v1", "", 60, 120'000'000),
      Window("v1", "", 60, 0),
      Window("", "", 60, 0),
      Window("v1", "region=eu", 60, 0),
      Window("v1", "", 3600, 0),
      Window("v2", "", 60, 60'000'000),
      Window("", "", 0, 0, R"({"cumulative":true,"ü":"東京"})")};
  ASSERT_TRUE(store->PutWindows(windows).ok());
  WindowRecord other_model = Window("v1", "", 60, 0);
  other_model.model = "churn";
  ASSERT_TRUE(store->PutWindows(std::vector{other_model}).ok());

  WindowQuery all;
  all.model = "fraud";
  const auto everything = Query(*store, all);
  ASSERT_EQ(everything.size(), 7u);
  // Ordered by (model, version, segment, width_s, start_us).
  EXPECT_EQ(everything[0], windows[6]);
  EXPECT_EQ(everything[1], windows[2]);
  EXPECT_EQ(everything[2], windows[1]);
  EXPECT_EQ(everything[3], windows[0]);
  EXPECT_EQ(everything[4], windows[4]);
  EXPECT_EQ(everything[5], windows[3]);
  EXPECT_EQ(everything[6], windows[5]);

  WindowQuery q = all;
  q.version = "";  // the all-versions view only
  EXPECT_THAT(Query(*store, q), ElementsAre(windows[6], windows[2]));
  q = all;
  q.version = "v1";
  EXPECT_EQ(Query(*store, q).size(), 4u);
  q.segment = "";
  EXPECT_THAT(Query(*store, q), ElementsAre(windows[1], windows[0], windows[4]));
  q.width_s = 60;
  EXPECT_THAT(Query(*store, q), ElementsAre(windows[1], windows[0]));
  q.from_us = 1;
  EXPECT_THAT(Query(*store, q), ElementsAre(windows[0]));
  q.from_us = 0;
  q.to_us = 120'000'000;  // exclusive
  EXPECT_THAT(Query(*store, q), ElementsAre(windows[1]));
  q = all;
  q.segment = "region=eu";
  EXPECT_THAT(Query(*store, q), ElementsAre(windows[3]));
  q = all;
  q.width_s = 0;
  EXPECT_THAT(Query(*store, q), ElementsAre(windows[6]));
  q = all;
  q.limit = 2;
  EXPECT_THAT(Query(*store, q), ElementsAre(windows[6], windows[2]));
  q.limit = 0;
  EXPECT_THAT(Query(*store, q), IsEmpty());
  q = all;
  q.model = "churn";
  EXPECT_THAT(Query(*store, q), ElementsAre(other_model));
  q.model = "nobody";
  EXPECT_THAT(Query(*store, q), IsEmpty());

  // Same key: replaced.
  WindowRecord revised = windows[1];
  revised.closed = true;
  revised.summary = R"({"revised":1})";
  revised.end_us += 5;
  revised.updated_us = 999;
  ASSERT_TRUE(store->PutWindows(std::vector{revised}).ok());
  q = all;
  q.version = "v1";
  q.segment = "";
  q.width_s = 60;
  q.to_us = 1;
  EXPECT_THAT(Query(*store, q), ElementsAre(revised));
  EXPECT_EQ(Query(*store, all).size(), 7u);
}

TEST_F(SqliteStoreTest, ModelRegistryCountsPredictionsAndJoinedLabels) {
  auto store = Open();
  EXPECT_THAT(*store->Models(), IsEmpty());
  Append(*store, {MakePrediction("a", 500, "v1"), MakePrediction("b", 100, "v1"),
                  MakePrediction("c", 300, "v2")});
  Append(*store, {MakePrediction("d", 50, "v1"), MakePrediction("a", 1, "v1"),  // duplicate
                  MakePrediction("e", 900, "v1"), MakePrediction("x", 7, "", "churn")});
  ASSERT_TRUE(store
                  ->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(1)),
                                             MakeLabel("c", EventValue::Number(0)),
                                             MakeLabel("zz", EventValue::Number(0))},
                                 10)
                  .ok());
  ASSERT_TRUE(store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(0))}, 11).ok());
  EXPECT_THAT(*store->Models(), ElementsAre(ModelRecord{"churn", "", 7, 7, 1, 0},
                                            ModelRecord{"fraud", "v1", 50, 900, 4, 1},
                                            ModelRecord{"fraud", "v2", 300, 300, 1, 1}));
}

TEST_F(SqliteStoreTest, CountersAreReplacedAndListedInOrder) {
  auto store = Open();
  EXPECT_THAT(*store->Counters(), IsEmpty());
  const uint64_t big = std::numeric_limits<uint64_t>::max();
  ASSERT_TRUE(store
                  ->PutCounters(std::vector<CounterRecord>{
                      {"rejects", R"(model="fraud",reason="invalid_argument")", 3},
                      {"events", "", 10},
                      {"events", R"(model="fraud")", big}})
                  .ok());
  ASSERT_TRUE(store->PutCounters(std::vector<CounterRecord>{{"events", "", 25}}).ok());
  EXPECT_THAT(
      *store->Counters(),
      ElementsAre(CounterRecord{"events", "", 25}, CounterRecord{"events", R"(model="fraud")", big},
                  CounterRecord{"rejects", R"(model="fraud",reason="invalid_argument")", 3}));
}

TEST_F(SqliteStoreTest, ExpireDeletesOldRowsAndCountsDroppedLabels) {
  auto store = Open();
  // "newest" was stored last: Expire keeps the newest row whatever its time (no rowid reuse).
  Append(*store,
         {MakePrediction("old", 10), MakePrediction("new", 20),
          MakePrediction("c-old", 5, "v1", "churn"), MakePrediction("newest", 1, "v1", "other")});
  ASSERT_TRUE(store
                  ->PutWindows(std::vector{Window("v1", "", 60, 0), Window("v1", "", 60, 100),
                                           Window("v1", "", 0, 0)})
                  .ok());
  ASSERT_TRUE(store->AppendLabels(std::vector{MakeLabel("p1", EventValue::Number(1))}, 100).ok());
  ASSERT_TRUE(store
                  ->AppendLabels(std::vector{MakeLabel("p2", EventValue::Number(1)),
                                             MakeLabel("p3", EventValue::Number(0))},
                                 200)
                  .ok());
  const int64_t window_end = Window("v1", "", 60, 100).end_us;  // the later 60 s window's end
  auto dropped = store->Expire(/*predictions_before_us=*/20, /*windows_before_us=*/window_end,
                               /*labels_before_us=*/200);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(*dropped, 1u);
  EXPECT_THAT(Ids(Scan(*store)), ElementsAre("new"));
  EXPECT_THAT(Ids(Scan(*store, "churn")), IsEmpty());
  EXPECT_THAT(Ids(Scan(*store, "other")), ElementsAre("newest"));
  WindowQuery all;
  all.model = "fraud";
  // end_us < cutoff goes: the first 60 s window (end 60 s); the cumulative view (width 0) stays.
  EXPECT_THAT(Query(*store, all), ElementsAre(Window("v1", "", 0, 0), Window("v1", "", 60, 100)));
  // The registry keeps its totals.
  EXPECT_EQ((*store->Models())[1].predictions, 2u);
  // p2 and p3 still wait: a prediction joins them.
  auto r = store->AppendPredictions(std::vector{MakePrediction("p2", 1)}, 300);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->joined_on_arrival.size(), 1u);
  EXPECT_EQ(*store->Expire(kMin, kMin, kMax), 1u);
}

TEST_F(SqliteStoreTest, ReopeningKeepsEverything) {
  std::vector<StoredPrediction> predictions;
  std::vector<WindowRecord> windows;
  std::vector<ModelRecord> models;
  std::vector<CounterRecord> counters;
  WindowQuery all;
  all.model = "fraud";
  {
    auto store = Open(SqliteOptions::Sync::kNormal);
    Append(*store, {EveryField(), MakePrediction("a", 1)}, 77);
    ASSERT_TRUE(store
                    ->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(1)),
                                               MakeLabel("later", EventValue::Number(0))},
                                   88)
                    .ok());
    ASSERT_TRUE(store->PutWindows(std::vector{Window("v1", "", 60, 0)}).ok());
    ASSERT_TRUE(store->PutCounters(std::vector<CounterRecord>{{"events", "", 2}}).ok());
    predictions = Scan(*store);
    windows = Query(*store, all);
    models = *store->Models();
    counters = *store->Counters();
  }
  auto store = Open();
  const auto again = Scan(*store);
  ASSERT_EQ(again.size(), predictions.size());
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again[i].event, predictions[i].event);
    EXPECT_EQ(again[i].received_us, predictions[i].received_us);
    EXPECT_EQ(again[i].label_received_us, predictions[i].label_received_us);
  }
  EXPECT_EQ(Query(*store, all), windows);
  EXPECT_EQ(*store->Models(), models);
  EXPECT_EQ(*store->Counters(), counters);
  // The waiting label survived too.
  auto r = store->AppendPredictions(std::vector{MakePrediction("later", 5)}, 99);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->joined_on_arrival.size(), 1u);
}

// Writers on four threads and a reader beside them: every batch is stored once, whole.
void ConcurrentAppendsAreAllStored(Store* store);

TEST_F(SqliteStoreTest, ConcurrentAppendsAreAllStored) {
  auto store = Open(SqliteOptions::Sync::kNormal);
  ConcurrentAppendsAreAllStored(store.get());
}

// kFull: the WAL is synced outside the write lock, commits share syncs (wal_sync.h).
TEST_F(SqliteStoreTest, ConcurrentDurableAppendsAreAllStored) {
  auto store = Open(SqliteOptions::Sync::kFull);
  ConcurrentAppendsAreAllStored(store.get());
  store.reset();
  auto reopened = Open(SqliteOptions::Sync::kFull);
  EXPECT_EQ(Scan(*reopened).size(), 4u * 25u * 100u);
}

void ConcurrentAppendsAreAllStored(Store* store) {
  constexpr int kThreads = 4;
  constexpr int kBatches = 25;
  constexpr int kBatchSize = 100;
  std::atomic<bool> failed{false};
  std::atomic<bool> writing{true};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<PredictionEvent> batch;
        for (int i = 0; i < kBatchSize; ++i) {
          const int n = (t * kBatches + b) * kBatchSize + i;
          batch.push_back(MakePrediction("id-" + std::to_string(n), n, t % 2 == 0 ? "v1" : "v2"));
        }
        auto r = store->AppendPredictions(batch, b);
        if (!r.ok() || r->inserted != kBatchSize) failed = true;
        if (b % 5 == 0 &&
            !store
                 ->AppendLabels(
                     std::vector{MakeLabel("id-" + std::to_string(t), EventValue::Number(1))}, 1)
                 .ok()) {
          failed = true;
        }
      }
    });
  }
  // A reader alongside: reads never fail and never see a torn batch.
  std::thread reader([&] {
    while (writing) {
      uint64_t n = 0;
      const Status s = store->ScanPredictions("fraud", std::nullopt, kMin, kMax,
                                              [&](const StoredPrediction&) { return ++n, true; });
      if (!s.ok() || n % kBatchSize != 0 || !store->Models().ok()) failed = true;
    }
  });
  for (std::thread& w : writers) w.join();
  writing = false;
  reader.join();
  EXPECT_FALSE(failed);
  constexpr uint64_t kTotal = kThreads * kBatches * kBatchSize;
  uint64_t scanned = 0;
  ASSERT_TRUE(store
                  ->ScanPredictions("fraud", std::nullopt, kMin, kMax,
                                    [&](const StoredPrediction&) { return ++scanned, true; })
                  .ok());
  EXPECT_EQ(scanned, kTotal);
  const auto models = store->Models();
  ASSERT_TRUE(models.ok());
  uint64_t registered = 0;
  for (const ModelRecord& m : *models) registered += m.predictions;
  EXPECT_EQ(registered, kTotal);
}

TEST_F(SqliteStoreTest, AScanSeesASnapshotAndBlocksNeitherReadsNorWrites) {
  auto store = Open();
  Append(*store, {MakePrediction("a", 1), MakePrediction("b", 2)});
  std::vector<std::string> seen;
  const Status s =
      store->ScanPredictions("fraud", std::nullopt, kMin, kMax, [&](const StoredPrediction& p) {
        if (seen.empty()) {
          // Another thread reads and writes while this scan is open.
          auto other = std::async(std::launch::async, [&] {
            auto models = store->Models();
            auto appended = store->AppendPredictions(std::vector{MakePrediction("c", 3)}, 1);
            return models.ok() && appended.ok() && appended->inserted == 1;
          });
          EXPECT_EQ(other.wait_for(std::chrono::seconds(30)), std::future_status::ready);
          EXPECT_TRUE(other.get());
        }
        seen.push_back(p.event.id);
        return true;
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_THAT(seen, ElementsAre("a", "b"));  // "c" came after the scan's snapshot
  EXPECT_THAT(Ids(Scan(*store)), ElementsAre("a", "b", "c"));
}

TEST_F(SqliteStoreTest, GarbageFileIsDataLoss) {
  {
    std::ofstream out(path_, std::ios::binary);
    for (int i = 0; i < 200; ++i) out << "this is not a database, just some text; ";
  }
  auto store = OpenSqliteStore({path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr(path_));
  EXPECT_THAT(store.status().message(), HasSubstr("not a database"));
}

TEST_F(SqliteStoreTest, ForeignDatabaseIsRefusedAndLeftAlone) {
  {
    auto conn = Connect();
    ASSERT_TRUE(conn->Exec("CREATE TABLE users(name TEXT); INSERT INTO users VALUES ('x')").ok());
  }
  auto store = OpenSqliteStore({path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr("not a modelwatch database"));
  auto conn = Connect();
  EXPECT_EQ(*conn->QueryText("PRAGMA journal_mode"), "delete");  // not switched to WAL
  EXPECT_EQ(*conn->QueryInt64("SELECT count(*) FROM sqlite_schema"), 1);
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefusedNamingBothVersions) {
  Open().reset();
  {
    auto conn = Connect();
    ASSERT_TRUE(conn->Exec("UPDATE meta SET value = 99 WHERE key = 'schema_version'").ok());
  }
  auto store = OpenSqliteStore({path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr("schema version 99 is newer than this build supports (" +
                        std::to_string(internal::LatestSchemaVersion()) + ")"));
}

TEST_F(SqliteStoreTest, DamagedPayloadIsDataLossNamingThePrediction) {
  {
    auto store = Open();
    Append(*store, {MakePrediction("a", 1), MakePrediction("b", 2)});
  }
  {
    auto conn = Connect();
    ASSERT_TRUE(conn->Exec("UPDATE predictions SET payload = x'0100' WHERE id = 'b'").ok());
  }
  auto store = Open();
  int visited = 0;
  const Status s = store->ScanPredictions("fraud", std::nullopt, kMin, kMax,
                                          [&](const StoredPrediction&) { return ++visited, true; });
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("prediction 'b' of model 'fraud': payload: truncated"));
  EXPECT_EQ(visited, 1);
}

TEST_F(SqliteStoreTest, MissingDirectoryIsUnavailable) {
  auto store = OpenSqliteStore({dir_.File("no/such/dir/mw.db")});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("no/such/dir/mw.db"));
}

TEST_F(SqliteStoreTest, BadOptionsAreInvalidArgument) {
  EXPECT_EQ(OpenSqliteStore({""}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenSqliteStore({path_, SqliteOptions::Sync::kFull, -1}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, InvalidEventsAreRefusedWholeAndWriteNothing) {
  auto store = Open();
  PredictionEvent no_id = MakePrediction("", 2);
  auto r = store->AppendPredictions(std::vector{MakePrediction("a", 1), no_id}, 1);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("prediction 1 has no id"));
  PredictionEvent no_model = MakePrediction("b", 1);
  no_model.model.clear();
  EXPECT_EQ(store->AppendPredictions(std::vector{no_model}, 1).status().code(),
            StatusCode::kInvalidArgument);
  auto l = store->AppendLabels(
      std::vector{MakeLabel("a", EventValue::Number(1)), MakeLabel("b", EventValue{})}, 1);
  EXPECT_EQ(l.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(l.status().message(), HasSubstr("label 1 has a null label"));
  // SQLite stores a NaN as NULL, which would read back as "no label".
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(
      store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(nan))}, 1).status().code(),
      StatusCode::kInvalidArgument);
  PredictionEvent nan_label = MakePrediction("c", 1);
  nan_label.label = EventValue::Number(nan);
  EXPECT_THAT(store->AppendPredictions(std::vector{nan_label}, 1).status().message(),
              HasSubstr("prediction 0 has a NaN label"));
  EXPECT_THAT(Scan(*store), IsEmpty());
  EXPECT_EQ(*store->Expire(kMin, kMin, kMax), 0u);
}

TEST_F(SqliteStoreTest, ALockedDatabaseIsUnavailableAndTheFailedCallWritesNothing) {
  auto store_or = OpenSqliteStore({path_, SqliteOptions::Sync::kFull, /*busy_timeout_ms=*/50});
  ASSERT_TRUE(store_or.ok());
  Store& store = **store_or;
  EXPECT_TRUE(store.CheckWritable().ok());
  auto other = Connect();
  ASSERT_TRUE(other->Exec("BEGIN IMMEDIATE").ok());  // another writer holds the lock

  EXPECT_EQ(store.CheckWritable().code(), StatusCode::kUnavailable);
  auto r = store.AppendPredictions(std::vector{MakePrediction("a", 1)}, 1);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("AppendPredictions: sqlite store"));
  EXPECT_THAT(r.status().message(), HasSubstr("locked"));
  // Reads go on (WAL: readers do not wait for writers).
  EXPECT_THAT(Scan(store), IsEmpty());

  ASSERT_TRUE(other->Exec("ROLLBACK").ok());
  EXPECT_TRUE(store.CheckWritable().ok());
  EXPECT_THAT(Scan(store), IsEmpty());
  EXPECT_THAT(*store.Models(), IsEmpty());
  Append(store, {MakePrediction("a", 1)});
  EXPECT_EQ(Scan(store).size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// The monitor's side: rowids, commit listener, label journal, checkpoint, window states.

// Records what the store tells its listener, in order.
class RecordingListener : public CommitListener {
 public:
  void OnPredictionsCommitted(std::span<const PredictionEvent> events, int64_t received_us,
                              const PredictionAppendResult& result) override {
    for (size_t i = 0; i < events.size(); ++i) {
      if (result.rowids[i] != 0)
        log.push_back("+" + events[i].id + "@" + std::to_string(result.rowids[i]));
    }
    (void)received_us;
  }
  void OnLabelsCommitted(const LabelAppendResult& result) override {
    for (size_t i = 0; i < result.joined.size(); ++i) {
      log.push_back("L" + result.joined[i].event.id + ":" +
                    result.previous[i].label.CanonicalText() + "->" +
                    result.joined[i].event.label.CanonicalText());
    }
    log.push_back("seq" + std::to_string(result.journal_seq));
  }
  std::vector<std::string> log;
};

TEST_F(SqliteStoreTest, CommitsReachTheListenerInOrderWithRowidsAndPreviousLabels) {
  auto store = Open();
  RecordingListener listener;
  store->SetCommitListener(&listener);
  Append(*store, {MakePrediction("a", 1), MakePrediction("b", 2)});
  Append(*store, {MakePrediction("a", 1), MakePrediction("c", 3)});  // "a" is a duplicate
  ASSERT_TRUE(store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(1))}, 10).ok());
  ASSERT_TRUE(store
                  ->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(0)),
                                             MakeLabel("zz", EventValue::Number(0))},
                                 20)
                  .ok());
  store->SetCommitListener(nullptr);
  Append(*store, {MakePrediction("d", 4)});
  EXPECT_THAT(listener.log,
              ElementsAre("+a@1", "+b@2", "+c@3", "La:->1", "seq1", "La:1->0", "seq2"));
  auto r = store->AppendPredictions(std::vector{MakePrediction("d", 4), MakePrediction("e", 5)}, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->rowids, ElementsAre(0, 5));
}

TEST_F(SqliteStoreTest, ScanAfterAndTheJournalReplayWhatFollowsACheckpoint) {
  auto store = Open();
  Append(*store, {MakePrediction("a", 1), MakePrediction("b", 2)});
  ASSERT_TRUE(store->AppendLabels(std::vector{MakeLabel("a", EventValue::Number(1))}, 10).ok());
  EXPECT_EQ(*store->Checkpoint(), std::nullopt);
  EXPECT_EQ(*store->Head(), (MonitorCheckpoint{2, 1}));
  WindowRecord w = Window("v1", "", 60, 0);
  w.state = std::string("\0state\xff", 7);
  ASSERT_TRUE(store->PutWindows(std::vector{w}, MonitorCheckpoint{2, 1}).ok());
  EXPECT_EQ(*store->Checkpoint(), (MonitorCheckpoint{2, 1}));
  // After the checkpoint: a new prediction, a changed label, a label for a new prediction.
  Append(*store, {MakePrediction("c", 3)});
  ASSERT_TRUE(store
                  ->AppendLabels(std::vector{MakeLabel("a", EventValue::String("x")),
                                             MakeLabel("c", EventValue::Number(0))},
                                 20)
                  .ok());
  std::vector<std::string> after;
  ASSERT_TRUE(store
                  ->ScanPredictionsAfter(2,
                                         [&](const StoredPrediction& p) {
                                           after.push_back(p.event.model + "/" + p.event.id + "@" +
                                                           std::to_string(p.rowid));
                                           return true;
                                         })
                  .ok());
  EXPECT_THAT(after, ElementsAre("fraud/c@3"));
  std::vector<std::string> changes;
  ASSERT_TRUE(store
                  ->LabelJournalAfter(1,
                                      [&](const JournaledLabel& j) {
                                        changes.push_back(
                                            std::to_string(j.seq) + ":" + j.prediction.event.id +
                                            ":" + j.previous.label.CanonicalText() + "->" +
                                            j.prediction.event.label.CanonicalText() + "@" +
                                            std::to_string(j.prediction.label_received_us));
                                        return true;
                                      })
                  .ok());
  EXPECT_THAT(changes, ElementsAre("2:a:1->x@20", "3:c:->0@20"));
  // The next checkpoint trims the journal it covers; seqs are never reused.
  ASSERT_TRUE(store->PutWindows({}, MonitorCheckpoint{3, 3}).ok());
  changes.clear();
  ASSERT_TRUE(store
                  ->LabelJournalAfter(0,
                                      [&](const JournaledLabel& j) {
                                        changes.push_back(std::to_string(j.seq));
                                        return true;
                                      })
                  .ok());
  EXPECT_THAT(changes, IsEmpty());
  ASSERT_TRUE(store->AppendLabels(std::vector{MakeLabel("b", EventValue::Number(1))}, 30).ok());
  EXPECT_EQ(store->Head()->label_seq, 4);
  // Window states come back only when asked for.
  WindowQuery q;
  q.model = "fraud";
  EXPECT_EQ(Query(*store, q)[0].state, "");
  q.with_state = true;
  EXPECT_EQ(Query(*store, q)[0].state, w.state);
}

TEST_F(SqliteStoreTest, ExpireNeverLetsARowidBeReused) {
  auto store = Open();
  Append(*store, {MakePrediction("a", 1), MakePrediction("b", 2)});
  ASSERT_TRUE(store->Expire(kMax, kMin, kMin).ok());
  EXPECT_THAT(Ids(Scan(*store)), ElementsAre("b"));  // the newest row stays
  auto r = store->AppendPredictions(std::vector{MakePrediction("c", 3)}, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->rowids, ElementsAre(3));
}

TEST_F(SqliteStoreTest, ResourceSamplesByTargetAndTimeWithRetention) {
  std::unique_ptr<Store> store = Open();
  const std::vector<ResourceSampleRecord> round1 = {{"host", 1000, R"({"ts":1})"},
                                                    {"triton", 1000, R"({"ts":1,"p":1})"}};
  const std::vector<ResourceSampleRecord> round2 = {{"host", 2000, R"({"ts":2})"},
                                                    {"triton", 2000, R"({"ts":2,"p":2})"}};
  ASSERT_TRUE(store->AppendResourceSamples(round1).ok());
  ASSERT_TRUE(store->AppendResourceSamples(round2).ok());
  ASSERT_TRUE(store->AppendResourceSamples({}).ok());
  ResourceSampleQuery q;
  q.target = "triton";
  EXPECT_THAT(*store->ResourceSamples(q), ElementsAre(round1[1], round2[1]));
  q.from_us = 1001;
  EXPECT_THAT(*store->ResourceSamples(q), ElementsAre(round2[1]));
  q.from_us = kMin;
  q.to_us = 2000;  // exclusive
  EXPECT_THAT(*store->ResourceSamples(q), ElementsAre(round1[1]));
  q.to_us = kMax;
  q.limit = 1;  // the oldest first
  EXPECT_THAT(*store->ResourceSamples(q), ElementsAre(round1[1]));
  q.target = "nobody";
  EXPECT_THAT(*store->ResourceSamples(q), IsEmpty());
  // The same (target, ts) again replaces the sample.
  ASSERT_TRUE(store->AppendResourceSamples({{{"host", 2000, R"({"ts":2,"again":true})"}}}).ok());
  q.target = "host";
  q.limit = 10;
  EXPECT_EQ((*store->ResourceSamples(q))[1].json, R"({"ts":2,"again":true})");
  // Survives reopening; retention deletes by time over every target.
  store = Open();
  Result<uint64_t> expired = store->ExpireResourceSamples(2000);
  ASSERT_TRUE(expired.ok()) << expired.status().ToString();
  EXPECT_EQ(*expired, 2u);
  EXPECT_EQ(store->ResourceSamples(q)->size(), 1u);
  q.target = "triton";
  EXPECT_THAT(*store->ResourceSamples(q), ElementsAre(round2[1]));
}

TEST_F(SqliteStoreTest, MetaTextsByPrefixSurviveReopening) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store->PutMetaText("inferred_schema:fraud", "{\"a\":1}").ok());
  ASSERT_TRUE(store->PutMetaText("inferred_schema:churn", "{}").ok());
  ASSERT_TRUE(store->PutMetaText("inferred_schema:fraud", "{\"a\":2}").ok());  // replaces
  ASSERT_TRUE(store->PutMetaText("other", "x").ok());
  ASSERT_TRUE(store->PutMetaText("inferred_schema:caf\xc3\xa9", "u").ok());
  EXPECT_EQ(store->PutMetaText("schema_version", "9").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->PutMetaText("monitor_label_seq", "9").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->PutMetaText("", "9").code(), StatusCode::kInvalidArgument);
  store = Open();
  using Pair = std::pair<std::string, std::string>;
  EXPECT_THAT(
      *store->MetaTexts("inferred_schema:"),
      ElementsAre(Pair{"inferred_schema:caf\xc3\xa9", "u"}, Pair{"inferred_schema:churn", "{}"},
                  Pair{"inferred_schema:fraud", "{\"a\":2}"}));
  EXPECT_THAT(*store->MetaTexts("nothing"), IsEmpty());
  EXPECT_EQ(store->MetaTexts("")->size(), 4u);  // the integer schema_version is not a text
}

TEST_F(SqliteStoreTest, AVersion2DatabaseMigratesToResourceSamples) {
  {
    std::unique_ptr<internal::Connection> conn = Connect();
    ASSERT_EQ(*internal::Migrate(*conn, internal::StoreMigrations().first(2)), 2);
  }
  std::unique_ptr<Store> store = Open();
  std::unique_ptr<internal::Connection> conn = Connect();
  EXPECT_EQ(*internal::ReadSchemaVersion(*conn), internal::LatestSchemaVersion());
  ASSERT_TRUE(store->AppendResourceSamples({{{"host", 5, "{}"}}}).ok());
  ResourceSampleQuery q;
  q.target = "host";
  EXPECT_EQ(store->ResourceSamples(q)->size(), 1u);
}

}  // namespace
}  // namespace modelwatch::store
