// WindowState against the exact reference (WindowQuality over the same final rows): counts and
// confusion-derived metrics exactly, ROC AUC / average precision within the histogram bound,
// quantiles exactly while the sketch is exact and within KLL's rank bound beyond, label revisions,
// serialization, merging.
#include "modelwatch/monitor/window_state.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "modelwatch/core/byte_codec.h"

namespace modelwatch::monitor {
namespace {

double Get(simdjson::dom::element doc, const std::string& pointer) {
  double v = std::nan("");
  EXPECT_EQ(doc.at_pointer(pointer).get(v), simdjson::SUCCESS) << pointer;
  return v;
}

bool IsNull(simdjson::dom::element doc, const std::string& pointer) {
  simdjson::dom::element e;
  return doc.at_pointer(pointer).get(e) == simdjson::SUCCESS && e.is_null();
}

// One prediction as the store reports it over time: its first form and its later labels.
struct History {
  store::StoredPrediction first;
  std::vector<store::StoredPrediction> revisions;  // each with the new label
  const store::StoredPrediction& last() const {
    return revisions.empty() ? first : revisions.back();
  }
};

EventValue ClassValue(std::mt19937_64& rng, Task task, int classes) {
  const int c = static_cast<int>(rng() % classes);
  if (task == Task::kMulticlass) {
    static const char* kNames[] = {"cat", "dog", "fox", "owl"};
    return EventValue::String(kNames[c]);
  }
  // Binary labels as numbers or numeric strings: class identity is by value.
  return rng() % 2 ? EventValue::Number(c) : EventValue::String(c == 0 ? "0" : "1.0");
}

std::vector<History> RandomStream(Task task, size_t n, uint64_t seed, bool revisions) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::lognormal_distribution<double> latency(2.0, 0.7);
  const int classes = task == Task::kMulticlass ? 4 : 2;
  std::vector<History> out(n);
  for (size_t i = 0; i < n; ++i) {
    store::StoredPrediction& p = out[i].first;
    p.event.model = "m";
    p.event.id = "p" + std::to_string(i);
    p.received_us = 1'000'000 + static_cast<int64_t>(i) * 1000;
    if (rng() % 10 != 0) p.event.latency_ms = latency(rng);
    const double truth_signal = unit(rng);
    if (task == Task::kRegression) {
      p.event.prediction = EventValue::Number(std::round(truth_signal * 1000) / 10);
    } else if (rng() % 25 != 0) {
      p.event.prediction = ClassValue(rng, task, classes);
    }
    if (task == Task::kBinary && rng() % 20 != 0) {
      p.event.score = std::round(unit(rng) * 1e6) / 1e6;
    }
    if (task == Task::kMulticlass) {
      double w[4], sum = 0;
      for (double& x : w) sum += (x = unit(rng) + 0.01);
      p.event.scores = {
          {"owl", w[3] / sum}, {"cat", w[0] / sum}, {"dog", w[1] / sum}, {"fox", w[2] / sum}};
    }
    auto label = [&] {
      return task == Task::kRegression
                 ? EventValue::Number(std::round((truth_signal + unit(rng) * 0.2) * 1000) / 10)
                 : ClassValue(rng, task, classes);
    };
    if (rng() % 3 == 0) {  // labelled on arrival
      p.event.label = label();
      p.label_received_us = p.received_us;
    }
    const int later = revisions ? static_cast<int>(rng() % 4) : (p.event.label.is_null() ? 1 : 0);
    for (int r = 0; r < later && rng() % 4 != 0; ++r) {
      store::StoredPrediction next = out[i].last();
      next.event.label = label();
      next.label_received_us = p.received_us + 1'000'000 * static_cast<int64_t>(1 + rng() % 600);
      out[i].revisions.push_back(std::move(next));
    }
  }
  return out;
}

WindowState Incremental(const QualitySpec& spec, const std::vector<History>& stream) {
  WindowState state(spec);
  for (const History& h : stream) state.AddPrediction(h.first);
  // Revisions arrive after every prediction (the usual order: labels come later).
  for (const History& h : stream) {
    const store::StoredPrediction* before = &h.first;
    for (const store::StoredPrediction& r : h.revisions) {
      state.ReviseLabel(r, {before->event.label, before->label_received_us});
      before = &r;
    }
  }
  return state;
}

std::string Exact(const QualitySpec& spec, const std::vector<History>& stream) {
  WindowQuality q(spec);
  for (const History& h : stream) q.Add(h.last());
  return q.SummaryJson();
}

// The value at normalized rank q of the exact data: the quantile must have a rank within `eps`.
void ExpectRankWithin(std::vector<double> values, double estimate, double q, double eps,
                      const std::string& what) {
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  const double below =
      static_cast<double>(std::lower_bound(values.begin(), values.end(), estimate) -
                          values.begin()) /
      n;
  const double at_or_below =
      static_cast<double>(std::upper_bound(values.begin(), values.end(), estimate) -
                          values.begin()) /
      n;
  EXPECT_LE(below, q + eps) << what;
  EXPECT_GE(at_or_below, q - eps) << what;
}

void ExpectSameCounts(simdjson::dom::element inc, simdjson::dom::element exact) {
  for (const char* p : {"/predictions", "/labelled", "/labelled_without_prediction",
                        "/label_lag_seconds/count", "/latency_ms/count"}) {
    EXPECT_EQ(Get(inc, p), Get(exact, p)) << p;
  }
  EXPECT_NEAR(Get(inc, "/latency_ms/sum"), Get(exact, "/latency_ms/sum"),
              1e-9 * std::abs(Get(exact, "/latency_ms/sum")));
  EXPECT_NEAR(Get(inc, "/label_lag_seconds/sum"), Get(exact, "/label_lag_seconds/sum"), 1e-6);
}

void ExpectSameClassification(simdjson::dom::element inc, simdjson::dom::element exact,
                              bool binary) {
  std::vector<std::string> pointers = {"/quality/n", "/quality/accuracy",
                                       "/quality/balanced_accuracy", "/quality/mcc",
                                       "/quality/cohen_kappa"};
  for (const char* m : {"precision", "recall", "f1"}) {
    for (const char* a : {"micro", "macro", "weighted"}) {
      pointers.push_back(std::string("/quality/") + m + "/" + a);
    }
    if (binary) pointers.push_back(std::string("/quality/") + m + "/binary");
  }
  for (const std::string& p : pointers) EXPECT_EQ(Get(inc, p), Get(exact, p)) << p;
  simdjson::dom::array a, b;
  ASSERT_EQ(inc.at_pointer("/quality/labels").get(a), simdjson::SUCCESS);
  ASSERT_EQ(exact.at_pointer("/quality/labels").get(b), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::to_string(a), simdjson::to_string(b));
}

// Ranking estimates within their reported bound; the running sums to rounding.
void ExpectScoresWithinBounds(simdjson::dom::element inc, simdjson::dom::element exact,
                              const std::vector<std::string>& ranked) {
  EXPECT_EQ(Get(inc, "/quality/scores/n"), Get(exact, "/quality/scores/n"));
  for (const std::string& m : ranked) {
    const double bound = Get(inc, "/quality/scores/" + m + "_error_bound");
    EXPECT_LE(bound, 0.01) << m;  // 10,000 bins and spread-out scores: a tight bound
    EXPECT_LE(std::abs(Get(inc, "/quality/scores/" + m) - Get(exact, "/quality/scores/" + m)),
              bound + 1e-12)
        << m;
    EXPECT_EQ(Get(exact, "/quality/scores/" + m + "_error_bound"), 0.0);
  }
  for (const char* m : {"log_loss", "brier", "ece"}) {
    EXPECT_NEAR(Get(inc, std::string("/quality/scores/") + m),
                Get(exact, std::string("/quality/scores/") + m), 1e-9)
        << m;
  }
}

class WindowStateRandomTest : public ::testing::TestWithParam<std::tuple<size_t, bool>> {};

TEST_P(WindowStateRandomTest, BinaryMatchesTheExactScan) {
  const auto [n, revisions] = GetParam();
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const QualitySpec spec{Task::kBinary, "1", {}};
    const std::vector<History> stream = RandomStream(Task::kBinary, n, seed, revisions);
    const std::string inc_json = Incremental(spec, stream).SummaryJson({});
    const std::string exact_json = Exact(spec, stream);
    simdjson::dom::parser p1, p2;
    simdjson::dom::element inc = p1.parse(inc_json), exact = p2.parse(exact_json);
    SCOPED_TRACE(inc_json + "\n" + exact_json);
    ExpectSameCounts(inc, exact);
    ExpectSameClassification(inc, exact, /*binary=*/true);
    ExpectScoresWithinBounds(inc, exact, {"roc_auc", "average_precision"});
    // Latency never depends on labels: exact while the sketch holds every value, else within
    // its rank bound.
    std::vector<double> latencies;
    for (const History& h : stream) {
      if (h.first.event.latency_ms) latencies.push_back(*h.first.event.latency_ms);
    }
    const double eps = Get(inc, "/latency_ms/rank_error");
    for (const auto& [name, q] : {std::pair{"p50", 0.5}, {"p95", 0.95}, {"p99", 0.99}}) {
      const std::string pointer = std::string("/latency_ms/") + name;
      if (latencies.size() <= static_cast<size_t>(WindowState::kQuantileK)) {
        EXPECT_EQ(eps, 0.0);
        EXPECT_NEAR(Get(inc, pointer), Get(exact, pointer), 1e-12) << pointer;
      } else {
        EXPECT_GT(eps, 0.0);
        ExpectRankWithin(latencies, Get(inc, pointer), q, eps, pointer);
      }
    }
    if (!revisions && n <= static_cast<size_t>(WindowState::kQuantileK)) {
      EXPECT_NEAR(Get(inc, "/label_lag_seconds/p50"), Get(exact, "/label_lag_seconds/p50"), 1e-9);
    }
  }
}

