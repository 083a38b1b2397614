// Evaluates a model's predictions stored in a CSV/NDJSON file: the service behind
// `modelwatch metrics` (and later `report`). Streams the file through the core accumulators, in
// parallel parts whose states are merged when MetricsRequest::threads allows; when a parallel
// read fails the file is read again sequentially, so errors always name the first bad place.
//
// Errors: kInvalidArgument / kNotFound with "FILE:LINE:COL: problem" messages for bad input data
// (exit code 3 in the CLI); kInvalidArgument without a location for inconsistent options.
// Memory: constant in the row count, except exact score metrics (8 bytes per score) and the
// regression median (8 bytes per row); see docs/metrics.md.
// Thread safety: one evaluation per call; no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "modelwatch/core/classification_metrics.h"
#include "modelwatch/core/regression_metrics.h"
#include "modelwatch/core/score_metrics.h"
#include "modelwatch/core/status.h"
#include "modelwatch/core/task.h"
#include "modelwatch/io/table_reader.h"

namespace modelwatch::cli {

struct MetricsRequest {
  Task task = Task::kBinary;
  std::string input;
  io::TableFormat input_format = io::TableFormat::kCsv;
  std::string label_col;
  std::string pred_col;
  std::string score_col;                                        // binary
  std::string score_prefix;                                     // multiclass
  std::vector<std::pair<std::string, std::string>> score_cols;  // multiclass: label -> column
  std::string positive_label = "1";                             // binary
  std::vector<std::string> labels;                              // explicit class order
  ClassificationOptions classification;                         // zero_division, beta
  ScoreOptions scores;                                          // mode, bins
  bool regression_median = true;
  // Threads that read parts of the file in parallel (their states are merged): 0 = one per core,
  // 1 = sequential. Counts and rankings are identical either way; sums agree to rounding.
  int threads = 0;
};

struct MetricsReport {
  Task task = Task::kBinary;
  uint64_t n = 0;
  std::vector<std::string> labels;  // class order (classification)
  std::vector<uint64_t> confusion;  // labels.size()^2, rows = truth
  std::optional<ClassificationMetrics> classification;
  std::optional<BinaryScoreMetrics> binary_scores;
  std::optional<MulticlassScoreMetrics> multiclass_scores;
  ScoreMode score_mode = ScoreMode::kExact;
  std::optional<RegressionMetrics> regression;
};

// Every warning of the report's parts, in the order classification, scores, regression.
std::vector<std::string> AllWarnings(const MetricsReport& report);

// Called now and then with (bytes read, total bytes, rows so far).
using ProgressCallback = std::function<void(uint64_t, uint64_t, uint64_t)>;

Result<MetricsReport> EvaluateMetrics(const MetricsRequest& request,
                                      const ProgressCallback& progress = nullptr);

}  // namespace modelwatch::cli
