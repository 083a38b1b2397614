// Test helpers: run `modelwatch` in-process and capture its exit code, stdout and stderr.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "modelwatch/cli/cli.h"

namespace modelwatch::cli {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

// Runs `modelwatch args...`.
inline CliRun RunCli(std::vector<std::string> args) {
  args.insert(args.begin(), "modelwatch");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = Main(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

}  // namespace modelwatch::cli
