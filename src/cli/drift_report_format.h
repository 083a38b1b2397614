// Renders profiles and drift reports: the stable JSON of docs/cli.md (contract) and aligned
// plain-text tables. Thread safety: pure functions.
#pragma once

#include <string>

#include "modelwatch/core/dataset_profile.h"
#include "modelwatch/core/drift.h"

namespace modelwatch::cli {

// Equal-width histogram of a numeric column from its quantile sketch (or exact value counts):
// `bins` bins over [min, max]; counts estimated from sketch ranks unless exact.
struct ColumnHistogram {
  std::vector<double> edges;   // bins + 1
  std::vector<double> counts;  // bins
};
ColumnHistogram NumericHistogram(const ColumnProfile& column, double lo, double hi, size_t bins);

std::string ProfileJson(const DatasetProfile& profile);
std::string DriftReportJson(const DriftReport& report);
std::string DriftReportTable(const DriftReport& report);

}  // namespace modelwatch::cli
