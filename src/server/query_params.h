// Private helpers of the read endpoints: the query parameters several of them share.
// Pure functions; thread safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "modelwatch/core/status.h"
#include "modelwatch/server/http_server.h"

namespace modelwatch::server::internal {

// A time query parameter (RFC 3339 or epoch seconds) in unix microseconds; `fallback` when the
// parameter is absent. kInvalidArgument naming the parameter and its text otherwise.
Result<int64_t> TimeParam(const HttpRequest& request, std::string_view name, int64_t fallback);

// `limit` in [1, max]; `fallback` when absent. kInvalidArgument naming the text otherwise.
Result<uint64_t> LimitParam(const HttpRequest& request, uint64_t fallback, uint64_t max);

}  // namespace modelwatch::server::internal
