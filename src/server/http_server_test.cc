// HttpServer over real sockets on 127.0.0.1 (ephemeral ports), with a raw-socket client so that
// malformed, partial and pipelined bytes can be sent. Timing bounds are generous on purpose.
#include "modelwatch/server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http_test_client.h"

namespace modelwatch::server {
namespace {

using namespace std::chrono_literals;
using testing::MakeRequest;
using testing::TestClient;

// Echoes what the handler saw, one "key=value" per line.
HttpResponse Echo(const HttpRequest& r) {
  std::string out = "method=" + r.method + "\npath=" + r.path + "\n";
  for (const auto& [k, v] : r.path_params) out += "param:" + k + "=" + v + "\n";
  for (const auto& [k, v] : r.query) out += "query:" + k + "=" + v + "\n";
  if (auto h = r.header("x-test")) out += "x-test=" + std::string(*h) + "\n";
  out += "remote=" + r.remote_address + "\nbody=" + r.body;
  return HttpResponse::Text(200, out);
}

struct ServerFixture {
  explicit ServerFixture(HttpServerOptions options = {}, Router router = {}) {
    options.port = 0;
    options.io_threads = options.io_threads == 0 ? 2 : options.io_threads;
    options.error_log = [this](std::string_view line) {
      std::lock_guard lock(log_mu);
      log.emplace_back(line);
    };
    router.Add("GET", "/v1/models/{model}/windows", Echo);
    router.Add("POST", "/v1/models/{model}/windows", Echo);
    router.Add("POST", "/echo",
               [](const HttpRequest& r) { return HttpResponse::Text(200, r.body); });
    router.Add("GET", "/boom",
               [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
    router.Add("GET", "/headers", [](const HttpRequest&) {
      HttpResponse r = HttpResponse::Json(201, "{}");
      r.headers = {{"X-Custom", "1"}, {"Content-Length", "999"}, {"X-Evil", "a\r\nInjected: 1"}};
      return r;
    });
    router.Add("GET", "/nocontent", [](const HttpRequest&) { return HttpResponse::Json(204, ""); });
    router.Add("GET", "/badstatus", [](const HttpRequest&) { return HttpResponse::Json(42, ""); });
    auto started = Start(std::move(options), std::move(router));
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (started.ok()) server = std::move(started).value();
  }

  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, Router router) {
    return HttpServer::Start(std::move(options), std::move(router));
  }

  uint16_t port() const { return server->port(); }

  std::mutex log_mu;
  std::vector<std::string> log;
  std::unique_ptr<HttpServer> server;
};

TEST(HttpServerTest, RoutesWithParamsAndDecodedQuery) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/v1/models/fraud%20v2/windows?limit=10&q=a+b%26c&flag", "",
                                 "X-TEST: yes\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body,
            "method=GET\npath=/v1/models/fraud%20v2/windows\nparam:model=fraud v2\n"
            "query:limit=10\nquery:q=a b&c\nquery:flag=\nx-test=yes\nremote=127.0.0.1\nbody=");
  EXPECT_EQ(r->header("Server"), "modelwatch");
  EXPECT_EQ(r->header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->header("Content-Length"), std::to_string(r->body.size()));
}

TEST(HttpServerTest, NotFoundAndMethodNotAllowed) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/nope")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("Content-Type"), "application/json");
  EXPECT_EQ(r->body, R"({"error":{"code":"not_found","message":"no such resource"}})");

  ASSERT_TRUE(c.Send(MakeRequest("DELETE", "/v1/models/m/windows")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("Allow"), "GET, HEAD, POST");
  EXPECT_NE(r->body.find("method_not_allowed"), std::string::npos);
}

TEST(HttpServerTest, HeadSendsLengthWithoutBody) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/v1/models/m/windows")));
  auto get = c.Read();
  ASSERT_TRUE(get);
  ASSERT_TRUE(c.Send(MakeRequest("HEAD", "/v1/models/m/windows")));
  auto head = c.Read(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  // The GET body differs only in "method=": HEAD is one character longer.
  EXPECT_EQ(head->header("Content-Length"), std::to_string(get->body.size() + 1));
  // No body followed: the next response starts right away.
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/nope")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 404);
}

TEST(HttpServerTest, ResponseHeadersFromHandler) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/headers")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->header("X-Custom"), "1");
  EXPECT_EQ(r->header("Content-Length"), "2");  // the handler's bogus one is ignored
  EXPECT_EQ(r->header("X-Evil"), std::nullopt);
  EXPECT_EQ(r->header("Injected"), std::nullopt);
  EXPECT_EQ(r->body, "{}");

