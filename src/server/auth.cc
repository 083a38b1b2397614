#include "modelwatch/server/auth.h"

#include <string>

namespace modelwatch::server {
namespace {

// The token of an "Authorization: Bearer <token>" header (scheme case-insensitive), or "".
std::string_view BearerToken(const HttpRequest& request) {
  const std::optional<std::string_view> header = request.header("Authorization");
  if (!header) return {};
  std::string_view v = *header;
  constexpr std::string_view kScheme = "bearer ";
  if (v.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    const char c = v[i] >= 'A' && v[i] <= 'Z' ? static_cast<char>(v[i] - 'A' + 'a') : v[i];
    if (c != kScheme[i]) return {};
  }
  v.remove_prefix(kScheme.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::optional<HttpResponse> Authorizer::Check(const HttpRequest& request, Scope scope) const {
  if (!config_.enabled()) return std::nullopt;
  const std::string_view presented = BearerToken(request);
  const AuthToken* match = nullptr;
  for (const AuthToken& t : config_.tokens) {
    // Every token is compared, whatever matched before.
    if (ConstantTimeEquals(presented, t.token) && !presented.empty()) match = &t;
  }
  if (match == nullptr) {
    HttpResponse r = HttpResponse::Error(
        401, "unauthenticated",
        presented.empty() ? "this endpoint needs an 'Authorization: Bearer <token>' header"
                          : "the bearer token is not valid");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (!match->HasScope(scope)) {
    return HttpResponse::Error(403, "permission_denied",
                               "token '" + match->name + "' lacks the '" +
                                   std::string(ScopeName(scope)) + "' scope");
  }
  return std::nullopt;
}

}  // namespace modelwatch::server
