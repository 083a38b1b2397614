// mw_ingest_client: the load generator of the ingest benchmark (bench/ingest_bench.py runs it).
//
// Posts NDJSON batches to `modelwatch serve` (POST /v1/models/{model}/predictions) over N
// keep-alive HTTP/1.1 connections on loopback, one thread and one blocking socket per connection,
// each sending its next batch as soon as the previous reply arrived (closed loop). The batches
// come from a pool file written by the driver (NDJSON, --batch-events lines per batch); before each
// request the client copies the next pool batch and overwrites the digits of every
// `"id":"ev-0000000000000"` with a run-wide event number, so that every event of the run has a
// distinct id (duplicates are not stored and would flatter the numbers) while the client spends
// microseconds, not the daemon's CPU, on making bodies. With --ids sequential (the default) the
// ids follow the event number, as from a counter; with --ids random they are that number through
// a fixed permutation of the 13-digit numbers, so that consecutive events' ids are as scattered
// as random UUIDs (and as far apart in the store's (model, id) index), still never repeating.
//
// Phases: --warmup seconds (replies counted only in the totals), then --duration seconds measured,
// then no new requests: the requests in flight finish and are counted in the totals, so that
// `totals.accepted` is every event the daemon acknowledged (the driver compares it with the store).
// A request belongs to the phase its reply arrived in. Only 200 replies count as accepted
// ("accepted":N of the reply); any other status, and a connection error (the connection is opened
// again), is an error. With --pid, the daemon's CPU time (utime + stime of /proc/PID/stat) is read
// at the start and the end of the measured phase, in total and per thread name
// (/proc/PID/task/*/stat: "mw-http-io" are the HTTP threads that run the ingest handlers; the
// daemon's other threads are its main thread, idle in sigwait, and the background evaluation).
//
// Output: one JSON object on stdout (see Report below). Exit status 0, or 2 on a usage or setup
// error. Linux only (POSIX sockets, /proc).
//
//   mw_ingest_client --port P --model M --pool FILE [--host 127.0.0.1] [--connections 4]
//                    [--batch-events 1000] [--warmup 3] [--duration 20] [--pid PID]
//                    [--ids sequential|random]

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "scattered_ids.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kIdMarker = "\"id\":\"ev-";
constexpr size_t kIdDigits = 13;

enum class Phase { kWarmup, kMeasure, kDrain };

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string model;
  std::string pool;
  int connections = 4;
  size_t batch_events = 1000;
  double warmup_s = 3;
  double duration_s = 20;
  int pid = 0;
  bool random_ids = false;
};

// One pool batch: its NDJSON text and where its id digits are.
struct Batch {
  std::string body;
  std::vector<size_t> id_digits;  // offset of the first of kIdDigits digits, one per event
};

// What one connection counted, per phase.
struct Counts {
  uint64_t requests = 0;  // replies received (any status)
  uint64_t ok = 0;        // 200 replies
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  std::map<std::string, uint64_t> errors;  // "429", "connection", ...
  std::vector<double> latency_ms;          // 200 replies only

  void Add(const Counts& o) {
    requests += o.requests;
    ok += o.ok;
    accepted += o.accepted;
    duplicates += o.duplicates;
    for (const auto& [k, v] : o.errors) errors[k] += v;
    latency_ms.insert(latency_ms.end(), o.latency_ms.begin(), o.latency_ms.end());
  }
};

using PhaseCounts = std::array<Counts, 3>;  // indexed by Phase

struct Shared {
  const Options* options = nullptr;
  const std::vector<Batch>* pool = nullptr;
  std::atomic<uint64_t> next_batch{0};
  std::atomic<Phase> phase{Phase::kWarmup};
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "mw_ingest_client: %s\n", message.c_str());
  std::exit(2);
}