  ASSERT_TRUE(c.Send(MakeRequest("GET", "/nocontent")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->header("Content-Length"), std::nullopt);

  ASSERT_TRUE(c.Send(MakeRequest("GET", "/badstatus")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
}

TEST(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(MakeRequest("POST", "/echo", "body" + std::to_string(i))));
    auto r = c.Read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "body" + std::to_string(i));
    EXPECT_EQ(r->header("Connection"), std::nullopt);
  }
  const HttpServer::Stats stats = f.server->stats();
  EXPECT_EQ(stats.connections_accepted, 1u);
  EXPECT_EQ(stats.requests, 3u);
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  std::string batch;
  for (int i = 0; i < 20; ++i) {
    batch +=
        i % 5 == 4 ? MakeRequest("GET", "/nope") : MakeRequest("POST", "/echo", std::to_string(i));
  }
  ASSERT_TRUE(c.Send(batch));
  for (int i = 0; i < 20; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r) << i;
    if (i % 5 == 4) {
      EXPECT_EQ(r->status, 404) << i;
    } else {
      EXPECT_EQ(r->status, 200) << i;
      EXPECT_EQ(r->body, std::to_string(i));
    }
  }
}

TEST(HttpServerTest, ConnectionCloseIsHonoured) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/echo", "x", "Connection: close\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "x");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.WaitForClose());
}

TEST(HttpServerTest, Http10ClosesUnlessKeepAlive) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send("GET /nope HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("Connection"), "keep-alive");
  ASSERT_TRUE(c.Send("GET /nope HTTP/1.0\r\n\r\n"));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_TRUE(c.WaitForClose());
}

TEST(HttpServerTest, ChunkedBodyIsDechunked) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello, world");
}

TEST(HttpServerTest, LargeBodyWithinLimit) {
  HttpServerOptions options;
  options.max_body_bytes = 4 << 20;
  ServerFixture f(options);
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  std::string body(3 << 20, 'x');
  for (size_t i = 0; i < body.size(); i += 4096) body[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/echo", body)));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body == body);
}

TEST(HttpServerTest, ExpectContinue) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("abc"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "abc");
}

TEST(HttpServerTest, BodyOverLimitByContentLengthIs413BeforeTheBody) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  ServerFixture f(options);
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  // Only the header is sent: the answer must not wait for the 100 MB body.
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_NE(r->body.find(R"("code":"payload_too_large")"), std::string::npos);
  EXPECT_TRUE(c.WaitForClose());

  // Exactly at the limit is fine.
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/echo", std::string(1024, 'y'))));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(f.server->stats().requests, 1u);
}

TEST(HttpServerTest, ChunkedBodyOverLimitIs413) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  ServerFixture f(options);
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  std::string chunk = "200\r\n" + std::string(0x200, 'z') + "\r\n";  // 512 bytes each
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     chunk + chunk + chunk));  // 1536 > 1024, and no final chunk
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_EQ(f.server->stats().requests, 0u);
}

