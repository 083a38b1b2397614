// The modelwatch command line as a library, so tests run it in-process.
// Exit codes (DESIGN.md §5): 0 ok, 1 failure found, 2 usage error, 3 input-data error.
// Thread safety: one call at a time per process (subcommands may use a progress bar on stderr).
#pragma once

#include <ostream>

namespace modelwatch::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailureFound = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInputData = 3;

// Runs `modelwatch <args>`; argv[0] is the program name. Writes results to `out`, diagnostics to
// `err`.
int Main(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace modelwatch::cli
