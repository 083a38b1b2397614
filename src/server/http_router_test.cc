// Router, HttpRequest/HttpResponse helpers and URL decoding, without sockets.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "http_url.h"
#include "modelwatch/server/http_server.h"

namespace modelwatch::server {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

HttpHandler Returns(std::string body) {
  return [body](const HttpRequest&) { return HttpResponse::Json(200, body); };
}

HttpResponse Call(const Router& router, std::string method, std::string target,
                  HttpRequest* seen = nullptr) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  HttpResponse response = router.Dispatch(request);
  if (seen != nullptr) *seen = request;
  return response;
}

std::optional<std::string> Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

TEST(PercentDecodeTest, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(internal::PercentDecode("a%20b%2Fc%2fd", false), "a b/c/d");
  EXPECT_EQ(internal::PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(internal::PercentDecode("a+b", true), "a b");
  EXPECT_EQ(internal::PercentDecode("", true), "");
  EXPECT_EQ(internal::PercentDecode("%00", true), std::string(1, '\0'));
  EXPECT_EQ(internal::PercentDecode("%", true), std::nullopt);
  EXPECT_EQ(internal::PercentDecode("%4", true), std::nullopt);
  EXPECT_EQ(internal::PercentDecode("ab%4", true), std::nullopt);
  EXPECT_EQ(internal::PercentDecode("%zz", true), std::nullopt);
}

TEST(ParseQueryTest, SplitsAndDecodes) {
  EXPECT_EQ(internal::ParseQuery(""), Pairs{});
  EXPECT_EQ(internal::ParseQuery("a=1&b=x%20y+z&c&&d=&a=2&e=1=2"),
            (Pairs{{"a", "1"}, {"b", "x y z"}, {"c", ""}, {"d", ""}, {"a", "2"}, {"e", "1=2"}}));
  EXPECT_EQ(internal::ParseQuery("k%3D=v%26"), (Pairs{{"k=", "v&"}}));
  EXPECT_EQ(internal::ParseQuery("a=%G0"), std::nullopt);
}

TEST(SplitPathTest, Segments) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(internal::SplitPath("/"), V{});
  EXPECT_EQ(internal::SplitPath("/a"), V{"a"});
  EXPECT_EQ(internal::SplitPath("/a/b"), (V{"a", "b"}));
  EXPECT_EQ(internal::SplitPath("/a/"), (V{"a", ""}));
  EXPECT_EQ(internal::SplitPath("//"), (V{"", ""}));
}

TEST(AsciiIEqualsTest, Folds) {
  EXPECT_TRUE(internal::AsciiIEquals("Content-Length", "content-length"));
  EXPECT_FALSE(internal::AsciiIEquals("Content-Length", "content-lengt"));
  EXPECT_TRUE(internal::AsciiIEquals("", ""));
}

TEST(HttpResponseTest, ErrorEscapesJson) {
  HttpResponse r = HttpResponse::Error(400, "invalid_argument", "line 1: \"x\"\n\\ \x01");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            R"({"error":{"code":"invalid_argument","message":"line 1: \"x\"\n\\ \u0001"}})");
}

TEST(HttpResponseTest, FromStatusMapsCodes) {
  HttpResponse r = HttpResponse::FromStatus(NotFoundError("model 'x'"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"error":{"code":"not_found","message":"model 'x'"}})");
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kOutOfRange), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
  EXPECT_EQ(HttpResponse::FromStatus(Status::Ok()).status, 500);
  EXPECT_EQ(HttpResponse::Text(200, "x 1\n").content_type, "text/plain; charset=utf-8");
}

TEST(HttpRequestTest, LookupsAreCaseInsensitiveForHeadersOnly) {
  HttpRequest r;
  r.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
  r.query = {{"limit", "10"}};
  r.path_params = {{"model", "fraud"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("X-a"), "1");
  EXPECT_EQ(r.header("missing"), std::nullopt);
  EXPECT_EQ(r.query_param("limit"), "10");
  EXPECT_EQ(r.query_param("Limit"), std::nullopt);
  EXPECT_EQ(r.path_param("model"), "fraud");
  EXPECT_EQ(r.path_param("version"), std::nullopt);
}

TEST(RouterTest, MatchesCapturesAndDecodes) {
  Router router;
  router.Add("GET", "/v1/models/{model}/windows", [](const HttpRequest& r) {
    return HttpResponse::Json(200, std::string(*r.path_param("model")) + "|" +
                                       std::string(r.query_param("limit").value_or("-")));
  });
  ASSERT_TRUE(router.status().ok());
  HttpRequest seen;
  HttpResponse r = Call(router, "GET", "/v1/models/fraud%2Fv2%20x/windows?limit=5&x=a+b", &seen);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "fraud/v2 x|5");
  EXPECT_EQ(seen.path, "/v1/models/fraud%2Fv2%20x/windows");
  EXPECT_EQ(seen.query, (Pairs{{"limit", "5"}, {"x", "a b"}}));
  EXPECT_EQ(seen.path_params, (Pairs{{"model", "fraud/v2 x"}}));
}

TEST(RouterTest, RootAndLiteralPercentEncoding) {
  Router router;
  router.Add("GET", "/", Returns("root"));
  router.Add("GET", "/a%20b", Returns("ab"));
  ASSERT_TRUE(router.status().ok());
  EXPECT_EQ(Call(router, "GET", "/").body, "root");
  EXPECT_EQ(Call(router, "GET", "/?x=1").body, "root");
  EXPECT_EQ(Call(router, "GET", "/a b").body, "ab");
  EXPECT_EQ(Call(router, "GET", "/a%20b").body, "ab");
}