TEST(HttpServerTest, MalformedRequestsAre400AndClose) {
  ServerFixture f;
  for (std::string bad : {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
                          std::string("GET /x HTTP/1.1\r\nBad Header\r\n\r\n"),
                          std::string("POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
                          std::string("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                      "zz\r\n")}) {
    TestClient c;
    ASSERT_TRUE(c.Connect(f.port()));
    ASSERT_TRUE(c.Send(bad));
    auto r = c.Read();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_NE(r->body.find(R"("code":"invalid_argument")"), std::string::npos);
    EXPECT_TRUE(c.WaitForClose()) << bad;
  }
  // Still serving.
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/echo", "ok")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
}

TEST(HttpServerTest, HeaderOverLimitIs431) {
  HttpServerOptions options;
  options.max_header_bytes = 1024;
  ServerFixture f(options);
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/nope", "", "X-Big: " + std::string(2000, 'h') + "\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.WaitForClose());
}

TEST(HttpServerTest, HandlerExceptionIs500AndConnectionKeepsWorking) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/boom?token=secret")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, R"({"error":{"code":"internal","message":"internal error"}})");
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/echo", "after")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "after");
  std::lock_guard lock(f.log_mu);
  ASSERT_EQ(f.log.size(), 1u);
  EXPECT_NE(f.log[0].find("GET /boom"), std::string::npos);
  EXPECT_EQ(f.log[0].find("secret"), std::string::npos);
}

TEST(HttpServerTest, BadPercentEncodingIs400) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/v1/models/m/windows?x=%zz")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST(HttpServerTest, ReadTimeoutClosesAPartialRequest) {
  HttpServerOptions options;
  options.read_timeout = 200ms;
  ServerFixture f(options);
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send("GET /v1/models/m/windows HTTP/1.1\r\nHost: t\r\n"));  // never finished
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitForClose(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);

  // A body that stops halfway is cut off too.
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_TRUE(c.WaitForClose(10s));
  EXPECT_EQ(f.server->stats().requests, 0u);
}

TEST(HttpServerTest, IdleTimeoutClosesKeepAliveConnection) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  ServerFixture f(options);
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/echo", "x")));
  ASSERT_TRUE(c.Read());
  EXPECT_TRUE(c.WaitForClose(10s));
}

TEST(HttpServerTest, MaxConnectionsRejectsWith503) {
  HttpServerOptions options;
  options.max_connections = 2;
  ServerFixture f(options);
  TestClient a, b, c;
  for (TestClient* client : {&a, &b}) {
    ASSERT_TRUE(client->Connect(f.port()));
    ASSERT_TRUE(client->Send(MakeRequest("POST", "/echo", "x")));
    ASSERT_TRUE(client->Read());  // accepted and served
  }
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/echo", "x")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find(R"("code":"unavailable")"), std::string::npos);
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_EQ(f.server->stats().connections_rejected, 1u);

  // Once a slot frees up, new connections are served again.
  a.Close();
  bool served = false;
  for (int attempt = 0; attempt < 100 && !served; ++attempt) {
    TestClient d;
    ASSERT_TRUE(d.Connect(f.port()));
    ASSERT_TRUE(d.Send(MakeRequest("POST", "/echo", "x")));
    auto again = d.Read();
    served = again && again->status == 200;
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
}

// A handler that signals when it starts and sleeps 300 ms.
Router SlowRouter(std::promise<void>* started) {
  Router router;
  router.Add("GET", "/slow", [started](const HttpRequest&) {
    started->set_value();
    std::this_thread::sleep_for(300ms);
    return HttpResponse::Json(200, R"({"slow":true})");
  });
  return router;
}

void StopWaitsForRequestInFlight(int handler_threads) {
  std::promise<void> started;
  HttpServerOptions options;
  options.handler_threads = handler_threads;
  ServerFixture f(options, SlowRouter(&started));
  const uint16_t port = f.port();

  TestClient idle;  // an idle keep-alive connection: closed by Stop at once
  ASSERT_TRUE(idle.Connect(port));
  ASSERT_TRUE(idle.Send(MakeRequest("POST", "/echo", "x")));
  ASSERT_TRUE(idle.Read());

  TestClient c;
  ASSERT_TRUE(c.Connect(port));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/slow")));
  started.get_future().wait();
  const auto stop_start = std::chrono::steady_clock::now();
  std::thread stopper([&] { f.server->Stop(10s); });

  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"slow":true})");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_TRUE(idle.WaitForClose());
  stopper.join();
  // Well within the grace period: nothing waited for it to run out.
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 5s);

  TestClient late;
  EXPECT_FALSE(late.Connect(port));
  EXPECT_EQ(late.error(), ECONNREFUSED);
  f.server->Stop(1s);  // idempotent
}

