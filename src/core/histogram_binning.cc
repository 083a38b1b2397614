#include "modelwatch/core/histogram_binning.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace modelwatch {
namespace {

Status CheckFinite(std::span<const double> sample, const char* name) {
  if (sample.empty()) {
    return InvalidArgumentError(std::string("histogram_bin_edges: sample '") + name + "' is empty");
  }
  for (size_t i = 0; i < sample.size(); ++i) {
    if (!std::isfinite(sample[i])) {
      return InvalidArgumentError(std::string("histogram_bin_edges: sample '") + name +
                                  "' has a non-finite value at index " + std::to_string(i));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<double>> SturgesBinEdges(std::span<const double> reference,
                                            std::span<const double> current) {
  MW_RETURN_IF_ERROR(CheckFinite(reference, "reference"));
  MW_RETURN_IF_ERROR(CheckFinite(current, "current"));
  const auto [rmin, rmax] = std::minmax_element(reference.begin(), reference.end());
  const auto [cmin, cmax] = std::minmax_element(current.begin(), current.end());
  const double lo = std::min(*rmin, *cmin);
  const double hi = std::max(*rmax, *cmax);
  const double ptp = hi - lo;
  if (!std::isfinite(ptp)) {
    return InvalidArgumentError("histogram_bin_edges: the range of the data overflows");
  }
  double first = lo, last = hi;
  if (first == last) {
    first = first - 0.5;
    last = last + 0.5;
  }
  const double size = static_cast<double>(reference.size() + current.size());
  const double width = ptp / (std::log2(size) + 1.0);
  int64_t bins = 1;
  if (width != 0) bins = static_cast<int64_t>(std::ceil((last - first) / width));

  // np.linspace(first, last, bins + 1, endpoint=True).
  const int64_t num = bins + 1;
  const double div = static_cast<double>(bins);
  const double delta = last - first;
  const double step = delta / div;
  std::vector<double> edges(static_cast<size_t>(num));
  for (int64_t i = 0; i < num; ++i) {
    double y = static_cast<double>(i);
    if (step == 0) {
      y = y / div;
      y = y * delta;
    } else {
      y = y * step;
    }
    edges[i] = y + first;
  }
  edges.back() = last;
  return edges;
}

Result<std::vector<uint64_t>> HistogramCounts(std::span<const double> values,
                                              std::span<const double> edges) {
  if (edges.size() < 2) {
    return InvalidArgumentError("histogram: need at least 2 bin edges, got " +
                                std::to_string(edges.size()));
  }
  for (size_t i = 0; i < edges.size(); ++i) {
    if (std::isnan(edges[i])) {
      return InvalidArgumentError("histogram: bin edge " + std::to_string(i) + " is NaN");
    }
    if (i > 0 && edges[i - 1] > edges[i]) {
      return InvalidArgumentError("histogram: bin edges must increase monotonically (edge " +
                                  std::to_string(i) + ")");
    }
  }
  // numpy's cumulative form: cum[j] = #(v < e_j) for j < last, cum[last] = #(v <= e_last),
  // counts = diff(cum). A value v adds 1 to cum[j] for every j in [upper_bound(v), last).
  const size_t last = edges.size() - 1;
  std::vector<uint64_t> starts(edges.size(), 0);
  uint64_t at_most_last = 0;
  for (double v : values) {
    const size_t ub = static_cast<size_t>(std::upper_bound(edges.begin(), edges.begin() + last, v) -
                                          edges.begin());
    ++starts[ub];
    if (v <= edges[last]) ++at_most_last;
  }
  std::vector<uint64_t> cum(edges.size(), 0);
  uint64_t running = 0;
  for (size_t j = 0; j < last; ++j) {
    running += starts[j];
    cum[j] = running;
  }
  cum[last] = at_most_last;
  std::vector<uint64_t> counts(last);
  for (size_t i = 0; i < last; ++i) counts[i] = cum[i + 1] - cum[i];
  return counts;
}

}  // namespace modelwatch
