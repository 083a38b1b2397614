#include "serve_command.h"

#include <pthread.h>

#include <csignal>

#include "modelwatch/cli/cli.h"
#include "modelwatch/server/config.h"
#include "modelwatch/server/daemon.h"

namespace modelwatch::cli {
namespace {

// "host:port" or "[v6]:port" into the config; false when malformed.
bool ApplyListen(const std::string& listen, server::Config* config) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) return false;
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = listen.substr(colon + 1);
  char* end = nullptr;
  const unsigned long p = std::strtoul(port.c_str(), &end, 10);
  if (host.empty() || *end != '\0' || p > 65535) return false;
  config->server.host = host;
  config->server.port = static_cast<uint16_t>(p);
  return true;
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run the monitoring daemon: HTTP ingest of predictions and labels, windows, /metrics, "
      "and resource sampling of the host, the configured targets and the GPUs (see "
      "docs/api.md, docs/config.md).");
  cmd->add_option("--config", f.config, "YAML configuration file (default: built-in defaults)");
  cmd->add_option("--listen", f.listen, "HOST:PORT to listen on (overrides server.listen)");
  cmd->add_option("--db", f.db, "SQLite database file (overrides storage.path)");
  cmd->footer(
      "Stops cleanly on SIGTERM or SIGINT: requests in flight finish, windows and "
      "counters are flushed, the store is closed.");
  return cmd;
}

int RunServeCommand(const ServeFlags& f, std::ostream&, std::ostream& err) {
  Result<server::Config> config = f.config.empty()
                                      ? Result<server::Config>(server::DefaultConfig())
                                      : server::LoadConfig(f.config, server::ProcessEnv());
  if (!config.ok()) {
    err << "modelwatch serve: " << config.status().message() << "\n";
    return kExitUsage;
  }
  if (!f.listen.empty() && !ApplyListen(f.listen, &*config)) {
    err << "modelwatch serve: --listen: '" << f.listen << "' is not HOST:PORT\n";
    return kExitUsage;
  }
  if (!f.db.empty()) config->storage.path = f.db;
  // Signals are taken by sigwait below: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const std::string where = config->server.host + ":" + std::to_string(config->server.port);
  const std::string db = config->storage.path;
  Result<std::unique_ptr<server::Daemon>> daemon = server::Daemon::Start(std::move(*config));
  if (!daemon.ok()) {
    err << "modelwatch serve: cannot start: " << daemon.status().message() << "\n";
    // What the configuration names cannot be used (a reference file that is missing, malformed
    // or foreign): a usage error, like a bad configuration. Anything else (the port is taken,
    // the store cannot be opened) is a failure.
    const StatusCode code = daemon.status().code();
    const bool config_error = code == StatusCode::kInvalidArgument ||
                              code == StatusCode::kNotFound || code == StatusCode::kDataLoss;
    return config_error ? kExitUsage : kExitFailureFound;
  }
  err << "modelwatch serve: listening on http://" << where.substr(0, where.rfind(':')) << ":"
      << (*daemon)->port() << " (store: " << db << "); SIGTERM or Ctrl-C stops" << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  err << "modelwatch serve: " << (signal == SIGTERM ? "SIGTERM" : "SIGINT")
      << ": stopping (requests in flight finish)" << std::endl;
  (*daemon)->Stop();
  err << "modelwatch serve: stopped" << std::endl;
  return kExitOk;
}

}  // namespace modelwatch::cli
