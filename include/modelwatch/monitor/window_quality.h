// The summary of one window of a model: counts, label coverage and lag, latency quantiles and
// quality metrics, computed exactly from the window's stored predictions
// (store::StoredPrediction). The daemon does not use it: it is the exact reference against
// which the tests check the incremental WindowState, and a tool for offline recomputation.
//
// Quality uses only labelled predictions and the metrics engine's exact definitions
// (scikit-learn's): binary and multiclass classification metrics over the labels seen (class
// identity by value), ROC AUC / average precision / log loss / Brier from `score` (binary) or
// `scores` (multiclass, when every labelled row has a score for each class); regression from
// numeric labels and predictions. Labelled rows whose prediction is missing are counted
// (`labelled_without_prediction`) and left out of the metrics.
// Quantiles (latency, label lag) are exact over the window: numpy's default linear
// interpolation. This is the exact reference of the daemon's incremental WindowState
// (window_state.h), which writes the same document from bounded state; its tests compare them.
// Thread safety: not thread safe; one evaluator per window evaluation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modelwatch/core/dataset_profile.h"
#include "modelwatch/core/drift.h"
#include "modelwatch/core/label_order.h"
#include "modelwatch/core/task.h"
#include "modelwatch/store/store.h"

namespace modelwatch::io {
class JsonWriter;
}

namespace modelwatch::monitor {

struct QualitySpec {
  Task task = Task::kBinary;
  std::string positive_label = "1";  // binary
  std::vector<std::string> classes;  // optional explicit class order
};

// Drift of a window against a reference profile. The reference's columns name what is compared:
// features by name, and the prediction and the label as kPredictionColumn / kLabelColumn (or
// "prediction" / "label" when no feature has that name). Both sides are profiles, so the
// statistics are the drift engine's estimates from sketches (docs/drift.md).
struct WindowDriftSpec {
  std::shared_ptr<const DatasetProfile> reference;  // null: no drift in the summary
  DriftOptions options;
  std::string note;  // why there is no reference yet (reported as a warning)
};

inline constexpr std::string_view kPredictionColumn = "@prediction";
inline constexpr std::string_view kLabelColumn = "@label";

// The drift profile's value of an event value (numbers and booleans typed, strings classified
// as in files).
ClassifiedValue ClassifiedEventValue(const EventValue& v);

class WindowQuality {
 public:
  explicit WindowQuality(QualitySpec spec, WindowDriftSpec drift = {});

  void Add(const store::StoredPrediction& p);

  uint64_t predictions() const { return predictions_; }
  uint64_t labelled() const { return labelled_; }

  // The window's summary as a JSON object (documented in docs/api.md):
  // {"predictions":..,"labelled":..,"label_coverage":..|null,"label_lag_seconds":{"p50","p95"},
  //  "latency_ms":{"p50","p95","p99"},"quality":{...}|null,"warnings":[..]}
  std::string SummaryJson() const;

 private:
  void WriteScores(io::JsonWriter& w, const LabelOrder& order,
                   std::vector<std::string>* warnings) const;

  QualitySpec spec_;
  WindowDriftSpec drift_;
  std::optional<DatasetProfile> current_;  // the window's drift profile (with a reference)
  std::vector<ClassifiedValue> row_;       // scratch: one drift row
  uint64_t predictions_ = 0;
  uint64_t labelled_ = 0;
  uint64_t labelled_without_prediction_ = 0;
  std::vector<double> latencies_ms_;
  std::vector<double> label_lags_s_;
  // Labelled rows kept for the quality metrics.
  struct Row {
    std::string label;
    std::string prediction;
    double label_number = 0;
    double prediction_number = 0;
    std::optional<double> score;
    std::vector<std::pair<std::string, double>> scores;
  };
  std::vector<Row> rows_;
};

// numpy.quantile(values, q) with the default linear method; nullopt when empty. Reorders values.
std::optional<double> LinearQuantile(std::vector<double>& values, double q);

}  // namespace modelwatch::monitor
