#include "drift_command.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "comma_list.h"
#include "drift_report_format.h"
#include "modelwatch/cli/cli.h"
#include "modelwatch/core/number_format.h"
#include "parallel.h"
#include "profile_command.h"
#include "progress.h"
#include "report_html.h"

namespace modelwatch::cli {
namespace {

io::DatasetRequest Request(const std::string& path, const DriftFlags& f,
                           const std::vector<std::string>& columns) {
  io::DatasetRequest req;
  req.path = path;
  req.input_format = f.input_format;
  req.columns = columns;
  req.keep_raw = true;
  return req;
}

// For the per-column tests, whose costs differ by orders of magnitude (a numeric column of a
// million raw values against a categorical one): each thread takes the next column until none
// are left, rather than a fixed contiguous share, so that none idles while another has several
// left. Numeric columns usually come first, so the cheap ones fill in at the end.
ParallelFor ColumnParallelFor(unsigned threads) {
  return [threads](size_t n, const std::function<void(size_t, size_t)>& body) {
    std::atomic<size_t> next{0};
    ThreadParallelFor(threads)(threads, [&](size_t, size_t) {
      for (size_t i = next++; i < n; i = next++) body(i, i + 1);
    });
  };
}

// Loads the reference and the current side at the same time (one thread each), with one
// progress bar for both.
void LoadBoth(const DriftFlags& f, const std::vector<std::string>& names, std::ostream& err,
              std::optional<Result<io::LoadedDataset>>* reference,
              std::optional<Result<io::LoadedDataset>>* current) {
  ProgressBar bar(err, ProgressBar::IsTerminal(err));
  std::mutex bar_mutex;
  struct Progress {
    std::atomic<uint64_t> read{0}, total{0}, rows{0};
  } progress[2];
  auto report = [&](int side, uint64_t read, uint64_t total, uint64_t rows) {
    progress[side].read = read;
    progress[side].total = total;
    progress[side].rows = rows;
    std::lock_guard<std::mutex> lock(bar_mutex);
    bar.Update(progress[0].read + progress[1].read, progress[0].total + progress[1].total,
               progress[0].rows + progress[1].rows);
  };
  // Both sides raw, and no HTML with its quantile plots: every statistic comes from the raw
  // values, so the profiles need no quantile sketch and are built from the raw values (sorted
  // by LoadDataset, in each side's thread: the tests find them sorted and copy nothing).
  const bool exact_only =
      f.format != "html" && !io::LooksLikeProfile(f.reference) && !io::LooksLikeProfile(f.current);
  ThreadParallelFor(2)(2, [&](size_t begin, size_t end) {
    for (size_t side = begin; side < end; ++side) {
      const std::string& path = side == 0 ? f.reference : f.current;
      io::DatasetRequest request = Request(path, f, names);
      request.quantile_sketch = !exact_only;
      auto progress_of_side = [&report, side](uint64_t read, uint64_t total, uint64_t rows) {
        report(static_cast<int>(side), read, total, rows);
      };
      (side == 0 ? *reference : *current) = io::LoadDataset(request, progress_of_side);
    }
  });
}

}  // namespace

CLI::App* AddDriftCommand(CLI::App& app, DriftFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "drift",
      "Drift of current data against a reference, per column and for the dataset "
      "(see docs/drift.md).");
  cmd->add_option("--reference", f.reference, "reference: CSV/NDJSON file or .mwprof profile")
      ->required();
  cmd->add_option("--current", f.current, "current: CSV/NDJSON file or .mwprof profile")
      ->required();
  cmd->add_option("--input-format", f.input_format,
                  "csv | ndjson for both files (default: from each extension)");
  cmd->add_option("--columns", f.columns,
                  "a,b,..: the columns to test (default: every column of the reference)");
  cmd->add_option("--method", f.method,
                  "auto (default: by type and size, docs/drift.md) | ks | chi2 | z | psi | js | "
                  "wasserstein | hellinger | cvm: used for every column it applies to");
  cmd->add_option("--threshold", f.threshold,
                  "drift threshold of the method (p-value methods: drift when p < X; distances: "
                  "when >= X); default: the method's");
  cmd->add_option("--correction", f.correction,
                  "none | bonferroni | bh: multiple-testing correction of the p-values across "
                  "columns");
  cmd->add_option("--drift-share", f.drift_share,
                  "dataset drift when at least this share of the columns drifted (0.5)");
  cmd->add_option("--format", f.format, "json (default; stable, docs/cli.md) | table | html");
  cmd->add_option("--output", f.output, "write to this file instead of stdout");
  cmd->footer(
      "Both sides raw files: exact statistics (SciPy's). A profile on either side: estimates "
      "from sketches (\"exact\": false in JSON).\n"
      "Exit codes: 0 ok, 2 usage error, 3 bad input data (FILE:LINE:COLUMN) or a corrupt "
      "profile.\nExample:\n  modelwatch drift --reference ref.mwprof --current today.csv "
      "--format table");
  return cmd;
}

