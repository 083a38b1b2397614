// HttpServer (declared in http_server.h) on Boost.Beast/Asio 1.74, callback style (Asio 1.74's
// C++20 coroutine support is GCC-only; the fuzz and thread-safety builds use clang).
//
// Threading model: one io_context run by io_threads threads. The listener lives on its own strand;
// every accepted connection gets a strand of its own, so all of a Session's handlers are
// serialized and its members need no lock. Stop() talks to sessions only by posting to their
// strand. The server-wide state shared across strands is the session registry (mutex), the stop
// flag and the counters (atomics).
//
// Per connection the Session runs this loop:
//   idle read (idle_timeout; the only state Stop() may close at once)
//   -> read header (read_timeout starts; 413/431/400 decided here)
//   -> [100 Continue] -> read body (same deadline) -> router -> write response (read_timeout)
//   -> next request (pipelined bytes already buffered go straight to "read header")
// A connection that is to close after a response shuts down its sending side and drains what the
// client still sends for a short while ("lingering close", as nginx and Apache do), so that the
// response is not destroyed by a TCP reset when the client has unread bytes in flight (a 413's
// body, pipelined requests).
#include "modelwatch/server/http_server.h"

// Asio 1.74 uses <utility> without including it (DESIGN.md §9): keep it first.
// clang-format off
#include <utility>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http_url.h"

namespace modelwatch::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kReadChunk = 64 * 1024;  // read buffer reserved per connection
// Lingering close: how long and how much to drain after the last response.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerBytes = 4 * 1024 * 1024;
constexpr std::chrono::milliseconds kAcceptRetry{50};

bool IsHeaderToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool IsSafeHeaderValue(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IsServerOwnedHeader(std::string_view name) {
  for (std::string_view owned :
       {"server", "content-type", "content-length", "transfer-encoding", "connection"}) {
    if (internal::AsciiIEquals(name, owned)) return true;
  }
  return false;
}

std::string_view Sv(beast::string_view s) { return std::string_view(s.data(), s.size()); }

std::string HostPort(std::string_view host, uint16_t port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

class Session;

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, Router router)
      : options_(std::move(options)),
        router_(std::move(router)),
        io_(options_.io_threads),
        accept_strand_(net::make_strand(io_)),
        acceptor_(accept_strand_),
        accept_timer_(accept_strand_) {}

  ~Impl() { Stop(std::chrono::seconds(5)); }

  Status Listen(const tcp::endpoint& endpoint);
  void Run();
  void Stop(std::chrono::milliseconds grace);

  uint16_t port() const { return port_; }
  Stats stats() const;

  const HttpServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  net::thread_pool* handler_pool() { return pool_.get(); }
  bool stopping() const { return stopping_.load(); }
  void Log(std::string_view line) const {
    if (options_.error_log) options_.error_log(line);
  }
  void CountRequest() { requests_.fetch_add(1, std::memory_order_relaxed); }
  void Unregister(Session* session, bool served);

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // Posts fn(session) to every open session's strand.
  template <typename Fn>
  void ForEachSession(Fn fn);
  // Waits until no session is left or the deadline passes; true when none is left.
  bool WaitForSessions(std::optional<std::chrono::steady_clock::time_point> deadline);

  const HttpServerOptions options_;
  const Router router_;

  // The session registry: every Session from its creation to the end of its destructor.
  mutable std::mutex mu_;
  std::condition_variable sessions_done_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // guarded by mu_

  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> serving_{0};  // open sessions that count against max_connections
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> requests_{0};

  net::io_context io_;
  net::strand<net::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;          // used on accept_strand_ only
  net::steady_timer accept_timer_;  // used on accept_strand_ only
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::unique_ptr<net::thread_pool> pool_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;

  std::mutex stop_mu_;    // serializes Stop()
  bool stopped_ = false;  // guarded by stop_mu_
};

