// POST /v1/cloudevents: KServe's payload logger (binary-mode CloudEvents). The logger posts the
// inference request (ce-type org.kubeflow.serving.inference.request) and the response
// (...inference.response) as two events with the same ce-id; their V1/V2 bodies are joined by
// ce-id into prediction events (kserve.h) and ingested like POST /v1/models/{m}/predictions.
// Seldon's io.seldon.serving.inference.request/response are accepted the same way.
//
// The model is the one named by the ce-inferenceservicename header (KServe sets it), else by
// the response's model_name; it must be configured with a `kserve:` mapping (docs/config.md).
// Replies: 202 {"status":"waiting"} for the first half of a pair (kept in memory, at most
// kMaxPending halves for at most kPendingTtl: a half whose pair never comes is dropped and
// counted), 200 {"accepted":N,"duplicates":D} when the pair is complete and stored (durable,
// as the other ingest endpoints). Errors as the ingest endpoints (400 naming the header or the
// tensor, 404 for an unknown model, 422 for a model without a kserve mapping or a feedback
// event, which is not supported yet).
// Thread safety: thread safe (the pending halves are behind a mutex).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "modelwatch/server/http_server.h"
#include "modelwatch/server/ingest_service.h"

namespace modelwatch::server {

class CloudEventsService {
 public:
  static constexpr size_t kMaxPending = 10000;
  static constexpr int64_t kPendingTtlUs = 300'000'000;  // 5 minutes

  // `ingest` must outlive the service.
  CloudEventsService(IngestService& ingest, DaemonCounters& counters, Clock now)
      : ingest_(ingest), counters_(counters), now_(std::move(now)) {}

  HttpResponse Post(const HttpRequest& request);

 private:
  struct Half {
    std::string model;
    std::string body;
    bool is_request = false;
    int64_t ts_us = 0;
    int64_t received_us = 0;
  };
  // Drops halves older than the TTL (mu_ held).
  void ExpireLocked(int64_t now_us);

  IngestService& ingest_;
  DaemonCounters& counters_;
  Clock now_;
  std::mutex mu_;
  std::map<std::string, Half> pending_;  // ce-id -> the half that came first; guarded by mu_
};

}  // namespace modelwatch::server
