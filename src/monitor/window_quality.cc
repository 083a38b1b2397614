#include "modelwatch/monitor/window_quality.h"

#include <algorithm>
#include <cmath>

#include "modelwatch/core/classification_metrics.h"
#include "modelwatch/core/label_interner.h"
#include "modelwatch/core/label_order.h"
#include "modelwatch/core/regression_metrics.h"
#include "modelwatch/core/score_metrics.h"
#include "modelwatch/io/json_writer.h"

namespace modelwatch::monitor {
namespace {

bool AsNumber(const EventValue& v, double* out) {
  if (v.kind == EventValue::Kind::kNumber) {
    *out = v.number;
    return true;
  }
  return v.kind == EventValue::Kind::kString && ParseLabelNumber(v.text, out);
}

// "count" and "sum" of the values (a Prometheus summary's _count and _sum).
void WriteCountAndSum(io::JsonWriter& w, const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  w.Key("count");
  w.Uint(values.size());
  w.Key("sum");
  w.Double(sum);
}

void WriteEstimate(io::JsonWriter& w, std::string_view key, const ScoreEstimate& e) {
  w.Member(key, e.value);
}

void WriteAveraged(io::JsonWriter& w, std::string_view key, const AveragedMetric& m,
                   bool binary) {
  w.Key(key);
  w.BeginObject();
  if (binary) w.Member("binary", m.binary);
  w.Member("micro", m.micro);
  w.Member("macro", m.macro);
  w.Member("weighted", m.weighted);
  w.EndObject();
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

std::string_view TaskName(Task task) {
  switch (task) {
    case Task::kBinary:
      return "binary";
    case Task::kMulticlass:
      return "multiclass";
    case Task::kRegression:
      return "regression";
  }
  return "binary";
}

std::optional<double> LinearQuantile(std::vector<double>& values, double q) {
  if (values.empty()) return std::nullopt;
  const double h = (static_cast<double>(values.size()) - 1.0) * q;
  const size_t lo = static_cast<size_t>(std::floor(h));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double a = values[lo];
  if (lo + 1 >= values.size()) return a;
  const double b = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1,
                                     values.end());
  return a + (b - a) * (h - static_cast<double>(lo));
}

void WindowQuality::Add(const store::StoredPrediction& p) {
  ++predictions_;
  const PredictionEvent& e = p.event;
  if (current_) {
    const std::vector<ColumnProfile>& columns = current_->columns();
    for (size_t i = 0; i < columns.size(); ++i) {
      const std::string& name = columns[i].name();
      const EventValue* value = nullptr;
      for (const Feature& f : e.features) {
        if (f.name == name) {
          value = &f.value;
          break;
        }
      }
      if (value == nullptr && (name == kPredictionColumn || name == "prediction")) {
        value = &e.prediction;
      }
      if (value == nullptr && (name == kLabelColumn || name == "label")) value = &e.label;
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
  w.Key("predictions");
  w.Uint(predictions_);
  w.Key("labelled");
  w.Uint(labelled_);
  w.Member("label_coverage", predictions_ > 0 ? std::optional<double>(static_cast<double>(
                                                    labelled_) / static_cast<double>(predictions_))
                                              : std::nullopt);
  std::vector<double> lags = label_lags_s_;
  w.Key("label_lag_seconds");
  w.BeginObject();
  WriteCountAndSum(w, lags);
  w.Member("p50", LinearQuantile(lags, 0.5));
  w.Member("p95", LinearQuantile(lags, 0.95));
  w.EndObject();
  std::vector<double> latencies = latencies_ms_;
  w.Key("latency_ms");
  w.BeginObject();
  WriteCountAndSum(w, latencies);
  w.Member("p50", LinearQuantile(latencies, 0.5));
  w.Member("p95", LinearQuantile(latencies, 0.95));
  w.Member("p99", LinearQuantile(latencies, 0.99));
  w.EndObject();
  w.Key("labelled_without_prediction");
  w.Uint(labelled_without_prediction_);
  w.Key("quality");
  if (rows_.empty()) {
    w.Null();
    warnings.push_back("no labelled predictions in this window: quality is undefined");
  } else if (spec_.task == Task::kRegression) {
    RegressionAccumulator acc;
    for (const Row& r : rows_) acc.Update(r.label_number, r.prediction_number);
    const RegressionMetrics m = acc.Finish();
    w.BeginObject();
    w.Key("n");
    w.Uint(m.n);
    w.Member("mae", m.mae);
    w.Member("mse", m.mse);
    w.Member("rmse", m.rmse);
    w.Member("mape", m.mape);
    w.Member("median_absolute_error", m.median_ae);
    w.Member("r2", m.r2);
    w.Member("explained_variance", m.explained_variance);
    w.Member("max_error", m.max_error);
    w.EndObject();
    warnings.insert(warnings.end(), m.warnings.begin(), m.warnings.end());
  } else {
    WriteClassification(w, &warnings);
  }
  WriteDrift(w, &warnings);
  w.Key("warnings");
  w.BeginArray();
  for (const std::string& s : warnings) w.String(s);
  w.EndArray();
  w.EndObject();
  return w.str();
}

void WindowQuality::WriteClassification(io::JsonWriter& w,
                                        std::vector<std::string>* warnings) const {
  const bool binary = spec_.task == Task::kBinary;
  LabelInterner interner;
  std::vector<std::pair<uint32_t, uint32_t>> ids;
  ids.reserve(rows_.size());
  for (const Row& r : rows_) ids.emplace_back(interner.Intern(r.label), interner.Intern(r.prediction));
  if (binary) interner.Intern(spec_.positive_label);
  Result<LabelOrder> order = CanonicalLabelOrder(interner, spec_.classes);
  if (!order.ok()) {
    w.Null();
    warnings->push_back("quality: " + std::string(order.status().message()));
    return;
  }
  const uint32_t k = static_cast<uint32_t>(order->labels.size());
  std::vector<uint64_t> matrix(static_cast<size_t>(k) * k, 0);
  for (const auto& [t, p] : ids) {
    ++matrix[static_cast<size_t>(order->raw_to_class[t]) * k + order->raw_to_class[p]];
  }
  ClassificationOptions options;
  options.binary = binary;
  if (binary) {
    for (uint32_t c = 0; c < k; ++c) {
      if (SameLabel(order->labels[c], spec_.positive_label)) options.positive_class = c;
    }
  }
  const ClassificationMetrics m = ComputeClassificationMetrics(matrix, order->labels, options);
  warnings->insert(warnings->end(), m.warnings.begin(), m.warnings.end());
  w.BeginObject();
  w.Key("n");
  w.Uint(m.n);
  w.Key("labels");
  w.BeginArray();
  for (const std::string& l : order->labels) w.String(l);
  w.EndArray();
  w.Member("accuracy", m.accuracy);
  w.Member("balanced_accuracy", m.balanced_accuracy);
  WriteAveraged(w, "precision", m.precision, binary);
  WriteAveraged(w, "recall", m.recall, binary);
  WriteAveraged(w, "f1", m.f1, binary);
  if (binary) w.Member("specificity", m.specificity);
  w.Member("mcc", m.mcc);
  w.Member("cohen_kappa", m.cohen_kappa);
  w.Key("scores");
  WriteScores(w, *order, warnings);
  w.EndObject();
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
    const BinaryScoreMetrics m = acc.Finish();
    warnings->insert(warnings->end(), m.warnings.begin(), m.warnings.end());
    w.BeginObject();
    w.Key("n");
    w.Uint(m.n);
    WriteEstimate(w, "roc_auc", m.roc_auc);
    WriteEstimate(w, "average_precision", m.average_precision);
    w.Member("log_loss", m.log_loss);
    w.Member("brier", m.brier);
    w.Member("ece", m.ece);
    w.EndObject();
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
      warnings->push_back("scores: a labelled prediction lacks a probability for some class; "
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
  const MulticlassScoreMetrics m = acc.Finish();
  warnings->insert(warnings->end(), m.warnings.begin(), m.warnings.end());
  w.BeginObject();
  w.Key("n");
  w.Uint(m.n);
  WriteEstimate(w, "roc_auc_macro", m.roc_auc_macro);
  WriteEstimate(w, "roc_auc_weighted", m.roc_auc_weighted);
  WriteEstimate(w, "average_precision_macro", m.average_precision_macro);
  w.Member("log_loss", m.log_loss);
  w.Member("brier", m.brier);
  w.Member("ece", m.ece);
  w.EndObject();
}

void WindowQuality::WriteDrift(io::JsonWriter& w, std::vector<std::string>* warnings) const {
  w.Key("drift");
  if (!current_) {
    w.Null();
    if (!drift_.note.empty()) warnings->push_back(drift_.note);
    return;
  }
  // Columns with values on both sides are tested; the others are listed as not tested.
  std::vector<std::string> names;
  std::vector<ColumnSide> ref, cur;
  std::vector<std::string> untested;
  for (size_t i = 0; i < current_->columns().size(); ++i) {
    const ColumnProfile& r = drift_.reference->columns()[i];
    const ColumnProfile& c = current_->columns()[i];
    if (r.count() == 0 || c.count() == 0) {
      untested.push_back(c.name());
      continue;
    }
    names.push_back(c.name());
    ref.push_back({&r, nullptr});
    cur.push_back({&c, nullptr});
  }
  Result<DriftReport> report = DatasetDrift(names, ref, cur, drift_.reference->rows(),
                                            current_->rows(), drift_.options);
  if (!report.ok()) {
    w.Null();
    warnings->push_back("drift: " + report.status().message());
    return;
  }
  auto write_column = [&](const ColumnDrift& d) {
    w.BeginObject();
    w.Key("type");
    w.String(ColumnTypeName(d.type));
    w.Key("method");
    w.String(DriftMethodName(d.method));
    w.Member("statistic", d.statistic);
    w.Member("p_value", d.p_value);
    w.Member("threshold", d.threshold);
    w.Key("drift");
    w.Bool(d.drift);
    w.Key("n_reference");
    w.Uint(d.n_reference);
    w.Key("n_current");
    w.Uint(d.n_current);
    w.EndObject();
  };
  w.BeginObject();
  w.Key("reference_rows");
  w.Uint(report->n_reference);
  w.Key("dataset_drift");
  w.Bool(report->dataset_drift);
  w.Member("drift_share", report->drift_share);
  w.Key("n_drifted");
  w.Uint(report->n_drifted);
  w.Key("n_columns");
  w.Uint(report->n_columns);
  const ColumnDrift* prediction = nullptr;
  const ColumnDrift* label = nullptr;
  w.Key("features");
  w.BeginObject();
  for (const ColumnDrift& d : report->columns) {
    if (d.name == kPredictionColumn) {
      prediction = &d;
    } else if (d.name == kLabelColumn) {
      label = &d;
    } else {
      w.Key(d.name);
      write_column(d);
    }
  }
  w.EndObject();
  w.Key("prediction");
  if (prediction != nullptr) {
    write_column(*prediction);
  } else {
    w.Null();
  }
  w.Key("label");
  if (label != nullptr) {
    write_column(*label);
  } else {
    w.Null();
  }
  w.Key("not_tested");
  w.BeginArray();
  for (const std::string& n : untested) w.String(n);
  w.EndArray();
  w.EndObject();
}

}  // namespace modelwatch::monitor