TEST_P(WindowStateRandomTest, MulticlassMatchesTheExactScan) {
  const auto [n, revisions] = GetParam();
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const QualitySpec spec{Task::kMulticlass, "", {}};
    const std::vector<History> stream = RandomStream(Task::kMulticlass, n, seed, revisions);
    const std::string inc_json = Incremental(spec, stream).SummaryJson({});
    const std::string exact_json = Exact(spec, stream);
    simdjson::dom::parser p1, p2;
    simdjson::dom::element inc = p1.parse(inc_json), exact = p2.parse(exact_json);
    SCOPED_TRACE(inc_json + "\n" + exact_json);
    ExpectSameCounts(inc, exact);
    ExpectSameClassification(inc, exact, /*binary=*/false);
    ExpectScoresWithinBounds(inc, exact,
                             {"roc_auc_macro", "roc_auc_weighted", "average_precision_macro"});
  }
}

TEST_P(WindowStateRandomTest, RegressionMatchesTheExactScan) {
  const auto [n, revisions] = GetParam();
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const QualitySpec spec{Task::kRegression, "", {}};
    const std::vector<History> stream = RandomStream(Task::kRegression, n, seed, revisions);
    const std::string inc_json = Incremental(spec, stream).SummaryJson({});
    const std::string exact_json = Exact(spec, stream);
    simdjson::dom::parser p1, p2;
    simdjson::dom::element inc = p1.parse(inc_json), exact = p2.parse(exact_json);
    SCOPED_TRACE(inc_json + "\n" + exact_json);
    ExpectSameCounts(inc, exact);
    EXPECT_EQ(Get(inc, "/quality/n"), Get(exact, "/quality/n"));
    for (const char* m : {"mae", "mse", "rmse", "mape", "r2", "explained_variance"}) {
      const double want = Get(exact, std::string("/quality/") + m);
      EXPECT_NEAR(Get(inc, std::string("/quality/") + m), want, 1e-9 * (1 + std::abs(want))) << m;
    }
    if (revisions) continue;  // a revised label's error stays in the sketch and in max_error
    EXPECT_EQ(Get(inc, "/quality/max_error"), Get(exact, "/quality/max_error"));
    std::vector<double> errors;
    for (const History& h : stream) {
      const store::StoredPrediction& p = h.last();
      if (!p.event.label.is_null())
        errors.push_back(std::abs(p.event.label.number - p.event.prediction.number));
    }
    const double median = Get(inc, "/quality/median_absolute_error");
    if (errors.size() <= static_cast<size_t>(WindowState::kQuantileK)) {
      EXPECT_NEAR(median, Get(exact, "/quality/median_absolute_error"), 1e-12);
    } else {
      ExpectRankWithin(errors, median, 0.5, Get(inc, "/quality/median_absolute_error_rank_error"),
                       "median_absolute_error");
    }
  }
}

