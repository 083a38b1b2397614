#include "metrics_command.h"

#include <fstream>

#include "comma_list.h"
#include "metrics_evaluation.h"
#include "metrics_report_format.h"
#include "modelwatch/cli/cli.h"
#include "progress.h"

namespace modelwatch::cli {
namespace {

Result<std::vector<std::pair<std::string, std::string>>> ParseScoreCols(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> cols;
  for (const std::string& item : SplitCommaList(text)) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return InvalidArgumentError("--score-cols: '" + item + "' is not LABEL=COLUMN");
    }
    cols.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return cols;
}

Result<ZeroDivision> ParseZeroDivision(const std::string& text) {
  if (text == "warn") return ZeroDivision::kWarn;
  if (text == "0" || text == "0.0") return ZeroDivision::kZero;
  if (text == "1" || text == "1.0") return ZeroDivision::kOne;
  if (text == "nan") return ZeroDivision::kNan;
  return InvalidArgumentError("--zero-division must be warn, 0, 1 or nan, not '" + text + "'");
}

Result<Task> ParseTask(const std::string& text) {
  if (std::optional<Task> task = TaskFromName(text)) return *task;
  return InvalidArgumentError("--task must be binary, multiclass or regression, not '" + text +
                              "'");
}

// Flags that only make sense for some tasks.
Status CheckFlagsFitTask(const MetricsFlags& f, Task task) {
  auto reject = [&](bool given, const char* flag, const char* tasks) -> Status {
    if (!given) return Status::Ok();
    return InvalidArgumentError(std::string(flag) + " applies to --task " + tasks + " only");
  };
  const bool binary = task == Task::kBinary, multiclass = task == Task::kMulticlass;
  MW_RETURN_IF_ERROR(reject(!f.score_col.empty() && !binary, "--score-col", "binary"));
  MW_RETURN_IF_ERROR(reject(!f.positive_label.empty() && !binary, "--positive-label", "binary"));
  MW_RETURN_IF_ERROR(
      reject(!f.score_prefix.empty() && !multiclass, "--score-prefix", "multiclass"));
  MW_RETURN_IF_ERROR(reject(!f.score_cols.empty() && !multiclass, "--score-cols", "multiclass"));
  MW_RETURN_IF_ERROR(
      reject(!f.labels.empty() && task == Task::kRegression, "--labels", "binary and multiclass"));
  MW_RETURN_IF_ERROR(reject(f.no_median && task != Task::kRegression, "--no-median", "regression"));
  if (!f.score_prefix.empty() && !f.score_cols.empty()) {
    return InvalidArgumentError("give either --score-prefix or --score-cols, not both");
  }
  return Status::Ok();
}

}  // namespace

Result<MetricsRequest> BuildMetricsRequest(const MetricsFlags& f) {
  MetricsRequest req;
  MW_ASSIGN_OR_RETURN(req.task, ParseTask(f.task));
  MW_RETURN_IF_ERROR(CheckFlagsFitTask(f, req.task));
  req.input = f.input;
  if (f.input_format.empty()) {
    MW_ASSIGN_OR_RETURN(req.input_format, io::TableFormatFromPath(f.input));
  } else {
    MW_ASSIGN_OR_RETURN(req.input_format, io::ParseTableFormat(f.input_format));
  }
  req.label_col = f.label_col;
  req.pred_col = f.pred_col;
  req.score_col = f.score_col;
  req.score_prefix = f.score_prefix;
  if (!f.score_cols.empty()) {
    MW_ASSIGN_OR_RETURN(req.score_cols, ParseScoreCols(f.score_cols));
  }
  if (!f.positive_label.empty()) req.positive_label = f.positive_label;
  if (!f.labels.empty()) req.labels = SplitCommaList(f.labels);
  MW_ASSIGN_OR_RETURN(req.classification.zero_division, ParseZeroDivision(f.zero_division));
  if (f.beta != 0) {
    if (!(f.beta > 0)) return InvalidArgumentError("--beta must be positive");
    req.classification.beta = f.beta;
  }
  if (f.ece_bins < 1) return InvalidArgumentError("--ece-bins must be at least 1");
  req.scores.ece_bins = f.ece_bins;
  if (f.score_mode != "exact" && f.score_mode != "histogram") {
    return InvalidArgumentError("--score-mode must be exact or histogram, not '" + f.score_mode +
                                "'");
  }
  req.scores.mode = f.score_mode == "exact" ? ScoreMode::kExact : ScoreMode::kHistogram;
  if (f.histogram_bins < 2 || f.histogram_bins > 10'000'000) {
    return InvalidArgumentError("--histogram-bins must be between 2 and 10000000");
  }
  req.scores.histogram_bins = f.histogram_bins;
  req.regression_median = !f.no_median;
  if (f.threads < 0) return InvalidArgumentError("--threads must be 0 (one per core) or more");
  req.threads = f.threads;
  if (f.format != "json" && f.format != "table") {
    return InvalidArgumentError("--format must be json or table, not '" + f.format + "'");
  }
  return req;
}

