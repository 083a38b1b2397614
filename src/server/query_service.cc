#include "modelwatch/server/query_service.h"

#include <cmath>
#include <map>

#include "modelwatch/core/timestamp.h"
#include "modelwatch/io/json_writer.h"
#include "modelwatch/server/metrics_exposition.h"

namespace modelwatch::server {
namespace {

std::string Rfc3339(int64_t us) { return FormatTimestamp(static_cast<double>(us) / 1e6); }

// A window's JSON object; the stored summary is embedded as it is.
std::string WindowJson(const store::WindowRecord& w) {
  io::JsonWriter j;
  j.BeginObject();
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
  return out + ",\"summary\":" + (w.summary.empty() ? std::string("null") : w.summary) + "}";
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

Result<int64_t> TimeParam(const HttpRequest& r, std::string_view name, int64_t fallback) {
  std::optional<std::string_view> v = r.query_param(name);
  if (!v) return fallback;
  std::optional<double> t = ParseTimestamp(*v);
  if (!t) {
    return InvalidArgumentError("query parameter '" + std::string(name) + "': '" +
                                std::string(*v) +
                                "' is not a time (RFC 3339 or epoch seconds)");
  }
  return static_cast<int64_t>(std::llround(*t * 1e6));
}

Result<int64_t> WindowParam(const Config& config, std::string_view model, std::string_view text) {
  const ModelConfig* m = config.FindModel(model);
  std::vector<std::chrono::microseconds> widths =
      m != nullptr ? m->windows
                   : (config.defaults ? config.defaults->windows
                                      : std::vector<std::chrono::microseconds>{});
  std::string known;
  for (std::chrono::microseconds w : widths) {
    const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(w).count();
    if (WindowLabel(s) == text) return s;
    known += (known.empty() ? "" : ", ") + WindowLabel(s);
  }
  return InvalidArgumentError("query parameter 'window': '" + std::string(text) +
                              "' is not a window of this model (" + known + ")");
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
    j.Key("task");
    if (config.ok()) {
      j.String(ModelTaskName(config->task));
    } else {
      j.Null();
    }
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
  j.Key("task");
  if (config.ok()) {
    j.String(ModelTaskName(config->task));
  } else {
    j.Null();
  }
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
  query.segment = "";
  if (std::optional<std::string_view> v = request.query_param("version")) {
    query.version = *v == "all" ? std::string() : std::string(*v);
  }
  if (std::optional<std::string_view> w = request.query_param("window")) {
    Result<int64_t> width = WindowParam(config_, name, *w);
    if (!width.ok()) return HttpResponse::FromStatus(width.status());
    query.width_s = *width;
  }
  if (std::optional<std::string_view> l = request.query_param("limit")) {
    char* end = nullptr;
    const std::string text(*l);
    const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n == 0 || n > 100000) {
      return HttpResponse::Error(400, "invalid_argument",
                                 "query parameter 'limit': '" + text +
                                     "' is not a number in [1, 100000]");
    }
    query.limit = n;
  }
  Result<std::vector<store::WindowRecord>> windows = store_.Windows(query);
  if (!windows.ok()) return HttpResponse::FromStatus(windows.status());
  if (windows->empty() && config_.FindModel(name) == nullptr) {
    Result<std::vector<store::ModelRecord>> models = store_.Models();
    bool known = false;
    if (models.ok()) {
      for (const store::ModelRecord& m : *models) known = known || m.model == name;
    }
    if (!known) return HttpResponse::Error(404, "not_found", "no model '" + name + "'");
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

}  // namespace modelwatch::server
