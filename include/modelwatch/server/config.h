// The daemon's configuration (`modelwatch serve --config FILE`): a YAML file read once at start
// and validated whole, so that the running daemon never meets a bad setting. Every key, its
// default and its range: docs/config.md; a realistic file: config/modelwatch.example.yaml.
//
// Parsing is strict: unknown keys (typos), wrong types, out-of-range values, duplicate keys and
// YAML syntax errors are kInvalidArgument; a missing file is kNotFound. Every problem is
// reported, one per line of the Status message (the first problem on the first line, at most
// kMaxConfigErrors of them), each as
//   FILE:LINE:COL: key.path: what is wrong (expected ...)
// e.g. "config.yaml:12:5: models.fraud.windows[1]: '5x' is not a duration (e.g. 30s, 5m, 1h, 7d)"
// with 1-based LINE and COL. Token values are never echoed in messages.
//
// Units: durations are std::chrono::microseconds (the project's time unit, as event ts_us);
// sizes are bytes.
// Thread safety: the parse functions are pure apart from `env` and, for LoadConfig, reading the
// file; a Config is a value type.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/column_profile.h"
#include "modelwatch/core/drift.h"
#include "modelwatch/core/status.h"
#include "modelwatch/core/task.h"
#include "modelwatch/probes/target.h"

namespace modelwatch::server {

// 24 hours.
inline constexpr std::chrono::microseconds kDay = std::chrono::hours(24);

// Looks up an environment variable by name; nullopt when it is not set. ProcessEnv() reads the
// process environment; tests inject a map.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// At most this many problems are reported by one parse (the rest are counted in a last line).
inline constexpr size_t kMaxConfigErrors = 20;

// `server:` — the HTTP listener.
struct ServerConfig {
  // `listen: "127.0.0.1:8686"`: host (name, IPv4, or IPv6 without its brackets) and port.
  // Port 0 asks the OS for a free port.
  std::string host = "127.0.0.1";
  uint16_t port = 8686;
  int io_threads = 0;  // 0 = two per core, at least 4 (see docs/config.md)
  // To receive one whole request.
  std::chrono::microseconds read_timeout = std::chrono::seconds(30);
  // A keep-alive connection with no request is closed after this.
  std::chrono::microseconds idle_timeout = std::chrono::seconds(60);
  // On SIGTERM, requests in flight get this long to finish.
  std::chrono::microseconds shutdown_grace = std::chrono::seconds(10);
};

enum class StorageBackend { kSqlite };
enum class StorageSync { kFull, kNormal };  // as store::SqliteOptions::Sync

struct RetentionConfig {
  std::chrono::microseconds predictions = 30 * kDay;  // raw predictions (late-label join)
  std::chrono::microseconds windows = 400 * kDay;     // window summaries
  std::chrono::microseconds labels = 7 * kDay;        // labels still waiting for a prediction
};

// `storage:`.
struct StorageConfig {
  StorageBackend backend = StorageBackend::kSqlite;
  // Database file; a relative path in the file is resolved against the config file's directory
  // (DefaultConfig(): "modelwatch.db", relative to the working directory). ":memory:" is kept.
  std::string path = "modelwatch.db";
  StorageSync sync = StorageSync::kFull;
  RetentionConfig retention;
};

enum class Scope { kIngest, kRead, kAdmin };
std::string_view ScopeName(Scope scope);  // "ingest", "read", "admin"

// One bearer token. Scopes are independent: admin does not imply ingest or read.
struct AuthToken {
  std::string name;   // who holds it; shown in logs, never the token
  std::string token;  // the secret (from `token:` or from the variable named by `token_env:`)
  std::vector<Scope> scopes;  // distinct, at least one, in the file's order
  bool HasScope(Scope scope) const;
};

// `auth:`. No tokens: authentication is off (every request is allowed).
struct AuthConfig {
  std::vector<AuthToken> tokens;  // names and token values distinct
  bool enabled() const { return !tokens.empty(); }
};

// `limits:` — every bound the daemon enforces on what clients send.
struct LimitsConfig {
  uint64_t max_body_bytes = uint64_t{16} << 20;  // one HTTP request body
  uint64_t max_records_per_batch = 10000;
  uint64_t max_models = 100;
  uint64_t max_versions_per_model = 20;
  uint64_t max_features_per_model = 500;
  uint64_t max_label_values = 1000;  // distinct classes per model
  uint64_t max_segments_per_model = 100;
  // No effect: waiting predictions are store rows, not memory (docs/config.md). Kept so that
  // configurations that set it still load.
  uint64_t max_pending_predictions = 1000000;
  uint64_t ingest_queue_batches = 64;          // accepted batches queued for the monitor
};

// `reference:` — what drift is measured against; exactly one source.
struct ReferenceConfig {
  enum class Kind {
    kNone,         // no reference: drift is not computed
    kProfile,      // a .mwprof written by `modelwatch profile`
    kFile,         // a CSV / NDJSON dataset
    kFirstEvents,  // the model's first `first_events` prediction events
  };
  Kind kind = Kind::kNone;
  std::string path;           // kProfile, kFile: resolved against the config file's directory
  uint64_t first_events = 0;  // kFirstEvents
};

enum class KServeOutput { kProbabilities, kClass, kScore };
std::string_view KServeOutputName(KServeOutput output);  // "probabilities", "class", "score"

// `kserve:` — how a KServe payload-logger (V1/V2 tensor) event maps onto this model.
struct KServeConfig {
  std::vector<std::string> inputs;  // feature names in tensor column order; not empty
  std::string input_name;           // V2 input tensor name; "" = the first input
  std::string output_name;          // V2 output tensor name; "" = the first output
  // How to read the output tensor: per-class probabilities, the class itself, or one score
  // (binary: P(positive); regression: the predicted value). Default: kScore for regression,
  // kProbabilities otherwise.
  KServeOutput output = KServeOutput::kProbabilities;
};

// One `resources.targets` entry: a model server the daemon samples (docs/config.md).
struct ResourceTargetConfig {
  // [A-Za-z0-9_.:-]{1,128}, distinct, not "host" (the host's own series): the `target` label
  // of the resource metrics and the {t} of /v1/targets/{t}/resources.
  std::string name;
  probes::TargetSpec spec;  // exactly one of pid, pidfile, match, exe, cgroup
};

enum class GpuMode {
  kAuto,  // open NVML when it is installed; without it, a "no NVML" status and no GPU series
  kOn,    // the same, but the missing library is reported at start as a warning
  kOff,   // never load NVML
};
std::string_view GpuModeName(GpuMode mode);  // "auto", "on", "off"

// At most this many resources.targets (each adds a bounded set of series to /metrics).
inline constexpr size_t kMaxResourceTargets = 64;

// `resources:` — host, target and GPU sampling (docs/probes.md, docs/metrics.md).
struct ResourcesConfig {
  bool enabled = true;  // false: nothing is sampled, /v1/targets is empty
  std::chrono::microseconds interval = std::chrono::seconds(5);  // 1s..1h
  GpuMode gpu = GpuMode::kAuto;
  std::string nvml_library = "libnvidia-ml.so.1";  // dlopen name or path
  // Resource time series in the store (by sample time), 1h..3650d.
  std::chrono::microseconds retention = 7 * kDay;
  std::vector<ResourceTargetConfig> targets;  // names distinct, in the file's order
};

// One model: `models: {NAME: {...}}`, or `defaults:` for models first seen in events.
struct ModelConfig {
  // [A-Za-z0-9_.:-]{1,128} (a Prometheus label value and URL path segment, as IsValidName of
  // event_parser.h); "" in Config::defaults.
  std::string name;
  Task task = Task::kBinary;
  // Binary: the positive class, as text (numbers canonical: 1.0 -> "1", as EventValue).
  std::string positive_label = "1";
  // Multiclass: the classes in the order metrics report them (empty = in order of appearance).
  // Binary: empty, or both classes (positive_label one of them). Same canonical text.
  std::vector<std::string> classes;
  // Declared feature schema (empty = inferred from the first infer_schema_events events).
  std::map<std::string, ColumnType, std::less<>> features;
  uint64_t infer_schema_events = 100;
  // Tumbling window widths, whole seconds, distinct, in the file's order.
  std::vector<std::chrono::microseconds> windows = {std::chrono::minutes(5), std::chrono::hours(1)};
  std::chrono::microseconds allowed_lateness = std::chrono::minutes(5);
  std::chrono::microseconds label_ttl = 7 * kDay;  // how long a prediction waits for its label
  std::vector<std::string> segment_by;             // segment keys, distinct
  ReferenceConfig reference;
  // drift.method/threshold -> drift.all; drift.columns -> drift.per_column. A column's method
  // defaults to drift.method; its threshold to drift.threshold only when it keeps that method
  // (else to the column's method's own default).
  DriftOptions drift;
  std::optional<KServeConfig> kserve;  // absent: the KServe endpoint rejects this model
};

struct Config {
  std::string source;  // the file's path ("" for DefaultConfig())
  ServerConfig server;
  StorageConfig storage;
  AuthConfig auth;
  LimitsConfig limits;
  ResourcesConfig resources;
  std::vector<ModelConfig> models;  // declared, in the file's order; names distinct
  // From `defaults:` when it sets a task: applied to models first seen in events. nullopt: an
  // event for an undeclared model is rejected (404 naming the model).
  std::optional<ModelConfig> defaults;

