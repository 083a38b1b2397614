// The resource endpoints of the HTTP API (docs/api.md):
//   GET /v1/targets                          the host and the configured targets, their state
//   GET /v1/targets/{t}/resources?from=&to=&limit=
//                                            the stored samples of one target ("host" for the
//                                            host and its GPUs), oldest first
// Thread safety: handlers may run concurrently (the monitor and the store are thread safe).
// Ownership: the monitor and the store must outlive the service.
#pragma once

#include "modelwatch/server/http_server.h"
#include "modelwatch/server/resource_monitor.h"
#include "modelwatch/store/store.h"

namespace modelwatch::server {

class TargetsService {
 public:
  // `now_us`: the daemon's clock (the default `from` is one hour before it).
  TargetsService(const ResourceMonitor& monitor, store::Store& store,
                 std::function<int64_t()> now_us)
      : monitor_(monitor), store_(store), now_us_(std::move(now_us)) {}

  HttpResponse Targets(const HttpRequest& request) const;
  HttpResponse Resources(const HttpRequest& request) const;

 private:
  const ResourceMonitor& monitor_;
  store::Store& store_;
  const std::function<int64_t()> now_us_;
};

}  // namespace modelwatch::server
