// The ingest endpoints: POST /v1/models/{model}/predictions and POST /v1/models/{model}/labels.
//
// A request is accepted or rejected whole: parse and validate every record (event_parser.h),
// check it against the model's configuration (task, its declared or inferred feature schema:
// schema_registry.h) and the cardinality
// limits, then write the batch to the store in one transaction; the 2xx reply is sent only
// after that commit (durable, see docs/storage.md), and the monitor is told which windows
// changed. Responses:
//   200 {"accepted":N,"duplicates":D}                (predictions; duplicates are retries)
//   200 {"accepted":N,"joined":J,"pending":P}        (labels)
//   400 invalid_argument  a bad record ("record 17: field 'score' must be a number in [0,1]")
//   404 not_found         the model is not declared and config `defaults:` sets no task
//   413 payload_too_large more records (or features in a record) than the limits allow
//   415 unsupported_media_type  Content-Type is not JSON or NDJSON
//   422 resource_exhausted a cardinality limit (models, versions, features, segments, classes)
//   429 resource_exhausted more than limits.ingest_queue_batches batches in flight (Retry-After)
//   503 unavailable       the store cannot be written
// Every rejection is counted in modelwatch_rejected_records_total{model,reason}.
// Thread safety: handlers may run concurrently.
#pragma once

#include <atomic>
#include <functional>
#include <optional>

#include "modelwatch/monitor/monitor.h"
#include "modelwatch/server/cardinality_guard.h"
#include "modelwatch/server/config.h"
#include "modelwatch/server/daemon_counters.h"
#include "modelwatch/server/event_parser.h"
#include "modelwatch/server/http_server.h"
#include "modelwatch/server/schema_registry.h"
#include "modelwatch/store/store.h"

namespace modelwatch::server {

using Clock = std::function<int64_t()>;  // microseconds since the epoch

// What the monitor needs of a model's configuration; reads the reference profile file when the
// model names one (kNotFound / kDataLoss naming the file otherwise; a CSV/NDJSON reference file
// is kFailedPrecondition for now: write a profile with `modelwatch profile`).
Result<monitor::ModelSettings> MonitorSettings(const ModelConfig& model);

class IngestService {
 public:
  // Everything referenced must outlive the service.
  IngestService(const Config& config, store::Store& store, monitor::Monitor& monitor,
                CardinalityGuard& guard, SchemaRegistry& schemas, DaemonCounters& counters,
                Clock now);

  HttpResponse PostPredictions(const HttpRequest& request);
  HttpResponse PostLabels(const HttpRequest& request);

  // Checks parsed predictions of `model` against its configuration and the limits, stores them
  // and tells the monitor (the common tail of every ingest path).
  HttpResponse Accept(const ModelConfig& model, const std::vector<PredictionEvent>& events,
                      int64_t now_us);
  // The configuration of the model `name` (kNotFound, or kInvalidArgument for a bad name).
  Result<ModelConfig> ModelNamed(const std::string& name) const;
  // An error response, counted in modelwatch_rejected_batches_total{model, reason=code}.
  HttpResponse Reject(const std::string& model, int status, std::string_view code,
                      const std::string& message);

 private:
  // Resolves the model of the URL: its configuration or a 404.
  Result<ModelConfig> Model(const HttpRequest& request) const;
  // The common start of both ingest requests: the URL's model, the in-flight bound and the body
  // format. nullopt (with *model and *format set) to go on, else the response to send.
  std::optional<HttpResponse> Begin(const HttpRequest& request, ModelConfig* model,
                                    BodyFormat* format);
  // The 413 / 400 response for a body the parser refused.
  HttpResponse RejectParse(const std::string& model, const Status& status);
  Status CheckAgainstModel(const ModelConfig& model, std::span<const PredictionEvent> events) const;
  // Adds a model first seen in events (configured by `defaults:`) to the monitor.
  void EnsureMonitored(const ModelConfig& model);

  const Config& config_;
  store::Store& store_;
  monitor::Monitor& monitor_;
  CardinalityGuard& guard_;
  SchemaRegistry& schemas_;
  DaemonCounters& counters_;
  Clock now_;
  std::atomic<uint64_t> in_flight_{0};
};

}  // namespace modelwatch::server
