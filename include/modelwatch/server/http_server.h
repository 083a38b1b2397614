// The HTTP/1.1 server under `modelwatch serve` (DESIGN.md §5, §9): a Router that maps
// (method, path pattern) to handlers, and an HttpServer that serves a Router on one TCP
// listener. Generic: it knows nothing about models; the daemon registers its /v1 handlers.
//
// Protocol: HTTP/1.1 and 1.0 with keep-alive (`Connection: close` honoured), pipelined requests
// answered in order, `Expect: 100-continue` answered, chunked request bodies. Every response
// carries `Server: modelwatch` and a Content-Length (except 204/304, where HTTP forbids a body).
// Errors produced by the server itself use the JSON shape of DESIGN.md §5,
// {"error":{"code":"...","message":"..."}}:
//   400 invalid_argument   malformed request line/headers/chunking or percent-encoding; closes
//   404 not_found          no route for the path
//   405 method_not_allowed the path has routes, none for this method; `Allow` lists them
//   413 payload_too_large  body over max_body_bytes: rejected from Content-Length before the body
//                          is read, or as soon as a chunked body passes the limit; closes
//   431 header_too_large   request line + headers over max_header_bytes; closes
//   500 internal           a handler threw, or returned a status outside 200..599
//   503 unavailable        max_connections connections are open: the new one gets this and is
//                          closed without its request being read
// A request whose bytes stop arriving for read_timeout, or a keep-alive connection idle for
// idle_timeout, is closed without a response.
//
// Implementation: Boost.Beast/Asio behind a pimpl; no Boost type appears in this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch::server {

// One request as handlers see it. Value type.
struct HttpRequest {
  std::string method;  // as sent; methods are case-sensitive ("GET", "POST")
  std::string target;  // the raw request-target, e.g. "/v1/models/a%20b/windows?limit=10"
  // Filled by Router::Dispatch from `target`:
  std::string path;  // target before '?', still percent-encoded ("/v1/models/a%20b/windows")
  // Query parameters in order, duplicates kept, percent-decoded with '+' as space; "?a&b=" gives
  // {"a",""},{"b",""}.
  std::vector<std::pair<std::string, std::string>> query;
  // The pattern's {name} captures, percent-decoded ("{model}" -> {"model","a b"}).
  std::vector<std::pair<std::string, std::string>> path_params;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;                                          // de-chunked
  std::string remote_address;                                // peer IP ("127.0.0.1", "::1")
  uint16_t remote_port = 0;
  int version = 11;  // 11 for HTTP/1.1, 10 for HTTP/1.0

  // First header with this name, compared ASCII case-insensitively; nullopt when absent.
  std::optional<std::string_view> header(std::string_view name) const;
  // First query parameter / path parameter with this (exact, decoded) name.
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::optional<std::string_view> path_param(std::string_view name) const;
};

// What a handler returns. Value type.
struct HttpResponse {
  int status = 200;                               // 200..599; anything else becomes a 500
  std::string content_type = "application/json";  // empty: no Content-Type header
  std::string body;
  // Extra headers, in order. Server, Content-Type, Content-Length, Transfer-Encoding and
  // Connection belong to the server: entries with those names are ignored.
  std::vector<std::pair<std::string, std::string>> headers;

  // `body` is sent as application/json, unchanged.
  static HttpResponse Json(int status, std::string body);
  // A text body (e.g. Prometheus exposition: "text/plain; version=0.0.4; charset=utf-8").
  static HttpResponse Text(int status, std::string body,
                           std::string content_type = "text/plain; charset=utf-8");
  // {"error":{"code":"<code>","message":"<message>"}}, both JSON-escaped (RFC 8259).
  static HttpResponse Error(int status, std::string_view code, std::string_view message);
  // Error(HttpStatusFor(s.code()), StatusCodeName(s.code()), s.message()). `s` must not be OK
  // (programmer error; an OK Status gives a 500).
  static HttpResponse FromStatus(const Status& s);
};

// The HTTP status for a Status code: invalid_argument/out_of_range 400, not_found 404,
// failed_precondition 409, resource_exhausted 429, unavailable 503, data_loss/internal 500,
// ok 200.
int HttpStatusFor(StatusCode code);

// Handlers may be called concurrently from several threads (one request per connection at a
// time); they must be thread safe. Exceptions they throw become a 500 (the message is not sent
// to the client) and the server keeps serving.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Receives one line per server-side failure worth a log entry (a handler threw; a handler
// returned a bad status; accept failed). Lines name the method and the route pattern, never the
// actual path, query, headers or body. Called from I/O or handler threads, concurrently: must be
// thread safe.
using HttpErrorLog = std::function<void(std::string_view line)>;

