#include "modelwatch/server/daemon_counters.h"

#include "modelwatch/server/prometheus_text.h"

namespace modelwatch::server {

std::string DaemonCounters::RenderLabels(const Labels& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    if (!out.empty()) out += ',';
    out += key;
    out += "=\"";
    out += EscapePromLabelValue(value);
    out += '"';
  }
  return out;
}

void DaemonCounters::Add(const std::string& name, const Labels& labels, uint64_t delta) {
  std::string rendered = RenderLabels(labels);
  std::lock_guard<std::mutex> lock(mu_);
  values_[{name, std::move(rendered)}] += delta;
}

std::vector<store::CounterRecord> DaemonCounters::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<store::CounterRecord> out;
  out.reserve(values_.size());
  for (const auto& [key, value] : values_) out.push_back({key.first, key.second, value});
  return out;
}

void DaemonCounters::Restore(const std::vector<store::CounterRecord>& records) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const store::CounterRecord& r : records) values_[{r.name, r.labels}] = r.value;
}

}  // namespace modelwatch::server