namespace {

// One connection. Owned by the handlers of its pending operations (shared_from_this); all member
// functions run on the connection's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::Impl& server, tcp::socket socket, bool reject)
      : registration_{&server, this, !reject},
        server_(server),
        executor_(socket.get_executor()),
        stream_(std::move(socket)),
        reject_(reject) {
    beast::error_code ec;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_address_ = remote.address().to_string();
      remote_port_ = remote.port();
    }
    buffer_.reserve(kReadChunk);
  }

  // The connection's strand; safe to call from any thread.
  const net::any_io_executor& executor() const { return executor_; }

  void Start() {
    if (reject_) {
      keep_alive_ = false;
      return Respond(HttpResponse::Error(503, "unavailable", "too many connections; retry later"));
    }
    NextRequest();
  }

  // Called by Stop(): closes the connection unless a request is being read, handled or answered.
  void CloseIfIdle() {
    if (idle_ || lingering_) Close();
  }
  void ForceClose() { Close(); }

 private:
  // Unregisters the session when it is destroyed, after every other member (declared first).
  struct Registration {
    HttpServer::Impl* server;
    Session* session;
    bool served;
    ~Registration() { server->Unregister(session, served); }
  };

  void NextRequest() {
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already buffered
    idle_ = true;
    if (server_.stopping()) return Close();
    stream_.expires_after(server_.options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session::OnIdleRead, shared_from_this()));
  }

  void OnIdleRead(beast::error_code ec, size_t n) {
    idle_ = false;
    if (ec) return Close();
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    const HttpServerOptions& options = server_.options();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(options.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(static_cast<uint64_t>(options.max_body_bytes));
    stream_.expires_after(options.read_timeout);  // for the whole request
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t /*n*/) {
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    version_ = header.version() == 10 ? 10 : 11;
    keep_alive_ = header.keep_alive();
    is_head_ = header.method() == http::verb::head;
    const auto expect = header.find(http::field::expect);
    if (expect != header.end() && !parser_->is_done() &&
        internal::AsciiIEquals(Sv(expect->value()), "100-continue")) {
      continue_ = {};
      continue_.version(11);
      continue_.result(http::status::continue_);
      http::async_write(stream_, continue_,
                        beast::bind_front_handler(&Session::OnContinue, shared_from_this()));
      return;
    }
    ReadBody();
  }

  void OnContinue(beast::error_code ec, size_t /*n*/) {
    if (ec) return Close();
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Handle();
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t /*n*/) {
    if (ec) return OnReadError(ec);
    Handle();
  }

  // Errors while reading a request: the peer going away or a timeout closes quietly; a request
  // we refuse gets an error response and the connection closes after it.
  void OnReadError(beast::error_code ec) {
    keep_alive_ = false;
    version_ = 11;
    is_head_ = false;
    parser_.reset();
    if (ec == http::error::body_limit) {
      return Respond(HttpResponse::Error(
          413, "payload_too_large",
          "request body exceeds " + std::to_string(server_.options().max_body_bytes) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      return Respond(HttpResponse::Error(431, "header_too_large",
                                         "request header exceeds " +
                                             std::to_string(server_.options().max_header_bytes) +
                                             " bytes"));
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec.category() != http::make_error_code(http::error::bad_method).category()) {
      return Close();  // the peer went away, a timeout, or a socket error
    }
    Respond(
        HttpResponse::Error(400, "invalid_argument", "malformed HTTP request: " + ec.message()));
  }

  void Handle() {
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    HttpRequest request;
    request.method = std::string(Sv(message.method_string()));
    request.target = std::string(Sv(message.target()));
    request.version = version_;
    for (const auto& field : message) {
      request.headers.emplace_back(Sv(field.name_string()), Sv(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_address_;
    request.remote_port = remote_port_;
    server_.CountRequest();

    net::thread_pool* pool = server_.handler_pool();
    if (pool == nullptr) {
      return Respond(server_.router().Dispatch(request, server_.options().error_log));
    }
    net::post(*pool, [self = shared_from_this(), request = std::move(request)]() mutable {
      HttpResponse response =
          self->server_.router().Dispatch(request, self->server_.options().error_log);
      net::post(self->executor(), [self, response = std::move(response)]() mutable {
        self->Respond(std::move(response));
      });
    });
  }

  void Respond(HttpResponse r) {
    if (r.status < 200 || r.status > 599) {
      server_.Log("handler returned invalid HTTP status " + std::to_string(r.status));
      r = HttpResponse::Error(500, "internal", "internal error");
    }
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(http::field::server, "modelwatch");
    if (!r.content_type.empty() && IsSafeHeaderValue(r.content_type)) {
      response_.set(http::field::content_type, r.content_type);
    }
    for (const auto& [name, value] : r.headers) {
      if (IsServerOwnedHeader(name)) continue;
      if (!IsHeaderToken(name) || !IsSafeHeaderValue(value)) {
        server_.Log("handler returned a malformed response header; dropped");
        continue;
      }
      response_.insert(name, value);
    }
    if (r.status == 204 || r.status == 304) {
      r.body.clear();  // HTTP forbids a body, and Content-Length on a 204
    } else {
      response_.content_length(r.body.size());
    }
    if (!is_head_) response_.body() = std::move(r.body);
    keep_alive_ = keep_alive_ && !server_.stopping();
    response_.keep_alive(keep_alive_);
    stream_.expires_after(server_.options().read_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t /*n*/) {
    if (ec) return Close();
    response_ = {};  // release the body now rather than at the next response
    if (!keep_alive_ || server_.stopping()) return Linger();
    NextRequest();
  }

  void Linger() {
    lingering_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || server_.stopping()) return Close();
    buffer_.clear();
    stream_.expires_after(kLingerTime);
    LingerRead();
  }

  void LingerRead() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session::OnLingerRead, shared_from_this()));
  }

  void OnLingerRead(beast::error_code ec, size_t n) {
    lingered_ += n;
    if (ec || lingered_ > kLingerBytes) return Close();
    LingerRead();  // the bytes are discarded: prepare() hands out the same space again
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  Registration registration_;  // first: destroyed last
  HttpServer::Impl& server_;
  const net::any_io_executor executor_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::empty_body> continue_;
  http::response<http::string_body> response_;
  std::string remote_address_;
  uint16_t remote_port_ = 0;
  const bool reject_;
  int version_ = 11;
  bool keep_alive_ = true;
  bool is_head_ = false;
  bool idle_ = false;       // waiting for the first byte of a request
  bool lingering_ = false;  // the last response is written; draining before close
  bool closed_ = false;
  size_t lingered_ = 0;
};

}  // namespace

Status HttpServer::Impl::Listen(const tcp::endpoint& endpoint) {
  const std::string where = HostPort(options_.host, options_.port);
  beast::error_code ec;
  auto fail = [&](std::string_view step) {
    return UnavailableError("cannot listen on " + where + ": " + std::string(step) + ": " +
                            ec.message());
  };
  if (acceptor_.open(endpoint.protocol(), ec)) return fail("open");
  // Allows an immediate restart while old connections sit in TIME_WAIT; on Linux it does not let
  // two listeners share a port.
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec)) return fail("setsockopt");
  if (acceptor_.bind(endpoint, ec)) return fail("bind");
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
  const tcp::endpoint local = acceptor_.local_endpoint(ec);
  if (ec) return fail("getsockname");
  port_ = local.port();
  return Status::Ok();
}

