#include "modelwatch/core/classification_metrics.h"

#include <cmath>
#include <limits>
#include <numeric>

namespace modelwatch {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::optional<double> FiniteOrNull(double v) {
  return std::isnan(v) ? std::nullopt : std::optional<double>(v);
}

// Names of the classes selected by `pick`, for warnings ("a, b, c", at most 10 then "...").
template <typename Pred>
std::string LabelsWhere(std::span<const std::string> labels, Pred pick) {
  std::string out;
  size_t shown = 0;
  for (size_t k = 0; k < labels.size(); ++k) {
    if (!pick(k)) continue;
    if (shown == 10) {
      out += ", ...";
      break;
    }
    if (shown++ > 0) out += ", ";
    out += labels[k];
  }
  return out;
}

double ZeroDivisionValue(ZeroDivision zd) {
  switch (zd) {
    case ZeroDivision::kWarn:
    case ZeroDivision::kZero:
      return 0.0;
    case ZeroDivision::kOne:
      return 1.0;
    case ZeroDivision::kNan:
      return kNaN;
  }
  return 0.0;
}

// Per-class counts derived from the matrix.
struct ClassCounts {
  std::vector<double> tp, pred_sum, true_sum;
};

ClassCounts CountsFrom(std::span<const uint64_t> matrix, size_t k) {
  ClassCounts c{std::vector<double>(k, 0), std::vector<double>(k, 0), std::vector<double>(k, 0)};
  for (size_t t = 0; t < k; ++t) {
    for (size_t p = 0; p < k; ++p) {
      double v = static_cast<double>(matrix[t * k + p]);
      c.true_sum[t] += v;
      c.pred_sum[p] += v;
      if (t == p) c.tp[t] += v;
    }
  }
  return c;
}

double Divide(double num, double den, ZeroDivision zd) {
  return den == 0.0 ? ZeroDivisionValue(zd) : num / den;
}

// F-beta from counts: (1 + b2) tp / ((1 + b2) tp + b2 fn + fp). This equals scikit-learn 1.2's
// F computed from zero_division-substituted precision and recall for zero_division 0 and 1, and
// depends on zero_division only when the class has neither true nor predicted samples.
double FScore(double tp, double pred_sum, double true_sum, double beta2, ZeroDivision zd) {
  const double fn = true_sum - tp, fp = pred_sum - tp;
  const double denom = (1.0 + beta2) * tp + beta2 * fn + fp;
  return denom == 0.0 ? ZeroDivisionValue(zd) : (1.0 + beta2) * tp / denom;
}

double Mean(const std::vector<double>& v) {
  if (v.empty()) return kNaN;
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

// Classes with zero weight are skipped, so an undefined (NaN) value without support does not
// make the average undefined.
double WeightedMean(const std::vector<double>& v, const std::vector<double>& w) {
  double sum = 0, wsum = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (w[i] == 0.0) continue;
    sum += v[i] * w[i];
    wsum += w[i];
  }
  return sum / wsum;
}

// precision, recall and F for one beta over every average mode.
struct PrfResult {
  AveragedMetric precision, recall, f;
};

PrfResult ComputePrf(const ClassCounts& c, const ClassificationOptions& o, double beta) {
  const size_t k = c.tp.size();
  const double beta2 = beta * beta;
  const ZeroDivision zd = o.zero_division;
  std::vector<double> p(k), r(k), f(k);
  for (size_t i = 0; i < k; ++i) {
    p[i] = Divide(c.tp[i], c.pred_sum[i], zd);
    r[i] = Divide(c.tp[i], c.true_sum[i], zd);
    f[i] = FScore(c.tp[i], c.pred_sum[i], c.true_sum[i], beta2, zd);
  }
  PrfResult out;
  for (size_t i = 0; i < k; ++i) {
    out.precision.per_class.push_back(FiniteOrNull(p[i]));
    out.recall.per_class.push_back(FiniteOrNull(r[i]));
    out.f.per_class.push_back(FiniteOrNull(f[i]));
  }
  // micro: pooled counts.
  double tp = std::accumulate(c.tp.begin(), c.tp.end(), 0.0);
  double ps = std::accumulate(c.pred_sum.begin(), c.pred_sum.end(), 0.0);
  double ts = std::accumulate(c.true_sum.begin(), c.true_sum.end(), 0.0);
  double mp = Divide(tp, ps, zd), mr = Divide(tp, ts, zd);
  out.precision.micro = FiniteOrNull(mp);
  out.recall.micro = FiniteOrNull(mr);
  out.f.micro = FiniteOrNull(FScore(tp, ps, ts, beta2, zd));
  // macro: unweighted mean over classes.
  out.precision.macro = FiniteOrNull(Mean(p));
  out.recall.macro = FiniteOrNull(Mean(r));
  out.f.macro = FiniteOrNull(Mean(f));
  // weighted by support; sklearn's special case when no class has support.
  if (ts == 0.0) {
    double zv = ZeroDivisionValue(zd);
    bool no_predictions = ps == 0.0;
    out.precision.weighted = FiniteOrNull(no_predictions ? zv : 0.0);
    out.recall.weighted = FiniteOrNull(zv);
    out.f.weighted = FiniteOrNull(no_predictions ? zv : 0.0);
  } else {
    out.precision.weighted = FiniteOrNull(WeightedMean(p, c.true_sum));
    out.recall.weighted = FiniteOrNull(WeightedMean(r, c.true_sum));
    out.f.weighted = FiniteOrNull(WeightedMean(f, c.true_sum));
  }
  if (o.binary) {
    double btp = 0, bps = 0, bts = 0;
    if (o.positive_class >= 0) {
      size_t i = static_cast<size_t>(o.positive_class);
      btp = c.tp[i];
      bps = c.pred_sum[i];
      bts = c.true_sum[i];
    }
    double bp = Divide(btp, bps, zd), br = Divide(btp, bts, zd);
    out.precision.binary = FiniteOrNull(bp);
    out.recall.binary = FiniteOrNull(br);
    out.f.binary = FiniteOrNull(FScore(btp, bps, bts, beta2, zd));
  }
  return out;
}

void AddZeroDivisionWarnings(const ClassCounts& c, std::span<const std::string> labels,
                             const ClassificationOptions& o, std::vector<std::string>* warnings) {
  // Only the default 'warn' warns (as scikit-learn), and it substitutes 0.0.
  if (o.zero_division != ZeroDivision::kWarn) return;
  const std::string value = "0.0";
  std::string no_pred = LabelsWhere(labels, [&](size_t k) { return c.pred_sum[k] == 0; });
  if (!no_pred.empty()) {
    warnings->push_back("precision is ill-defined and set to " + value +
                        " for labels with no predicted samples: " + no_pred +
                        " (choose with --zero-division)");
  }
  std::string no_true = LabelsWhere(labels, [&](size_t k) { return c.true_sum[k] == 0; });
  if (!no_true.empty()) {
    warnings->push_back("recall is ill-defined and set to " + value +
                        " for labels with no true samples: " + no_true +
                        " (choose with --zero-division)");
  }
  std::string neither =
      LabelsWhere(labels, [&](size_t k) { return c.true_sum[k] == 0 && c.pred_sum[k] == 0; });
  if (!neither.empty()) {
    warnings->push_back("F-score is ill-defined and set to " + value +
                        " for labels with no true nor predicted samples: " + neither);
  }
  if (o.binary && o.positive_class < 0) {
    warnings->push_back(
        "the positive label never occurs in truth or prediction: binary precision, recall and "
        "F-score are ill-defined and set to " +
        value);
  }
}

std::optional<double> BalancedAccuracy(const ClassCounts& c, std::span<const std::string> labels,
                                       std::vector<std::string>* warnings) {
  std::vector<double> recalls;
  for (size_t k = 0; k < c.tp.size(); ++k) {
    if (c.true_sum[k] > 0) recalls.push_back(c.tp[k] / c.true_sum[k]);
  }
  std::string pred_only =
      LabelsWhere(labels, [&](size_t k) { return c.true_sum[k] == 0 && c.pred_sum[k] > 0; });
  if (!pred_only.empty()) {
    warnings->push_back("balanced_accuracy: predictions contain classes not in the truth (" +
                        pred_only + "); they are left out of the mean, as scikit-learn does");
  }
  return FiniteOrNull(Mean(recalls));
}

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double MatthewsCorrelation(const ClassCounts& c, double n, std::vector<std::string>* warnings) {
  double correct = std::accumulate(c.tp.begin(), c.tp.end(), 0.0);
  double cov_ytyp = correct * n - Dot(c.true_sum, c.pred_sum);
  double cov_ypyp = n * n - Dot(c.pred_sum, c.pred_sum);
  double cov_ytyt = n * n - Dot(c.true_sum, c.true_sum);
  if (cov_ypyp * cov_ytyt == 0.0) {
    warnings->push_back(
        "mcc is undefined when truth or prediction has a single class; reported as 0.0, as "
        "scikit-learn does");
    return 0.0;
  }
  return cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp);
}