Result<DriftOptions> BuildDriftOptions(const DriftFlags& f) {
  DriftOptions options;
  Result<DriftMethod> method = ParseDriftMethod(f.method);
  if (!method.ok()) return method.status().WithPrefix("--method");
  options.all.method = *method;
  if (!f.threshold.empty()) {
    if (f.method == "auto") {
      return InvalidArgumentError("--threshold needs --method (each default method has its own)");
    }
    double threshold = 0;
    if (!ParseDouble(f.threshold, &threshold) || !std::isfinite(threshold) || threshold < 0) {
      return InvalidArgumentError("--threshold must be a number >= 0, not '" + f.threshold + "'");
    }
    options.all.threshold = threshold;
  }
  Result<PValueCorrection> correction = ParsePValueCorrection(f.correction);
  if (!correction.ok()) return correction.status().WithPrefix("--correction");
  options.correction = *correction;
  if (!(f.drift_share > 0 && f.drift_share <= 1)) {
    return InvalidArgumentError("--drift-share must be in (0, 1]");
  }
  options.drift_share = f.drift_share;
  if (f.format != "json" && f.format != "table" && f.format != "html") {
    return InvalidArgumentError("--format must be json, table or html, not '" + f.format + "'");
  }
  return options;
}

Result<DriftRun> RunDrift(const DriftFlags& f, const DriftOptions& options, std::ostream& err) {
  std::vector<std::string> names = SplitCommaList(f.columns);
  if (names.empty()) {
    MW_ASSIGN_OR_RETURN(names, io::DatasetColumns(Request(f.reference, f, {})));
  }
  std::optional<Result<io::LoadedDataset>> loaded_reference, loaded_current;
  LoadBoth(f, names, err, &loaded_reference, &loaded_current);
  MW_ASSIGN_OR_RETURN(io::LoadedDataset reference, std::move(*loaded_reference));
  MW_ASSIGN_OR_RETURN(io::LoadedDataset current, std::move(*loaded_current));
  std::vector<ColumnSide> ref_sides, cur_sides;
  auto side = [](const io::LoadedDataset& d, const std::string& name) {
    ColumnSide s;
    for (size_t i = 0; i < d.profile.columns().size(); ++i) {
      if (d.profile.columns()[i].name() != name) continue;
      s.profile = &d.profile.columns()[i];
      if (i < d.raw.size()) s.raw = &d.raw[i];
    }
    return s;
  };
  for (const std::string& name : names) {
    ref_sides.push_back(side(reference, name));
    cur_sides.push_back(side(current, name));
    if (ref_sides.back().profile == nullptr) {
      return NotFoundError(f.reference + ": no column '" + name + "'");
    }
    if (cur_sides.back().profile == nullptr) {
      return NotFoundError(f.current + ": no column '" + name + "'");
    }
  }
  // A profile on one side: compare profiles on both (the same kind of estimate).
  if (reference.from_profile || current.from_profile) {
    for (ColumnSide& s : ref_sides) s.raw = nullptr;
    for (ColumnSide& s : cur_sides) s.raw = nullptr;
  }
  MW_ASSIGN_OR_RETURN(
      DriftReport report,
      DatasetDrift(names, ref_sides, cur_sides, reference.profile.rows(), current.profile.rows(),
                   options, ColumnParallelFor(std::thread::hardware_concurrency())));
  return DriftRun{std::move(reference), std::move(current), std::move(report)};
}

int RunDriftCommand(const DriftFlags& f, std::ostream& out, std::ostream& err) {
  Result<DriftOptions> options = BuildDriftOptions(f);
  if (!options.ok()) {
    err << "modelwatch drift: " << options.status().message() << "\n";
    return kExitUsage;
  }
  Result<DriftRun> run = RunDrift(f, *options, err);
  if (!run.ok()) {
    err << "modelwatch drift: error: " << run.status().message() << "\n";
    return kExitInputData;
  }
  std::string text;
  if (f.format == "json") {
    text = DriftReportJson(run->report);
  } else if (f.format == "table") {
    text = DriftReportTable(run->report);
  } else {
    ReportInput input{&run->reference, &run->current, &run->report, nullptr};
    text = ReportHtml(input);
  }
  return WriteOutput("drift", f.output, text, out, err) ? kExitOk : kExitUsage;
}

}  // namespace modelwatch::cli
