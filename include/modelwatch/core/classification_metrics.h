// Classification metrics from a confusion matrix, with scikit-learn 1.2 semantics.
//
// Every value equals the scikit-learn function of the same name on the same data:
// accuracy_score, balanced_accuracy_score, precision_recall_fscore_support (average None /
// 'binary' / 'micro' / 'macro' / 'weighted', zero_division), matthews_corrcoef,
// cohen_kappa_score; specificity is the recall of the negative class (binary only).
// Where scikit-learn substitutes a value for 0/0 (zero_division, MCC's 0.0) we do the same and
// add a warning saying so; where it would return NaN or raise, the value is std::nullopt (JSON
// null) with a warning that says why.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace modelwatch {

// What precision/recall/F report when their denominator is zero (scikit-learn's zero_division;
// kNan is scikit-learn 1.3's np.nan, reported as null).
enum class ZeroDivision { kWarn, kZero, kOne, kNan };

struct ClassificationOptions {
  ZeroDivision zero_division = ZeroDivision::kWarn;
  std::optional<double> beta;  // also report F-beta with this beta (> 0)
  bool binary = false;         // binary task: report the 'binary' average and specificity
  // Binary only: index of the positive class in the class order; -1 when the positive label was
  // never seen (its counts are then all zero, as scikit-learn's labels=[pos_label]).
  int64_t positive_class = -1;
};

struct AveragedMetric {
  std::optional<double> binary;  // binary tasks only
  std::optional<double> micro;
  std::optional<double> macro;
  std::optional<double> weighted;
  std::vector<std::optional<double>> per_class;  // in class order
};

struct ClassificationMetrics {
  uint64_t n = 0;
  std::optional<double> accuracy;
  std::optional<double> balanced_accuracy;
  AveragedMetric precision;
  AveragedMetric recall;
  AveragedMetric f1;
  std::optional<AveragedMetric> fbeta;  // when options.beta is set
  std::optional<double> specificity;    // binary only
  std::optional<double> mcc;
  std::optional<double> cohen_kappa;
  std::vector<uint64_t> support;  // true count per class
  std::vector<std::string> warnings;
};

// `matrix` is num_classes x num_classes, row-major, rows = truth, columns = prediction, classes in
// the order of `labels` (used only in warnings).
ClassificationMetrics ComputeClassificationMetrics(std::span<const uint64_t> matrix,
                                                   std::span<const std::string> labels,
                                                   const ClassificationOptions& options);

}  // namespace modelwatch