std::optional<double> CohenKappa(std::span<const uint64_t> matrix, const ClassCounts& c, double n,
                                 std::vector<std::string>* warnings) {
  const size_t k = c.tp.size();
  double observed = 0, expected = 0;
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < k; ++j) {
      if (i == j) continue;
      observed += static_cast<double>(matrix[i * k + j]);
      expected += c.pred_sum[i] * c.true_sum[j] / n;
    }
  }
  if (expected == 0.0) {
    warnings->push_back(
        "cohen_kappa is undefined: chance disagreement is zero (a single class in truth and "
        "prediction)");
    return std::nullopt;
  }
  return 1.0 - observed / expected;
}

// Binary specificity: recall of the negative class, TN / (TN + FP). With no negative sample in
// the truth it is 0/0 and follows zero_division, like recall_score(pos_label=<negative>).
std::optional<double> Specificity(const ClassCounts& c, const ClassificationOptions& o,
                                  std::vector<std::string>* warnings) {
  double tn = 0, negatives = 0;
  for (size_t i = 0; i < c.tp.size(); ++i) {
    if (static_cast<int64_t>(i) == o.positive_class) continue;
    tn += c.tp[i];
    negatives += c.true_sum[i];
  }
  if (negatives == 0 && o.zero_division == ZeroDivision::kWarn) {
    warnings->push_back(
        "specificity is ill-defined (no negative samples in the truth) and set "
        "to 0.0 (choose with --zero-division)");
  }
  return FiniteOrNull(Divide(tn, negatives, o.zero_division));
}

}  // namespace

