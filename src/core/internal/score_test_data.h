// Deterministic, portable test data for the score-metric tests (test-only).
//
// Everything derives from std::mt19937_64, whose output the C++ standard fixes, through exact
// arithmetic (integer ops, one IEEE multiplication, division or sqrt, all correctly rounded), so
// the same seed gives bit-identical data on every platform. The expected values in the tests were
// computed by scikit-learn 1.2.1 on these exact datasets (docs/score-metrics.md, "Reference
// values").
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace modelwatch::score_testing {

class TestRng {
 public:
  explicit TestRng(uint64_t seed) : gen_(seed) {}
  // Uniform in [0, 1), a multiple of 2^-53.
  double Uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }
  // Integer in [0, n).
  uint64_t Below(uint64_t n) { return gen_() % n; }

 private:
  std::mt19937_64 gen_;
};

enum class BinaryShape {
  kContinuous,  // positive with probability `positive_rate`; score sqrt(u) if positive else u^2
  kTied,        // scores k/10 (or k*0.1, which differs on some ECE edges), k in 0..10
};

struct BinaryData {
  std::vector<uint8_t> positive;
  std::vector<double> score;
};

inline BinaryData MakeBinaryData(uint64_t seed, size_t n, BinaryShape shape,
                                 double positive_rate = 0.3) {
  TestRng rng(seed);
  BinaryData d;
  for (size_t i = 0; i < n; ++i) {
    const bool positive = rng.Uniform() < positive_rate;
    const double u = rng.Uniform();
    double score = positive ? std::sqrt(u) : u * u;
    if (shape == BinaryShape::kTied) {
      const uint64_t k = static_cast<uint64_t>(score * 11.0);  // 0..10
      score = rng.Below(2) == 0 ? static_cast<double>(k) / 10.0 : static_cast<double>(k) * 0.1;
    }
    d.positive.push_back(positive);
    d.score.push_back(score);
  }
  return d;
}

enum class MulticlassShape {
  kContinuous,  // p_k proportional to u_k^2 (+0.3 for the true class)
  kTied,        // p_k = c_k / sum(c), c_k integer in 0..5 (true class >= 2)
};

struct MulticlassData {
  uint32_t num_classes = 0;
  std::vector<uint32_t> truth;
  std::vector<double> scores;  // row-major, num_classes per row
};

// `truth_classes` <= num_classes: true classes are drawn from the first `truth_classes` only.
inline MulticlassData MakeMulticlassData(uint64_t seed, size_t n, uint32_t num_classes,
                                         MulticlassShape shape, uint32_t truth_classes = 0) {
  if (truth_classes == 0) truth_classes = num_classes;
  TestRng rng(seed);
  MulticlassData d;
  d.num_classes = num_classes;
  std::vector<double> w(num_classes);
  for (size_t i = 0; i < n; ++i) {
    const auto truth = static_cast<uint32_t>(rng.Below(truth_classes));
    double sum = 0.0;
    for (uint32_t k = 0; k < num_classes; ++k) {
      if (shape == MulticlassShape::kContinuous) {
        const double u = rng.Uniform();
        w[k] = u * u + (k == truth ? 0.3 : 0.0);
      } else {
        w[k] = static_cast<double>(rng.Below(4) + (k == truth ? 2 : 0));
      }
      sum += w[k];
    }
    d.truth.push_back(truth);
    for (uint32_t k = 0; k < num_classes; ++k) d.scores.push_back(w[k] / sum);
  }
  return d;
}

}  // namespace modelwatch::score_testing
