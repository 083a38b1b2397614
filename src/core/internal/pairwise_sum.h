// numpy's pairwise summation of doubles, operation for operation.
//
// np.sum / np.add.reduce over a contiguous float64 array (and therefore np.mean, np.std, and the
// sums inside SciPy's statistics) adds in the order of numpy's DOUBLE_pairwise_sum
// (numpy/core/src/umath/loops_utils.h.src, numpy 1.24): blocks of at most 128 values summed in 8
// interleaved accumulators, larger ranges split in two at a multiple of 8. Reproducing that order
// makes our sums bit-identical to numpy's, which matters where SciPy's result is a small difference
// of large sums (Jensen-Shannon near zero, standard deviations). The error bound is numpy's:
// O(eps * log2(n)) relative to the sum of absolute values.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <span>

namespace modelwatch::internal {

// Sum of f(values[i]) for i in [0, n), in numpy's pairwise order.
template <typename F>
double NumpyPairwiseSum(size_t n, const F& f, size_t offset = 0) {
  if (n < 8) {
    double res = 0.0;
    for (size_t i = 0; i < n; ++i) res += f(offset + i);
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = f(offset + j);
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += f(offset + i + j);
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += f(offset + i);
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return NumpyPairwiseSum(n2, f, offset) + NumpyPairwiseSum(n - n2, f, offset + n2);
}

// np.sum(values) for a contiguous float64 array.
inline double NumpySum(std::span<const double> values) {
  return NumpyPairwiseSum(values.size(), [&](size_t i) { return values[i]; });
}

}  // namespace modelwatch::internal
