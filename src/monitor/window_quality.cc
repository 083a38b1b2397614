#include "modelwatch/monitor/window_quality.h"

#include <algorithm>
#include <cmath>

#include "modelwatch/core/classification_metrics.h"
#include "modelwatch/core/label_interner.h"
#include "modelwatch/core/label_order.h"
#include "modelwatch/core/regression_metrics.h"
#include "modelwatch/core/score_metrics.h"
#include "modelwatch/io/json_writer.h"
#include "summary_json.h"

namespace modelwatch::monitor {
namespace {

bool AsNumber(const EventValue& v, double* out) {
  if (v.kind == EventValue::Kind::kNumber) {
    *out = v.number;
    return true;
  }
  return v.kind == EventValue::Kind::kString && ParseLabelNumber(v.text, out);
}

}  // namespace

ClassifiedValue ClassifiedEventValue(const EventValue& v) {
  ClassifiedValue c;
  switch (v.kind) {
    case EventValue::Kind::kNull:
      break;
    case EventValue::Kind::kNumber:
      c.kind = ValueKind::kNumber;
      c.number = v.number;
      break;
    case EventValue::Kind::kBool:
      c.kind = ValueKind::kBooleanLiteral;
      c.boolean = v.boolean;
      break;
    case EventValue::Kind::kString:
      c = Classify(v.text);
      break;
  }
  return c;
}

WindowQuality::WindowQuality(QualitySpec spec, WindowDriftSpec drift)
    : spec_(std::move(spec)), drift_(std::move(drift)) {
  if (drift_.reference == nullptr) return;
  std::vector<std::string> names;
  for (const ColumnProfile& c : drift_.reference->columns()) names.push_back(c.name());
  Result<DatasetProfile> current = DatasetProfile::Create(names, {});
  if (current.ok()) current_ = std::move(*current);
  row_.resize(names.size());
}

std::optional<double> LinearQuantile(std::vector<double>& values, double q) {
  if (values.empty()) return std::nullopt;
  const double h = (static_cast<double>(values.size()) - 1.0) * q;
  const size_t lo = static_cast<size_t>(std::floor(h));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double a = values[lo];
  if (lo + 1 >= values.size()) return a;
  const double b =
      *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values.end());
  return a + (b - a) * (h - static_cast<double>(lo));
}

void WindowQuality::Add(const store::StoredPrediction& p) {
  ++predictions_;
  const PredictionEvent& e = p.event;
  if (current_) {
    const std::vector<ColumnProfile>& columns = current_->columns();
    for (size_t i = 0; i < columns.size(); ++i) {
      const EventValue* value = internal::ColumnValue(e, columns[i].name(), /*with_label=*/true);
      row_[i] = value == nullptr ? ClassifiedValue{} : ClassifiedEventValue(*value);
    }
    current_->UpdateClassifiedRow(row_);
  }
  if (e.latency_ms) latencies_ms_.push_back(*e.latency_ms);
  if (e.label.is_null()) return;
  ++labelled_;
  if (p.label_received_us > 0) {
    label_lags_s_.push_back(std::max<double>(0.0, (p.label_received_us - p.received_us) / 1e6));
  }
  if (e.prediction.is_null()) {
    ++labelled_without_prediction_;
    return;
  }
  Row row;
  row.label = e.label.CanonicalText();
  row.prediction = e.prediction.CanonicalText();
  if (spec_.task == Task::kRegression) {
    if (!AsNumber(e.label, &row.label_number) || !AsNumber(e.prediction, &row.prediction_number)) {
      ++labelled_without_prediction_;
      return;
    }
  }
  row.score = e.score;
  row.scores = e.scores;
  rows_.push_back(std::move(row));
}