void HttpServer::Impl::Run() {
  work_.emplace(io_.get_executor());
  if (options_.handler_threads > 0) {
    pool_ = std::make_unique<net::thread_pool>(static_cast<size_t>(options_.handler_threads));
  }
  net::post(accept_strand_, [this] { DoAccept(); });
  threads_.reserve(static_cast<size_t>(options_.io_threads));
  for (int i = 0; i < options_.io_threads; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "mw-http-io");
      while (true) {
        try {
          io_.run();
          return;
        } catch (const std::exception& e) {  // not expected: handlers report through error codes
          Log(std::string("http I/O thread caught: ") + e.what());
        }
      }
    });
  }
}

void HttpServer::Impl::DoAccept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open() || stopping()) return;
  if (ec) {
    // E.g. EMFILE: retry shortly instead of spinning.
    Log("http accept failed: " + ec.message());
    accept_timer_.expires_after(kAcceptRetry);
    accept_timer_.async_wait([this](beast::error_code timer_ec) {
      if (!timer_ec && acceptor_.is_open()) DoAccept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  // serving_ only grows here, on the accept strand, so this check cannot over-admit.
  const bool reject = serving_.load() >= options_.max_connections;
  if (reject) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
  } else {
    serving_.fetch_add(1);
    accepted_.fetch_add(1, std::memory_order_relaxed);
  }
  auto session = std::make_shared<Session>(*this, std::move(socket), reject);
  {
    std::lock_guard lock(mu_);
    sessions_.emplace(session.get(), session);
  }
  net::post(session->executor(), [session] { session->Start(); });
  DoAccept();
}

void HttpServer::Impl::Unregister(Session* session, bool served) {
  if (served) serving_.fetch_sub(1);
  std::lock_guard lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) sessions_done_.notify_all();
}

