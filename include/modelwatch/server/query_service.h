// The read side of the REST API (docs/api.md):
//   GET /v1/health                        liveness: {"status":"ok"}
//   GET /v1/ready                         readiness: 200 {"status":"ready"} when the store can be
//                                         written, else 503
//   GET /v1/models                        every model with its versions (registry)
//   GET /v1/models/{model}                one model: configuration summary, versions, and the
//                                         latest window of each width
//   GET /v1/models/{model}/windows?from=&to=&version=&window=&segment=&limit=
//                                         window summaries, oldest first; from/to are RFC 3339
//                                         or epoch seconds (window start in [from, to));
//                                         version=all selects the all-versions windows;
//                                         window=5m selects one width; segment=region=eu
//                                         one segment's windows (default: the whole model)
//   GET /v1/models/{model}/drift?window=&version=&at=
//                                         the drift section of one window: the one holding
//                                         `at` (a time), else the latest closed window, of width
//                                         `window` (default: the model's first width) and
//                                         `version` (default: all versions)
// Errors: 400 for a bad parameter (named), 404 for an unknown model (or, for drift, when no
// window matches).
// Thread safety: handlers may run concurrently (the store is thread safe).
#pragma once

#include "modelwatch/server/config.h"
#include "modelwatch/server/http_server.h"
#include "modelwatch/server/schema_registry.h"
#include "modelwatch/store/store.h"

namespace modelwatch::server {

class QueryService {
 public:
  // `schemas` (may be null: no "schema" in GET /v1/models/{m}) must outlive the service.
  QueryService(const Config& config, store::Store& store, const SchemaRegistry* schemas = nullptr)
      : config_(config), store_(store), schemas_(schemas) {}

  HttpResponse Health(const HttpRequest& request) const;
  HttpResponse Ready(const HttpRequest& request) const;
  HttpResponse Models(const HttpRequest& request) const;
  HttpResponse Model(const HttpRequest& request) const;
  HttpResponse Windows(const HttpRequest& request) const;
  HttpResponse Drift(const HttpRequest& request) const;

 private:
  // Whether `name` is configured or has stored predictions.
  bool IsKnownModel(const std::string& name) const;

  const Config& config_;
  store::Store& store_;
  const SchemaRegistry* schemas_;
};

}  // namespace modelwatch::server
