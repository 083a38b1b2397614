// numpy-exact histogram binning for the binned drift measures (PSI, Jensen-Shannon, Hellinger,
// chi-square on a numeric column):
//   edges  = numpy.histogram_bin_edges(np.concatenate([reference, current]), bins='sturges')
//   counts = numpy.histogram(values, edges)[0]
// with numpy 1.24's arithmetic reproduced operation for operation, so edges are bit-identical
// and every value lands in the same bin as in numpy (Evidently bins numeric columns this way).
//
// Sturges' rule (Sturges 1926, JASA 21(153)): over the pooled data of size N with range
// [min, max] (widened to [v - 0.5, v + 0.5] when min == max = v), width = (max - min) /
// (log2(N) + 1), bins = ceil((max - min) / width) (1 when width is 0), edges =
// linspace(min, max, bins + 1): i * step + min with step = (max - min) / bins, last edge = max.
// Bins are half-open [e_i, e_{i+1}) except the last, which is closed; values outside
// [e_0, e_last] and NaN are not counted.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch {

// Sturges edges over the pooled samples. InvalidArgument when a sample is empty or holds a NaN or
// infinite value (numpy: "autodetected range ... is not finite"), or when max - min overflows.
Result<std::vector<double>> SturgesBinEdges(std::span<const double> reference,
                                            std::span<const double> current);

// Counts per bin of `values` for the given edges (at least 2, non-decreasing, no NaN; numpy
// requires monotonically increasing edges, else InvalidArgument). O(n log(bins)).
Result<std::vector<uint64_t>> HistogramCounts(std::span<const double> values,
                                              std::span<const double> edges);

}  // namespace modelwatch
