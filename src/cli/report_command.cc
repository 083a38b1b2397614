#include "report_command.h"

#include "modelwatch/cli/cli.h"
#include "profile_command.h"
#include "progress.h"
#include "report_html.h"

namespace modelwatch::cli {

CLI::App* AddReportCommand(CLI::App& app, ReportFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Self-contained HTML report: drift summary, per-column drift and distribution "
      "charts, and model quality when labels are given.");
  DriftFlags& d = f.drift;
  MetricsFlags& m = f.metrics;
  cmd->add_option("--reference", d.reference, "reference: CSV/NDJSON file or .mwprof profile")
      ->required();
  cmd->add_option("--current", d.current, "current: CSV/NDJSON file (or profile: no metrics)")
      ->required();
  cmd->add_option("--input-format", d.input_format, "csv | ndjson (default: from extensions)");
  cmd->add_option("--columns", d.columns, "a,b,..: the columns to test (default: all)");
  cmd->add_option("--method", d.method, "drift method, as for drift (auto)");
  cmd->add_option("--threshold", d.threshold, "drift threshold, as for drift");
  cmd->add_option("--correction", d.correction, "none | bonferroni | bh");
  cmd->add_option("--drift-share", d.drift_share, "dataset drift share (0.5)");
  cmd->add_option("--task", m.task,
                  "binary | multiclass | regression: also report model quality on the current "
                  "file");
  cmd->add_option("--label-col", m.label_col, "with --task: the true label column");
  cmd->add_option("--pred-col", m.pred_col, "with --task: the prediction column");
  cmd->add_option("--score-col", m.score_col, "with --task binary: P(positive) column");
  cmd->add_option("--score-prefix", m.score_prefix,
                  "with --task multiclass: probability columns PREFIX+label");
  cmd->add_option("--positive-label", m.positive_label, "with --task binary (default 1)");
  cmd->add_option("--output", d.output, "the HTML file to write")->required();
  cmd->footer(
      "Exit codes: 0 ok, 2 usage error, 3 bad input data (FILE:LINE:COLUMN) or a corrupt "
      "profile.\nExample:\n  modelwatch report --reference train.csv --current today.csv "
      "--task binary --label-col label --pred-col pred --score-col score --output report.html");
  return cmd;
}

int RunReportCommand(const ReportFlags& flags, std::ostream& out, std::ostream& err) {
  DriftFlags d = flags.drift;
  d.format = "html";
  Result<DriftOptions> options = BuildDriftOptions(d);
  if (!options.ok()) {
    err << "modelwatch report: " << options.status().message() << "\n";
    return kExitUsage;
  }
  std::optional<MetricsRequest> metrics_request;
  if (!flags.metrics.task.empty()) {
    MetricsFlags m = flags.metrics;
    m.input = d.current;
    m.input_format = d.input_format;
    if (m.label_col.empty() || m.pred_col.empty()) {
      err << "modelwatch report: --task needs --label-col and --pred-col\n";
      return kExitUsage;
    }
    Result<MetricsRequest> req = BuildMetricsRequest(m);
    if (!req.ok()) {
      err << "modelwatch report: " << req.status().message() << "\n";
      return kExitUsage;
    }
    metrics_request = std::move(*req);
  } else if (!flags.metrics.label_col.empty() || !flags.metrics.pred_col.empty()) {
    err << "modelwatch report: --label-col and --pred-col need --task\n";
    return kExitUsage;
  }
  Result<DriftRun> run = RunDrift(d, *options, err);
  if (!run.ok()) {
    err << "modelwatch report: error: " << run.status().message() << "\n";
    return kExitInputData;
  }
  std::optional<MetricsReport> metrics;
  if (metrics_request) {
    if (run->current.from_profile) {
      err << "modelwatch report: --task needs the current data as a file, not a profile\n";
      return kExitUsage;
    }
    ProgressBar bar(err, ProgressBar::IsTerminal(err));
    Result<MetricsReport> report = EvaluateMetrics(
        *metrics_request,
        [&](uint64_t read, uint64_t total, uint64_t rows) { bar.Update(read, total, rows); });
    if (!report.ok()) {
      err << "modelwatch report: error: " << report.status().message() << "\n";
      return kExitInputData;
    }
    metrics = std::move(*report);
  }
  const ReportInput input{&run->reference, &run->current, &run->report,
                          metrics ? &*metrics : nullptr};
  return WriteOutput("report", d.output, ReportHtml(input), out, err) ? kExitOk : kExitUsage;
}

}  // namespace modelwatch::cli