// 150 rows: every sketch exact; 3000 rows: sketches estimate. With and without revisions.
INSTANTIATE_TEST_SUITE_P(Streams, WindowStateRandomTest,
                         ::testing::Combine(::testing::Values(size_t{150}, size_t{3000}),
                                            ::testing::Bool()));

store::StoredPrediction Labelled(const char* id, double prediction, EventValue label,
                                 double score) {
  store::StoredPrediction p;
  p.event.model = "m";
  p.event.id = id;
  p.event.prediction = EventValue::Number(prediction);
  p.event.score = score;
  p.event.label = std::move(label);
  p.received_us = 1'000'000;
  p.label_received_us = p.event.label.is_null() ? 0 : 61'000'000;
  return p;
}

TEST(WindowStateTest, ARevisedLabelReplacesThePreviousOne) {
  const QualitySpec spec{Task::kBinary, "1", {}};
  WindowState revised(spec);
  revised.AddPrediction(Labelled("a", 1, EventValue::Number(0), 0.9));
  revised.AddPrediction(Labelled("b", 0, EventValue(), 0.2));
  // a: 0 -> 1 (now right); b: none -> "2" -> 0 (the class "2" must disappear).
  store::StoredPrediction a = Labelled("a", 1, EventValue::Number(1), 0.9);
  revised.ReviseLabel(a, {EventValue::Number(0), 61'000'000});
  store::StoredPrediction b = Labelled("b", 0, EventValue::String("2"), 0.2);
  revised.ReviseLabel(b, {EventValue(), 0});
  store::StoredPrediction b2 = Labelled("b", 0, EventValue::Number(0), 0.2);
  revised.ReviseLabel(b2, {EventValue::String("2"), 61'000'000});
  WindowState direct(spec);
  direct.AddPrediction(a);
  direct.AddPrediction(b2);
  EXPECT_EQ(revised.labelled(), 2u);
  simdjson::dom::parser p1, p2;
  const std::string revised_json = revised.SummaryJson({});
  const std::string direct_json = direct.SummaryJson({});
  simdjson::dom::element r = p1.parse(revised_json), d = p2.parse(direct_json);
  EXPECT_EQ(Get(r, "/quality/accuracy"), 1.0) << revised_json;
  EXPECT_EQ(Get(r, "/quality/n"), 2);
  simdjson::dom::element rq, dq;
  ASSERT_EQ(r.at_pointer("/quality").get(rq), simdjson::SUCCESS);
  ASSERT_EQ(d.at_pointer("/quality").get(dq), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::to_string(rq), simdjson::to_string(dq));
  EXPECT_EQ(Get(r, "/label_lag_seconds/count"), 2);
  EXPECT_EQ(Get(r, "/label_lag_seconds/sum"), 120);
}

