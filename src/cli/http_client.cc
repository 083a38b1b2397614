#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace modelwatch::cli {
namespace {

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Case-insensitive "content-length:" header value in `head`, or -1.
long ContentLength(std::string_view head) {
  size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    constexpr std::string_view kName = "content-length:";
    if (head.size() - pos < kName.size()) break;
    bool same = true;
    for (size_t i = 0; i < kName.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(head[pos + i])) == kName[i];
    }
    if (same) return std::strtol(std::string(head.substr(pos + kName.size(), 20)).c_str(), nullptr, 10);
  }
  return -1;
}

}  // namespace

Result<HttpClient> HttpClient::Create(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgumentError("URL '" + std::string(url) + "' must start with http://");
  }
  url.remove_prefix(kScheme.size());
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  const size_t colon = url.rfind(':');
  std::string host(url.substr(0, colon));
  uint16_t port = 80;
  if (colon != std::string_view::npos) {
    const std::string p(url.substr(colon + 1));
    char* end = nullptr;
    const unsigned long v = std::strtoul(p.c_str(), &end, 10);
    if (p.empty() || *end != '\0' || v == 0 || v > 65535) {
      return InvalidArgumentError("URL port '" + p + "' is not a port number");
    }
    port = static_cast<uint16_t>(v);
  }
  if (host == "localhost") host = "127.0.0.1";
  in_addr addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr) != 1) {
    return InvalidArgumentError("URL host '" + host + "' is not an IPv4 address or localhost");
  }
  return HttpClient(std::move(host), port);
}

HttpClient::HttpClient(HttpClient&& other) noexcept
    : host_(std::move(other.host_)), port_(other.port_), fd_(other.fd_),
      buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
  if (this != &other) {
    Close();
    host_ = std::move(other.host_);
    port_ = other.port_;
    fd_ = other.fd_;
    buffer_ = std::move(other.buffer_);
    other.fd_ = -1;
  }
  return *this;
}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Status HttpClient::Connect() {
  Close();
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return UnavailableError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const std::string reason = std::strerror(errno);
    Close();
    return UnavailableError("cannot connect to " + host_ + ":" + std::to_string(port_) + ": " +
                            reason);
  }
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return Status();
}

Result<HttpReply> HttpClient::RoundTrip(const std::string& request) {
  if (!SendAll(fd_, request)) return UnavailableError("connection closed while sending");
  char chunk[65536];
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return UnavailableError("connection closed before the response");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  const std::string head = buffer_.substr(0, head_end);
  HttpReply reply;
  if (head.compare(0, 5, "HTTP/") != 0 || head.size() < 12) {
    return DataLossError("not an HTTP response: '" + head.substr(0, 40) + "'");
  }
  reply.status = std::atoi(head.c_str() + 9);
  const long length = ContentLength(head);
  if (length < 0) return DataLossError("HTTP response without Content-Length");
  const size_t total = head_end + 4 + static_cast<size_t>(length);
  while (buffer_.size() < total) {
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return UnavailableError("connection closed in the response body");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  reply.body = buffer_.substr(head_end + 4, static_cast<size_t>(length));
  buffer_.erase(0, total);
  return reply;
}

Result<HttpReply> HttpClient::Request(std::string_view method, std::string_view path,
                                      std::string_view content_type, std::string_view body,
                                      std::string_view bearer_token) {
  std::string request;
  request.reserve(body.size() + 256);
  request.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ");
  request.append(host_).append(":").append(std::to_string(port_)).append("\r\n");
  if (!content_type.empty()) request.append("Content-Type: ").append(content_type).append("\r\n");
  if (!bearer_token.empty()) {
    request.append("Authorization: Bearer ").append(bearer_token).append("\r\n");
  }
  request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
  request.append(body);
  const bool reused = fd_ >= 0;
  if (!reused) MW_RETURN_IF_ERROR(Connect());
  Result<HttpReply> reply = RoundTrip(request);
  if (!reply.ok() && reused && reply.status().code() == StatusCode::kUnavailable) {
    MW_RETURN_IF_ERROR(Connect());  // the kept-alive connection was closed by the server
    reply = RoundTrip(request);
  }
  if (!reply.ok()) Close();
  return reply;
}

}  // namespace modelwatch::cli
