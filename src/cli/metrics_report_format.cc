#include "metrics_report_format.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "modelwatch/io/json_writer.h"

namespace modelwatch::cli {
namespace {

void WriteValue(io::JsonWriter& w, std::optional<double> v) { w.Double(v); }
void WriteValue(io::JsonWriter& w, uint64_t v) { w.Uint(v); }

// "key": {"<label>": value, ...} in class order.
template <typename T>
void WriteByLabel(io::JsonWriter& w, std::string_view key, const std::vector<std::string>& labels,
                  const std::vector<T>& values) {
  w.Key(key);
  w.BeginObject();
  for (size_t k = 0; k < labels.size() && k < values.size(); ++k) {
    w.Key(labels[k]);
    WriteValue(w, values[k]);
  }
  w.EndObject();
}

// "key": ["a", "b", ...]
void WriteStrings(io::JsonWriter& w, std::string_view key, const std::vector<std::string>& items) {
  w.Key(key);
  w.BeginArray();
  for (const auto& item : items) w.String(item);
  w.EndArray();
}

void WriteClassification(io::JsonWriter& w, const MetricsReport& r) {
  const ClassificationMetrics& m = *r.classification;
  const bool binary = r.task == Task::kBinary;
  w.Member("accuracy", m.accuracy);
  w.Member("balanced_accuracy", m.balanced_accuracy);
  // "binary" is present (possibly null) for binary tasks only.
  auto write = [&](std::string_view key, const AveragedMetric& a) {
    w.Key(key);
    w.BeginObject();
    if (binary) {
      w.Member("binary", a.binary);
    }
    w.Member("micro", a.micro);
    w.Member("macro", a.macro);
    w.Member("weighted", a.weighted);
    WriteByLabel(w, "per_class", r.labels, a.per_class);
    w.EndObject();
  };
  write("precision", m.precision);
  write("recall", m.recall);
  write("f1", m.f1);
  if (m.fbeta) write("fbeta", *m.fbeta);
  if (binary) {
    w.Member("specificity", m.specificity);
  }
  w.Member("mcc", m.mcc);
  w.Member("cohen_kappa", m.cohen_kappa);
  WriteByLabel(w, "support", r.labels, m.support);
}

void WriteBinaryScores(io::JsonWriter& w, const BinaryScoreMetrics& s) {
  w.Member("roc_auc", s.roc_auc.value);
  w.Member("average_precision", s.average_precision.value);
  w.Member("log_loss", s.log_loss);
  w.Member("brier", s.brier);
  w.Member("ece", s.ece);
}

void WriteMulticlassScores(io::JsonWriter& w, const MulticlassScoreMetrics& s) {
  w.Key("roc_auc");
  w.BeginObject();
  w.Member("macro", s.roc_auc_macro.value);
  w.Member("weighted", s.roc_auc_weighted.value);
  w.EndObject();
  w.Key("average_precision");
  w.BeginObject();
  w.Member("macro", s.average_precision_macro.value);
  w.EndObject();
  w.Member("log_loss", s.log_loss);
  w.Member("brier", s.brier);
  w.Member("ece", s.ece);
}

void WriteErrorBounds(io::JsonWriter& w, const MetricsReport& r) {
  w.Key("error_bounds");
  w.BeginObject();
  if (r.binary_scores) {
    w.Member("roc_auc", r.binary_scores->roc_auc.error_bound);
    w.Member("average_precision", r.binary_scores->average_precision.error_bound);
  } else if (r.multiclass_scores) {
    const MulticlassScoreMetrics& s = *r.multiclass_scores;
    w.Key("roc_auc");
    w.BeginObject();
    w.Member("macro", s.roc_auc_macro.error_bound);
    w.Member("weighted", s.roc_auc_weighted.error_bound);
    w.EndObject();
    w.Key("average_precision");
    w.BeginObject();
    w.Member("macro", s.average_precision_macro.error_bound);
    w.EndObject();
  }
  w.EndObject();
}

void WriteRegression(io::JsonWriter& w, const RegressionMetrics& m) {
  const std::pair<const char*, std::optional<double>> values[] = {
      {"mae", m.mae},
      {"mse", m.mse},
      {"rmse", m.rmse},
      {"mape", m.mape},
      {"median_ae", m.median_ae},
      {"r2", m.r2},
      {"explained_variance", m.explained_variance},
      {"max_error", m.max_error}};
  for (const auto& [key, value] : values) {
    w.Member(key, value);
  }
}

void WriteConfusionMatrix(io::JsonWriter& w, const MetricsReport& r) {
  w.Key("confusion_matrix");
  w.BeginObject();
  WriteStrings(w, "labels", r.labels);
  w.Key("matrix");
  w.BeginArray();
  const size_t k = r.labels.size();
  for (size_t t = 0; t < k; ++t) {
    w.BeginArray();
    for (size_t p = 0; p < k; ++p) w.Uint(r.confusion[t * k + p]);
    w.EndArray();
  }
  w.EndArray();
  w.EndObject();
}

bool HasScores(const MetricsReport& r) { return r.binary_scores || r.multiclass_scores; }

}  // namespace

std::string MetricsReportJson(const MetricsReport& r) {
  io::JsonWriter w(2);
  w.BeginObject();
  w.Key("task");
  w.String(TaskName(r.task));
  w.Key("n");
  w.Uint(r.n);
  const bool classification = r.task != Task::kRegression;
  if (classification) {
    WriteStrings(w, "labels", r.labels);
  }
  if (HasScores(r)) {
    w.Key("score_mode");
    w.String(r.score_mode == ScoreMode::kExact ? "exact" : "histogram");
  }
  w.Key("metrics");
  w.BeginObject();
  if (classification) {
    WriteClassification(w, r);
    if (r.binary_scores) WriteBinaryScores(w, *r.binary_scores);
    if (r.multiclass_scores) WriteMulticlassScores(w, *r.multiclass_scores);
  } else {
    WriteRegression(w, *r.regression);
  }
  w.EndObject();
  if (HasScores(r) && r.score_mode == ScoreMode::kHistogram) WriteErrorBounds(w, r);
  if (classification) WriteConfusionMatrix(w, r);
  WriteStrings(w, "warnings", AllWarnings(r));
  w.EndObject();
  return w.str() + "\n";
}

namespace {

// Table cells: fixed 4 decimals, "n/a" for undefined values.
std::string Cell(std::optional<double> v) {
  if (!v) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4f", *v);
  return buf;
}

// Left-aligned first column, right-aligned others, two spaces apart.
class TextTable {
 public:
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string Render() const {
    std::vector<size_t> width;
    for (const auto& row : rows_) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (width.size() <= i) width.push_back(0);
        width[i] = std::max(width[i], row[i].size());
      }
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        const std::string pad(width[i] - row[i].size(), ' ');
        line += i == 0 ? row[i] + pad : "  " + pad + row[i];
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string SummaryTable(const MetricsReport& r) {
  TextTable t;
  t.Row({"metric", "value"});
  if (r.regression) {
    const RegressionMetrics& m = *r.regression;
    t.Row({"mae", Cell(m.mae)});
    t.Row({"mse", Cell(m.mse)});
    t.Row({"rmse", Cell(m.rmse)});
    t.Row({"mape", Cell(m.mape)});
    t.Row({"median_ae", Cell(m.median_ae)});
    t.Row({"r2", Cell(m.r2)});
    t.Row({"explained_variance", Cell(m.explained_variance)});
    t.Row({"max_error", Cell(m.max_error)});
    return t.Render();
  }
  const ClassificationMetrics& m = *r.classification;
  t.Row({"accuracy", Cell(m.accuracy)});
  t.Row({"balanced_accuracy", Cell(m.balanced_accuracy)});
  if (r.task == Task::kBinary) t.Row({"specificity", Cell(m.specificity)});
  t.Row({"mcc", Cell(m.mcc)});
  t.Row({"cohen_kappa", Cell(m.cohen_kappa)});
  auto bound = [&](const ScoreEstimate& e) {
    return r.score_mode == ScoreMode::kHistogram ? " (+/- " + Cell(e.error_bound) + ")"
                                                 : std::string();
  };
  if (r.binary_scores) {
    const BinaryScoreMetrics& s = *r.binary_scores;
    t.Row({"roc_auc", Cell(s.roc_auc.value) + bound(s.roc_auc)});
    t.Row({"average_precision", Cell(s.average_precision.value) + bound(s.average_precision)});
    t.Row({"log_loss", Cell(s.log_loss)});
    t.Row({"brier", Cell(s.brier)});
    t.Row({"ece", Cell(s.ece)});
  }
  if (r.multiclass_scores) {
    const MulticlassScoreMetrics& s = *r.multiclass_scores;
    t.Row({"roc_auc macro", Cell(s.roc_auc_macro.value) + bound(s.roc_auc_macro)});
    t.Row({"roc_auc weighted", Cell(s.roc_auc_weighted.value) + bound(s.roc_auc_weighted)});
    t.Row({"average_precision macro",
           Cell(s.average_precision_macro.value) + bound(s.average_precision_macro)});
    t.Row({"log_loss", Cell(s.log_loss)});
    t.Row({"brier", Cell(s.brier)});
    t.Row({"ece", Cell(s.ece)});
  }
  return t.Render();
}

std::string AveragesTable(const MetricsReport& r) {
  const ClassificationMetrics& m = *r.classification;
  const bool binary = r.task == Task::kBinary;
  TextTable t;
  std::vector<std::string> header = {"average"};
  if (binary) header.push_back("binary");
  for (const char* h : {"micro", "macro", "weighted"}) header.push_back(h);
  t.Row(header);
  auto row = [&](const std::string& name, const AveragedMetric& a) {
    std::vector<std::string> cells = {name};
    if (binary) cells.push_back(Cell(a.binary));
    cells.push_back(Cell(a.micro));
    cells.push_back(Cell(a.macro));
    cells.push_back(Cell(a.weighted));
    t.Row(cells);
  };
  row("precision", m.precision);
  row("recall", m.recall);
  row("f1", m.f1);
  if (m.fbeta) row("fbeta", *m.fbeta);
  return t.Render();
}

std::string PerClassTable(const MetricsReport& r) {
  const ClassificationMetrics& m = *r.classification;
  TextTable t;
  std::vector<std::string> header = {"label", "precision", "recall", "f1"};
  if (m.fbeta) header.push_back("fbeta");
  header.push_back("support");
  t.Row(header);
  for (size_t k = 0; k < r.labels.size(); ++k) {
    std::vector<std::string> cells = {r.labels[k], Cell(m.precision.per_class[k]),
                                      Cell(m.recall.per_class[k]), Cell(m.f1.per_class[k])};
    if (m.fbeta) cells.push_back(Cell(m.fbeta->per_class[k]));
    cells.push_back(std::to_string(m.support[k]));
    t.Row(cells);
  }
  return t.Render();
}

std::string ConfusionTable(const MetricsReport& r) {
  TextTable t;
  std::vector<std::string> header = {"truth \\ pred"};
  header.insert(header.end(), r.labels.begin(), r.labels.end());
  t.Row(header);
  const size_t k = r.labels.size();
  for (size_t i = 0; i < k; ++i) {
    std::vector<std::string> cells = {r.labels[i]};
    for (size_t j = 0; j < k; ++j) cells.push_back(std::to_string(r.confusion[i * k + j]));
    t.Row(cells);
  }
  return t.Render();
}

}  // namespace

std::string MetricsReportTable(const MetricsReport& r) {
  std::ostringstream out;
  out << "task " << TaskName(r.task) << "   rows " << r.n;
  if (HasScores(r)) {
    out << "   scores " << (r.score_mode == ScoreMode::kExact ? "exact" : "histogram");
  }
  out << "\n\n" << SummaryTable(r);
  if (r.classification && r.n > 0) {
    out << "\n" << AveragesTable(r) << "\n" << PerClassTable(r);
    constexpr size_t kMaxMatrixClasses = 20;
    if (r.labels.size() <= kMaxMatrixClasses) {
      out << "\nconfusion matrix (rows = truth, columns = prediction)\n" << ConfusionTable(r);
    } else {
      out << "\nconfusion matrix: " << r.labels.size() << " classes, see --format json\n";
    }
  }
  const std::vector<std::string> warnings = AllWarnings(r);
  if (!warnings.empty()) {
    out << "\nwarnings:\n";
    for (const auto& w : warnings) out << "  - " << w << "\n";
  }
  return out.str();
}

}  // namespace modelwatch::cli