TEST(WindowStateTest, EmptyStateSummaryHasNullQualityAndQuantiles) {
  WindowState s({Task::kBinary, "1", {}});
  simdjson::dom::parser parser;
  const std::string json = s.SummaryJson({});
  simdjson::dom::element doc = parser.parse(json);
  EXPECT_TRUE(IsNull(doc, "/quality"));
  EXPECT_TRUE(IsNull(doc, "/label_coverage"));
  EXPECT_TRUE(IsNull(doc, "/latency_ms/p50"));
  EXPECT_TRUE(IsNull(doc, "/drift"));
  EXPECT_NE(json.find("no labelled predictions"), std::string::npos);
}

TEST(WindowStateTest, SerializeRoundTripsAndRejectsBadBytes) {
  for (Task task : {Task::kBinary, Task::kMulticlass, Task::kRegression}) {
    const QualitySpec spec{task, task == Task::kBinary ? "1" : "", {}};
    WindowState state = Incremental(spec, RandomStream(task, 400, 7, true));
    auto reference = std::make_shared<DatasetProfile>(*DatasetProfile::Create(
        {"f", std::string(kPredictionColumn), std::string(kLabelColumn)}, {}));
    state.StartDrift(*reference);
    store::StoredPrediction p = Labelled("x", 1, EventValue::Number(1), 0.5);
    p.event.features = {{"f", EventValue::Number(3)}};
    if (task == Task::kMulticlass) p.event.score.reset();
    state.AddPrediction(p);
    const std::string bytes = state.Serialize();
    Result<WindowState> back = WindowState::Deserialize(bytes, spec);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->Serialize(), bytes);
    WindowDriftSpec drift;
    drift.reference = reference;
    EXPECT_EQ(back->SummaryJson(drift), state.SummaryJson(drift));
    // Every truncation is refused, as are other families and another task.
    for (size_t cut = 0; cut < bytes.size(); cut += 1 + bytes.size() / 97) {
      Result<WindowState> truncated = WindowState::Deserialize(bytes.substr(0, cut), spec);
      ASSERT_FALSE(truncated.ok()) << cut;
      EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss);
    }
    std::string flipped = bytes;
    flipped[flipped.size() / 2] ^= 0x20;
    EXPECT_EQ(WindowState::Deserialize(flipped, spec).status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(WindowState::Deserialize(KllSketch().Serialize(), spec).status().code(),
              StatusCode::kDataLoss);
    const QualitySpec other{task == Task::kRegression ? Task::kBinary : Task::kRegression, "1", {}};
    Result<WindowState> foreign = WindowState::Deserialize(bytes, other);
    ASSERT_FALSE(foreign.ok());
    EXPECT_EQ(foreign.status().code(), StatusCode::kDataLoss);
  }
}

