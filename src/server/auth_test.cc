#include "modelwatch/server/auth.h"

#include <gtest/gtest.h>

namespace modelwatch::server {
namespace {

AuthConfig Tokens() {
  AuthConfig c;
  c.tokens.push_back({"bot", "ingest-token-0123456789", {Scope::kIngest}});
  c.tokens.push_back({"grafana", "read-token-abcdefghijk", {Scope::kRead}});
  return c;
}

HttpRequest WithAuthorization(std::string value) {
  HttpRequest r;
  r.method = "POST";
  r.headers.emplace_back("authorization", std::move(value));
  return r;
}

TEST(AuthorizerTest, DisabledAllowsEverything) {
  Authorizer a(AuthConfig{});
  EXPECT_FALSE(a.Check(HttpRequest{}, Scope::kAdmin).has_value());
}

TEST(AuthorizerTest, MissingOrWrongTokenIs401) {
  Authorizer a(Tokens());
  std::optional<HttpResponse> r = a.Check(HttpRequest{}, Scope::kIngest);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->body.find("unauthenticated"), std::string::npos);
  ASSERT_FALSE(r->headers.empty());
  EXPECT_EQ(r->headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(a.Check(WithAuthorization("Bearer nope"), Scope::kIngest)->status, 401);
  EXPECT_EQ(a.Check(WithAuthorization("Basic ingest-token-0123456789"), Scope::kIngest)->status,
            401);
  // A prefix of a valid token is not valid.
  EXPECT_EQ(a.Check(WithAuthorization("Bearer ingest-token"), Scope::kIngest)->status, 401);
}

TEST(AuthorizerTest, ScopeIsChecked) {
  Authorizer a(Tokens());
  EXPECT_FALSE(a.Check(WithAuthorization("Bearer ingest-token-0123456789"), Scope::kIngest));
  EXPECT_FALSE(a.Check(WithAuthorization("bearer  read-token-abcdefghijk "), Scope::kRead));
  std::optional<HttpResponse> r =
      a.Check(WithAuthorization("Bearer read-token-abcdefghijk"), Scope::kIngest);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("token 'grafana' lacks the 'ingest' scope"), std::string::npos);
}

TEST(AuthorizerTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace modelwatch::server
