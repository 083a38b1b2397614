#include "modelwatch/core/two_proportion_z.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "modelwatch/core/special_functions.h"

namespace modelwatch {

Result<ProportionZTestResult> TwoProportionZTest(uint64_t reference_positives,
                                                 uint64_t reference_total,
                                                 uint64_t current_positives,
                                                 uint64_t current_total) {
  const uint64_t positives[2] = {reference_positives, current_positives};
  const uint64_t totals[2] = {reference_total, current_total};
  const char* names[2] = {"reference", "current"};
  for (int s = 0; s < 2; ++s) {
    if (totals[s] == 0) {
      return InvalidArgumentError(std::string("proportion_z_test: sample '") + names[s] +
                                  "' is empty");
    }
    if (positives[s] > totals[s]) {
      return InvalidArgumentError(std::string("proportion_z_test: sample '") + names[s] + "' has " +
                                  std::to_string(positives[s]) + " positives but " +
                                  std::to_string(totals[s]) + " observations");
    }
  }
  const double n1 = static_cast<double>(reference_total);
  const double n2 = static_cast<double>(current_total);
  ProportionZTestResult r;
  r.method = "pooled_z";
  r.reference_proportion = static_cast<double>(reference_positives) / n1;
  r.current_proportion = static_cast<double>(current_positives) / n2;
  const double pooled = static_cast<double>(reference_positives + current_positives) / (n1 + n2);
  const double variance = pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2);
  if (!(variance > 0)) {  // pooled proportion 0 or 1: identical all-negative / all-positive data
    r.statistic = 0.0;
    r.p_value = 1.0;
    return r;
  }
  r.statistic = (r.current_proportion - r.reference_proportion) / std::sqrt(variance);
  r.p_value = std::min(1.0, 2 * NormalSf(std::fabs(r.statistic)));
  return r;
}

}  // namespace modelwatch
