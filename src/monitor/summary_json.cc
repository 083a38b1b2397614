#include "summary_json.h"

#include "modelwatch/core/classification_metrics.h"
#include "modelwatch/core/drift.h"

namespace modelwatch::monitor::internal {
namespace {

void WriteEstimate(io::JsonWriter& w, std::string_view key, const ScoreEstimate& e) {
  w.Member(key, e.value);
  w.Member(std::string(key) + "_error_bound", e.error_bound);
}

void WriteAveraged(io::JsonWriter& w, std::string_view key, const AveragedMetric& m, bool binary) {
  w.Key(key);
  w.BeginObject();
  if (binary) w.Member("binary", m.binary);
  w.Member("micro", m.micro);
  w.Member("macro", m.macro);
  w.Member("weighted", m.weighted);
  w.EndObject();
}

}  // namespace

void WriteCounts(io::JsonWriter& w, uint64_t predictions, uint64_t labelled) {
  w.Key("predictions");
  w.Uint(predictions);
  w.Key("labelled");
  w.Uint(labelled);
  w.Member("label_coverage", predictions > 0
                                 ? std::optional<double>(static_cast<double>(labelled) /
                                                         static_cast<double>(predictions))
                                 : std::nullopt);
}

void WriteQuantiles(io::JsonWriter& w, std::string_view key, const QuantileSummary& q) {
  w.Key(key);
  w.BeginObject();
  w.Key("count");
  w.Uint(q.count);
  w.Key("sum");
  w.Double(q.sum);
  for (const auto& [name, value] : q.quantiles) w.Member(name, value);
  w.Member("rank_error", q.rank_error);
  w.EndObject();
}

void WriteClassification(io::JsonWriter& w, const QualitySpec& spec, LabelInterner raw,
                         std::span<const std::tuple<uint32_t, uint32_t, uint64_t>> cells,
                         const std::function<void(const LabelOrder&)>& write_scores,
                         std::vector<std::string>* warnings) {
  const bool binary = spec.task == Task::kBinary;
  if (binary) raw.Intern(spec.positive_label);
  Result<LabelOrder> order = CanonicalLabelOrder(raw, spec.classes);
  if (!order.ok()) {
    w.Null();
    warnings->push_back("quality: " + std::string(order.status().message()));
    return;
  }
  const uint32_t k = static_cast<uint32_t>(order->labels.size());
  std::vector<uint64_t> matrix(static_cast<size_t>(k) * k, 0);
  for (const auto& [t, p, count] : cells) {
    matrix[static_cast<size_t>(order->raw_to_class[t]) * k + order->raw_to_class[p]] += count;
  }
  ClassificationOptions options;
  options.binary = binary;
  if (binary) {
    for (uint32_t c = 0; c < k; ++c) {
      if (SameLabel(order->labels[c], spec.positive_label)) options.positive_class = c;
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
  write_scores(*order);
  w.EndObject();
}

void WriteBinaryScores(io::JsonWriter& w, const BinaryScoreMetrics& m,
                       std::vector<std::string>* warnings) {
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
}

void WriteMulticlassScores(io::JsonWriter& w, const MulticlassScoreMetrics& m,
                           std::vector<std::string>* warnings) {
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

void WriteRegression(io::JsonWriter& w, const RegressionMetrics& m, double median_rank_error,
                     std::vector<std::string>* warnings) {
  w.BeginObject();
  w.Key("n");
  w.Uint(m.n);
  w.Member("mae", m.mae);
  w.Member("mse", m.mse);
  w.Member("rmse", m.rmse);
  w.Member("mape", m.mape);
  w.Member("median_absolute_error", m.median_ae);
  w.Member("median_absolute_error_rank_error", median_rank_error);
  w.Member("r2", m.r2);
  w.Member("explained_variance", m.explained_variance);
  w.Member("max_error", m.max_error);
  w.EndObject();
  warnings->insert(warnings->end(), m.warnings.begin(), m.warnings.end());
}

void WriteDrift(io::JsonWriter& w, const WindowDriftSpec& drift, bool have_current,
                std::span<const ColumnProfile* const> current, uint64_t current_rows,
                std::vector<std::string>* warnings) {
  w.Key("drift");
  if (!have_current || drift.reference == nullptr) {
    w.Null();
    if (!drift.note.empty()) warnings->push_back(drift.note);
    return;
  }
  // Columns with values on both sides are tested; the others are listed as not tested.
  std::vector<std::string> names;
  std::vector<ColumnSide> ref, cur;
  std::vector<std::string> untested;
  const std::vector<ColumnProfile>& reference = drift.reference->columns();
  for (size_t i = 0; i < reference.size() && i < current.size(); ++i) {
    const ColumnProfile& r = reference[i];
    const ColumnProfile* c = current[i];
    if (r.count() == 0 || c == nullptr || c->count() == 0) {
      untested.push_back(r.name());
      continue;
    }
    names.push_back(r.name());
    ref.push_back({&r, nullptr});
    cur.push_back({c, nullptr});
  }
  Result<DriftReport> report =
      DatasetDrift(names, ref, cur, drift.reference->rows(), current_rows, drift.options);
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
  // The prediction and the label: the columns "@prediction" / "@label", else "prediction" /
  // "label" (a reference read from a file names them so; ColumnValue reads them alike).
  auto special = [&](std::string_view marked, std::string_view plain) -> const ColumnDrift* {
    const ColumnDrift* found = nullptr;
    for (const ColumnDrift& d : report->columns) {
      if (d.name == marked) return &d;
      if (d.name == plain) found = &d;
    }
    return found;
  };
  const ColumnDrift* prediction = special(kPredictionColumn, "prediction");
  const ColumnDrift* label = special(kLabelColumn, "label");
  w.Key("features");
  w.BeginObject();
  for (const ColumnDrift& d : report->columns) {
    if (&d == prediction || &d == label) continue;
    w.Key(d.name);
    write_column(d);
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

int LabelColumnIndex(const DatasetProfile& reference) {
  const std::vector<ColumnProfile>& columns = reference.columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name() == kLabelColumn) return static_cast<int>(i);
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name() == "label") return static_cast<int>(i);
  }
  return -1;
}

const EventValue* ColumnValue(const PredictionEvent& e, const std::string& name, bool with_label) {
  for (const Feature& f : e.features) {
    if (f.name == name) return &f.value;
  }
  if (name == kPredictionColumn || name == "prediction") return &e.prediction;
  if (with_label && (name == kLabelColumn || name == "label")) return &e.label;
  return nullptr;
}

}  // namespace modelwatch::monitor::internal
