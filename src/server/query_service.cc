#include "modelwatch/server/query_service.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "modelwatch/core/timestamp.h"
#include "modelwatch/io/json_writer.h"
#include "modelwatch/server/metrics_exposition.h"
#include "query_params.h"

namespace modelwatch::server {
namespace {

using internal::TimeParam;

std::string Rfc3339(int64_t us) { return FormatTimestamp(static_cast<double>(us) / 1e6); }

// A window's JSON object without its closing brace: version, window, start, end, closed,
// updated; `model` first when not empty.
std::string OpenWindowJson(const store::WindowRecord& w, std::string_view model = {}) {
  io::JsonWriter j;
  j.BeginObject();
  if (!model.empty()) {
    j.Key("model");
    j.String(model);
  }
  j.Key("version");
  j.String(w.version.empty() ? "all" : w.version);
  j.Key("window");
  j.String(WindowLabel(w.width_s));
  j.Key("start");
  j.String(Rfc3339(w.start_us));
  j.Key("end");
  j.String(Rfc3339(w.end_us));
  j.Key("closed");
  j.Bool(w.closed);
  j.Key("updated");
  j.String(Rfc3339(w.updated_us));
  j.EndObject();
  std::string out = j.str();
  out.pop_back();  // '}'
  return out;
}

// A window's JSON object; the stored summary is embedded as it is.
std::string WindowJson(const store::WindowRecord& w) {
  return OpenWindowJson(w) +
         ",\"summary\":" + (w.summary.empty() ? std::string("null") : w.summary) + "}";
}

// The "drift" member of a stored window summary, as JSON text ("null" when the summary has
// none). kDataLoss when the stored summary is not JSON.
Result<std::string> DriftOfSummary(const std::string& summary) {
  if (summary.empty()) return std::string("null");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(summary).get(doc) != simdjson::SUCCESS) {
    return DataLossError("stored window summary is not JSON");
  }
  simdjson::dom::element drift;
  if (doc["drift"].get(drift) != simdjson::SUCCESS) return std::string("null");
  return simdjson::to_string(drift);
}

// "task": the model's task, null when it has no configuration (neither declared nor covered by
// defaults: events stored before a configuration change).
void WriteTask(io::JsonWriter& j, const Result<ModelConfig>& config) {
  j.Key("task");
  if (config.ok()) {
    j.String(TaskName(config->task));
  } else {
    j.Null();
  }
}

// "schema": {"source":"declared"|"inferred"|"inferring","features":{name:type},
// "events_seen":N,"infer_events":N} (the last two while inferring).
void WriteSchema(io::JsonWriter& j, const ModelSchema& schema) {
  j.Key("schema");
  j.BeginObject();
  j.Key("source");
  j.String(SchemaSourceName(schema.source));
  j.Key("features");
  j.BeginObject();
  for (const auto& [name, type] : schema.features) {
    j.Key(name);
    j.String(ColumnTypeName(type));
  }
  j.EndObject();
  if (schema.source == ModelSchema::Source::kInferring) {
    j.Key("events_seen");
    j.Uint(schema.events_seen);
    j.Key("infer_events");
    j.Uint(schema.infer_events);
  }
  j.EndObject();
}

// One version of the registry.
void WriteVersion(io::JsonWriter& j, const store::ModelRecord& v) {
  j.BeginObject();
  j.Key("version");
  j.String(v.version);
  j.Key("first_seen");
  j.String(Rfc3339(v.first_seen_us));
  j.Key("last_seen");
  j.String(Rfc3339(v.last_seen_us));
  j.Key("predictions");
  j.Uint(v.predictions);
  j.Key("labels");
  j.Uint(v.labels);
  j.EndObject();
}

Result<int64_t> WindowParam(const Config& config, std::string_view model, std::string_view text) {
  const ModelConfig* m = config.FindModel(model);
  std::vector<std::chrono::microseconds> widths =
      m != nullptr
          ? m->windows
          : (config.defaults ? config.defaults->windows : std::vector<std::chrono::microseconds>{});
  if (text == WindowLabel(0)) return int64_t{0};  // "all": the cumulative view
  std::string known;
  for (std::chrono::microseconds w : widths) {
    const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(w).count();
    if (WindowLabel(s) == text) return s;
    known += (known.empty() ? "" : ", ") + WindowLabel(s);
  }
  return InvalidArgumentError("query parameter 'window': '" + std::string(text) +
                              "' is not a window of this model (" + known + ", all)");
}

}  // namespace

