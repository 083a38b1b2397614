#include "profile_command.h"

#include <fstream>

#include "comma_list.h"
#include "modelwatch/io/dataset_input.h"
#include "drift_report_format.h"
#include "modelwatch/cli/cli.h"
#include "progress.h"

namespace modelwatch::cli {

bool WriteOutput(const std::string& command, const std::string& path, const std::string& text,
                 std::ostream& out, std::ostream& err) {
  if (path == "-") {
    out << text;
    return out.good();
  }
  std::ofstream file(path, std::ios::binary);
  file << text;
  file.close();
  if (!file) {
    err << "modelwatch " << command << ": cannot write --output " << path << "\n";
    return false;
  }
  return true;
}

CLI::App* AddProfileCommand(CLI::App& app, ProfileFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "profile",
      "Reference profile of a dataset: per column type, counts, moments, quantile "
      "sketch, histogram, distinct count, top values (see docs/drift.md).");
  cmd->add_option("--input", f.input, "CSV or NDJSON file (or a profile, to print it as JSON)")
      ->required();
  cmd->add_option("--input-format", f.input_format,
                  "csv | ndjson (default: from the extension: .csv; .ndjson, .jsonl, .json)");
  cmd->add_option("--columns", f.columns, "a,b,..: the columns to profile (default: all)");
  cmd->add_option("--time-col", f.time_col,
                  "column with the row time (RFC 3339 or epoch seconds): the profile's time range");
  cmd->add_option("--output", f.output, "the profile file (.mwprof), or - for stdout")->required();
  cmd->add_option("--format", f.format,
                  "binary (default: the versioned .mwprof file that drift and report read) | json");
  cmd->footer(
      "Exit codes: 0 ok, 2 usage error, 3 bad input data (FILE:LINE:COLUMN) or a corrupt "
      "profile.\nExample:\n  modelwatch profile --input train.csv --output ref.mwprof");
  return cmd;
}

int RunProfileCommand(const ProfileFlags& f, std::ostream& out, std::ostream& err) {
  if (f.format != "binary" && f.format != "json") {
    err << "modelwatch profile: --format must be binary or json, not '" << f.format << "'\n";
    return kExitUsage;
  }
  io::DatasetRequest req;
  req.path = f.input;
  req.input_format = f.input_format;
  req.columns = SplitCommaList(f.columns);
  req.time_column = f.time_col;
  Result<io::LoadedDataset> data = [&] {
    ProgressBar bar(err, ProgressBar::IsTerminal(err));
    return io::LoadDataset(
        req, [&](uint64_t read, uint64_t total, uint64_t rows) { bar.Update(read, total, rows); });
  }();
  if (!data.ok()) {
    err << "modelwatch profile: error: " << data.status().message() << "\n";
    return kExitInputData;
  }
  const std::string text =
      f.format == "json" ? ProfileJson(data->profile) : data->profile.Serialize();
  return WriteOutput("profile", f.output, text, out, err) ? kExitOk : kExitUsage;
}

}  // namespace modelwatch::cli
