// Microbenchmarks of the metrics engine's hot paths (Google Benchmark).
//
// Inputs are generated once per process with fixed seeds, outside the timed loops, and shared
// between benchmarks. Throughput is reported as items/s (rows, or labels for the interner).
// Run by bench/run.sh as
//   mw_core_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//                 --benchmark_out=bench/results/core.json --benchmark_out_format=json
// Target: ConfusionMatrix::Update at >= 200M rows/s on one core.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelwatch/core/confusion_matrix.h"
#include "modelwatch/core/label_interner.h"
#include "modelwatch/core/regression_metrics.h"
#include "modelwatch/core/score_metrics.h"

namespace modelwatch {
namespace {

constexpr size_t kPairRows = size_t{1} << 20;  // 8 MiB of pairs: beyond L2, like a real stream
constexpr size_t kMaxScoreRows = 10'000'000;

struct IdPair {
  uint32_t truth;
  uint32_t pred;
};

// (truth, pred) ids for `classes` classes: truth uniform, pred = truth for 80% of rows
// (an accurate classifier), otherwise uniform. Deterministic.
const std::vector<IdPair>& IdPairs(uint32_t classes) {
  static std::vector<IdPair> cache[64];
  std::vector<IdPair>& pairs = cache[classes];
  if (pairs.empty()) {
    std::mt19937_64 rng(42 + classes);
    std::uniform_int_distribution<uint32_t> cls(0, classes - 1);
    std::bernoulli_distribution correct(0.8);
    pairs.resize(kPairRows);
    for (IdPair& p : pairs) {
      p.truth = cls(rng);
      p.pred = correct(rng) ? p.truth : cls(rng);
    }
  }
  return pairs;
}

// Binary rows like bench/gen_metrics_data.py: ~30% positives, score = sigmoid of a noisy logit.
struct BinaryRows {
  std::vector<uint8_t> positive;
  std::vector<double> score;
};

const BinaryRows& BinaryData() {
  static const BinaryRows rows = [] {
    BinaryRows r;
    r.positive.resize(kMaxScoreRows);
    r.score.resize(kMaxScoreRows);
    std::mt19937_64 rng(7);
    std::bernoulli_distribution is_positive(0.3);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (size_t i = 0; i < kMaxScoreRows; ++i) {
      const bool pos = is_positive(rng);
      const double logit = (pos ? 1.3 : -1.4) + noise(rng);
      // Rounded to 6 decimals, as read from a CSV: realistic ties for the exact-mode sort.
      r.positive[i] = pos;
      r.score[i] = std::round(1e6 / (1.0 + std::exp(-logit / 0.9))) / 1e6;
    }
    return r;
  }();
  return rows;
}

void BM_ConfusionMatrixUpdate(benchmark::State& state) {
  const uint32_t classes = static_cast<uint32_t>(state.range(0));
  const std::vector<IdPair>& pairs = IdPairs(classes);
  ConfusionMatrix matrix(classes);
  for (auto _ : state) {
    for (const IdPair& p : pairs) matrix.Update(p.truth, p.pred);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(matrix.total());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pairs.size()));
  state.SetLabel(std::to_string(classes) + " classes");
}
BENCHMARK(BM_ConfusionMatrixUpdate)->Arg(2)->Arg(10);

// Short label texts as a CSV reader hands them out: string_views into one buffer.
struct LabelStream {
  std::string buffer;
  std::vector<std::string_view> labels;
};

const LabelStream& Labels(uint32_t distinct) {
  static LabelStream cache[1024];
  LabelStream& s = cache[distinct];
  if (s.labels.empty()) {
    static const char* const kWords[] = {"cat", "dog", "fox", "owl", "eel",
                                         "bee", "yak", "emu", "ant", "bat"};
    std::vector<std::string> texts;
    for (uint32_t i = 0; i < distinct; ++i) {
      texts.push_back(distinct <= 2    ? std::to_string(i)
                      : distinct <= 10 ? std::string(kWords[i])
                                       : "class_" + std::to_string(i));
    }
    std::mt19937_64 rng(11 + distinct);
    std::uniform_int_distribution<uint32_t> pick(0, distinct - 1);
    std::vector<std::pair<size_t, size_t>> spans;
    for (size_t i = 0; i < kPairRows; ++i) {
      const std::string& t = texts[pick(rng)];
      spans.emplace_back(s.buffer.size(), t.size());
      s.buffer += t;
      s.buffer += ',';
    }
    for (auto [offset, size] : spans) s.labels.emplace_back(s.buffer.data() + offset, size);
  }
  return s;
}

void BM_LabelInternerIntern(benchmark::State& state) {
  const uint32_t distinct = static_cast<uint32_t>(state.range(0));
  const LabelStream& stream = Labels(distinct);
  LabelInterner interner;
  uint64_t sum = 0;
  for (auto _ : state) {
    for (std::string_view label : stream.labels) sum += interner.Intern(label);
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * stream.labels.size()));
  state.SetLabel(std::to_string(distinct) + " distinct labels");
}
BENCHMARK(BM_LabelInternerIntern)->Arg(2)->Arg(10)->Arg(100);