TEST(WindowStateTest, MergedPartsEqualTheWhole) {
  const QualitySpec spec{Task::kBinary, "1", {}};
  const std::vector<History> stream = RandomStream(Task::kBinary, 500, 11, false);
  const std::vector<History> first(stream.begin(), stream.begin() + 200);
  const std::vector<History> second(stream.begin() + 200, stream.end());
  WindowState merged = Incremental(spec, first);
  ASSERT_TRUE(merged.Merge(Incremental(spec, second)).ok());
  const WindowState whole = Incremental(spec, stream);
  simdjson::dom::parser p1, p2;
  const std::string merged_json = merged.SummaryJson({});
  const std::string whole_json = whole.SummaryJson({});
  simdjson::dom::element m = p1.parse(merged_json), w = p2.parse(whole_json);
  ExpectSameCounts(m, w);
  ExpectSameClassification(m, w, /*binary=*/true);
  for (const char* s : {"roc_auc", "average_precision", "roc_auc_error_bound"}) {
    EXPECT_EQ(Get(m, std::string("/quality/scores/") + s),
              Get(w, std::string("/quality/scores/") + s));
  }
  EXPECT_FALSE(merged.Merge(WindowState({Task::kRegression, "", {}})).ok());
}

TEST(WindowStateTest, DriftProfileTracksFeaturesAndLabelsSeparately) {
  auto reference = std::make_shared<DatasetProfile>(*DatasetProfile::Create(
      {"x", std::string(kPredictionColumn), std::string(kLabelColumn)}, {}));
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int i = 0; i < 400; ++i) {
    const std::vector<ClassifiedValue> row = {ClassifiedEventValue(EventValue::Number(normal(rng))),
                                              ClassifiedEventValue(EventValue::Number(i % 2)),
                                              ClassifiedEventValue(EventValue::Number(i % 2))};
    reference->UpdateClassifiedRow(row);
  }
  WindowDriftSpec spec;
  spec.reference = reference;
  WindowState state({Task::kBinary, "1", {}});
  state.StartDrift(*reference);
  EXPECT_TRUE(state.HasDriftFor(*reference));
  WindowQuality exact({Task::kBinary, "1", {}}, spec);
  for (int i = 0; i < 300; ++i) {
    store::StoredPrediction p = Labelled("p", i % 2, EventValue(), 0.5);
    p.event.features = {{"x", EventValue::Number(normal(rng) + 2.0)}};
    state.AddPrediction(p);
    p.event.label = EventValue::Number(i % 2);  // labelled later
    p.label_received_us = 2'000'000;
    state.ReviseLabel(p, {EventValue(), 0});
    exact.Add(p);
  }
  simdjson::dom::parser p1, p2;
  const std::string inc_json = state.SummaryJson(spec);
  const std::string exact_json = exact.SummaryJson();
  simdjson::dom::element inc = p1.parse(inc_json), ex = p2.parse(exact_json);
  // Same profiles (the label column fed as labels joined): the same drift report.
  simdjson::dom::element a, b;
  ASSERT_EQ(inc.at_pointer("/drift").get(a), simdjson::SUCCESS);
  ASSERT_EQ(ex.at_pointer("/drift").get(b), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::to_string(a), simdjson::to_string(b));
  bool drift = false;
  ASSERT_EQ(inc.at_pointer("/drift/features/x/drift").get(drift), simdjson::SUCCESS);
  EXPECT_TRUE(drift);
  EXPECT_EQ(Get(inc, "/drift/label/n_current"), 300);
}

}  // namespace
}  // namespace modelwatch::monitor
