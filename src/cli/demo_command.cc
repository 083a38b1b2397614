#include "demo_command.h"

#include <chrono>
#include <cmath>
#include <csignal>
#include <deque>
#include <random>
#include <thread>

#include "http_client.h"
#include "modelwatch/cli/cli.h"
#include "modelwatch/core/timestamp.h"
#include "modelwatch/io/json_writer.h"

namespace modelwatch::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

constexpr double kTickSeconds = 0.5;     // real seconds between batches
constexpr int kBadBatchEvery = 40;       // ticks between malformed batches
constexpr const char* kCountries[] = {"DE", "FR", "US", "BR", "IN"};

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The simulated world at drift level d in [0, 1] (0 at the start, 1 after an hour of
// simulated time): the true fraud probability depends on amount, country and age; the model
// learned it at d = 0 and ignores how the relation changes.
struct World {
  std::mt19937_64 rng;
  std::string id_prefix;  // unique per run, so that a second run is not taken for retries
  uint64_t next_id = 0;

  struct Event {
    std::string id;
    double ts = 0;
    double amount = 0;
    std::string country;
    double age = 0;
    double score = 0;
    int prediction = 0;
    int label = 0;
  };

  Event Draw(double ts, double d) {
    Event e;
    e.id = id_prefix + std::to_string(next_id++);
    e.ts = ts;
    std::lognormal_distribution<double> amount(3.5 + 0.8 * d, 0.9);
    e.amount = std::round(amount(rng) * 100) / 100;
    // The country mix moves from DE/FR towards BR/IN.
    const double w[] = {0.4 - 0.3 * d, 0.3 - 0.2 * d, 0.2, 0.05 + 0.25 * d, 0.05 + 0.25 * d};
    std::discrete_distribution<int> country(std::begin(w), std::end(w));
    e.country = kCountries[country(rng)];
    std::normal_distribution<double> age(42 - 8 * d, 12);
    e.age = std::max(18.0, std::round(age(rng)));
    const double risky_country = (e.country == "BR" || e.country == "IN") ? 1.0 : 0.0;
    const double model_logit = -3.0 + 0.9 * (std::log(e.amount) - 3.5) + 0.6 * risky_country -
                               0.02 * (e.age - 42);
    // The real relation drifts: risky countries become less risky, amount more so.
    const double true_logit = model_logit + d * (1.6 * (std::log(e.amount) - 3.5) -
                                                 1.2 * risky_country + 1.0);
    e.score = std::round(Sigmoid(model_logit + 2.2) * 1e4) / 1e4;
    e.prediction = e.score >= 0.5 ? 1 : 0;
    std::bernoulli_distribution fraud(Sigmoid(true_logit + 2.2));
    e.label = fraud(rng) ? 1 : 0;
    return e;
  }
};

std::string PredictionJson(const World::Event& e, const std::string& version, double latency) {
  io::JsonWriter w;
  w.BeginObject();
  w.Key("id");
  w.String(e.id);
  w.Key("ts");
  w.String(FormatTimestamp(e.ts));
  w.Key("version");
  w.String(version);
  w.Key("features");
  w.BeginObject();
  w.Key("amount");
  w.Double(e.amount);
  w.Key("country");
  w.String(e.country);
  w.Key("age");
  w.Double(e.age);
  w.EndObject();
  w.Key("prediction");
  w.Int(e.prediction);
  w.Key("score");
  w.Double(e.score);
  w.Key("latency_ms");
  w.Double(latency);
  w.EndObject();
  return w.str();
}

std::string LabelJson(const World::Event& e, double ts) {
  io::JsonWriter w;
  w.BeginObject();
  w.Key("id");
  w.String(e.id);
  w.Key("label");
  w.Int(e.label);
  w.Key("ts");
  w.String(FormatTimestamp(ts));
  w.EndObject();
  return w.str();
}

}  // namespace

CLI::App* AddDemoCommand(CLI::App& app, DemoFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "demo", "Feed a running 'modelwatch serve' a realistic, drifting prediction stream.");
  cmd->add_option("--url", f.url, "the daemon (default http://127.0.0.1:8686)");
  cmd->add_option("--model", f.model, "model name (default fraud, as config/modelwatch.example.yaml)");
  cmd->add_option("--rate", f.rate, "predictions per real second (default 200)")
      ->check(CLI::Range(1.0, 1e6));
  cmd->add_option("--speedup", f.speedup, "simulated seconds per real second (default 60)")
      ->check(CLI::Range(1.0, 1e5));
  cmd->add_option("--duration", f.duration, "real seconds to run (default: until Ctrl-C)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--start", f.start, "simulated start time, RFC 3339 (default: an hour ago)");
  cmd->add_option("--token", f.token, "bearer token with the ingest scope");
  cmd->add_option("--seed", f.seed, "random seed (default 1)");
  return cmd;
}

