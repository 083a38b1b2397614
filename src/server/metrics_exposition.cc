#include "modelwatch/server/metrics_exposition.h"

#include <simdjson.h>

#include <map>
#include <optional>

#include "modelwatch/server/prometheus_text.h"
#include "modelwatch/server/resource_exposition.h"

namespace modelwatch::server {
namespace {

// One gauge read from a window summary by JSON pointer.
struct WindowGauge {
  const char* name;
  const char* pointer;
  const char* help;
  double scale = 1.0;  // ms -> s
};

constexpr WindowGauge kWindowGauges[] = {
    {"modelwatch_window_predictions", "/predictions", "Predictions in the latest closed window."},
    {"modelwatch_window_labelled", "/labelled",
     "Predictions with a label in the latest closed window."},
    {"modelwatch_window_label_coverage_ratio", "/label_coverage",
     "Share of the latest closed window's predictions that have a label."},
    {"modelwatch_window_accuracy_ratio", "/quality/accuracy",
     "Accuracy of the latest closed window (scikit-learn accuracy_score)."},
    {"modelwatch_window_balanced_accuracy_ratio", "/quality/balanced_accuracy",
     "Balanced accuracy of the latest closed window."},
    {"modelwatch_window_mcc", "/quality/mcc",
     "Matthews correlation coefficient of the latest closed window."},
    {"modelwatch_window_roc_auc_ratio", "/quality/scores/roc_auc",
     "ROC AUC of the latest closed window (binary)."},
    {"modelwatch_window_log_loss", "/quality/scores/log_loss",
     "Log loss of the latest closed window."},
    {"modelwatch_window_brier_score", "/quality/scores/brier",
     "Brier score of the latest closed window."},
    {"modelwatch_window_mae", "/quality/mae", "Mean absolute error of the latest closed window."},
    {"modelwatch_window_rmse", "/quality/rmse",
     "Root mean squared error of the latest closed window."},
    {"modelwatch_window_r2", "/quality/r2", "R^2 of the latest closed window."},
};

std::optional<double> Number(simdjson::dom::element doc, const std::string& pointer) {
  double v = 0;
  if (doc.at_pointer(pointer).get(v) == simdjson::SUCCESS) return v;
  int64_t i = 0;
  if (doc.at_pointer(pointer).get(i) == simdjson::SUCCESS) return static_cast<double>(i);
  uint64_t u = 0;
  if (doc.at_pointer(pointer).get(u) == simdjson::SUCCESS) return static_cast<double>(u);
  return std::nullopt;
}

struct ParsedWindow {
  const store::WindowRecord* record;
  std::string version_label;
  std::string window_label;
  simdjson::dom::element doc;
};

PromLabels Labels(const ParsedWindow& w) {
  return {{"model", w.record->model}, {"version", w.version_label}, {"window", w.window_label}};
}

// Drift of the latest closed windows: the dataset verdict and share, and per column (features by
// name; the prediction and the label as column="@prediction" / "@label") the statistic and flag.
void WriteDriftGauges(PrometheusText& t, const std::vector<ParsedWindow>& windows) {
  t.Family("modelwatch_window_dataset_drift", PrometheusText::Type::kGauge,
           "1 when the latest closed window drifted as a dataset (share of drifted columns at or "
           "above the threshold), else 0.");
  for (const ParsedWindow& w : windows) {
    bool drift = false;
    if (w.doc.at_pointer("/drift/dataset_drift").get(drift) == simdjson::SUCCESS) {
      t.Sample("modelwatch_window_dataset_drift", Labels(w), drift ? 1 : 0);
    }
  }
  t.Family("modelwatch_window_drift_share_ratio", PrometheusText::Type::kGauge,
           "Share of the tested columns that drifted in the latest closed window.");
  for (const ParsedWindow& w : windows) {
    if (std::optional<double> v = Number(w.doc, "/drift/drift_share")) {
      t.Sample("modelwatch_window_drift_share_ratio", Labels(w), *v);
    }
  }
  struct Column {
    std::string name;
    simdjson::dom::element value;
  };
  auto columns = [](const ParsedWindow& w) {
    std::vector<Column> out;
    simdjson::dom::object features;
    if (w.doc.at_pointer("/drift/features").get(features) == simdjson::SUCCESS) {
      for (auto [key, value] : features) out.push_back({std::string(key), value});
    }
    for (const char* special : {"prediction", "label"}) {
      simdjson::dom::element e;
      if (w.doc.at_pointer(std::string("/drift/") + special).get(e) == simdjson::SUCCESS &&
          e.is_object()) {
        out.push_back({std::string("@") + special, e});
      }
    }
    return out;
  };
  t.Family("modelwatch_window_column_drift_score", PrometheusText::Type::kGauge,
           "Drift statistic of a column in the latest closed window (its method's: p-value "
           "tests report their statistic; see /v1/models/{m}/windows for method and p-value).");
  for (const ParsedWindow& w : windows) {
    for (const Column& c : columns(w)) {
      double v = 0;
      if (c.value["statistic"].get(v) != simdjson::SUCCESS) continue;
      PromLabels labels = Labels(w);
      labels.emplace_back("column", c.name);
      t.Sample("modelwatch_window_column_drift_score", labels, v);
    }
  }
  t.Family("modelwatch_window_column_drift", PrometheusText::Type::kGauge,
           "1 when a column drifted in the latest closed window, else 0.");
  for (const ParsedWindow& w : windows) {
    for (const Column& c : columns(w)) {
      bool drift = false;
      if (c.value["drift"].get(drift) != simdjson::SUCCESS) continue;
      PromLabels labels = Labels(w);
      labels.emplace_back("column", c.name);
      t.Sample("modelwatch_window_column_drift", labels, drift ? 1 : 0);
    }
  }
}

void WriteWindowGauges(PrometheusText& t, const std::vector<ParsedWindow>& windows) {
  for (const WindowGauge& g : kWindowGauges) {
    t.Family(g.name, PrometheusText::Type::kGauge, g.help);
    for (const ParsedWindow& w : windows) {
      if (std::optional<double> v = Number(w.doc, g.pointer)) t.Sample(g.name, Labels(w), *v);
    }
  }
  // Averaged metrics: binary average for binary models, macro otherwise.
  for (const char* metric : {"precision", "recall", "f1"}) {
    const std::string name = std::string("modelwatch_window_") + metric + "_ratio";
    t.Family(name, PrometheusText::Type::kGauge,
             std::string(metric) + " of the latest closed window (binary average for binary "
                                   "models, macro average otherwise).");
    for (const ParsedWindow& w : windows) {
      std::optional<double> v = Number(w.doc, std::string("/quality/") + metric + "/binary");
      if (!v) v = Number(w.doc, std::string("/quality/") + metric + "/macro");
      if (v) t.Sample(name, Labels(w), *v);
    }
  }
  struct Quantiles {
    const char* name;
    const char* object;
    std::vector<std::pair<const char*, const char*>> q;
    double scale;
    const char* help;
  };
  const Quantiles kQuantiles[] = {
      {"modelwatch_window_latency_seconds", "/latency_ms",
       {{"0.5", "p50"}, {"0.95", "p95"}, {"0.99", "p99"}}, 1e-3,
       "Model latency quantiles (latency_ms of the events) in the latest closed window."},
      {"modelwatch_window_label_lag_seconds", "/label_lag_seconds",
       {{"0.5", "p50"}, {"0.95", "p95"}}, 1.0,
       "Time from a prediction's arrival to its label's, quantiles over the latest closed "
       "window."},
  };
  // Exact quantiles of the window: a summary (quantile samples, _sum and _count).
  for (const Quantiles& q : kQuantiles) {
    t.Family(q.name, PrometheusText::Type::kSummary, q.help);
    for (const ParsedWindow& w : windows) {
      std::optional<double> count = Number(w.doc, std::string(q.object) + "/count");
      std::optional<double> sum = Number(w.doc, std::string(q.object) + "/sum");
      if (!count || !sum) continue;
      for (const auto& [quantile, key] : q.q) {
        std::optional<double> v = Number(w.doc, std::string(q.object) + "/" + key);
        if (!v) continue;
        PromLabels labels = Labels(w);
        labels.emplace_back("quantile", quantile);
        t.Sample(q.name, labels, *v * q.scale);
      }
      t.Sample(std::string(q.name) + "_sum", Labels(w), *sum * q.scale);
      t.Sample(std::string(q.name) + "_count", Labels(w), *count);
    }
  }
  WriteDriftGauges(t, windows);
  t.Family("modelwatch_window_end_timestamp_seconds", PrometheusText::Type::kGauge,
           "End of the latest closed window (Unix time).");
  for (const ParsedWindow& w : windows) {
    t.Sample("modelwatch_window_end_timestamp_seconds", Labels(w),
             static_cast<double>(w.record->end_us) / 1e6);
  }
}

void WriteCounters(PrometheusText& t, const std::vector<store::CounterRecord>& counters) {
  static const std::map<std::string, std::string, std::less<>> kHelp = {
      {"modelwatch_predictions_total", "Prediction events stored."},
      {"modelwatch_duplicate_predictions_total",
       "Prediction events whose (model, id) was already stored (retries), not stored again."},
      {"modelwatch_labels_total", "Label events accepted."},
      {"modelwatch_labels_joined_total", "Labels joined to their prediction."},
      {"modelwatch_labels_unmatched_total",
       "Labels dropped because no prediction arrived within the label TTL."},
      {"modelwatch_labels_too_late_total",
       "Labels received more than the model's label_ttl after their prediction: not joined."},
      {"modelwatch_rejected_batches_total", "Ingest requests rejected, by reason."},
      {"modelwatch_cloudevents_unpaired_total",
       "KServe CloudEvents halves dropped because their pair did not come in time."},
  };
  std::string current;
  for (const store::CounterRecord& c : counters) {
    if (c.name != current) {
      current = c.name;
      auto it = kHelp.find(c.name);
      t.Family(c.name, PrometheusText::Type::kCounter,
               it == kHelp.end() ? "modelwatch counter." : it->second);
    }
    // Labels are stored rendered; write the sample line directly.
    std::string line = c.name;
    if (!c.labels.empty()) line += "{" + c.labels + "}";
    t.Sample(line, {}, static_cast<double>(c.value));
  }
}

void WriteProcess(PrometheusText& t, const probes::ProcessSample& p) {
  auto gauge = [&](const char* name, const char* help, std::optional<double> value) {
    if (!value) return;
    t.Family(name, PrometheusText::Type::kGauge, help);
    t.Sample(name, {}, *value);
  };
  auto count = [](std::optional<uint64_t> v) {
    return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
  };
  t.Family("process_cpu_seconds_total", PrometheusText::Type::kCounter,
           "Total user and system CPU time spent in seconds.");
  t.Sample("process_cpu_seconds_total", {}, p.user_seconds + p.system_seconds);
  gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
        static_cast<double>(p.rss_bytes));
  gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
        static_cast<double>(p.vms_bytes));
  gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        p.start_time_unix_seconds);
  gauge("process_open_fds", "Number of open file descriptors.", count(p.open_fds));
  gauge("process_max_fds", "Maximum number of open file descriptors.", count(p.max_open_files));
  gauge("process_threads", "Number of OS threads in the process.",
        static_cast<double>(p.threads));
}

}  // namespace

