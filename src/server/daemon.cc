#include "modelwatch/server/daemon.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "modelwatch/env/env.h"
#include "modelwatch/monitor/monitor.h"
#include "modelwatch/probes/process_sampler.h"
#include "modelwatch/server/auth.h"
#include "modelwatch/server/cardinality_guard.h"
#include "modelwatch/server/cloudevents_service.h"
#include "modelwatch/server/daemon_counters.h"
#include "modelwatch/server/http_server.h"
#include "modelwatch/server/ingest_service.h"
#include "modelwatch/server/metrics_exposition.h"
#include "modelwatch/server/query_service.h"
#include "modelwatch/server/resource_monitor.h"
#include "modelwatch/server/schema_registry.h"
#include "modelwatch/server/targets_service.h"
#include "modelwatch/store/store.h"

namespace modelwatch::server {
namespace {

// server.io_threads 0: two per core, at least 4. The threads run the handlers, and an ingest
// handler waits for the disk (the WAL sync) before it answers: more threads than cores keep
// the cores busy meanwhile.
int DefaultIoThreads() {
  return static_cast<int>(std::max(4u, 2 * std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace

// Everything the daemon owns, in construction order (destroyed in reverse).
struct Daemon::State {
  Config config;
  DaemonOptions options;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<monitor::Monitor> monitor;
  std::unique_ptr<CardinalityGuard> guard;
  std::unique_ptr<SchemaRegistry> schemas;
  DaemonCounters counters;
  std::unique_ptr<Authorizer> auth;
  std::unique_ptr<IngestService> ingest;
  std::unique_ptr<CloudEventsService> cloudevents;
  std::unique_ptr<QueryService> query;
  std::unique_ptr<ResourceMonitor> resources;
  std::unique_ptr<TargetsService> targets;
  std::unique_ptr<HttpServer> http;

  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;  // guarded by mu
  // Latest closed window per (model, version, width), and the cumulative view (width 0), for
  // /metrics. Guarded by mu.
  std::map<std::tuple<std::string, std::string, int64_t>, store::WindowRecord> latest;
  std::thread background;
  bool stopped = false;

  int64_t Now() const { return options.now_us ? options.now_us() : env::Env::Default().NowUnixMicros(); }
  void Log(std::string_view line) const {
    if (options.log) {
      options.log(line);
    } else {
      std::cerr << "modelwatch serve: " << line << "\n";
    }
  }
  void Remember(const std::vector<store::WindowRecord>& records);
  void EvaluateOnce();
  void ExpireOnce();
  void BackgroundLoop();
  Router Routes();
};

void Daemon::State::Remember(const std::vector<store::WindowRecord>& records) {
  std::lock_guard<std::mutex> lock(mu);
  for (const store::WindowRecord& w : records) {
    // Closed windows, and the cumulative view (width 0), which never closes.
    if (!w.segment.empty() || (!w.closed && w.width_s != 0)) continue;
    auto key = std::make_tuple(w.model, w.version, w.width_s);
    auto it = latest.find(key);
    if (it == latest.end() || it->second.start_us <= w.start_us) latest[key] = w;
  }
}

void Daemon::State::EvaluateOnce() {
  Result<std::vector<store::WindowRecord>> written = monitor->Evaluate(Now());
  if (!written.ok()) {
    Log("window evaluation failed (retried): " + written.status().message());
  } else {
    Remember(*written);
  }
  Status s = store->PutCounters(counters.Snapshot());
  if (!s.ok()) Log("counters not persisted (retried): " + s.message());
}

void Daemon::State::ExpireOnce() {
  const int64_t now = Now();
  const RetentionConfig& r = config.storage.retention;
  Result<uint64_t> dropped = store->Expire(now - r.predictions.count(), now - r.windows.count(),
                                           now - r.labels.count());
  if (!dropped.ok()) {
    Log("retention failed (retried): " + dropped.status().message());
  } else if (*dropped > 0) {
    counters.Add("modelwatch_labels_unmatched_total", {}, *dropped);
  }
  Result<uint64_t> samples = store->ExpireResourceSamples(now - config.resources.retention.count());
  if (!samples.ok()) Log("resource retention failed (retried): " + samples.status().message());
}

void Daemon::State::BackgroundLoop() {
  auto next_expire = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu);
  while (!stopping) {
    wake.wait_for(lock, options.evaluate_interval, [&] { return stopping; });
    if (stopping) break;
    lock.unlock();
    EvaluateOnce();
    if (std::chrono::steady_clock::now() >= next_expire) {
      ExpireOnce();
      next_expire = std::chrono::steady_clock::now() + options.retention_interval;
    }
    lock.lock();
  }
}

Router Daemon::State::Routes() {
  Router router;
  auto guarded = [this](Scope scope, auto handler) {
    return [this, scope, handler](const HttpRequest& r) {
      if (std::optional<HttpResponse> denied = auth->Check(r, scope)) return *denied;
      return handler(r);
    };
  };
  router.Add("POST", "/v1/models/{model}/predictions",
             guarded(Scope::kIngest, [this](const HttpRequest& r) {
               return ingest->PostPredictions(r);
             }));
  router.Add("POST", "/v1/models/{model}/labels",
             guarded(Scope::kIngest, [this](const HttpRequest& r) {
               return ingest->PostLabels(r);
             }));
  router.Add("POST", "/v1/cloudevents",
             guarded(Scope::kIngest, [this](const HttpRequest& r) {
               return cloudevents->Post(r);
             }));
  router.Add("GET", "/v1/models",
             guarded(Scope::kRead, [this](const HttpRequest& r) { return query->Models(r); }));
  router.Add("GET", "/v1/models/{model}",
             guarded(Scope::kRead, [this](const HttpRequest& r) { return query->Model(r); }));
  router.Add("GET", "/v1/models/{model}/windows",
             guarded(Scope::kRead, [this](const HttpRequest& r) { return query->Windows(r); }));
  router.Add("GET", "/v1/models/{model}/drift",
             guarded(Scope::kRead, [this](const HttpRequest& r) { return query->Drift(r); }));
  router.Add("GET", "/v1/targets",
             guarded(Scope::kRead, [this](const HttpRequest& r) { return targets->Targets(r); }));
  router.Add("GET", "/v1/targets/{target}/resources",
             guarded(Scope::kRead, [this](const HttpRequest& r) { return targets->Resources(r); }));
  // Liveness, readiness and /metrics are open, as probes and scrapers expect.
  router.Add("GET", "/v1/health", [this](const HttpRequest& r) { return query->Health(r); });
  router.Add("GET", "/v1/ready", [this](const HttpRequest& r) { return query->Ready(r); });
  router.Add("GET", "/metrics", [this](const HttpRequest&) {
    MetricsSnapshot snapshot;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& [key, w] : latest) snapshot.latest_windows.push_back(w);
    }
    snapshot.counters = counters.Snapshot();
    // One reading of the daemon itself (no rate is exported, so no sampler is kept).
    Result<probes::ProcessSample> self =
        probes::ProcessSampler(env::Env::Default(), getpid()).Sample();
    if (self.ok()) snapshot.process = std::move(*self);
    if (config.resources.enabled) snapshot.resources = resources->Snapshot();
    return HttpResponse::Text(200, RenderMetrics(snapshot), "text/plain; version=0.0.4; charset=utf-8");
  });
  return router;
}

Result<std::unique_ptr<Daemon>> Daemon::Start(Config config, DaemonOptions options) {
  auto state = std::make_unique<State>();
  state->config = std::move(config);
  state->options = std::move(options);
  const Config& c = state->config;
  store::SqliteOptions sqlite;
  sqlite.path = c.storage.path;
  sqlite.sync = c.storage.sync == StorageSync::kFull ? store::SqliteOptions::Sync::kFull
                                                     : store::SqliteOptions::Sync::kNormal;
  MW_ASSIGN_OR_RETURN(state->store, store::OpenSqliteStore(sqlite));
  std::vector<monitor::ModelSettings> models;
  for (const ModelConfig& m : c.models) {
    MW_ASSIGN_OR_RETURN(monitor::ModelSettings settings, MonitorSettings(m));
    models.push_back(std::move(settings));
  }
  // Models first seen in events run with `defaults`; the monitor learns them from the registry.
  MW_ASSIGN_OR_RETURN(std::vector<store::ModelRecord> known, state->store->Models());
  state->guard = std::make_unique<CardinalityGuard>(c.limits);
  for (const store::ModelRecord& r : known) {
    state->guard->Preload(r.model, r.version);
    if (c.FindModel(r.model) == nullptr && c.defaults) {
      Result<ModelConfig> m = c.ModelFor(r.model);
      if (!m.ok()) continue;
      Result<monitor::ModelSettings> settings = MonitorSettings(*m);
      if (settings.ok()) models.push_back(std::move(*settings));
    }
  }
  state->monitor = std::make_unique<monitor::Monitor>(*state->store, std::move(models));
  MW_RETURN_IF_ERROR(state->monitor->Recover());
  MW_ASSIGN_OR_RETURN(std::vector<store::CounterRecord> counters, state->store->Counters());
  state->counters.Restore(counters);
  {
    store::WindowQuery all;
    for (const store::ModelRecord& r : known) {
      all.model = r.model;
      all.segment = "";
      Result<std::vector<store::WindowRecord>> windows = state->store->Windows(all);
      if (windows.ok()) state->Remember(*windows);
    }
  }
  state->auth = std::make_unique<Authorizer>(c.auth);
  State* s = state.get();
  MW_ASSIGN_OR_RETURN(state->schemas, SchemaRegistry::Open(*state->store));
  state->ingest =
      std::make_unique<IngestService>(c, *state->store, *state->monitor, *state->guard,
                                      *state->schemas, state->counters, [s] { return s->Now(); });
  state->cloudevents = std::make_unique<CloudEventsService>(*state->ingest, state->counters,
                                                            [s] { return s->Now(); });
  state->query = std::make_unique<QueryService>(c, *state->store, state->schemas.get());
  state->resources = std::make_unique<ResourceMonitor>(
      state->options.env != nullptr ? *state->options.env : env::Env::Default(), c.resources,
      *state->store, [s](std::string_view line) { s->Log(line); });
  state->targets =
      std::make_unique<TargetsService>(*state->resources, *state->store, [s] { return s->Now(); });
  HttpServerOptions http;
  http.host = c.server.host;
  http.port = c.server.port;
  http.io_threads = c.server.io_threads > 0 ? c.server.io_threads : DefaultIoThreads();
  http.handler_threads = 0;
  http.max_body_bytes = c.limits.max_body_bytes;
  http.read_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.server.read_timeout);
  http.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.server.idle_timeout);
  http.error_log = [s](std::string_view line) { s->Log(line); };
  MW_ASSIGN_OR_RETURN(state->http, HttpServer::Start(http, state->Routes()));
  state->background = std::thread([s] { s->BackgroundLoop(); });
  state->resources->Start();
  return std::unique_ptr<Daemon>(new Daemon(std::move(state)));
}

Daemon::Daemon(std::unique_ptr<State> state) : state_(std::move(state)) {}

Daemon::~Daemon() { Stop(); }

uint16_t Daemon::port() const { return state_->http->port(); }

void Daemon::Stop() {
  if (state_ == nullptr || state_->stopped) return;
  state_->stopped = true;
  state_->resources->Stop();
  state_->http->Stop(
      std::chrono::duration_cast<std::chrono::milliseconds>(state_->config.server.shutdown_grace));
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->background.joinable()) state_->background.join();
  state_->EvaluateOnce();  // the last batches' windows and counters
}

}  // namespace modelwatch::server
