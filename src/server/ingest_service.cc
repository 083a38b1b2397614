#include "modelwatch/server/ingest_service.h"

#include <fstream>
#include <iterator>
#include <string>

#include "modelwatch/io/dataset_input.h"
#include "modelwatch/server/event_parser.h"

namespace modelwatch::server {
namespace {

constexpr const char* kRejected = "modelwatch_rejected_batches_total";

// Decrements the in-flight count when the request is done, however it ends.
class InFlight {
 public:
  explicit InFlight(std::atomic<uint64_t>& n) : n_(n) { ++n_; }
  ~InFlight() { --n_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<uint64_t>& n_;
};

bool IsClassification(const ModelConfig& m) { return m.task != Task::kRegression; }

std::string RecordPrefix(size_t i) { return "record " + std::to_string(i + 1) + ": "; }

}  // namespace

Result<monitor::ModelSettings> MonitorSettings(const ModelConfig& m) {
  monitor::ModelSettings s;
  s.name = m.name;
  s.quality.task = m.task;
  s.quality.positive_label = m.positive_label;
  s.quality.classes = m.classes;
  s.window_widths_us.clear();
  for (std::chrono::microseconds w : m.windows) s.window_widths_us.push_back(w.count());
  s.allowed_lateness_us = m.allowed_lateness.count();
  s.segment_keys = m.segment_by;
  s.drift = m.drift;
  switch (m.reference.kind) {
    case ReferenceConfig::Kind::kNone:
      break;
    case ReferenceConfig::Kind::kFirstEvents:
      s.reference_first_events = m.reference.first_events;
      break;
    case ReferenceConfig::Kind::kProfile: {
      std::ifstream in(m.reference.path, std::ios::binary);
      if (!in) {
        return NotFoundError("model '" + m.name + "': reference profile " + m.reference.path +
                             ": cannot open");
      }
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      Result<DatasetProfile> profile = DatasetProfile::Deserialize(bytes);
      if (!profile.ok()) {
        return profile.status().WithPrefix("model '" + m.name + "': reference profile " +
                                           m.reference.path);
      }
      s.reference = std::make_shared<const DatasetProfile>(std::move(*profile));
      break;
    }
    case ReferenceConfig::Kind::kFile: {
      // A CSV or NDJSON file (format from its extension), profiled as `modelwatch profile`
      // would: its columns name features, and "prediction" / "label" (or "@prediction" /
      // "@label") the prediction and the label.
      io::DatasetRequest request;
      request.path = m.reference.path;
      Result<io::LoadedDataset> loaded = io::LoadDataset(request, nullptr);
      if (!loaded.ok()) {
        return loaded.status().WithPrefix("model '" + m.name + "': reference file");
      }
      s.reference = std::make_shared<const DatasetProfile>(std::move(loaded->profile));
      break;
    }
  }
  return s;
}

IngestService::IngestService(const Config& config, store::Store& store, monitor::Monitor& monitor,
                             CardinalityGuard& guard, SchemaRegistry& schemas,
                             DaemonCounters& counters, Clock now)
    : config_(config),
      store_(store),
      monitor_(monitor),
      guard_(guard),
      schemas_(schemas),
      counters_(counters),
      now_(std::move(now)) {}

void IngestService::EnsureMonitored(const ModelConfig& model) {
  if (monitor_.HasModel(model.name)) return;
  Result<monitor::ModelSettings> settings = MonitorSettings(model);
  if (!settings.ok()) {
    // Only `defaults:` models get here (declared ones were checked at start); monitor them
    // without the reference that cannot be read.
    ModelConfig without_reference = model;
    without_reference.reference = ReferenceConfig{};
    settings = MonitorSettings(without_reference);
  }
  if (settings.ok()) monitor_.AddModel(*settings);
}

Result<ModelConfig> IngestService::Model(const HttpRequest& request) const {
  return ModelNamed(std::string(request.path_param("model").value_or("")));
}

Result<ModelConfig> IngestService::ModelNamed(const std::string& name) const {
  if (!IsValidName(name)) {
    return InvalidArgumentError("model name '" + name +
                                "' is not valid (1-128 of A-Z a-z 0-9 _ . : -)");
  }
  return config_.ModelFor(name);
}

HttpResponse IngestService::Reject(const std::string& model, int status, std::string_view code,
                                   const std::string& message) {
  counters_.Add(kRejected, {{"model", model}, {"reason", std::string(code)}}, 1);
  return HttpResponse::Error(status, code, message);
}

Status IngestService::CheckAgainstModel(const ModelConfig& model,
                                        std::span<const PredictionEvent> events) const {
  for (size_t i = 0; i < events.size(); ++i) {
    const PredictionEvent& e = events[i];
    if (model.task == Task::kRegression) {
      for (const auto& [field, v] : {std::pair{"prediction", &e.prediction}, {"label", &e.label}}) {
        if (!v->is_null() && v->kind != EventValue::Kind::kNumber) {
          return InvalidArgumentError(RecordPrefix(i) + "field '" + field +
                                      "' must be a number for regression model '" + model.name +
                                      "'");
        }
      }
    }
    if (model.task != Task::kMulticlass && !e.scores.empty()) {
      return InvalidArgumentError(RecordPrefix(i) + "field 'scores' is for multiclass models; '" +
                                  model.name + "' is " + std::string(TaskName(model.task)));
    }
    if (model.task != Task::kBinary && e.score.has_value()) {
      return InvalidArgumentError(RecordPrefix(i) + "field 'score' is for binary models; '" +
                                  model.name + "' is " + std::string(TaskName(model.task)));
    }
  }
  return Status();
}

std::optional<HttpResponse> IngestService::Begin(const HttpRequest& request, ModelConfig* model,
                                                 BodyFormat* format) {
  Result<ModelConfig> resolved = Model(request);
  if (!resolved.ok()) {
    const int status = resolved.status().code() == StatusCode::kNotFound ? 404 : 400;
    return Reject("", status, StatusCodeName(resolved.status().code()),
                  resolved.status().message());
  }
  *model = std::move(*resolved);
  if (in_flight_.load() > config_.limits.ingest_queue_batches) {
    HttpResponse r =
        Reject(model->name, 429, "resource_exhausted",
               "too many ingest batches in flight (limits.ingest_queue_batches = " +
                   std::to_string(config_.limits.ingest_queue_batches) + "); retry later");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  Result<BodyFormat> parsed =
      BodyFormatFromContentType(request.header("Content-Type").value_or("application/json"));
  if (!parsed.ok()) {
    return Reject(model->name, 415, "unsupported_media_type", parsed.status().message());
  }
  *format = *parsed;
  return std::nullopt;
}

HttpResponse IngestService::RejectParse(const std::string& model, const Status& status) {
  // Limits passed (kResourceExhausted) are 413; anything else is a bad request.
  if (status.code() == StatusCode::kResourceExhausted) {
    return Reject(model, 413, "payload_too_large", status.message());
  }
  return Reject(model, 400, "invalid_argument", status.message());
}

HttpResponse IngestService::PostPredictions(const HttpRequest& request) {
  InFlight in_flight(in_flight_);
  const int64_t now = now_();
  ModelConfig model;
  BodyFormat format;
  if (std::optional<HttpResponse> refused = Begin(request, &model, &format)) {
    return *refused;
  }
  ParseLimits limits;
  limits.max_records = config_.limits.max_records_per_batch;
  limits.max_features = config_.limits.max_features_per_model;
  Result<std::vector<PredictionEvent>> events =
      ParsePredictions(request.body, format, {model.name, now}, limits);
  if (!events.ok()) {
    return RejectParse(model.name, events.status());
  }
  return Accept(model, *events, now);
}

HttpResponse IngestService::Accept(const ModelConfig& model,
                                   const std::vector<PredictionEvent>& events, int64_t now) {
  Status valid = CheckAgainstModel(model, events);
  if (valid.ok()) valid = schemas_.Check(model, events);
  if (!valid.ok()) {
    const bool ours = valid.code() == StatusCode::kInvalidArgument;
    return Reject(model.name, ours ? 400 : 503, ours ? "invalid_argument" : "unavailable",
                  valid.message());
  }
  Status admitted = guard_.Admit(model.name, events, IsClassification(model));
  if (!admitted.ok()) {
    return Reject(model.name, 422, "resource_exhausted", admitted.message());
  }
  // The monitor learns the batch from the store when it commits: it must know the model first.
  EnsureMonitored(model);
  Result<store::PredictionAppendResult> stored = store_.AppendPredictions(events, now);
  if (!stored.ok()) {
    return Reject(model.name, 503, "unavailable",
                  "the store could not be written: " + stored.status().message());
  }
  // Per model: the store reports how many were new, not which (per version counts are in the
  // registry, GET /v1/models).
  counters_.Add("modelwatch_predictions_total", {{"model", model.name}}, stored->inserted);
  if (stored->duplicates > 0) {
    counters_.Add("modelwatch_duplicate_predictions_total", {{"model", model.name}},
                  stored->duplicates);
  }
  if (!stored->joined_on_arrival.empty()) {
    counters_.Add("modelwatch_labels_joined_total", {{"model", model.name}},
                  stored->joined_on_arrival.size());
  }
  return HttpResponse::Json(200, "{\"accepted\":" + std::to_string(stored->inserted) +
                                     ",\"duplicates\":" + std::to_string(stored->duplicates) + "}");
}

HttpResponse IngestService::PostLabels(const HttpRequest& request) {
  InFlight in_flight(in_flight_);
  const int64_t now = now_();
  ModelConfig model;
  BodyFormat format;
  if (std::optional<HttpResponse> refused = Begin(request, &model, &format)) {
    return *refused;
  }
  ParseLimits limits;
  limits.max_records = config_.limits.max_records_per_batch;
  Result<std::vector<LabelEvent>> labels =
      ParseLabels(request.body, format, {model.name, now}, limits);
  if (!labels.ok()) {
    return RejectParse(model.name, labels.status());
  }
  if (model.task == Task::kRegression) {
    for (size_t i = 0; i < labels->size(); ++i) {
      if ((*labels)[i].label.kind != EventValue::Kind::kNumber) {
        return Reject(model.name, 400, "invalid_argument",
                      RecordPrefix(i) + "field 'label' must be a number for regression model '" +
                          model.name + "'");
      }
    }
  }
  Status admitted = guard_.AdmitLabels(model.name, *labels, IsClassification(model));
  if (!admitted.ok()) {
    return Reject(model.name, 422, "resource_exhausted", admitted.message());
  }
  EnsureMonitored(model);
  // A label joins a prediction received at most label_ttl before it.
  Result<store::LabelAppendResult> stored =
      store_.AppendLabels(*labels, now, now - model.label_ttl.count());
  if (!stored.ok()) {
    return Reject(model.name, 503, "unavailable",
                  "the store could not be written: " + stored.status().message());
  }
  counters_.Add("modelwatch_labels_total", {{"model", model.name}}, labels->size());
  if (!stored->joined.empty()) {
    counters_.Add("modelwatch_labels_joined_total", {{"model", model.name}}, stored->joined.size());
  }
  if (stored->too_late > 0) {
    counters_.Add("modelwatch_labels_too_late_total", {{"model", model.name}}, stored->too_late);
  }
  return HttpResponse::Json(200, "{\"accepted\":" + std::to_string(labels->size()) +
                                     ",\"joined\":" + std::to_string(stored->joined.size()) +
                                     ",\"pending\":" + std::to_string(stored->pending) +
                                     ",\"too_late\":" + std::to_string(stored->too_late) + "}");
}

}  // namespace modelwatch::server