TEST(RouterTest, NotFound) {
  Router router;
  router.Add("GET", "/v1/models/{model}", Returns("m"));
  for (const char* target : {"/v1/models", "/v1/models/", "/v1/models//", "/v1/models/a/b", "/x",
                             "*", "", "/V1/models/a"}) {
    HttpResponse r = Call(router, "GET", target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body, R"({"error":{"code":"not_found","message":"no such resource"}})") << target;
  }
}

TEST(RouterTest, MethodNotAllowedListsAllow) {
  Router router;
  router.Add("GET", "/v1/models/{model}", Returns("get"));
  router.Add("DELETE", "/v1/models/{model}", Returns("delete"));
  router.Add("POST", "/v1/models/special", Returns("post"));
  HttpResponse r = Call(router, "PUT", "/v1/models/special");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Header(r, "Allow"), "DELETE, GET, HEAD, POST");
  EXPECT_NE(r.body.find(R"("code":"method_not_allowed")"), std::string::npos);
  r = Call(router, "POST", "/v1/models/other");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Header(r, "Allow"), "DELETE, GET, HEAD");
  EXPECT_EQ(Call(router, "POST", "/v1/models/special").body, "post");
}

TEST(RouterTest, LiteralBeatsCapture) {
  Router router;
  router.Add("GET", "/v1/models/{model}/{what}", Returns("capture-capture"));
  router.Add("GET", "/v1/models/{model}/windows", Returns("capture-literal"));
  router.Add("GET", "/v1/models/summary/{what}", Returns("literal-capture"));
  ASSERT_TRUE(router.status().ok());
  EXPECT_EQ(Call(router, "GET", "/v1/models/a/b").body, "capture-capture");
  EXPECT_EQ(Call(router, "GET", "/v1/models/a/windows").body, "capture-literal");
  EXPECT_EQ(Call(router, "GET", "/v1/models/summary/windows").body, "literal-capture");
  EXPECT_EQ(Call(router, "GET", "/v1/models/summary/x").body, "literal-capture");
}

TEST(RouterTest, HeadFallsBackToGetUnlessRegistered) {
  Router router;
  router.Add("GET", "/a", Returns("get-a"));
  router.Add("GET", "/b", Returns("get-b"));
  router.Add("HEAD", "/b", Returns("head-b"));
  EXPECT_EQ(Call(router, "HEAD", "/a").body, "get-a");
  EXPECT_EQ(Call(router, "HEAD", "/b").body, "head-b");
}

TEST(RouterTest, ExceptionsBecome500AndAreLogged) {
  Router router;
  router.Add("GET", "/boom",
             [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("secret detail"); });
  router.Add("GET", "/int", [](const HttpRequest&) -> HttpResponse { throw 42; });
  std::vector<std::string> log;
  HttpRequest request;
  request.method = "GET";
  request.target = "/boom?token=abc";
  HttpResponse r = router.Dispatch(request, [&](std::string_view line) { log.emplace_back(line); });
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"error":{"code":"internal","message":"internal error"}})");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("GET /boom"), std::string::npos);
  EXPECT_EQ(log[0].find("token"), std::string::npos);
  EXPECT_EQ(Call(router, "GET", "/int").status, 500);
}

TEST(RouterTest, BadPercentEncodingIs400) {
  Router router;
  router.Add("GET", "/m/{model}", Returns("m"));
  EXPECT_EQ(Call(router, "GET", "/m/a%zz").status, 400);
  EXPECT_EQ(Call(router, "GET", "/m/a?x=%").status, 400);
}

TEST(RouterTest, RegistrationErrorsAreReportedOnce) {
  struct Case {
    std::string method, pattern;
  };
  for (const Case& c : std::vector<Case>{{"GET", "v1/x"},
                                         {"GET", ""},
                                         {"GET", "/v1//x"},
                                         {"GET", "/v1/x/"},
                                         {"GET", "/v1/{}"},
                                         {"GET", "/v1/{a-b}"},
                                         {"GET", "/v1/{a"},
                                         {"GET", "/v1/x{a}"},
                                         {"GET", "/v1/{a}/{a}"},
                                         {"", "/v1/x"},
                                         {"G T", "/v1/x"}}) {
    Router router;
    router.Add(c.method, c.pattern, Returns("x"));
    EXPECT_EQ(router.status().code(), StatusCode::kInvalidArgument) << c.pattern;
  }
  Router router;
  router.Add("GET", "/v1/{a}", Returns("a"));
  router.Add("POST", "/v1/{b}", Returns("b"));  // another method: fine
  EXPECT_TRUE(router.status().ok());
  router.Add("GET", "/v1/{b}", Returns("dup"));
  EXPECT_EQ(router.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(router.status().message().find("/v1/{b}"), std::string::npos);
  router.Add("GET", "/v1/x", nullptr);  // a second error does not replace the first
  EXPECT_NE(router.status().message().find("/v1/{b}"), std::string::npos);
  EXPECT_EQ(Call(router, "GET", "/v1/q").body, "a");  // the bad route was dropped
}

}  // namespace
}  // namespace modelwatch::server
