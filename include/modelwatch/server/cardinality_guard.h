// Cardinality guard: keeps the number of models, versions per model, features per model,
// segment values per model and class values per model within the configured limits, so that
// memory, the store and the /metrics series count stay bounded whatever clients send.
//
// Admit() checks a whole batch and records its new names only when every limit holds (a batch
// is accepted or rejected whole). Rejections are kResourceExhausted with a message naming the
// limit, e.g. "model 'fraud': version 'v21' would be version 21, more than
// limits.max_versions_per_model (20)"; the server answers them with 422.
// Thread safety: thread safe (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>

#include "modelwatch/core/event.h"
#include "modelwatch/core/status.h"
#include "modelwatch/server/config.h"

namespace modelwatch::server {

class CardinalityGuard {
 public:
  explicit CardinalityGuard(const LimitsConfig& limits) : limits_(limits) {}

  // Registers a model/version known from the store (at start): counted, never rejected.
  void Preload(const std::string& model, const std::string& version);

  // Predictions of one model (all events have the same model). `classification`: their
  // predictions and labels are class values, counted against max_label_values.
  Status Admit(const std::string& model, std::span<const PredictionEvent> events,
               bool classification);
  // Labels of one model.
  Status AdmitLabels(const std::string& model, std::span<const LabelEvent> labels,
                     bool classification);

  size_t models() const;

 private:
  struct Names {
    std::set<std::string, std::less<>> versions, features, segments, classes;
  };
  Status CheckModel(const std::string& model) const;  // mu_ held

  LimitsConfig limits_;
  mutable std::mutex mu_;
  std::map<std::string, Names, std::less<>> models_;  // guarded by mu_
};

}  // namespace modelwatch::server
