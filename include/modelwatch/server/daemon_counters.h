// The daemon's own counters (events accepted, records rejected by reason, duplicates, labels
// joined, labels that never matched), exported on /metrics as *_total counters and persisted in
// the store so that they continue across restarts (Prometheus sees no reset).
//
// A counter is identified by its metric name and its label set rendered as Prometheus label
// text, e.g. Add("modelwatch_predictions_total", {{"model","fraud"},{"version","v7"}}, 1000).
// Thread safety: thread safe (one mutex; increments happen once per batch, not per event).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "modelwatch/store/store.h"

namespace modelwatch::server {

class DaemonCounters {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  void Add(const std::string& name, const Labels& labels, uint64_t delta);

  // Every counter, ordered by (name, labels): for /metrics and for the store.
  std::vector<store::CounterRecord> Snapshot() const;
  // Restores persisted values (at start, before any Add).
  void Restore(const std::vector<store::CounterRecord>& records);

  // The rendered label text: model="fraud",version="v7" (values escaped as Prometheus wants).
  static std::string RenderLabels(const Labels& labels);

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> values_;  // guarded by mu_
};

}  // namespace modelwatch::server
