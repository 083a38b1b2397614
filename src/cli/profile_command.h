// `modelwatch profile`: a CSV/NDJSON file (or an existing profile) -> a reference profile, as
// the binary .mwprof file (default) or JSON. Flags and JSON are a contract: docs/cli.md.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace modelwatch::cli {

struct ProfileFlags {
  std::string input;
  std::string input_format;
  std::string columns;
  std::string time_col;
  std::string output;
  std::string format = "binary";
};

CLI::App* AddProfileCommand(CLI::App& app, ProfileFlags& flags);
int RunProfileCommand(const ProfileFlags& flags, std::ostream& out, std::ostream& err);

// Writes `text` to `path` ("-": `out`); false (with a message on err) on failure.
bool WriteOutput(const std::string& command, const std::string& path, const std::string& text,
                 std::ostream& out, std::ostream& err);

}  // namespace modelwatch::cli