std::string WindowLabel(int64_t width_s) {
  if (width_s > 0 && width_s % 86400 == 0) return std::to_string(width_s / 86400) + "d";
  if (width_s > 0 && width_s % 3600 == 0) return std::to_string(width_s / 3600) + "h";
  if (width_s > 0 && width_s % 60 == 0) return std::to_string(width_s / 60) + "m";
  if (width_s == 0) return "all";
  return std::to_string(width_s) + "s";
}

std::string RenderMetrics(const MetricsSnapshot& snapshot) {
  std::vector<simdjson::padded_string> texts;
  texts.reserve(snapshot.latest_windows.size());
  std::vector<ParsedWindow> windows;
  for (const store::WindowRecord& w : snapshot.latest_windows) {
    texts.emplace_back(w.summary);
  }
  // One parser per document: DOM elements stay valid only while their parser lives.
  std::vector<simdjson::dom::parser> parsers(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    simdjson::dom::element doc;
    if (parsers[i].parse(texts[i]).get(doc) != simdjson::SUCCESS) continue;
    const store::WindowRecord& w = snapshot.latest_windows[i];
    windows.push_back({&w, w.version.empty() ? "all" : w.version, WindowLabel(w.width_s), doc});
  }
  PrometheusText t;
  WriteWindowGauges(t, windows);
  WriteCounters(t, snapshot.counters);
  if (snapshot.process) WriteProcess(t, *snapshot.process);
  if (snapshot.resources) WriteResourceMetrics(t, *snapshot.resources);
  return t.str();
}

}  // namespace modelwatch::server
