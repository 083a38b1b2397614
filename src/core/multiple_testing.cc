#include "modelwatch/core/multiple_testing.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace modelwatch {
namespace {

Status CheckPValues(std::span<const double> p_values, const char* what) {
  for (size_t i = 0; i < p_values.size(); ++i) {
    const double p = p_values[i];
    if (!(p >= 0 && p <= 1)) {
      return InvalidArgumentError(std::string(what) + ": p-value " + std::to_string(i) +
                                  " must be in [0, 1], got " + std::to_string(p));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<double>> BonferroniAdjust(std::span<const double> p_values) {
  MW_RETURN_IF_ERROR(CheckPValues(p_values, "bonferroni"));
  const double m = static_cast<double>(p_values.size());
  std::vector<double> adjusted(p_values.size());
  for (size_t i = 0; i < p_values.size(); ++i) adjusted[i] = std::min(1.0, p_values[i] * m);
  return adjusted;
}

Result<std::vector<double>> BenjaminiHochbergAdjust(std::span<const double> p_values) {
  MW_RETURN_IF_ERROR(CheckPValues(p_values, "benjamini_hochberg"));
  const size_t m = p_values.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(m);
  double running_min = 1.0;
  for (size_t rank = m; rank >= 1; --rank) {
    const size_t i = order[rank - 1];
    const double scaled = p_values[i] * static_cast<double>(m) / static_cast<double>(rank);
    running_min = std::min(running_min, scaled);
    adjusted[i] = running_min;
  }
  return adjusted;
}

}  // namespace modelwatch
