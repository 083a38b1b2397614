// Microbenchmarks of the sketches' hot paths (Google Benchmark): Update per item, Merge,
// Serialize/Deserialize. Inputs are generated once with fixed seeds outside the timed loops.
// Throughput is reported as items/s.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "modelwatch/core/category_counts.h"
#include "modelwatch/core/frequent_items.h"
#include "modelwatch/core/hyperloglog.h"
#include "modelwatch/core/kll_sketch.h"

namespace modelwatch {
namespace {

constexpr size_t kRows = size_t{1} << 20;

const std::vector<double>& Normals() {
  static const std::vector<double> values = [] {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> d;
    std::vector<double> v(kRows);
    for (double& x : v) x = d(rng);
    return v;
  }();
  return values;
}

// Categories with a skewed (roughly Zipf-like) distribution over `distinct` values.
const std::vector<std::string>& Categories(int distinct) {
  static std::vector<std::string> cache[2];
  std::vector<std::string>& v = cache[distinct > 1000 ? 1 : 0];
  if (v.empty()) {
    std::mt19937_64 rng(7);
    std::exponential_distribution<double> d(8.0 / distinct);
    v.reserve(kRows);
    for (size_t i = 0; i < kRows; ++i) {
      v.push_back("value_" + std::to_string(static_cast<int>(d(rng)) % distinct));
    }
  }
  return v;
}

void BM_KllUpdate(benchmark::State& state) {
  const auto& values = Normals();
  for (auto _ : state) {
    KllSketch s = *KllSketch::Create(static_cast<int>(state.range(0)));
    for (double x : values) s.Update(x);
    benchmark::DoNotOptimize(s.n());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values.size()));
}
BENCHMARK(BM_KllUpdate)->Arg(200)->Arg(KllSketch::kDefaultProfileK);

void BM_KllSerializeRoundTrip(benchmark::State& state) {
  KllSketch s;
  for (double x : Normals()) s.Update(x);
  for (auto _ : state) {
    auto back = KllSketch::Deserialize(s.Serialize());
    benchmark::DoNotOptimize(back.ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.num_retained()));
}
BENCHMARK(BM_KllSerializeRoundTrip);

void BM_KllKsDistance(benchmark::State& state) {
  KllSketch a;
  KllSketch b;
  const auto& values = Normals();
  for (size_t i = 0; i < values.size(); ++i) (i % 2 == 0 ? a : b).Update(values[i]);
  for (auto _ : state) benchmark::DoNotOptimize(KolmogorovSmirnovDistance(a, b).statistic);
}
BENCHMARK(BM_KllKsDistance);

void BM_HllUpdateString(benchmark::State& state) {
  const auto& values = Categories(100000);
  for (auto _ : state) {
    HyperLogLog h;
    for (const std::string& v : values) h.Update(v);
    benchmark::DoNotOptimize(h.registers().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values.size()));
}
BENCHMARK(BM_HllUpdateString);

void BM_HllUpdateDouble(benchmark::State& state) {
  const auto& values = Normals();
  for (auto _ : state) {
    HyperLogLog h;
    for (double v : values) h.Update(v);
    benchmark::DoNotOptimize(h.registers().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values.size()));
}
BENCHMARK(BM_HllUpdateDouble);

void BM_HllEstimate(benchmark::State& state) {
  HyperLogLog h;
  for (double v : Normals()) h.Update(v);
  for (auto _ : state) benchmark::DoNotOptimize(h.Estimate());
}
BENCHMARK(BM_HllEstimate);

void BM_FrequentItemsUpdate(benchmark::State& state) {
  const auto& values = Categories(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    FrequentItems f;
    for (const std::string& v : values) f.Update(v);
    benchmark::DoNotOptimize(f.n());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values.size()));
}
BENCHMARK(BM_FrequentItemsUpdate)->Arg(100)->Arg(100000);

void BM_CategoryCountsUpdate(benchmark::State& state) {
  const auto& values = Categories(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    CategoryCounts c;
    for (const std::string& v : values) c.Update(v);
    benchmark::DoNotOptimize(c.total());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values.size()));
}
BENCHMARK(BM_CategoryCountsUpdate)->Arg(100)->Arg(100000);

}  // namespace
}  // namespace modelwatch

BENCHMARK_MAIN();
