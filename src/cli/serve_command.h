// `modelwatch serve`: the monitoring daemon (server/daemon.h) until SIGTERM or SIGINT.
// Flags are a contract: docs/cli.md. Exit codes: 0 after a clean shutdown; 2 for a bad flag or
// configuration (every problem printed as FILE:LINE:COL: key: message); 1 when the daemon
// cannot start (store or address unavailable).
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace modelwatch::cli {

struct ServeFlags {
  std::string config;
  std::string listen;  // overrides server.listen
  std::string db;      // overrides storage.path
};

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& flags);
int RunServeCommand(const ServeFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace modelwatch::cli
