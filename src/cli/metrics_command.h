// `modelwatch metrics`: flags (CLI11) -> MetricsRequest -> EvaluateMetrics -> JSON or table.
// The flags and the JSON output are a contract: docs/cli.md.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "metrics_evaluation.h"

namespace modelwatch::cli {

// Raw flag values as parsed by CLI11; validated into a MetricsRequest by RunMetricsCommand.
struct MetricsFlags {
  std::string task;
  std::string input;
  std::string input_format;
  std::string label_col;
  std::string pred_col;
  std::string score_col;
  std::string score_prefix;
  std::string score_cols;
  std::string positive_label;
  std::string labels;
  std::string zero_division = "warn";
  double beta = 0;
  unsigned ece_bins = 10;
  std::string score_mode = "exact";
  unsigned histogram_bins = 10000;
  bool no_median = false;
  int threads = 0;
  std::string format = "json";
  std::string output;
};

CLI::App* AddMetricsCommand(CLI::App& app, MetricsFlags& flags);
// Validates flags into a request; every error is a usage error (exit 2).
Result<MetricsRequest> BuildMetricsRequest(const MetricsFlags& flags);
// Returns the process exit code.
int RunMetricsCommand(const MetricsFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace modelwatch::cli