std::string WindowQuality::SummaryJson() const {
  io::JsonWriter w;
  std::vector<std::string> warnings;
  w.BeginObject();
  internal::WriteCounts(w, predictions_, labelled_);
  auto summarize = [](std::vector<double> values, std::initializer_list<double> qs) {
    internal::QuantileSummary s;
    s.count = values.size();
    for (double v : values) s.sum += v;
    for (double q : qs) {
      s.quantiles.emplace_back(q == 0.5    ? "p50"
                               : q == 0.95 ? "p95"
                                           : "p99",
                               LinearQuantile(values, q));
    }
    return s;
  };
  internal::WriteQuantiles(w, "label_lag_seconds", summarize(label_lags_s_, {0.5, 0.95}));
  internal::WriteQuantiles(w, "latency_ms", summarize(latencies_ms_, {0.5, 0.95, 0.99}));
  w.Key("labelled_without_prediction");
  w.Uint(labelled_without_prediction_);
  w.Key("quality");
  if (rows_.empty()) {
    w.Null();
    warnings.push_back("no labelled predictions in this window: quality is undefined");
  } else if (spec_.task == Task::kRegression) {
    RegressionAccumulator acc;
    for (const Row& r : rows_) acc.Update(r.label_number, r.prediction_number);
    internal::WriteRegression(w, acc.Finish(), 0.0, &warnings);
  } else {
    LabelInterner interner;
    std::vector<std::tuple<uint32_t, uint32_t, uint64_t>> cells;
    cells.reserve(rows_.size());
    for (const Row& r : rows_) {
      const uint32_t t = interner.Intern(r.label);
      cells.emplace_back(t, interner.Intern(r.prediction), 1);
    }
    internal::WriteClassification(
        w, spec_, std::move(interner), cells,
        [&](const LabelOrder& order) { WriteScores(w, order, &warnings); }, &warnings);
  }
  std::vector<const ColumnProfile*> current;
  if (current_) {
    for (const ColumnProfile& c : current_->columns()) current.push_back(&c);
  }
  internal::WriteDrift(w, drift_, current_.has_value(), current, current_ ? current_->rows() : 0,
                       &warnings);
  w.Key("warnings");
  w.BeginArray();
  for (const std::string& s : warnings) w.String(s);
  w.EndArray();
  w.EndObject();
  return w.str();
}

void WindowQuality::WriteScores(io::JsonWriter& w, const LabelOrder& order,
                                std::vector<std::string>* warnings) const {
  if (spec_.task == Task::kBinary) {
    BinaryScoreAccumulator acc;
    for (const Row& r : rows_) {
      if (r.score) acc.Update(SameLabel(r.label, spec_.positive_label), *r.score);
    }
    if (acc.count() < rows_.size()) {
      if (acc.count() > 0) warnings->push_back("scores: some labelled predictions have no score");
      if (acc.count() == 0) {
        w.Null();
        return;
      }
    }
    internal::WriteBinaryScores(w, acc.Finish(), warnings);
    return;
  }
  // Multiclass: every labelled row must carry a probability for every class.
  MulticlassScoreAccumulator acc(order.labels);
  uint64_t scored = 0;
  std::vector<double> p(order.labels.size());
  for (const Row& r : rows_) {
    if (r.scores.empty()) continue;
    size_t found = 0;
    for (size_t c = 0; c < order.labels.size(); ++c) {
      for (const auto& [name, value] : r.scores) {
        if (SameLabel(name, order.labels[c])) {
          p[c] = value;
          ++found;
          break;
        }
      }
    }
    if (found != order.labels.size()) {
      warnings->push_back(
          "scores: a labelled prediction lacks a probability for some class; "
          "score metrics are left out");
      w.Null();
      return;
    }
    uint32_t truth = 0;
    while (truth < order.labels.size() && !SameLabel(order.labels[truth], r.label)) ++truth;
    acc.Update(truth, p);
    ++scored;
  }
  if (scored == 0) {
    w.Null();
    return;
  }
  internal::WriteMulticlassScores(w, acc.Finish(), warnings);
}

}  // namespace modelwatch::monitor
