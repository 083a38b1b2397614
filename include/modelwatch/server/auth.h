// Bearer-token authorization of API requests (config `auth:`).
//
// With no tokens configured every request is allowed. Otherwise a request must carry
// "Authorization: Bearer <token>" naming a configured token that has the route's scope:
// missing or unknown token → 401 (with WWW-Authenticate: Bearer), known token without the
// scope → 403. Tokens are compared in constant time (every configured token is compared in
// full, so neither the position nor the length of a match leaks through timing).
// Thread safety: immutable after construction; Check is safe to call concurrently.
#pragma once

#include <optional>
#include <string_view>

#include "modelwatch/server/config.h"
#include "modelwatch/server/http_server.h"

namespace modelwatch::server {

class Authorizer {
 public:
  explicit Authorizer(AuthConfig config) : config_(std::move(config)) {}

  // nullopt when the request may proceed, else the 401/403 response to send.
  std::optional<HttpResponse> Check(const HttpRequest& request, Scope scope) const;

  bool enabled() const { return config_.enabled(); }

 private:
  AuthConfig config_;
};

// True when a and b are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace modelwatch::server