HttpResponse QueryService::Health(const HttpRequest&) const {
  return HttpResponse::Json(200, "{\"status\":\"ok\"}");
}

HttpResponse QueryService::Ready(const HttpRequest&) const {
  Status s = store_.CheckWritable();
  if (!s.ok()) return HttpResponse::Error(503, "unavailable", "store not writable: " + s.message());
  return HttpResponse::Json(200, "{\"status\":\"ready\"}");
}

HttpResponse QueryService::Models(const HttpRequest&) const {
  Result<std::vector<store::ModelRecord>> models = store_.Models();
  if (!models.ok()) return HttpResponse::FromStatus(models.status());
  std::map<std::string, std::vector<const store::ModelRecord*>> by_model;
  for (const ModelConfig& m : config_.models) by_model[m.name];
  for (const store::ModelRecord& r : *models) by_model[r.model].push_back(&r);
  io::JsonWriter j;
  j.BeginObject();
  j.Key("models");
  j.BeginArray();
  for (const auto& [name, versions] : by_model) {
    Result<ModelConfig> config = config_.ModelFor(name);
    j.BeginObject();
    j.Key("name");
    j.String(name);
    WriteTask(j, config);
    j.Key("declared");
    j.Bool(config_.FindModel(name) != nullptr);
    j.Key("versions");
    j.BeginArray();
    for (const store::ModelRecord* v : versions) WriteVersion(j, *v);
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return HttpResponse::Json(200, j.str());
}

HttpResponse QueryService::Model(const HttpRequest& request) const {
  const std::string name(request.path_param("model").value_or(""));
  Result<std::vector<store::ModelRecord>> models = store_.Models();
  if (!models.ok()) return HttpResponse::FromStatus(models.status());
  std::vector<const store::ModelRecord*> versions;
  for (const store::ModelRecord& r : *models) {
    if (r.model == name) versions.push_back(&r);
  }
  if (versions.empty() && config_.FindModel(name) == nullptr) {
    return HttpResponse::Error(404, "not_found", "no model '" + name + "'");
  }
  Result<ModelConfig> config = config_.ModelFor(name);
  store::WindowQuery query;
  query.model = name;
  query.version = "";
  query.segment = "";
  Result<std::vector<store::WindowRecord>> windows = store_.Windows(query);
  if (!windows.ok()) return HttpResponse::FromStatus(windows.status());
  std::map<int64_t, const store::WindowRecord*> latest;  // per width: latest closed
  for (const store::WindowRecord& w : *windows) {
    if (!w.closed) continue;
    const store::WindowRecord*& slot = latest[w.width_s];
    if (slot == nullptr || slot->start_us < w.start_us) slot = &w;
  }
  io::JsonWriter j;
  j.BeginObject();
  j.Key("name");
  j.String(name);
  WriteTask(j, config);
  if (config.ok() && schemas_ != nullptr) WriteSchema(j, schemas_->SchemaOf(*config));
  j.Key("versions");
  j.BeginArray();
  for (const store::ModelRecord* v : versions) WriteVersion(j, *v);
  j.EndArray();
  j.EndObject();
  std::string out = j.str();
  out.pop_back();
  out += ",\"latest_closed_windows\":[";
  bool first = true;
  for (const auto& [width, w] : latest) {
    if (!first) out += ',';
    first = false;
    out += WindowJson(*w);
  }
  out += "]}";
  return HttpResponse::Json(200, out);
}

HttpResponse QueryService::Windows(const HttpRequest& request) const {
  const std::string name(request.path_param("model").value_or(""));
  store::WindowQuery query;
  query.model = name;
  Result<int64_t> from = TimeParam(request, "from", INT64_MIN);
  if (!from.ok()) return HttpResponse::FromStatus(from.status());
  Result<int64_t> to = TimeParam(request, "to", INT64_MAX);
  if (!to.ok()) return HttpResponse::FromStatus(to.status());
  query.from_us = *from;
  query.to_us = *to;
  // segment=key=value selects one segment's windows (models with segment_by); default: the
  // whole model.
  query.segment = std::string(request.query_param("segment").value_or(""));
  if (std::optional<std::string_view> v = request.query_param("version")) {
    query.version = *v == "all" ? std::string() : std::string(*v);
  }
  if (std::optional<std::string_view> w = request.query_param("window")) {
    Result<int64_t> width = WindowParam(config_, name, *w);
    if (!width.ok()) return HttpResponse::FromStatus(width.status());
    query.width_s = *width;
  }
  Result<uint64_t> limit = internal::LimitParam(request, query.limit, 100000);
  if (!limit.ok()) return HttpResponse::FromStatus(limit.status());
  query.limit = *limit;
  Result<std::vector<store::WindowRecord>> windows = store_.Windows(query);
  if (!windows.ok()) return HttpResponse::FromStatus(windows.status());
  if (windows->empty() && !IsKnownModel(name)) {
    return HttpResponse::Error(404, "not_found", "no model '" + name + "'");
  }
  io::JsonWriter quoted;
  quoted.String(name);
  std::string out = "{\"model\":" + quoted.str() + ",\"windows\":[";
  for (size_t i = 0; i < windows->size(); ++i) {
    if (i > 0) out += ',';
    out += WindowJson((*windows)[i]);
  }
  out += "]}";
  return HttpResponse::Json(200, out);
}

bool QueryService::IsKnownModel(const std::string& name) const {
  if (config_.FindModel(name) != nullptr) return true;
  Result<std::vector<store::ModelRecord>> models = store_.Models();
  if (!models.ok()) return false;
  return std::any_of(models->begin(), models->end(),
                     [&](const store::ModelRecord& m) { return m.model == name; });
}

HttpResponse QueryService::Drift(const HttpRequest& request) const {
  const std::string name(request.path_param("model").value_or(""));
  Result<std::vector<store::ModelRecord>> models = store_.Models();
  if (!models.ok()) return HttpResponse::FromStatus(models.status());
  int64_t last_seen_us = INT64_MIN;
  for (const store::ModelRecord& m : *models) {
    if (m.model == name) last_seen_us = std::max(last_seen_us, m.last_seen_us);
  }
  if (last_seen_us == INT64_MIN && config_.FindModel(name) == nullptr) {
    return HttpResponse::Error(404, "not_found", "no model '" + name + "'");
  }
  Result<ModelConfig> config = config_.ModelFor(name);
  if (!config.ok()) return HttpResponse::FromStatus(config.status());
  store::WindowQuery query;
  query.model = name;
  query.segment = "";
  query.version = "";
  if (std::optional<std::string_view> v = request.query_param("version")) {
    query.version = *v == "all" ? std::string() : std::string(*v);
  }
  if (std::optional<std::string_view> w = request.query_param("window")) {
    Result<int64_t> width = WindowParam(config_, name, *w);
    if (!width.ok()) return HttpResponse::FromStatus(width.status());
    query.width_s = *width;
  } else if (!config->windows.empty()) {
    query.width_s = std::chrono::duration_cast<std::chrono::seconds>(config->windows[0]).count();
  }
  const int64_t width_us = query.width_s.value_or(0) * 1'000'000;
  const bool at_given = request.query_param("at").has_value();
  Result<int64_t> at = TimeParam(request, "at", 0);
  if (!at.ok()) return HttpResponse::FromStatus(at.status());
  if (at_given) {
    query.from_us = *at - width_us + 1;  // the window with start <= at < start + width
    query.to_us = *at + 1;
  } else if (last_seen_us != INT64_MIN) {
    // The latest closed window starts at most a lateness and two widths before the newest
    // event: look no further back than a generous multiple of that.
    const int64_t lateness_us =
        std::chrono::duration_cast<std::chrono::microseconds>(config->allowed_lateness).count();
    query.from_us = last_seen_us - 4 * width_us - 2 * lateness_us;
  }
  Result<std::vector<store::WindowRecord>> windows = store_.Windows(query);
  if (!windows.ok()) return HttpResponse::FromStatus(windows.status());
  const store::WindowRecord* chosen = nullptr;
  for (const store::WindowRecord& w : *windows) {
    if (at_given) {
      chosen = &w;
    } else if (w.closed && (chosen == nullptr || chosen->start_us < w.start_us)) {
      chosen = &w;
    }
  }
  if (chosen == nullptr) {
    return HttpResponse::Error(404, "not_found",
                               at_given ? "model '" + name + "' has no such window at that time"
                                        : "model '" + name + "' has no closed window yet");
  }
  Result<std::string> drift = DriftOfSummary(chosen->summary);
  if (!drift.ok()) return HttpResponse::FromStatus(drift.status());
  return HttpResponse::Json(200, OpenWindowJson(*chosen, name) + ",\"drift\":" + *drift + "}");
}

}  // namespace modelwatch::server
