#include "modelwatch/cli/cli.h"

#include <CLI/CLI.hpp>

#include "metrics_command.h"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (metrics->parsed()) return RunMetricsCommand(metrics_flags, out, err);
  return kExitUsage;
}

}  // namespace modelwatch::cli