// Maps (method, path) to a handler. Built once before HttpServer::Start, then read-only: Dispatch
// is safe to call concurrently; Add is not.
//
// Patterns are absolute paths whose segments are literals or "{name}" captures of one whole,
// non-empty segment: "/v1/models/{model}/windows". "/" is the root. Matching compares
// percent-decoded request segments, so %2F inside a segment does not split it. When several
// patterns match, the one with a literal at the first segment where they differ wins
// ("/v1/models/summary" before "/v1/models/{model}"). No trailing-slash or case folding: "/v1/x/"
// does not match "/v1/x".
//
// HEAD: a HEAD request with no HEAD route uses the GET route; the server sends the headers
// (Content-Length of the GET body) without the body.
class Router {
 public:
  // Registers handler for (method, pattern). An invalid pattern (not starting with '/', empty
  // segment, bad {name}, a name used twice), an empty method or handler, or a (method, pattern)
  // that overlaps an earlier one exactly ("/a/{x}" vs "/a/{y}") is a configuration error: it is
  // recorded, the route is dropped, and status() (and so HttpServer::Start) reports the first
  // one as kInvalidArgument naming the pattern.
  void Add(std::string method, std::string pattern, HttpHandler handler);

  // OK, or the first registration error.
  Status status() const { return status_; }

  // Serves one request: parses request.target into path and query (400 on bad
  // percent-encoding), finds the route (404 / 405 + Allow), fills path_params, calls the handler
  // and turns an exception it throws into a 500 (reported to error_log when given). HEAD requests
  // get the GET handler's full response; stripping the body is the server's job.
  HttpResponse Dispatch(HttpRequest& request, const HttpErrorLog& error_log = {}) const;

 private:
  struct Segment {
    std::string text;  // literal text, or the capture name
    bool capture = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    HttpHandler handler;
  };

  std::vector<Route> routes_;
  Status status_;
};

struct HttpServerOptions {
  // Address to listen on: an IPv4 or IPv6 literal ("0.0.0.0", "::"), or "localhost".
  std::string host = "127.0.0.1";
  uint16_t port = 8686;  // 0: an ephemeral port, see HttpServer::port()
  // Threads running the I/O event loop (and, with handler_threads == 0, the handlers).
  // 0: one per core.
  int io_threads = 0;
  // 0: handlers run on the I/O thread that read the request; keep them short (a blocked handler
  // stalls the other connections that thread serves). > 0: handlers run on a separate pool of
  // this many threads, and I/O threads only do I/O; use it for handlers that block (disk
  // fsync, store queries).
  int handler_threads = 0;
  size_t max_body_bytes = size_t{16} << 20;    // larger bodies get 413
  size_t max_header_bytes = size_t{16} << 10;  // request line + headers; larger get 431
  // Time to receive one whole request once its first byte arrived, and to write one response.
  std::chrono::milliseconds read_timeout{30000};
  // Time a keep-alive connection may wait for the first byte of its next request.
  std::chrono::milliseconds idle_timeout{60000};
  // Connections served at once; one more is answered 503 and closed.
  size_t max_connections = 1024;
  HttpErrorLog error_log;  // empty: failures are not reported
};

// Serves a Router on one listener.
//
// Threading: io_threads threads run an Asio event loop; each connection is handled by one of
// them at a time (a strand), requests of a connection strictly one after another. See
// HttpServerOptions::handler_threads for where handlers run.
//
// Thread safety: port() and stats() may be called from any thread; Stop() from any thread
// except a handler (it joins the threads that run handlers; calling it from one deadlocks).
class HttpServer {
 public:
  struct Stats {
    uint64_t connections_accepted = 0;  // served connections, excluding rejected ones
    uint64_t connections_rejected = 0;  // answered 503 because max_connections were open
    uint64_t requests = 0;              // complete requests handed to the router
    uint64_t open_connections = 0;      // currently open (served, rejected and closing)
  };

  // Validates options and the router, binds and listens, and starts the threads; the server
  // accepts connections when this returns.
  // Errors: kInvalidArgument for a bad host, a zero timeout, io_threads/handler_threads < 0,
  // max_connections == 0, or router.status(); kUnavailable "cannot listen on host:port: <reason>"
  // when the address cannot be bound (port in use, address not local, permission).
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, Router router);

  ~HttpServer();  // Stop(std::chrono::seconds(5)) if not stopped yet
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port listened on (the actual one when options.port was 0).
  uint16_t port() const;

  Stats stats() const;

  // Graceful stop: closes the listener (new connections are refused), closes idle keep-alive
  // connections, lets requests in flight finish and their responses be written (with
  // `Connection: close`) for up to `grace`, then closes whatever is left, waits for running
  // handlers to return, and joins all threads. Idempotent; concurrent callers wait for the
  // first one.
  void Stop(std::chrono::milliseconds grace);

  class Impl;  // opaque; defined in http_server.cc

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace modelwatch::server
