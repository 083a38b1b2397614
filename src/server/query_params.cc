#include "query_params.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "modelwatch/core/timestamp.h"

namespace modelwatch::server::internal {

Result<int64_t> TimeParam(const HttpRequest& request, std::string_view name, int64_t fallback) {
  std::optional<std::string_view> v = request.query_param(name);
  if (!v) return fallback;
  std::optional<double> t = ParseTimestamp(*v);
  if (!t) {
    return InvalidArgumentError("query parameter '" + std::string(name) + "': '" + std::string(*v) +
                                "' is not a time (RFC 3339 or epoch seconds)");
  }
  return static_cast<int64_t>(std::llround(*t * 1e6));
}

Result<uint64_t> LimitParam(const HttpRequest& request, uint64_t fallback, uint64_t max) {
  std::optional<std::string_view> v = request.query_param("limit");
  if (!v) return fallback;
  const std::string text(*v);
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || n == 0 || n > max) {
    return InvalidArgumentError("query parameter 'limit': '" + text + "' is not a number in [1, " +
                                std::to_string(max) + "]");
  }
  return n;
}

}  // namespace modelwatch::server::internal