// What the CLI does per classification row: intern two label texts, count the pair.
void BM_InternAndCount(benchmark::State& state) {
  const LabelStream& stream = Labels(static_cast<uint32_t>(state.range(0)));
  LabelInterner interner;
  ConfusionMatrix matrix;
  for (auto _ : state) {
    const size_t n = stream.labels.size();
    for (size_t i = 0; i + 1 < n; i += 2) {
      matrix.Update(interner.Intern(stream.labels[i]), interner.Intern(stream.labels[i + 1]));
    }
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(matrix.total());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * (stream.labels.size() / 2)));
}
BENCHMARK(BM_InternAndCount)->Arg(2)->Arg(10);

// Update over `rows` rows, then Finish(): the whole score-metric cost of a file of that size.
void BM_BinaryScoreAccumulator(benchmark::State& state) {
  const ScoreMode mode = state.range(0) == 0 ? ScoreMode::kExact : ScoreMode::kHistogram;
  const size_t rows = static_cast<size_t>(state.range(1));
  const BinaryRows& data = BinaryData();
  size_t memory = 0;
  for (auto _ : state) {
    BinaryScoreAccumulator acc(ScoreOptions{.mode = mode});
    for (size_t i = 0; i < rows; ++i) acc.Update(data.positive[i] != 0, data.score[i]);
    BinaryScoreMetrics m = acc.Finish();
    benchmark::DoNotOptimize(m);
    memory = acc.MemoryBytes();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.counters["memory_MiB"] = static_cast<double>(memory) / (1 << 20);
  state.SetLabel(mode == ScoreMode::kExact ? "exact" : "histogram");
}
BENCHMARK(BM_BinaryScoreAccumulator)
    ->ArgNames({"histogram", "rows"})
    ->ArgsProduct({{0, 1}, {1'000'000, 10'000'000}})
    ->Unit(benchmark::kMillisecond);

// Multiclass rows: 10 classes, softmax probabilities; what the multiclass CSV costs per row.
void BM_MulticlassScoreAccumulator(benchmark::State& state) {
  constexpr uint32_t kClasses = 10;
  const ScoreMode mode = state.range(0) == 0 ? ScoreMode::kExact : ScoreMode::kHistogram;
  const size_t rows = static_cast<size_t>(state.range(1));
  static const std::vector<double> probs = [] {
    std::vector<double> p(size_t{1'000'000} * kClasses);
    std::mt19937_64 rng(13);
    std::normal_distribution<double> noise(0.0, 1.1);
    for (size_t r = 0; r < p.size() / kClasses; ++r) {
      double sum = 0;
      for (uint32_t k = 0; k < kClasses; ++k) sum += p[r * kClasses + k] = std::exp(noise(rng));
      for (uint32_t k = 0; k < kClasses; ++k) p[r * kClasses + k] /= sum;
    }
    return p;
  }();
  std::vector<std::string> names;
  for (uint32_t k = 0; k < kClasses; ++k) names.push_back(std::to_string(k));
  const size_t source_rows = probs.size() / kClasses;
  for (auto _ : state) {
    MulticlassScoreAccumulator acc(names, ScoreOptions{.mode = mode});
    for (size_t i = 0; i < rows; ++i) {
      const size_t r = i % source_rows;
      acc.Update(static_cast<uint32_t>(r % kClasses),
                 std::span<const double>(probs.data() + r * kClasses, kClasses));
    }
    MulticlassScoreMetrics m = acc.Finish();
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.SetLabel(mode == ScoreMode::kExact ? "exact, 10 classes" : "histogram, 10 classes");
}
BENCHMARK(BM_MulticlassScoreAccumulator)
    ->ArgNames({"histogram", "rows"})
    ->ArgsProduct({{0, 1}, {1'000'000}})
    ->Unit(benchmark::kMillisecond);

void BM_RegressionAccumulatorUpdate(benchmark::State& state) {
  const bool keep_errors = state.range(0) != 0;
  static const std::vector<double> values = [] {
    std::vector<double> v(2 * kPairRows);
    std::mt19937_64 rng(17);
    std::normal_distribution<double> truth(50.0, 20.0), error(0.0, 5.0);
    for (size_t i = 0; i < kPairRows; ++i) {
      v[2 * i] = truth(rng);
      v[2 * i + 1] = v[2 * i] + error(rng);
    }
    return v;
  }();
  for (auto _ : state) {
    RegressionAccumulator acc(keep_errors);
    for (size_t i = 0; i < kPairRows; ++i) acc.Update(values[2 * i], values[2 * i + 1]);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPairRows));
  state.SetLabel(keep_errors ? "keeps errors for median_ae" : "--no-median");
}
BENCHMARK(BM_RegressionAccumulatorUpdate)->ArgName("keep_errors")->Arg(1)->Arg(0);

}  // namespace
}  // namespace modelwatch

BENCHMARK_MAIN();
