#include "modelwatch/server/cloudevents_service.h"

#include <vector>

#include "modelwatch/server/kserve.h"

namespace modelwatch::server {
namespace {

KServeMapping Mapping(const ModelConfig& model) {
  KServeMapping m;
  const KServeConfig& k = *model.kserve;
  m.inputs = k.inputs;
  m.input_name = k.input_name;
  m.output_name = k.output_name;
  switch (k.output) {
    case KServeOutput::kProbabilities:
      m.output = KServeMapping::Output::kProbabilities;
      break;
    case KServeOutput::kClass:
      m.output = KServeMapping::Output::kClass;
      break;
    case KServeOutput::kScore:
      m.output = KServeMapping::Output::kScore;
      break;
  }
  m.classes = model.classes;
  m.regression = model.task == Task::kRegression;
  return m;
}

}  // namespace

void CloudEventsService::ExpireLocked(int64_t now_us) {
  uint64_t dropped = 0;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now_us - it->second.received_us > kPendingTtlUs) {
      it = pending_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  if (dropped > 0) counters_.Add("modelwatch_cloudevents_unpaired_total", {}, dropped);
}

HttpResponse CloudEventsService::Post(const HttpRequest& request) {
  const int64_t now = now_();
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  for (const auto& [name, value] : request.headers) headers.emplace_back(name, value);
  Result<CloudEventHeaders> ce = ParseCloudEventHeaders(headers);
  if (!ce.ok()) return ingest_.Reject("", 400, "invalid_argument", ce.status().message());
  Result<CloudEventKind> kind = ClassifyCloudEventType(ce->type);
  if (!kind.ok()) return ingest_.Reject("", 400, "invalid_argument", kind.status().message());
  if (*kind == CloudEventKind::kFeedback) {
    return ingest_.Reject("", 422, "failed_precondition",
                          "feedback CloudEvents are not supported yet: post labels to "
                          "/v1/models/{model}/labels");
  }
  const bool is_request = *kind == CloudEventKind::kInferenceRequest;
  std::string model_name = ce->inference_service_name;
  if (model_name.empty() && !is_request) {
    ParseLimits limits;
    Result<InferenceResponse> response = ParseInferenceResponse(request.body, limits);
    if (response.ok()) model_name = response->model_name;
  }
  Half half{model_name, request.body, is_request, ce->time_us.value_or(now), now};
  Half other;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ExpireLocked(now);
    auto it = pending_.find(ce->id);
    if (it == pending_.end() || it->second.is_request == is_request) {
      if (pending_.size() >= kMaxPending && it == pending_.end()) {
        HttpResponse r = ingest_.Reject(model_name, 429, "resource_exhausted",
                                        "too many CloudEvents waiting for their pair (" +
                                            std::to_string(kMaxPending) + "); retry later");
        r.headers.emplace_back("Retry-After", "1");
        return r;
      }
      pending_[ce->id] = std::move(half);
      return HttpResponse::Json(202, "{\"status\":\"waiting\"}");
    }
    other = std::move(it->second);
    pending_.erase(it);
  }
  const Half& req = is_request ? half : other;
  const Half& resp = is_request ? other : half;
  if (model_name.empty()) model_name = other.model;
  if (model_name.empty()) {
    return ingest_.Reject("", 400, "invalid_argument",
                          "the CloudEvents pair names no model (header "
                          "'ce-inferenceservicename' or the response's model_name)");
  }
  Result<ModelConfig> model = ingest_.ModelNamed(model_name);
  if (!model.ok()) {
    const int status = model.status().code() == StatusCode::kNotFound ? 404 : 400;
    return ingest_.Reject("", status, StatusCodeName(model.status().code()),
                          model.status().message());
  }
  if (!model->kserve) {
    return ingest_.Reject(model->name, 422, "failed_precondition",
                          "model '" + model->name +
                              "' has no kserve mapping in the configuration (models." +
                              model->name + ".kserve)");
  }
  ParseLimits limits;
  Result<InferenceRequest> parsed_request = ParseInferenceRequest(req.body, limits);
  if (!parsed_request.ok()) {
    return ingest_.Reject(model->name, 400, "invalid_argument",
                          "inference request: " + parsed_request.status().message());
  }
  Result<InferenceResponse> parsed_response = ParseInferenceResponse(resp.body, limits);
  if (!parsed_response.ok()) {
    return ingest_.Reject(model->name, 400, "invalid_argument",
                          "inference response: " + parsed_response.status().message());
  }
  KServeEventContext context;
  context.model = model->name;
  context.id = ce->id;
  context.ts_us = req.ts_us;
  Result<std::vector<PredictionEvent>> events =
      JoinKServe(*parsed_request, *parsed_response, Mapping(*model), context, limits);
  if (!events.ok()) {
    return ingest_.Reject(model->name, 400, "invalid_argument", events.status().message());
  }
  return ingest_.Accept(*model, *events, now);
}

}  // namespace modelwatch::server