TEST(HttpServerTest, StopLetsRequestInFlightFinish) { StopWaitsForRequestInFlight(0); }

TEST(HttpServerTest, StopLetsRequestInFlightFinishOnHandlerPool) { StopWaitsForRequestInFlight(2); }

TEST(HttpServerTest, StopClosesStuckConnectionsAfterGrace) {
  ServerFixture f;
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  ASSERT_TRUE(c.Send("GET /v1/models/m/windows HTTP/1.1\r\n"));  // a request that never completes
  // Wait until the server has the connection.
  for (int i = 0; i < 500 && f.server->stats().connections_accepted == 0; ++i) {
    std::this_thread::sleep_for(2ms);
  }
  const auto start = std::chrono::steady_clock::now();
  f.server->Stop(200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_EQ(f.server->stats().open_connections, 0u);
}

TEST(HttpServerTest, HandlerPoolServesRequests) {
  HttpServerOptions options;
  options.handler_threads = 2;
  options.io_threads = 1;
  ServerFixture f(options);
  TestClient c;
  ASSERT_TRUE(c.Connect(f.port()));
  std::string batch;
  for (int i = 0; i < 10; ++i) batch += MakeRequest("POST", "/echo", std::to_string(i));
  ASSERT_TRUE(c.Send(batch));
  for (int i = 0; i < 10; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, std::to_string(i));
  }
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/boom")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
}

TEST(HttpServerTest, ConcurrentClients) {
  ServerFixture f;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      TestClient c;
      if (!c.Connect(f.port())) return;
      for (int i = 0; i < 50; ++i) {
        const std::string body = std::to_string(t) + ":" + std::to_string(i);
        if (!c.Send(MakeRequest("POST", "/echo", body))) return;
        auto r = c.Read();
        if (!r || r->body != body) return;
      }
      ok.fetch_add(1);
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(f.server->stats().requests, 400u);
}

TEST(HttpServerTest, PortInUseIsUnavailable) {
  ServerFixture f;
  HttpServerOptions options;
  options.port = f.port();
  auto second = HttpServer::Start(options, Router());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(f.port())),
            std::string::npos)
      << second.status().message();
}

TEST(HttpServerTest, InvalidOptions) {
  auto start = [](auto mutate) {
    HttpServerOptions options;
    options.port = 0;
    mutate(options);
    return HttpServer::Start(options, Router()).status().code();
  };
  EXPECT_EQ(start([](HttpServerOptions& o) { o.host = "not a host"; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(start([](HttpServerOptions& o) { o.host = "256.1.1.1"; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(start([](HttpServerOptions& o) { o.host = ""; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(start([](HttpServerOptions& o) { o.io_threads = -1; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(start([](HttpServerOptions& o) { o.read_timeout = 0ms; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(start([](HttpServerOptions& o) { o.max_connections = 0; }),
            StatusCode::kInvalidArgument);
  // A non-local address cannot be bound.
  EXPECT_EQ(start([](HttpServerOptions& o) { o.host = "192.0.2.1"; }), StatusCode::kUnavailable);
  // localhost and IPv6 loopback work (where the machine has IPv6).
  EXPECT_EQ(start([](HttpServerOptions& o) { o.host = "localhost"; }), StatusCode::kOk);

  Router bad;
  bad.Add("GET", "no-slash", [](const HttpRequest&) { return HttpResponse(); });
  HttpServerOptions options;
  options.port = 0;
  auto r = HttpServer::Start(options, std::move(bad));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("no-slash"), std::string::npos);
}

TEST(HttpServerTest, DestructorStops) {
  uint16_t port;
  {
    ServerFixture f;
    port = f.port();
    TestClient c;
    ASSERT_TRUE(c.Connect(port));
    ASSERT_TRUE(c.Send(MakeRequest("POST", "/echo", "x")));
    ASSERT_TRUE(c.Read());
  }  // idle connection still open: the destructor closes it
  TestClient late;
  EXPECT_FALSE(late.Connect(port));
}

}  // namespace
}  // namespace modelwatch::server
