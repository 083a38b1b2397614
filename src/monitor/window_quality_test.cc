// Expected values computed with scikit-learn 1.2.1 and numpy 1.24 (/usr/bin/python3).
#include "modelwatch/monitor/window_quality.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace modelwatch::monitor {
namespace {

store::StoredPrediction Prediction(EventValue label, EventValue prediction,
                                   std::optional<double> score = std::nullopt) {
  store::StoredPrediction p;
  p.event.model = "m";
  p.event.id = "x";
  p.event.label = std::move(label);
  p.event.prediction = std::move(prediction);
  p.event.score = score;
  p.received_us = 1'000'000;
  if (!p.event.label.is_null()) p.label_received_us = 1'000'000 + 60'000'000;
  return p;
}

double Get(simdjson::dom::element doc, const char* pointer) {
  double v = 0;
  EXPECT_EQ(doc.at_pointer(pointer).get(v), simdjson::SUCCESS) << pointer;
  return v;
}

TEST(WindowQualityTest, BinaryMatchesScikitLearn) {
  const int y[] = {1, 0, 1, 1, 0, 0, 1, 0, 1, 0};
  const int p[] = {1, 0, 0, 1, 0, 1, 1, 0, 1, 1};
  const double s[] = {0.9, 0.2, 0.4, 0.8, 0.1, 0.6, 0.7, 0.3, 0.95, 0.55};
  WindowQuality q({Task::kBinary, "1", {}});
  for (int i = 0; i < 10; ++i) {
    // Labels as strings on half the rows: class identity is by value.
    EventValue label = i % 2 ? EventValue::String(std::to_string(y[i])) : EventValue::Number(y[i]);
    q.Add(Prediction(label, EventValue::Number(p[i]), s[i]));
  }
  q.Add(Prediction(EventValue(), EventValue::Number(1), 0.5));  // not labelled yet
  simdjson::dom::parser parser;
  const std::string json = q.SummaryJson();
  simdjson::dom::element doc = parser.parse(json);
  EXPECT_EQ(Get(doc, "/predictions"), 11);
  EXPECT_EQ(Get(doc, "/labelled"), 10);
  EXPECT_DOUBLE_EQ(Get(doc, "/label_coverage"), 10.0 / 11.0);
  EXPECT_DOUBLE_EQ(Get(doc, "/label_lag_seconds/p50"), 60.0);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/accuracy"), 0.7);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/f1/binary"), 0.7272727272727272);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/precision/binary"), 0.6666666666666666);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/recall/binary"), 0.8);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/balanced_accuracy"), 0.7);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/scores/roc_auc"), 0.92);
  EXPECT_NEAR(Get(doc, "/quality/scores/log_loss"), 0.40527404761751695, 1e-12);
}

TEST(WindowQualityTest, MulticlassWithScoresMatchesScikitLearn) {
  const char* yt[] = {"cat", "dog", "fox", "cat", "dog", "fox", "cat", "cat"};
  const char* yp[] = {"cat", "dog", "cat", "cat", "fox", "fox", "dog", "cat"};
  const double sc[][3] = {{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}, {0.5, 0.2, 0.3}, {0.6, 0.3, 0.1},
                          {0.2, 0.3, 0.5}, {0.1, 0.1, 0.8}, {0.3, 0.6, 0.1}, {0.9, 0.05, 0.05}};
  WindowQuality q({Task::kMulticlass, "", {}});
  for (int i = 0; i < 8; ++i) {
    store::StoredPrediction p = Prediction(EventValue::String(yt[i]), EventValue::String(yp[i]));
    // Scores listed in another order than the classes: matched by name.
    p.event.scores = {{"fox", sc[i][2]}, {"cat", sc[i][0]}, {"dog", sc[i][1]}};
    q.Add(p);
  }
  simdjson::dom::parser parser;
  const std::string json = q.SummaryJson();
  simdjson::dom::element doc = parser.parse(json);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/accuracy"), 0.625);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/f1/macro"), 0.5833333333333334);
  EXPECT_NEAR(Get(doc, "/quality/scores/roc_auc_macro"), 0.9097222222222223, 1e-12);
  EXPECT_NEAR(Get(doc, "/quality/scores/log_loss"), 0.6288833248710971, 1e-12);
}