// Reads the pool and splits it into batches of `batch_events` lines (a short last batch is
// dropped); every line must carry one id marker followed by kIdDigits digits.
std::vector<Batch> ReadPool(const std::string& path, size_t batch_events) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read pool file " + path);
  std::vector<Batch> pool;
  Batch current;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const size_t at = line.find(kIdMarker);
    if (at == std::string::npos || at + kIdMarker.size() + kIdDigits > line.size()) {
      Die(path + ":" + std::to_string(line_no) + ": no \"id\":\"ev-<13 digits>\"");
    }
    current.id_digits.push_back(current.body.size() + at + kIdMarker.size());
    current.body += line;
    current.body += '\n';
    if (current.id_digits.size() == batch_events) {
      pool.push_back(std::move(current));
      current = Batch();
    }
  }
  if (pool.empty()) Die(path + ": fewer than --batch-events lines");
  return pool;
}

// Writes `n` as exactly kIdDigits decimal digits at `out`.
void WriteId(uint64_t n, char* out) {
  for (size_t i = kIdDigits; i-- > 0;) {
    out[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
}

int Connect(const Options& o) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(o.port));
  if (inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr) != 1 ||
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& head, const std::string& body) {
  iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                  {const_cast<char*>(body.data()), body.size()}};
  int first = 0;
  while (first < 2) {
    const ssize_t n = writev(fd, iov + first, 2 - first);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    size_t left = static_cast<size_t>(n);
    while (first < 2 && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (first < 2) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return true;
}

struct Reply {
  int status = 0;
  std::string body;
  bool close = false;
};

// Reads one HTTP/1.1 response with a Content-Length (what the daemon always sends); `buffer`
// keeps bytes read past it. nullopt on a connection error or a malformed response.
std::optional<Reply> ReadReply(int fd, std::string& buffer) {
  auto fill = [&]() {
    char chunk[16384];
    for (;;) {
      const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        buffer.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
  };
  size_t end;
  while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  Reply reply;
  const std::string_view head(buffer.data(), end);
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return std::nullopt;
  reply.status = std::atoi(std::string(head.substr(9, 3)).c_str());
  size_t length = 0;
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    const size_t next = head.find("\r\n", pos + 2);
    std::string line(
        head.substr(pos + 2, (next == std::string_view::npos ? head.size() : next) - pos - 2));
    std::transform(line.begin(), line.end(), line.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (line.rfind("content-length:", 0) == 0)
      length = std::strtoull(line.c_str() + 15, nullptr, 10);
    if (line.rfind("connection:", 0) == 0 && line.find("close") != std::string::npos) {
      reply.close = true;
    }
    pos = next;
  }
  const size_t body_at = end + 4;
  while (buffer.size() < body_at + length) {
    if (!fill()) return std::nullopt;
  }
  reply.body = buffer.substr(body_at, length);
  buffer.erase(0, body_at + length);
  return reply;
}

uint64_t JsonCount(const std::string& body, std::string_view key) {
  const size_t at = body.find(key);
  if (at == std::string::npos) return 0;
  return std::strtoull(body.c_str() + at + key.size(), nullptr, 10);
}

// One connection's closed loop; fills `counts[phase]`.
void Connection(Shared& shared, PhaseCounts& counts) {
  const Options& o = *shared.options;
  const std::vector<Batch>& pool = *shared.pool;
  std::string body;
  std::string buffer;
  int fd = -1;
  while (shared.phase.load() != Phase::kDrain) {
    if (fd < 0 && (fd = Connect(o)) < 0) {
      counts[static_cast<int>(shared.phase.load())].errors["connection"]++;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    const uint64_t seq = shared.next_batch.fetch_add(1);
    const Batch& batch = pool[seq % pool.size()];
    body.assign(batch.body);
    for (size_t i = 0; i < batch.id_digits.size(); ++i) {
      const uint64_t n = seq * o.batch_events + i;
      WriteId(o.random_ids ? modelwatch::bench::ScatteredId(n) : n,
              body.data() + batch.id_digits[i]);
    }
    const std::string head =
        "POST /v1/models/" + o.model + "/predictions HTTP/1.1\r\nHost: " + o.host +
        "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n";
    const Clock::time_point start = Clock::now();
    std::optional<Reply> reply;
    if (SendAll(fd, head, body)) reply = ReadReply(fd, buffer);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    Counts& c = counts[static_cast<int>(shared.phase.load())];
    if (!reply) {
      c.errors["connection"]++;
      close(fd);
      fd = -1;
      buffer.clear();
      continue;
    }
    ++c.requests;
    if (reply->status == 200) {
      ++c.ok;
      c.accepted += JsonCount(reply->body, "\"accepted\":");
      c.duplicates += JsonCount(reply->body, "\"duplicates\":");
      c.latency_ms.push_back(ms);
    } else {
      c.errors[std::to_string(reply->status)]++;
      if (reply->status == 429) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (reply->close) {
      close(fd);
      fd = -1;
      buffer.clear();
    }
  }
  if (fd >= 0) close(fd);
}

// utime + stime of a process, in seconds; nullopt when it cannot be read.
std::optional<double> ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15 of proc(5)
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// utime + stime per thread name (the comm of /proc/PID/task/TID/stat), in seconds.
std::map<std::string, double> ThreadCpuSeconds(int pid) {
  std::map<std::string, double> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(dir + "/" + e->d_name + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    const std::string comm = stat.substr(open + 1, close - open - 1);
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    uint64_t ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::strtoull(field.c_str(), nullptr, 10);
    }
    out[comm] += static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  closedir(d);
  return out;
}

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = q * static_cast<double>(sorted.size() - 1);  // numpy's linear method
  const size_t lo = static_cast<size_t>(rank);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

std::string JsonErrors(const std::map<std::string, uint64_t>& errors) {
  std::string out = "{";
  for (const auto& [k, v] : errors) {
    if (out.size() > 1) out += ",";
    out += "\"" + k + "\":" + std::to_string(v);
  }
  return out + "}";
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) Die("missing value after " + a);
    const char* v = argv[++i];
    if (a == "--host")
      o.host = v;
    else if (a == "--port")
      o.port = std::atoi(v);
    else if (a == "--model")
      o.model = v;
    else if (a == "--pool")
      o.pool = v;
    else if (a == "--connections")
      o.connections = std::atoi(v);
    else if (a == "--batch-events")
      o.batch_events = std::strtoull(v, nullptr, 10);
    else if (a == "--warmup")
      o.warmup_s = std::atof(v);
    else if (a == "--duration")
      o.duration_s = std::atof(v);
    else if (a == "--pid")
      o.pid = std::atoi(v);
    else if (a == "--ids" &&
             (std::string_view(v) == "sequential" || std::string_view(v) == "random"))
      o.random_ids = std::string_view(v) == "random";
    else
      Die("unknown option or value: " + a + " " + v);
  }
  if (o.port <= 0 || o.port > 65535 || o.model.empty() || o.pool.empty() || o.connections < 1 ||
      o.batch_events < 1 || o.duration_s <= 0 || o.warmup_s < 0) {
    Die("usage: mw_ingest_client --port P --model M --pool FILE [--host H] [--connections N] "
        "[--batch-events 1000] [--warmup S] [--duration S] [--pid PID] "
        "[--ids sequential|random]");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);
  const std::vector<Batch> pool = ReadPool(options.pool, options.batch_events);
  Shared shared;
  shared.options = &options;
  shared.pool = &pool;
  std::vector<PhaseCounts> counts(static_cast<size_t>(options.connections));
  std::vector<std::thread> threads;
  for (int i = 0; i < options.connections; ++i) {
    threads.emplace_back(
        [&shared, &counts, i] { Connection(shared, counts[static_cast<size_t>(i)]); });
  }
  auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  std::this_thread::sleep_for(seconds(options.warmup_s));
  const std::optional<double> cpu0 = options.pid ? ProcessCpuSeconds(options.pid) : std::nullopt;
  const std::map<std::string, double> threads0 =
      options.pid ? ThreadCpuSeconds(options.pid) : std::map<std::string, double>();
  rusage self0{};
  getrusage(RUSAGE_SELF, &self0);
  const Clock::time_point t0 = Clock::now();
  shared.phase = Phase::kMeasure;
  std::this_thread::sleep_until(t0 + seconds(options.duration_s));
  shared.phase = Phase::kDrain;
  const Clock::time_point t1 = Clock::now();
  const std::optional<double> cpu1 = options.pid ? ProcessCpuSeconds(options.pid) : std::nullopt;
  std::map<std::string, double> thread_cpu =
      options.pid ? ThreadCpuSeconds(options.pid) : std::map<std::string, double>();
  for (auto& [comm, s] : thread_cpu) {
    auto it = threads0.find(comm);
    if (it != threads0.end()) s -= it->second;
  }
  rusage self1{};
  getrusage(RUSAGE_SELF, &self1);
  for (std::thread& t : threads) t.join();

  Counts measured, total;
  for (auto& c : counts) {
    measured.Add(c[static_cast<int>(Phase::kMeasure)]);
    for (const Counts& p : c) total.Add(p);
  }
  std::sort(measured.latency_ms.begin(), measured.latency_ms.end());
  const double wall = std::chrono::duration<double>(t1 - t0).count();
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  const double client_cpu =
      tv(self1.ru_utime) + tv(self1.ru_stime) - tv(self0.ru_utime) - tv(self0.ru_stime);
  double mean = 0;
  for (double x : measured.latency_ms) mean += x;
  if (!measured.latency_ms.empty()) mean /= static_cast<double>(measured.latency_ms.size());
  const std::vector<double>& lat = measured.latency_ms;
  std::string thread_json = "{";
  for (const auto& [comm, s] : thread_cpu) {
    if (thread_json.size() > 1) thread_json += ",";
    thread_json += "\"" + comm + "\":" + std::to_string(s);
  }
  thread_json += "}";
  std::printf(
      "{\"connections\":%d,\"batch_events\":%zu,\"pool_batches\":%zu,\"warmup_s\":%g,"
      "\"measured_s\":%.4f,\"requests\":%llu,\"ok\":%llu,\"accepted\":%llu,\"duplicates\":%llu,"
      "\"errors\":%s,\"events_per_s\":%.1f,\"requests_per_s\":%.2f,"
      "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f,\"mean\":%.3f},"
      "\"daemon_cpu_s\":%s,\"daemon_cpu_s_by_thread\":%s,\"client_cpu_s\":%.3f,"
      "\"totals\":{\"requests\":%llu,\"ok\":%llu,\"accepted\":%llu,\"duplicates\":%llu,"
      "\"errors\":%s,\"batches_sent\":%llu}}\n",
      options.connections, options.batch_events, pool.size(), options.warmup_s, wall,
      static_cast<unsigned long long>(measured.requests),
      static_cast<unsigned long long>(measured.ok),
      static_cast<unsigned long long>(measured.accepted),
      static_cast<unsigned long long>(measured.duplicates), JsonErrors(measured.errors).c_str(),
      static_cast<double>(measured.accepted) / wall, static_cast<double>(measured.ok) / wall,
      Percentile(lat, 0.5), Percentile(lat, 0.9), Percentile(lat, 0.99),
      lat.empty() ? 0.0 : lat.back(), mean,
      cpu0 && cpu1 ? std::to_string(*cpu1 - *cpu0).c_str() : "null", thread_json.c_str(),
      client_cpu, static_cast<unsigned long long>(total.requests),
      static_cast<unsigned long long>(total.ok), static_cast<unsigned long long>(total.accepted),
      static_cast<unsigned long long>(total.duplicates), JsonErrors(total.errors).c_str(),
      static_cast<unsigned long long>(shared.next_batch.load()));
  return 0;
}