  // The declared model `name`, or nullptr.
  const ModelConfig* FindModel(std::string_view name) const;
  // What a model named `name` runs with: its declaration, else `defaults` with the name set,
  // else kNotFound "model 'NAME' is not declared in the configuration (and defaults.task is not
  // set)". Does not check the name's syntax or limits.max_models.
  Result<ModelConfig> ModelFor(std::string_view name) const;
};

// Every default above: no models, no `defaults:` (undeclared models are rejected), no auth.
// Used when `serve` runs without --config.
Config DefaultConfig();

// Parses the text of a configuration. `source_name` prefixes every message; `base_dir` resolves
// relative paths (storage.path, reference profile/file; "" leaves them relative); `env`
// resolves auth.tokens[].token_env (an empty function: no variable is set). An empty document
// is DefaultConfig() with `source` set and storage.path resolved against `base_dir`.
Result<Config> ParseConfig(std::string_view yaml_text, const std::string& source_name,
                           const EnvLookup& env, const std::string& base_dir);

// Reads and parses `path` (base_dir: the file's absolute directory). kNotFound when the file
// does not exist, kUnavailable when it cannot be read, kInvalidArgument for a directory, a file
// over 16 MiB or bad content.
Result<Config> LoadConfig(const std::string& path, const EnvLookup& env);

// "500ms", "90s", "5m", "1h", "7d": the largest of d, h, m, s, ms that shows the value as a
// whole number, else milliseconds with decimals ("1.5ms"). ParseConfig reads it back.
std::string FormatDuration(std::chrono::microseconds d);

}  // namespace modelwatch::server