TEST(WindowQualityTest, RegressionAndLatencyQuantiles) {
  const double y[] = {1, 2, 3, 4}, p[] = {1.5, 2, 2, 5};
  const double latency[] = {5, 7, 9, 11, 100};
  WindowQuality q({Task::kRegression, "", {}});
  for (int i = 0; i < 5; ++i) {
    store::StoredPrediction sp =
        i < 4 ? Prediction(EventValue::Number(y[i]), EventValue::Number(p[i]))
              : Prediction(EventValue(), EventValue::Number(3));
    sp.event.latency_ms = latency[i];
    q.Add(sp);
  }
  simdjson::dom::parser parser;
  const std::string json = q.SummaryJson();
  simdjson::dom::element doc = parser.parse(json);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/mae"), 0.625);
  EXPECT_DOUBLE_EQ(Get(doc, "/quality/r2"), 0.55);
  EXPECT_DOUBLE_EQ(Get(doc, "/latency_ms/p50"), 9.0);
  EXPECT_NEAR(Get(doc, "/latency_ms/p95"), 82.19999999999999, 1e-9);
  EXPECT_NEAR(Get(doc, "/latency_ms/p99"), 96.44, 1e-9);
}

TEST(WindowQualityTest, EmptyWindowHasNullQualityAndAWarning) {
  WindowQuality q({Task::kBinary, "1", {}});
  simdjson::dom::parser parser;
  const std::string json = q.SummaryJson();
  simdjson::dom::element doc = parser.parse(json);
  EXPECT_TRUE(doc.at_pointer("/quality").is_null());
  EXPECT_TRUE(doc.at_pointer("/label_coverage").is_null());
  std::string_view warning;
  ASSERT_EQ(doc.at_pointer("/warnings/0").get(warning), simdjson::SUCCESS);
  EXPECT_NE(warning.find("no labelled predictions"), std::string_view::npos);
}

}  // namespace
}  // namespace modelwatch::monitor

namespace modelwatch::monitor {
namespace {

// Drift against a reference profile: a shifted feature drifts, an unchanged one does not, and a
// column without values in the window is listed as not tested.
TEST(WindowQualityTest, DriftAgainstAReferenceProfile) {
  auto reference = std::make_shared<DatasetProfile>(
      *DatasetProfile::Create({"x", "c", "absent", std::string(kPredictionColumn)}, {}));
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int i = 0; i < 500; ++i) {
    const std::vector<ClassifiedValue> row = {
        ClassifiedEventValue(EventValue::Number(normal(rng))),
        ClassifiedEventValue(EventValue::String(i % 2 ? "a" : "b")),
        ClassifiedEventValue(EventValue::Number(1)),
        ClassifiedEventValue(EventValue::Number(i % 2))};
    reference->UpdateClassifiedRow(row);
  }
  WindowDriftSpec spec;
  spec.reference = reference;
  WindowQuality q({Task::kBinary, "1", {}}, spec);
  for (int i = 0; i < 300; ++i) {
    store::StoredPrediction p = Prediction(EventValue(), EventValue::Number(i % 2));
    p.event.features = {{"x", EventValue::Number(normal(rng) + 2.0)},
                        {"c", EventValue::String(i % 2 ? "a" : "b")}};
    q.Add(p);
  }
  simdjson::dom::parser parser;
  const std::string json = q.SummaryJson();
  simdjson::dom::element doc = parser.parse(json);
  bool drift = false;
  ASSERT_EQ(doc.at_pointer("/drift/features/x/drift").get(drift), simdjson::SUCCESS) << json;
  EXPECT_TRUE(drift);
  std::string_view method;
  ASSERT_EQ(doc.at_pointer("/drift/features/x/method").get(method), simdjson::SUCCESS);
  EXPECT_EQ(method, "ks");  // numeric, reference of at most 1000 values
  ASSERT_EQ(doc.at_pointer("/drift/features/c/drift").get(drift), simdjson::SUCCESS);
  EXPECT_FALSE(drift);
  ASSERT_EQ(doc.at_pointer("/drift/prediction/drift").get(drift), simdjson::SUCCESS);
  EXPECT_FALSE(drift);
  std::string_view untested;
  ASSERT_EQ(doc.at_pointer("/drift/not_tested/0").get(untested), simdjson::SUCCESS);
  EXPECT_EQ(untested, "absent");
  EXPECT_EQ(Get(doc, "/drift/reference_rows"), 500);
}

TEST(WindowQualityTest, NoReferenceMeansNullDriftWithTheReason) {
  WindowDriftSpec spec;
  spec.note = "drift: waiting for the reference";
  WindowQuality q({Task::kBinary, "1", {}}, spec);
  simdjson::dom::parser parser;
  const std::string json = q.SummaryJson();
  simdjson::dom::element doc = parser.parse(json);
  EXPECT_TRUE(doc.at_pointer("/drift").is_null());
  EXPECT_NE(json.find("drift: waiting for the reference"), std::string::npos);
}

}  // namespace
}  // namespace modelwatch::monitor
