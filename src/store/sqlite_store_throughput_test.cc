// Measures (and prints; asserts nothing about time) how many predictions per second
// AppendPredictions sustains on a database file with 1000-event batches of events with 10
// numeric features, for synchronous FULL and NORMAL, and how many labels per second
// AppendLabels then joins to them. The numbers in docs/storage.md come from here.
//
// Environment: MW_STORE_BENCH_EVENTS, events per mode (default 20000, quick enough for every
// test run; docs/storage.md uses 100000 and 500000); MW_STORE_BENCH_DIR, where to put the
// database (default: the system temp directory, which should be on the disk under test, not a
// tmpfs).
#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "modelwatch/store/store.h"
#include "store_test_util.h"

namespace modelwatch::store {
namespace {

constexpr size_t kBatchSize = 1000;

// A batch of events with 10 numeric features, ids and event times from `first` on.
void FillBatch(size_t first, std::vector<PredictionEvent>& batch) {
  batch.resize(kBatchSize);
  for (size_t i = 0; i < kBatchSize; ++i) {
    const size_t n = first + i;
    PredictionEvent& e = batch[i];
    e.model = "fraud";
    e.version = "v7";
    e.id = "req-" + std::to_string(n);
    e.ts_us = 1'700'000'000'000'000 + static_cast<int64_t>(n) * 1000;
    e.features.resize(10);
    for (int f = 0; f < 10; ++f) {
      e.features[f].name = "f" + std::to_string(f);
      e.features[f].value = EventValue::Number(double(n % 997) * (f + 1) / 7.0);
    }
    e.prediction = EventValue::Number(double(n % 2));
    e.score = double(n % 1000) / 1000.0;
    e.latency_ms = 3.5;
  }
}

size_t EventsPerMode() {
  const char* env = std::getenv("MW_STORE_BENCH_EVENTS");
  const size_t n = env != nullptr ? std::strtoull(env, nullptr, 10) : 20'000;
  return std::max<size_t>(kBatchSize, n / kBatchSize * kBatchSize);
}

// CPU time of the calling thread (SQLite works on the caller's thread): unlike wall time, not
// inflated when other processes compete for the cores.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Wall and thread-CPU time of a phase.
class Timer {
 public:
  Timer() : wall_start_(std::chrono::steady_clock::now()), cpu_start_(ThreadCpuSeconds()) {}
  // Prints "<what>: wall ... = N/s; CPU ... = N per CPU-second".
  void Report(const char* sync, const char* what, size_t count) const {
    const double cpu = ThreadCpuSeconds() - cpu_start_;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
    std::printf(
        "[ throughput ] synchronous=%-6s %zu %s in batches of %zu: wall %.3f s = %.0f/s "
        "(%.2f ms per batch); CPU %.3f s = %.0f per CPU-second\n",
        sync, count, what, kBatchSize, wall, double(count) / wall,
        1000.0 * wall * double(kBatchSize) / double(count), cpu, double(count) / cpu);
  }

 private:
  std::chrono::steady_clock::time_point wall_start_;
  double cpu_start_;
};

void Measure(const char* name, SqliteOptions::Sync sync) {
  testing::TempDir tmp;
  const char* dir_env = std::getenv("MW_STORE_BENCH_DIR");
  const std::string path = dir_env != nullptr
                               ? (std::filesystem::path(dir_env) / "mw_store_bench.db").string()
                               : tmp.File("bench.db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto store = OpenSqliteStore({path, sync});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const size_t total = EventsPerMode();
  std::vector<PredictionEvent> batch;
  FillBatch(0, batch);

  // Both clocks include refilling the batch (new ids and times): a few percent of the total.
  const Timer predictions;
  for (size_t first = 0; first < total; first += kBatchSize) {
    FillBatch(first, batch);
    auto r = (*store)->AppendPredictions(batch, 1);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->inserted, kBatchSize);
  }
  predictions.Report(name, "predictions", total);

  // Then a label for every prediction: first for the first half in the order the predictions
  // came (labels usually do: a fixed delay later), then for the second half in a random order
  // (the worst case: every label rewrites a different page).
  const size_t half = total / 2 / kBatchSize * kBatchSize;
  std::vector<LabelEvent> labels(kBatchSize);
  const auto append_labels = [&](size_t begin, size_t end, bool shuffled) {
    for (size_t first = begin; first < end; first += kBatchSize) {
      for (size_t i = 0; i < kBatchSize; ++i) {
        // A permutation of [begin, end): 7919 is a prime, coprime with end - begin.
        const size_t n = shuffled ? begin + (first - begin + i) * 7919 % (end - begin) : first + i;
        labels[i] = {"fraud", "req-" + std::to_string(n), EventValue::Number(double(n % 2)), 0};
      }
      auto r = (*store)->AppendLabels(labels, 2);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_EQ(r->joined.size(), kBatchSize);
    }
  };
  const Timer in_order;
  append_labels(0, half, false);
  in_order.Report(name, "labels joined in prediction order", half);
  const Timer shuffled;
  append_labels(half, total, true);
  shuffled.Report(name, "labels joined in random order", total - half);
  std::printf("[ throughput ] database file %.1f MiB\n",
              double(std::filesystem::file_size(path)) / (1 << 20));
  store->reset();
  if (dir_env != nullptr) std::filesystem::remove(path);
}

TEST(SqliteStoreThroughputTest, AppendPredictionsSyncFull) {
  Measure("FULL", SqliteOptions::Sync::kFull);
}

TEST(SqliteStoreThroughputTest, AppendPredictionsSyncNormal) {
  Measure("NORMAL", SqliteOptions::Sync::kNormal);
}

}  // namespace
}  // namespace modelwatch::store
