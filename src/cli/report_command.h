// `modelwatch report`: reference vs current -> one self-contained HTML file with the drift
// summary, per-column table and distribution charts, and the quality metrics of the current
// data when --task and the label columns are given. Flags: docs/cli.md.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "drift_command.h"
#include "metrics_command.h"

namespace modelwatch::cli {

struct ReportFlags {
  DriftFlags drift;
  MetricsFlags metrics;  // metrics.input is the current file
};

CLI::App* AddReportCommand(CLI::App& app, ReportFlags& flags);
int RunReportCommand(const ReportFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace modelwatch::cli
