#include "modelwatch/server/targets_service.h"

#include <string>

#include "modelwatch/core/timestamp.h"
#include "modelwatch/io/json_writer.h"
#include "query_params.h"

namespace modelwatch::server {
namespace {

constexpr int64_t kDefaultSpanMicros = int64_t{3600} * 1000000;  // from = to (or now) - 1h
constexpr uint64_t kMaxSamples = 100000;

std::string Rfc3339(int64_t us) { return FormatTimestamp(static_cast<double>(us) / 1e6); }

bool IsTarget(const ResourcesConfig& config, std::string_view name) {
  if (name == "host") return true;
  for (const ResourceTargetConfig& t : config.targets) {
    if (t.name == name) return true;
  }
  return false;
}

}  // namespace

HttpResponse TargetsService::Targets(const HttpRequest&) const {
  return HttpResponse::Json(200, TargetsJson(monitor_.Snapshot(), monitor_.config()));
}

HttpResponse TargetsService::Resources(const HttpRequest& request) const {
  const std::string name(request.path_param("target").value_or(""));
  if (!IsTarget(monitor_.config(), name)) {
    std::string known = "host";
    for (const ResourceTargetConfig& t : monitor_.config().targets) known += ", " + t.name;
    return HttpResponse::Error(404, "not_found",
                               "no target '" + name + "' (configured: " + known + ")");
  }
  Result<int64_t> to = internal::TimeParam(request, "to", INT64_MAX);
  if (!to.ok()) return HttpResponse::FromStatus(to.status());
  const int64_t anchor = *to == INT64_MAX ? now_us_() : *to;
  Result<int64_t> from = internal::TimeParam(request, "from", anchor - kDefaultSpanMicros);
  if (!from.ok()) return HttpResponse::FromStatus(from.status());
  if (*from >= *to) {
    return HttpResponse::Error(400, "invalid_argument",
                               "query parameters 'from' and 'to': from must be before to");
  }
  Result<uint64_t> limit = internal::LimitParam(request, 10000, kMaxSamples);
  if (!limit.ok()) return HttpResponse::FromStatus(limit.status());
  store::ResourceSampleQuery query;
  query.target = name;
  query.from_us = *from;
  query.to_us = *to;
  query.limit = *limit + 1;  // one more tells whether the answer is truncated
  Result<std::vector<store::ResourceSampleRecord>> samples = store_.ResourceSamples(query);
  if (!samples.ok()) return HttpResponse::FromStatus(samples.status());
  const bool truncated = samples->size() > *limit;
  if (truncated) samples->pop_back();
  io::JsonWriter head;
  head.BeginObject();
  head.Key("target");
  head.String(name);
  head.Key("from");
  head.String(Rfc3339(*from));
  head.Key("to");
  if (*to == INT64_MAX) {
    head.Null();
  } else {
    head.String(Rfc3339(*to));
  }
  head.Key("truncated");
  head.Bool(truncated);
  head.EndObject();
  std::string out = head.str();
  out.pop_back();  // '}': the stored samples are appended as they are
  out += ",\"samples\":[";
  for (size_t i = 0; i < samples->size(); ++i) {
    if (i > 0) out += ',';
    out += (*samples)[i].json;
  }
  out += "]}";
  return HttpResponse::Json(200, out);
}

}  // namespace modelwatch::server
