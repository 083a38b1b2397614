// `modelwatch drift`: reference vs current (each a CSV/NDJSON file or a profile) -> per-column
// drift tests and the dataset verdict, as JSON (contract: docs/cli.md), a table or an HTML
// report. Exact statistics when both sides are raw files; approximate from profiles.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "modelwatch/io/dataset_input.h"
#include "modelwatch/core/drift.h"

namespace modelwatch::cli {

struct DriftFlags {
  std::string reference;
  std::string current;
  std::string input_format;
  std::string columns;
  std::string method = "auto";
  std::string threshold;  // empty: the method's default
  std::string correction = "none";
  double drift_share = 0.5;
  std::string format = "json";
  std::string output = "-";
};

CLI::App* AddDriftCommand(CLI::App& app, DriftFlags& flags);
int RunDriftCommand(const DriftFlags& flags, std::ostream& out, std::ostream& err);

// The datasets and report of a drift run (also used by `modelwatch report`).
struct DriftRun {
  io::LoadedDataset reference;
  io::LoadedDataset current;
  DriftReport report;
};
// Usage errors are kInvalidArgument with a "--flag" message; data errors name the file.
Result<DriftOptions> BuildDriftOptions(const DriftFlags& flags);
Result<DriftRun> RunDrift(const DriftFlags& flags, const DriftOptions& options, std::ostream& err);

}  // namespace modelwatch::cli