CLI::App* AddMetricsCommand(CLI::App& app, MetricsFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "metrics",
      "Model-quality metrics of predictions in a CSV or NDJSON file (scikit-learn "
      "semantics; see docs/cli.md).");
  cmd->add_option("--task", f.task, "binary | multiclass | regression")->required();
  cmd->add_option("--input", f.input, "CSV or NDJSON file with one prediction per row")->required();
  cmd->add_option("--input-format", f.input_format,
                  "csv | ndjson (default: from the extension: .csv; .ndjson, .jsonl, .json)");
  cmd->add_option("--label-col", f.label_col, "column with the true label (or value)")->required();
  cmd->add_option("--pred-col", f.pred_col, "column with the predicted label (or value)")
      ->required();
  cmd->add_option("--score-col", f.score_col, "binary: column with P(positive label)");
  cmd->add_option("--score-prefix", f.score_prefix,
                  "multiclass: the probability of class L is in column PREFIX+L");
  cmd->add_option("--score-cols", f.score_cols,
                  "multiclass: LABEL=COLUMN,... probability column of each class");
  cmd->add_option("--positive-label", f.positive_label, "binary: the positive label (default 1)");
  cmd->add_option("--labels", f.labels,
                  "a,b,c: the class set and its order (default: sorted union of truth and "
                  "prediction); a label outside it is an error");
  cmd->add_option("--zero-division", f.zero_division,
                  "warn | 0 | 1 | nan: value of precision/recall/F when undefined (warn: 0 and a "
                  "warning)");
  cmd->add_option("--beta", f.beta, "also report F-beta with this beta");
  cmd->add_option("--ece-bins", f.ece_bins, "equal-width bins of the calibration error (10)");
  cmd->add_option("--score-mode", f.score_mode,
                  "exact (keeps 8 bytes per score, sorts) | histogram (constant memory, "
                  "ROC AUC and AP with an error bound)");
  cmd->add_option("--histogram-bins", f.histogram_bins, "bins of --score-mode histogram (10000)");
  cmd->add_flag("--no-median", f.no_median,
                "regression: skip median_ae, the one metric that needs memory per row");
  cmd->add_option("--threads", f.threads,
                  "read the file in this many parallel parts (0: one per core, the default; "
                  "1: sequential); the result is the same");
  cmd->add_option("--format", f.format, "json (default; stable, see docs/cli.md) | table");
  cmd->add_option("--output", f.output, "write the report to this file instead of stdout");
  cmd->footer(
      "Exit codes: 0 ok, 2 usage error, 3 bad input data (the message names FILE:LINE:COLUMN).\n"
      "Example:\n  modelwatch metrics --task binary --input preds.csv --label-col label "
      "--pred-col pred --score-col score --format table");
  return cmd;
}

int RunMetricsCommand(const MetricsFlags& flags, std::ostream& out, std::ostream& err) {
  Result<MetricsRequest> req = BuildMetricsRequest(flags);
  if (!req.ok()) {
    err << "modelwatch metrics: " << req.status().message() << "\n";
    return kExitUsage;
  }
  Result<MetricsReport> report = [&] {
    ProgressBar bar(err, ProgressBar::IsTerminal(err));
    return EvaluateMetrics(
        *req, [&](uint64_t read, uint64_t total, uint64_t rows) { bar.Update(read, total, rows); });
  }();
  if (!report.ok()) {
    err << "modelwatch metrics: error: " << report.status().message() << "\n";
    return kExitInputData;
  }
  const std::string text =
      flags.format == "json" ? MetricsReportJson(*report) : MetricsReportTable(*report);
  if (flags.output.empty()) {
    out << text;
    return out.good() ? kExitOk : kExitFailureFound;
  }
  std::ofstream file(flags.output, std::ios::binary);
  file << text;
  file.close();
  if (!file) {
    err << "modelwatch metrics: cannot write --output " << flags.output << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace modelwatch::cli
