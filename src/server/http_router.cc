// Router (declared in http_server.h): pattern validation, matching and dispatch.
#include <algorithm>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_url.h"
#include "modelwatch/server/http_server.h"

namespace modelwatch::server {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// RFC 9110 token characters, which is what a method is.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, HttpHandler handler) {
  auto fail = [&](std::string_view why) {
    if (status_.ok()) {
      status_ = InvalidArgumentError("route " + method + " '" + pattern + "': " + std::string(why));
    }
  };
  if (method.empty() || !std::all_of(method.begin(), method.end(), IsTokenChar)) {
    return fail("method must be a non-empty token");
  }
  if (!handler) return fail("handler is empty");
  if (pattern.empty() || pattern[0] != '/') return fail("pattern must start with '/'");

  Route route;
  for (std::string_view part : internal::SplitPath(pattern)) {
    if (part.empty()) return fail("empty path segment");
    Segment segment;
    if (part.front() == '{' || part.back() == '}') {
      const std::string_view name = part.size() >= 2 && part.front() == '{' && part.back() == '}'
                                        ? part.substr(1, part.size() - 2)
                                        : std::string_view();
      if (name.empty() || !std::all_of(name.begin(), name.end(), IsNameChar)) {
        return fail("a capture is '{name}' with name in [A-Za-z0-9_]+");
      }
      for (const Segment& earlier : route.segments) {
        if (earlier.capture && earlier.text == name) return fail("capture name used twice");
      }
      segment.text = std::string(name);
      segment.capture = true;
    } else {
      if (part.find_first_of("{}") != std::string_view::npos) {
        return fail("'{' and '}' are only allowed around a whole segment");
      }
      std::optional<std::string> decoded = internal::PercentDecode(part, false);
      if (!decoded) return fail("bad percent-encoding");
      segment.text = std::move(*decoded);
    }
    route.segments.push_back(std::move(segment));
  }

  for (const Route& other : routes_) {
    if (other.method != method || other.segments.size() != route.segments.size()) continue;
    bool same_shape = true;
    for (size_t i = 0; i < route.segments.size() && same_shape; ++i) {
      const Segment& a = other.segments[i];
      const Segment& b = route.segments[i];
      same_shape = a.capture == b.capture && (a.capture || a.text == b.text);
    }
    if (same_shape) return fail("overlaps the earlier route '" + other.pattern + "'");
  }

  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

HttpResponse Router::Dispatch(HttpRequest& request, const HttpErrorLog& error_log) const {
  const std::string_view target = request.target;
  const size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  request.query.clear();
  request.path_params.clear();
  if (question != std::string_view::npos) {
    auto query = internal::ParseQuery(target.substr(question + 1));
    if (!query) {
      return HttpResponse::Error(400, "invalid_argument", "malformed percent-encoding in query");
    }
    request.query = std::move(*query);
  }
  if (request.path.empty() || request.path[0] != '/') {
    return HttpResponse::Error(404, "not_found", "no such resource");
  }

  std::vector<std::string> segments;
  for (std::string_view raw : internal::SplitPath(request.path)) {
    std::optional<std::string> decoded = internal::PercentDecode(raw, false);
    if (!decoded) {
      return HttpResponse::Error(400, "invalid_argument", "malformed percent-encoding in path");
    }
    segments.push_back(std::move(*decoded));
  }

  // Among the routes matching the path: the most specific one for the method (a literal beats a
  // capture at the first segment where two patterns differ), and every method for Allow.
  const std::string_view method = request.method;
  const Route* best = nullptr;
  const Route* best_get = nullptr;  // for HEAD without a HEAD route
  std::vector<std::string> allowed;
  auto more_specific = [](const Route& a, const Route& b) {
    for (size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].capture != b.segments[i].capture) return !a.segments[i].capture;
    }
    return false;
  };
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const Segment& s = route.segments[i];
      match = s.capture ? !segments[i].empty() : s.text == segments[i];
    }
    if (!match) continue;
    allowed.push_back(route.method);
    if (route.method == method) {
      if (best == nullptr || more_specific(route, *best)) best = &route;
    } else if (route.method == "GET" && method == "HEAD") {
      if (best_get == nullptr || more_specific(route, *best_get)) best_get = &route;
    }
  }
  if (best == nullptr) best = best_get;
  if (best == nullptr) {
    if (allowed.empty()) return HttpResponse::Error(404, "not_found", "no such resource");
    if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) {
      allowed.push_back("HEAD");
    }
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    std::string allow;
    for (const std::string& m : allowed) {
      if (!allow.empty()) allow += ", ";
      allow += m;
    }
    HttpResponse response =
        HttpResponse::Error(405, "method_not_allowed",
                            "method " + request.method + " is not allowed here; use " + allow);
    response.headers.emplace_back("Allow", std::move(allow));
    return response;
  }

  for (size_t i = 0; i < segments.size(); ++i) {
    if (best->segments[i].capture) {
      request.path_params.emplace_back(best->segments[i].text, std::move(segments[i]));
    }
  }

  try {
    return best->handler(request);
  } catch (const std::exception& e) {
    if (error_log) {
      error_log("handler for " + request.method + " " + best->pattern + " threw: " + e.what());
    }
  } catch (...) {
    if (error_log) {
      error_log("handler for " + request.method + " " + best->pattern + " threw a non-exception");
    }
  }
  return HttpResponse::Error(500, "internal", "internal error");
}

}  // namespace modelwatch::server
