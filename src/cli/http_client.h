// A small blocking HTTP/1.1 client for the CLI (`modelwatch demo`): one keep-alive connection
// to an http:// URL, requests with a body, responses framed by Content-Length (what
// `modelwatch serve` sends). Reconnects once when the kept-alive connection was closed.
// Errors: kInvalidArgument for a malformed URL, kUnavailable when the server cannot be reached
// or the connection breaks, kDataLoss for a response that is not HTTP.
// Thread safety: not thread safe; one client per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch::cli {

struct HttpReply {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  // `base_url` is "http://HOST:PORT" (an optional trailing '/'); HOST an IPv4 address or
  // "localhost".
  static Result<HttpClient> Create(std::string_view base_url);
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) noexcept;
  ~HttpClient();

  // `bearer_token` empty: no Authorization header.
  Result<HttpReply> Request(std::string_view method, std::string_view path,
                            std::string_view content_type, std::string_view body,
                            std::string_view bearer_token = {});

 private:
  HttpClient(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {}
  Status Connect();
  Result<HttpReply> RoundTrip(const std::string& request);
  void Close();

  std::string host_;
  uint16_t port_ = 0;
  int fd_ = -1;
  std::string buffer_;  // bytes read past the previous response
};

}  // namespace modelwatch::cli
