#include "modelwatch/cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "demo_command.h"
#include "drift_command.h"
#include "metrics_command.h"
#include "profile_command.h"
#include "report_command.h"
#include "serve_command.h"
#include "watch_command.h"

namespace modelwatch::cli {

int Main(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app(
      "modelwatch watches machine-learning models in production: model quality, drift, "
      "resources and runtime anomalies.",
      "modelwatch");
  app.set_version_flag("--version", "modelwatch 0.1.0");
  app.require_subcommand(1, 1);
  app.footer("Run 'modelwatch <command> --help' for a command's flags. Docs: docs/cli.md");
  MetricsFlags metrics_flags;
  CLI::App* metrics = AddMetricsCommand(app, metrics_flags);
  ProfileFlags profile_flags;
  CLI::App* profile = AddProfileCommand(app, profile_flags);
  DriftFlags drift_flags;
  CLI::App* drift = AddDriftCommand(app, drift_flags);
  ReportFlags report_flags;
  CLI::App* report = AddReportCommand(app, report_flags);
  ServeFlags serve_flags;
  CLI::App* serve = AddServeCommand(app, serve_flags);
  DemoFlags demo_flags;
  CLI::App* demo = AddDemoCommand(app, demo_flags);
  WatchFlags watch_flags;
  CLI::App* watch = AddWatchCommand(app, watch_flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (metrics->parsed()) return RunMetricsCommand(metrics_flags, out, err);
  if (profile->parsed()) return RunProfileCommand(profile_flags, out, err);
  if (drift->parsed()) return RunDriftCommand(drift_flags, out, err);
  if (report->parsed()) return RunReportCommand(report_flags, out, err);
  if (serve->parsed()) return RunServeCommand(serve_flags, out, err);
  if (demo->parsed()) return RunDemoCommand(demo_flags, out, err);
  if (watch->parsed()) {
    // The live view is the default only when the real stdout is a terminal.
    const bool terminal = &out == &std::cout && isatty(STDOUT_FILENO) == 1;
    return RunWatchCommand(watch_flags, out, err, terminal);
  }
  return kExitUsage;
}

}  // namespace modelwatch::cli
