#include "modelwatch/monitor/monitor.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace modelwatch::monitor {
namespace {

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kBase = 1767225600'000000;  // 2026-01-01T00:00:00Z

PredictionEvent Event(const std::string& id, int64_t ts, int prediction, int label = -1,
                      const std::string& version = "v1") {
  PredictionEvent e;
  e.model = "m";
  e.version = version;
  e.id = id;
  e.ts_us = ts;
  e.prediction = EventValue::Number(prediction);
  if (label >= 0) e.label = EventValue::Number(label);
  return e;
}

double Number(const std::string& json, const char* pointer) {
  simdjson::dom::parser parser;
  double v = std::nan("");
  simdjson::dom::element doc = parser.parse(json);
  EXPECT_EQ(doc.at_pointer(pointer).get(v), simdjson::SUCCESS) << pointer << " in " << json;
  return v;
}

double Accuracy(const store::WindowRecord& w) { return Number(w.summary, "/quality/accuracy"); }

ModelSettings Settings(const std::string& name = "m") {
  ModelSettings s;
  s.name = name;
  s.quality.task = Task::kBinary;
  s.window_widths_us = {kMinute};
  s.allowed_lateness_us = 0;
  return s;
}

std::unique_ptr<store::Store> OpenStore(const std::string& path = ":memory:") {
  store::SqliteOptions options;
  options.path = path;
  options.sync = store::SqliteOptions::Sync::kNormal;
  Result<std::unique_ptr<store::Store>> opened = store::OpenSqliteStore(options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(*opened) : nullptr;
}

std::vector<store::WindowRecord> AllWindows(store::Store& store, const std::string& model = "m") {
  store::WindowQuery q;
  q.model = model;
  Result<std::vector<store::WindowRecord>> w = store.Windows(q);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? *w : std::vector<store::WindowRecord>{};
}

class MonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenStore();
    monitor_ = std::make_unique<Monitor>(*store_, std::vector<ModelSettings>{settings_});
  }
  void Append(const std::vector<PredictionEvent>& events, int64_t received = kBase) {
    Result<store::PredictionAppendResult> r = store_->AppendPredictions(events, received);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  void Label(const std::string& id, int label, int64_t received) {
    std::vector<LabelEvent> labels = {{"m", id, EventValue::Number(label), received}};
    Result<store::LabelAppendResult> r = store_->AppendLabels(labels, received);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  void Evaluate() {
    Result<std::vector<store::WindowRecord>> r = monitor_->Evaluate(kBase);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  // The window of `version` ("" = all versions) and `width_s` starting at `start`, as stored.
  std::optional<store::WindowRecord> Window(const std::string& version, int64_t start = kBase,
                                            int64_t width_s = 60, const std::string& segment = "") {
    store::WindowQuery q;
    q.model = "m";
    q.version = version;
    q.segment = segment;
    q.width_s = width_s;
    q.from_us = start;
    q.to_us = start + 1;
    Result<std::vector<store::WindowRecord>> w = store_->Windows(q);
    if (!w.ok() || w->empty()) return std::nullopt;
    return w->front();
  }
  std::optional<store::WindowRecord> Minute0(const std::string& version) { return Window(version); }

  ModelSettings settings_ = Settings();
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Monitor> monitor_;
};

TEST_F(MonitorTest, WindowsCloseWithTheWatermarkAndLateLabelsReviseThem) {
  Append({Event("a", kBase + 1, 1, 1), Event("b", kBase + 2, 0, 1), Event("c", kBase + 3, 0)});
  Result<std::vector<store::WindowRecord>> written = monitor_->Evaluate(kBase);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(written->size(), 4u);  // v1 and all versions; the minute and the cumulative view
  ASSERT_TRUE(Minute0("v1").has_value());
  EXPECT_FALSE(Minute0("v1")->closed);
  EXPECT_DOUBLE_EQ(Accuracy(*Minute0("")), 0.5);

  // An event a minute later moves the watermark: minute 0 closes, is written and leaves memory.
  Append({Event("d", kBase + kMinute, 1)});
  const size_t before = monitor_->states_in_memory();
  Evaluate();
  EXPECT_TRUE(Minute0("")->closed);
  EXPECT_EQ(monitor_->states_in_memory(), before - 2);

  // The late label of c (right) revises the closed window from its stored state.
  Label("c", 0, kBase + 5 * kMinute);
  EXPECT_EQ(monitor_->queued_late_changes(), 2u);  // v1 and all versions
  Evaluate();
  EXPECT_EQ(monitor_->queued_late_changes(), 0u);
  EXPECT_TRUE(Minute0("")->closed);
  EXPECT_NEAR(Accuracy(*Minute0("")), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(Accuracy(*Minute0("v1")), 2.0 / 3.0, 1e-15);
  EXPECT_EQ(Number(Minute0("")->summary, "/labelled"), 3);
}

TEST_F(MonitorTest, AClosedWindowWithoutStateIsRebuiltFromItsRowsAndKeepsOne) {
  Append({Event("a", kBase + 1, 1, 1), Event("b", kBase + 2, 0, 1), Event("c", kBase + 3, 0)});
  Append({Event("d", kBase + kMinute, 1)});
  Evaluate();
  ASSERT_TRUE(Minute0("")->closed);
  // As a schema-version-1 database left it: the closed window has a summary and no state.
  for (const std::string version : {"", "v1"}) {
    store::WindowRecord stateless = *Minute0(version);
    stateless.state.clear();
    ASSERT_TRUE(store_->PutWindows({&stateless, 1}).ok());
  }
  Label("c", 0, kBase + 5 * kMinute);
  Evaluate();
  store::WindowQuery q;
  q.model = "m";
  q.version = "";
  q.segment = "";
  q.width_s = 60;
  q.from_us = kBase;
  q.to_us = kBase + 1;
  q.with_state = true;
  Result<std::vector<store::WindowRecord>> stored = store_->Windows(q);
  ASSERT_TRUE(stored.ok() && stored->size() == 1u);
  EXPECT_NEAR(Accuracy(stored->front()), 2.0 / 3.0, 1e-15);  // rebuilt from a, b and labelled c
  EXPECT_EQ(Number(stored->front().summary, "/predictions"), 3);
  ASSERT_FALSE(stored->front().state.empty());
  // The next late label revises the rebuilt state: b (predicted 0) relabelled 0 is right, 3 of 3.
  Label("b", 0, kBase + 6 * kMinute);
  Evaluate();
  EXPECT_NEAR(Accuracy(*Minute0("")), 1.0, 1e-15);
  EXPECT_EQ(Number(Minute0("")->summary, "/labelled"), 3);
}

TEST_F(MonitorTest, OnlyChangedAndClosingWindowsAreWritten) {
  Append({Event("a", kBase + 1, 1, 1)});
  Evaluate();
  Result<std::vector<store::WindowRecord>> idle = monitor_->Evaluate(kBase);
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(idle->empty());
  Append({Event("b", kBase + 2 * kMinute, 1, 0)});  // minute 2 opens, minute 0 closes
  Result<std::vector<store::WindowRecord>> next = monitor_->Evaluate(kBase);
  ASSERT_TRUE(next.ok());
  // Minute 0 (closing) and minute 2 (new), each for v1 and all; the cumulative views.
  EXPECT_EQ(next->size(), 6u);
}

TEST_F(MonitorTest, ALabelThatReplacesAnotherRemovesItsContribution) {
  Append({Event("a", kBase + 1, 1), Event("b", kBase + 2, 0)});
  Label("a", 0, kBase + 10);
  Label("b", 0, kBase + 10);
  Evaluate();
  EXPECT_DOUBLE_EQ(Accuracy(*Minute0("")), 0.5);
  Label("a", 1, kBase + 20);  // replaces 0: now both right
  Evaluate();
  EXPECT_DOUBLE_EQ(Accuracy(*Minute0("")), 1.0);
  EXPECT_EQ(Number(Minute0("")->summary, "/labelled"), 2);
  EXPECT_EQ(Number(Minute0("")->summary, "/quality/n"), 2);
}

TEST_F(MonitorTest, TheCumulativeViewAccumulatesEverything) {
  Append({Event("a", kBase + 1, 1, 1), Event("b", kBase + kMinute, 1, 0, "v2")});
  Append({Event("c", kBase + 5 * kMinute, 0, 0)});
  Evaluate();
  const std::optional<store::WindowRecord> all = Window("", 0, 0);
  ASSERT_TRUE(all.has_value());
  EXPECT_FALSE(all->closed);
  EXPECT_EQ(all->end_us, kBase + 5 * kMinute + 1);
  EXPECT_EQ(Number(all->summary, "/predictions"), 3);
  EXPECT_NEAR(Number(all->summary, "/quality/accuracy"), 2.0 / 3.0, 1e-15);
  EXPECT_EQ(Number(Window("v1", 0, 0)->summary, "/predictions"), 2);
  EXPECT_EQ(Number(Window("v2", 0, 0)->summary, "/predictions"), 1);
  // A late label for a closed minute revises the cumulative view too.
  Label("b", 1, kBase + 6 * kMinute);
  Evaluate();
  EXPECT_DOUBLE_EQ(Number(Window("", 0, 0)->summary, "/quality/accuracy"), 1.0);
}

TEST(MonitorSegmentTest, WindowsPerSegmentValue) {
  std::unique_ptr<store::Store> store = OpenStore();
  ModelSettings s = Settings();
  s.segment_keys = {"region"};
  Monitor monitor(*store, {s});
  std::vector<PredictionEvent> events;
  for (int i = 0; i < 10; ++i) {
    PredictionEvent e = Event("p" + std::to_string(i), kBase + i, 1, i < 7 ? 1 : 0);
    if (i % 3 != 2) e.segment = {{"region", i % 3 == 0 ? "eu" : "us"}, {"tier", "gold"}};
    events.push_back(e);
  }
  ASSERT_TRUE(store->AppendPredictions(events, kBase).ok());
  ASSERT_TRUE(monitor.Evaluate(kBase).ok());
  std::map<std::string, double> predictions;
  for (const store::WindowRecord& w : AllWindows(*store)) {
    if (w.version.empty() && w.width_s == 60) {
      predictions[w.segment] = Number(w.summary, "/predictions");
    }
  }
  // Rows 0, 3, 6, 9 are eu; 1, 4, 7 us; 2, 5, 8 have no region (only in the whole model).
  // "tier" is not a segment key of the model.
  EXPECT_EQ(predictions,
            (std::map<std::string, double>{{"", 10}, {"region=eu", 4}, {"region=us", 3}}));
}

TEST_F(MonitorTest, UnknownModelsAreIgnoredUntilAdded) {
  PredictionEvent e = Event("x", kBase, 1);
  e.model = "other";
  Append({e});
  Result<std::vector<store::WindowRecord>> written = monitor_->Evaluate(kBase);
  ASSERT_TRUE(written.ok());
  EXPECT_TRUE(written->empty());
  EXPECT_FALSE(monitor_->HasModel("other"));
  monitor_->AddModel(Settings("other"));
  EXPECT_TRUE(monitor_->HasModel("other"));
  e.id = "y";
  Append({e});
  written = monitor_->Evaluate(kBase);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(written->size(), 4u);
}

// A per-test file store (crash tests need a second process-like opening of the same file).
class TempFile {
 public:
  TempFile() {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("mw_monitor_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + ".db"))
                .string();
    Remove();
  }
  ~TempFile() { Remove(); }
  const std::string& path() const { return path_; }

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

// Every window's summary, by key, with updated_us cleared.
std::map<std::string, std::string> Summaries(store::Store& store) {
  std::map<std::string, std::string> out;
  for (const store::WindowRecord& w : AllWindows(store)) {
    out[w.version + "|" + w.segment + "|" + std::to_string(w.width_s) + "|" +
        std::to_string(w.start_us) + "|" + (w.closed ? "closed" : "open")] = w.summary;
  }
  return out;
}

// Compares two summary documents: same structure, same strings, numbers equal up to rounding
// (a replay may add the same terms in another order).
void ExpectSameJson(simdjson::dom::element a, simdjson::dom::element b, const std::string& at) {
  ASSERT_EQ(a.type(), b.type()) << at;
  switch (a.type()) {
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object oa = a, ob = b;
      ASSERT_EQ(oa.size(), ob.size()) << at;
      for (auto [key, value] : oa) {
        simdjson::dom::element other;
        ASSERT_EQ(ob.at_key(key).get(other), simdjson::SUCCESS) << at << "/" << key;
        ExpectSameJson(value, other, at + "/" + std::string(key));
      }
      return;
    }
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array xa = a, xb = b;
      ASSERT_EQ(xa.size(), xb.size()) << at;
      for (size_t i = 0; i < xa.size(); ++i) {
        ExpectSameJson(xa.at(i), xb.at(i), at + "/" + std::to_string(i));
      }
      return;
    }
    case simdjson::dom::element_type::DOUBLE:
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64: {
      const double x = double(a), y = double(b);
      EXPECT_NEAR(x, y, 1e-9 * (1 + std::abs(y))) << at;
      return;
    }
    default:
      EXPECT_EQ(simdjson::to_string(a), simdjson::to_string(b)) << at;
  }
}

// The same traffic against a store, in steps; `evaluate_after` says after which steps the
// monitor evaluates (a checkpoint). Predictions (some labelled on arrival, one before its
// label), late labels, a replaced label, a label for a window that closed.
void Traffic(store::Store& store, Monitor* monitor, const std::vector<int>& evaluate_after,
             int first_step, int last_step) {
  auto maybe_evaluate = [&](int step) {
    if (monitor == nullptr) return;
    if (std::find(evaluate_after.begin(), evaluate_after.end(), step) != evaluate_after.end()) {
      ASSERT_TRUE(monitor->Evaluate(kBase).ok());
    }
  };
  std::mt19937_64 rng(42);
  for (int step = 0; step < 6; ++step) {
    std::vector<PredictionEvent> events;
    // Small enough that every sketch stays exact (its contents then do not depend on the
    // order of the updates, which a replay changes).
    for (int i = 0; i < 30; ++i) {
      const int n = step * 30 + i;
      PredictionEvent e =
          Event("p" + std::to_string(n), kBase + step * kMinute / 2 + i * 1000, n % 2,
                rng() % 3 == 0 ? static_cast<int>(rng() % 2) : -1, n % 3 ? "v1" : "v2");
      e.score = static_cast<double>(rng() % 1000) / 1000.0;
      e.latency_ms = static_cast<double>(rng() % 500) / 10.0;
      e.segment = {{"region", n % 4 ? "eu" : "us"}};
      events.push_back(std::move(e));
    }
    std::vector<LabelEvent> labels;
    for (int i = 0; i < 15; ++i) {  // late labels for earlier steps, some replacing others
      const int n = static_cast<int>(rng() % ((step + 1) * 30 + 5));
      labels.push_back({"m", "p" + std::to_string(n), EventValue::Number(rng() % 2), 0});
    }
    if (step < first_step || step > last_step) continue;
    const int64_t received = kBase + step * kMinute;
    ASSERT_TRUE(store.AppendPredictions(events, received).ok());
    ASSERT_TRUE(store.AppendLabels(labels, received + 1).ok());
    maybe_evaluate(step);
  }
}

ModelSettings CrashSettings() {
  ModelSettings s = Settings();
  s.segment_keys = {"region"};
  return s;
}

TEST(MonitorCrashTest, ACrashBetweenIngestAndCheckpointRecoversTheSameSummaries) {
  // The uninterrupted run.
  TempFile clean_file;
  std::unique_ptr<store::Store> clean = OpenStore(clean_file.path());
  {
    Monitor monitor(*clean, {CrashSettings()});
    Traffic(*clean, &monitor, {1, 3}, 0, 5);
    ASSERT_TRUE(monitor.Evaluate(kBase).ok());
  }
  // The same traffic with a crash after step 4: the monitor's memory (steps 4 and 5's changes,
  // queued late changes) is lost without a checkpoint after step 3.
  TempFile crash_file;
  {
    std::unique_ptr<store::Store> store = OpenStore(crash_file.path());
    Monitor monitor(*store, {CrashSettings()});
    Traffic(*store, &monitor, {1, 3}, 0, 4);
  }  // the "SIGKILL": nothing written after step 3's Evaluate but the raw rows
  {
    std::unique_ptr<store::Store> store = OpenStore(crash_file.path());
    Monitor monitor(*store, {CrashSettings()});
    ASSERT_TRUE(monitor.Recover().ok());
    Traffic(*store, &monitor, {}, 5, 5);  // ingest goes on after the restart
    ASSERT_TRUE(monitor.Evaluate(kBase).ok());
    const std::map<std::string, std::string> want = Summaries(*clean);
    const std::map<std::string, std::string> got = Summaries(*store);
    ASSERT_EQ(got.size(), want.size());
    for (const auto& [key, json] : want) {
      ASSERT_TRUE(got.count(key)) << key;
      simdjson::dom::parser p1, p2;
      ExpectSameJson(p1.parse(got.at(key)), p2.parse(json), key);
    }
  }
}

TEST(MonitorCrashTest, ReplayIsIdempotentAcrossRepeatedCrashes) {
  TempFile file;
  {
    std::unique_ptr<store::Store> store = OpenStore(file.path());
    Monitor monitor(*store, {CrashSettings()});
    Traffic(*store, &monitor, {0}, 0, 2);
  }
  std::map<std::string, std::string> first;
  for (int restart = 0; restart < 3; ++restart) {
    std::unique_ptr<store::Store> store = OpenStore(file.path());
    Monitor monitor(*store, {CrashSettings()});
    ASSERT_TRUE(monitor.Recover().ok());
    if (restart == 0) continue;  // crash again right after recovering: nothing written
    ASSERT_TRUE(monitor.Evaluate(kBase).ok());
    if (restart == 1) {
      first = Summaries(*store);
    } else {
      EXPECT_EQ(Summaries(*store), first);  // recovering from a checkpoint adds nothing
    }
  }
  ASSERT_FALSE(first.empty());
  // Against a store that never crashed.
  TempFile clean_file;
  std::unique_ptr<store::Store> clean = OpenStore(clean_file.path());
  Monitor monitor(*clean, {CrashSettings()});
  Traffic(*clean, &monitor, {}, 0, 2);
  ASSERT_TRUE(monitor.Evaluate(kBase).ok());
  const std::map<std::string, std::string> want = Summaries(*clean);
  ASSERT_EQ(first.size(), want.size());
  for (const auto& [key, json] : want) {
    simdjson::dom::parser p1, p2;
    ExpectSameJson(p1.parse(first.at(key)), p2.parse(json), key);
  }
}

TEST(MonitorCrashTest, AStoreWithoutCheckpointIsRebuiltFromItsRows) {
  TempFile file;
  {
    std::unique_ptr<store::Store> store = OpenStore(file.path());
    // Rows stored before any monitor ran (or by a version without window states).
    Traffic(*store, nullptr, {}, 0, 2);
  }
  std::unique_ptr<store::Store> store = OpenStore(file.path());
  Monitor monitor(*store, {CrashSettings()});
  ASSERT_TRUE(monitor.Recover().ok());
  ASSERT_TRUE(monitor.Evaluate(kBase).ok());
  TempFile clean_file;
  std::unique_ptr<store::Store> clean = OpenStore(clean_file.path());
  Monitor clean_monitor(*clean, {CrashSettings()});
  Traffic(*clean, &clean_monitor, {}, 0, 2);
  ASSERT_TRUE(clean_monitor.Evaluate(kBase).ok());
  const std::map<std::string, std::string> want = Summaries(*clean);
  const std::map<std::string, std::string> got = Summaries(*store);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [key, json] : want) {
    ASSERT_TRUE(got.count(key)) << key;
    simdjson::dom::parser p1, p2;
    ExpectSameJson(p1.parse(got.at(key)), p2.parse(json), key);
  }
}

TEST_F(MonitorTest, RecoverEvaluatesOpenWindowsOfThePreviousRun) {
  Append({Event("a", kBase + 1, 1, 1)});
  Evaluate();
  EXPECT_FALSE(Minute0("")->closed);
  // A new monitor on the same store (a restart): the open window is found again and closes
  // when the watermark passes it.
  monitor_.reset();
  monitor_ = std::make_unique<Monitor>(*store_, std::vector<ModelSettings>{settings_});
  ASSERT_TRUE(monitor_->Recover().ok());
  EXPECT_EQ(monitor_->watermark_us("m"), kBase + 1);
  Append({Event("z", kBase + 2 * kMinute, 1)});
  Evaluate();
  EXPECT_TRUE(Minute0("")->closed);
  EXPECT_EQ(Number(Minute0("")->summary, "/predictions"), 1);
  EXPECT_EQ(monitor_->watermark_us("m"), kBase + 2 * kMinute);
}

TEST(MonitorDriftTest, WindowsOpenedBeforeTheFirstEventsReferenceGetItsProfile) {
  std::unique_ptr<store::Store> store = OpenStore();
  ModelSettings s = Settings();
  s.reference_first_events = 50;
  Monitor monitor(*store, {s});
  std::vector<PredictionEvent> events;
  for (int i = 0; i < 80; ++i) {
    PredictionEvent e = Event("p" + std::to_string(i), kBase + i, i % 2);
    e.features = {{"x", EventValue::Number(i % 10)}};
    events.push_back(e);
  }
  ASSERT_TRUE(store->AppendPredictions(events, kBase).ok());
  ASSERT_TRUE(monitor.Evaluate(kBase).ok());
  store::WindowQuery q;
  q.model = "m";
  q.version = "";
  q.width_s = 60;
  Result<std::vector<store::WindowRecord>> w = store->Windows(q);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->size(), 1u);
  EXPECT_EQ(Number(w->front().summary, "/drift/reference_rows"), 50);
  EXPECT_EQ(Number(w->front().summary, "/drift/features/x/n_current"), 80);
  // Later events reach the profile through the listener.
  ASSERT_TRUE(store->AppendPredictions(std::vector{Event("q", kBase + 100, 1)}, kBase).ok());
  ASSERT_TRUE(monitor.Evaluate(kBase).ok());
  w = store->Windows(q);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(Number(w->front().summary, "/drift/prediction/n_current"), 81);
}

}  // namespace
}  // namespace modelwatch::monitor