int RunDemoCommand(const DemoFlags& f, std::ostream& out, std::ostream& err) {
  Result<HttpClient> client = HttpClient::Create(f.url);
  if (!client.ok()) {
    err << "modelwatch demo: --url: " << client.status().message() << "\n";
    return kExitUsage;
  }
  const double now = std::chrono::duration<double>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  double sim = std::floor(now - 3600);
  if (!f.start.empty()) {
    std::optional<double> t = ParseTimestamp(f.start);
    if (!t) {
      err << "modelwatch demo: --start: '" << f.start << "' is not an RFC 3339 time\n";
      return kExitUsage;
    }
    sim = *t;
  }
  const double sim_begin = sim;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  World world{std::mt19937_64(f.seed),
              "demo-" + std::to_string(static_cast<int64_t>(now)) + "-"};
  std::lognormal_distribution<double> latency(2.3, 0.4);
  std::uniform_real_distribution<double> label_delay(120, 600);  // simulated seconds
  struct PendingLabel {
    double due;
    World::Event event;
  };
  std::deque<PendingLabel> pending;
  const std::string base = "/v1/models/" + f.model;
  uint64_t sent = 0, labels = 0, rejected = 0;
  const auto begin = std::chrono::steady_clock::now();
  out << "modelwatch demo: feeding " << f.url << " model '" << f.model << "' at " << f.rate
      << " predictions/s, simulated time x" << f.speedup << " from " << FormatTimestamp(sim)
      << std::endl;
  for (int tick = 0; !g_interrupted; ++tick) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (f.duration > 0 && elapsed >= f.duration) break;
    const double drift = std::min(1.0, (sim - sim_begin) / 3600.0);
    const int n = std::max(1, static_cast<int>(f.rate * kTickSeconds));
    std::string body;
    for (int i = 0; i < n; ++i) {
      const double ts = sim + kTickSeconds * f.speedup * i / n;
      World::Event e = world.Draw(ts, drift);
      const std::string version = drift < 0.5 ? "v1" : "v2";
      body += PredictionJson(e, version, std::round(latency(world.rng) * 100) / 100) + "\n";
      pending.push_back({ts + label_delay(world.rng), std::move(e)});
    }
    Result<HttpReply> r = client->Request("POST", base + "/predictions", "application/x-ndjson",
                                          body, f.token);
    if (!r.ok()) {
      err << "modelwatch demo: " << r.status().message() << "\n";
      return kExitFailureFound;
    }
    if (r->status != 200) {
      err << "modelwatch demo: predictions rejected (" << r->status << "): " << r->body << "\n";
      return kExitFailureFound;
    }
    sent += n;
    std::string label_body;
    uint64_t due = 0;
    while (!pending.empty() && pending.front().due <= sim) {
      label_body += LabelJson(pending.front().event, pending.front().due) + "\n";
      pending.pop_front();
      ++due;
    }
    if (due > 0) {
      r = client->Request("POST", base + "/labels", "application/x-ndjson", label_body, f.token);
      if (r.ok() && r->status == 200) labels += due;
    }
    if (tick % kBadBatchEvery == kBadBatchEvery - 1) {
      // A malformed record in an otherwise good batch: the whole batch is rejected.
      const std::string bad = PredictionJson(world.Draw(sim, drift), "v1", 5) + "\n" +
                              "{\"id\":\"broken\",\"ts\":\"" + FormatTimestamp(sim) +
                              "\",\"score\":1.7}\n";
      r = client->Request("POST", base + "/predictions", "application/x-ndjson", bad, f.token);
      if (r.ok() && r->status == 400) {
        ++rejected;
        out << "modelwatch demo: a malformed batch was rejected as it should be: " << r->body
            << std::endl;
      }
    }
    if (tick % 20 == 0) {
      out << "modelwatch demo: " << sent << " predictions, " << labels << " labels, "
          << rejected << " bad batches rejected; simulated time " << FormatTimestamp(sim)
          << ", drift " << std::round(drift * 100) << "%" << std::endl;
    }
    sim += kTickSeconds * f.speedup;
    const auto next = begin + std::chrono::duration<double>(kTickSeconds * (tick + 1));
    std::this_thread::sleep_until(next);
  }
  out << "modelwatch demo: done: " << sent << " predictions, " << labels << " labels, "
      << rejected << " bad batches rejected" << std::endl;
  return kExitOk;
}

}  // namespace modelwatch::cli
