#include "modelwatch/monitor/monitor.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace modelwatch::monitor {
namespace {

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kBase = 1767225600'000000;  // 2026-01-01T00:00:00Z

PredictionEvent Event(const std::string& id, int64_t ts, int prediction, int label = -1) {
  PredictionEvent e;
  e.model = "m";
  e.version = "v1";
  e.id = id;
  e.ts_us = ts;
  e.prediction = EventValue::Number(prediction);
  if (label >= 0) e.label = EventValue::Number(label);
  return e;
}

double Accuracy(const store::WindowRecord& w) {
  simdjson::dom::parser parser;
  double v = -1;
  simdjson::dom::element doc = parser.parse(w.summary);
  EXPECT_EQ(doc.at_pointer("/quality/accuracy").get(v), simdjson::SUCCESS) << w.summary;
  return v;
}

class MonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteOptions options;
    options.path = ":memory:";
    Result<std::unique_ptr<store::Store>> opened = store::OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    monitor_ = MakeMonitor();
  }
  std::unique_ptr<Monitor> MakeMonitor() {
    ModelSettings s;
    s.name = "m";
    s.quality.task = Task::kBinary;
    s.window_widths_us = {kMinute};
    s.allowed_lateness_us = 0;
    return std::make_unique<Monitor>(*store_, std::vector<ModelSettings>{s});
  }
  void Append(const std::vector<PredictionEvent>& events) {
    Result<store::PredictionAppendResult> r = store_->AppendPredictions(events, kBase);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    monitor_->Touch(*r, events);
  }
  // The minute-0 window of `version` ("" = all versions), as stored.
  std::optional<store::WindowRecord> Minute0(const std::string& version) {
    store::WindowQuery q;
    q.model = "m";
    q.version = version;
    q.from_us = kBase;
    q.to_us = kBase + 1;
    Result<std::vector<store::WindowRecord>> w = store_->Windows(q);
    if (!w.ok() || w->empty()) return std::nullopt;
    return w->front();
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Monitor> monitor_;
};

TEST_F(MonitorTest, WindowsCloseWithTheWatermarkAndLateLabelsReviseThem) {
  Append({Event("a", kBase + 1, 1, 1), Event("b", kBase + 2, 0, 1), Event("c", kBase + 3, 0)});
  Result<std::vector<store::WindowRecord>> written = monitor_->Evaluate(kBase);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(written->size(), 2u);  // v1 and all versions
  ASSERT_TRUE(Minute0("v1").has_value());
  EXPECT_FALSE(Minute0("v1")->closed);
  EXPECT_DOUBLE_EQ(Accuracy(*Minute0("")), 0.5);

  // An event a minute later moves the watermark: minute 0 closes.
  Append({Event("d", kBase + kMinute, 1)});
  ASSERT_TRUE(monitor_->Evaluate(kBase).ok());
  EXPECT_TRUE(Minute0("")->closed);

  // The late label of c (right) revises the closed window.
  std::vector<LabelEvent> labels = {{"m", "c", EventValue::Number(0), kBase + 5 * kMinute}};
  Result<store::LabelAppendResult> joined = store_->AppendLabels(labels, kBase + 5 * kMinute);
  ASSERT_TRUE(joined.ok());
  monitor_->Touch(*joined);
  ASSERT_TRUE(monitor_->Evaluate(kBase).ok());
  EXPECT_TRUE(Minute0("")->closed);
  EXPECT_NEAR(Accuracy(*Minute0("")), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(Accuracy(*Minute0("v1")), 2.0 / 3.0, 1e-15);
}

TEST_F(MonitorTest, RecoverEvaluatesOpenWindowsOfThePreviousRun) {
  Append({Event("a", kBase + 1, 1, 1)});
  ASSERT_TRUE(monitor_->Evaluate(kBase).ok());
  EXPECT_FALSE(Minute0("")->closed);
  // A new monitor on the same store (a restart): the open window is found again and closes
  // when the watermark passes it.
  monitor_ = MakeMonitor();
  ASSERT_TRUE(monitor_->Recover().ok());
  Append({Event("z", kBase + 2 * kMinute, 1)});
  ASSERT_TRUE(monitor_->Evaluate(kBase).ok());
  EXPECT_TRUE(Minute0("")->closed);
  EXPECT_EQ(monitor_->watermark_us("m"), kBase + 2 * kMinute);
}

TEST_F(MonitorTest, UnknownModelsAreIgnoredUntilAdded) {
  monitor_->Touch("other", "v", kBase);
  Result<std::vector<store::WindowRecord>> written = monitor_->Evaluate(kBase);
  ASSERT_TRUE(written.ok());
  EXPECT_TRUE(written->empty());
  EXPECT_FALSE(monitor_->HasModel("other"));
  ModelSettings s;
  s.name = "other";
  monitor_->AddModel(s);
  EXPECT_TRUE(monitor_->HasModel("other"));
}

}  // namespace
}  // namespace modelwatch::monitor