template <typename Fn>
void HttpServer::Impl::ForEachSession(Fn fn) {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(mu_);
    for (const auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) sessions.push_back(std::move(session));
    }
  }
  for (auto& session : sessions) {
    net::post(session->executor(), [session, fn] { fn(*session); });
  }
}

bool HttpServer::Impl::WaitForSessions(
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::unique_lock lock(mu_);
  auto none_left = [this] { return sessions_.empty(); };
  if (!deadline) {
    sessions_done_.wait(lock, none_left);
    return true;
  }
  return sessions_done_.wait_until(lock, *deadline, none_left);
}

void HttpServer::Impl::Stop(std::chrono::milliseconds grace) {
  std::lock_guard stop_lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  stopping_.store(true);
  if (!threads_.empty()) {
    // 1. Stop accepting: once the listening socket is closed, connect() is refused.
    std::promise<void> closed;
    net::post(accept_strand_, [this, &closed] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_timer_.cancel();
      closed.set_value();
    });
    closed.get_future().wait();
    // 2. Close idle and lingering connections now; the others close after their response.
    ForEachSession([](Session& s) { s.CloseIfIdle(); });
    // 3. After the grace period, close the rest; then only running handlers can delay us.
    if (!WaitForSessions(deadline)) {
      ForEachSession([](Session& s) { s.ForceClose(); });
      WaitForSessions(std::nullopt);
    }
  }
  if (pool_) pool_->join();
  work_.reset();
  io_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

HttpServer::Stats HttpServer::Impl::stats() const {
  Stats s;
  s.connections_accepted = accepted_.load(std::memory_order_relaxed);
  s.connections_rejected = rejected_.load(std::memory_order_relaxed);
  s.requests = requests_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  s.open_connections = sessions_.size();
  return s;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options, Router router) {
  MW_RETURN_IF_ERROR(router.status());
  if (options.io_threads < 0 || options.handler_threads < 0) {
    return InvalidArgumentError("http server: io_threads and handler_threads must be >= 0");
  }
  if (options.io_threads == 0) {
    options.io_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  if (options.read_timeout.count() <= 0 || options.idle_timeout.count() <= 0) {
    return InvalidArgumentError("http server: read_timeout and idle_timeout must be positive");
  }
  if (options.max_connections == 0) {
    return InvalidArgumentError("http server: max_connections must be positive");
  }
  beast::error_code ec;
  const net::ip::address address = options.host == "localhost"
                                       ? net::ip::address(net::ip::address_v4::loopback())
                                       : net::ip::make_address(options.host, ec);
  if (ec) {
    return InvalidArgumentError("http server: host '" + options.host +
                                "' is not an IP address (or 'localhost')");
  }
  const tcp::endpoint endpoint(address, options.port);
  auto impl = std::make_unique<Impl>(std::move(options), std::move(router));
  MW_RETURN_IF_ERROR(impl->Listen(endpoint));
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() = default;  // ~Impl stops

uint16_t HttpServer::port() const { return impl_->port(); }

HttpServer::Stats HttpServer::stats() const { return impl_->stats(); }

void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

}  // namespace modelwatch::server