ClassificationMetrics ComputeClassificationMetrics(std::span<const uint64_t> matrix,
                                                   std::span<const std::string> labels,
                                                   const ClassificationOptions& options) {
  ClassificationMetrics m;
  const size_t k = labels.size();
  const ClassCounts c = CountsFrom(matrix, k);
  double n = std::accumulate(c.true_sum.begin(), c.true_sum.end(), 0.0);
  m.n = static_cast<uint64_t>(n);
  for (double s : c.true_sum) m.support.push_back(static_cast<uint64_t>(s));
  if (m.n == 0) {
    m.warnings.push_back("no rows: every classification metric is undefined");
    return m;
  }
  m.accuracy = std::accumulate(c.tp.begin(), c.tp.end(), 0.0) / n;
  m.balanced_accuracy = BalancedAccuracy(c, labels, &m.warnings);
  PrfResult prf = ComputePrf(c, options, 1.0);
  m.precision = std::move(prf.precision);
  m.recall = std::move(prf.recall);
  m.f1 = std::move(prf.f);
  if (options.beta) m.fbeta = ComputePrf(c, options, *options.beta).f;
  AddZeroDivisionWarnings(c, labels, options, &m.warnings);
  if (options.binary) m.specificity = Specificity(c, options, &m.warnings);
  m.mcc = MatthewsCorrelation(c, n, &m.warnings);
  m.cohen_kappa = CohenKappa(matrix, c, n, &m.warnings);
  return m;
}

}  // namespace modelwatch
