#include "modelwatch/core/drift.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <set>

#include "modelwatch/core/chi_square_homogeneity.h"
#include "modelwatch/core/cramer_von_mises.h"
#include "modelwatch/core/histogram_binning.h"
#include "modelwatch/core/histogram_distances.h"
#include "modelwatch/core/kolmogorov_smirnov.h"
#include "modelwatch/core/label_order.h"
#include "modelwatch/core/multiple_testing.h"
#include "modelwatch/core/two_proportion_z.h"
#include "modelwatch/core/wasserstein_distance.h"

namespace modelwatch {
namespace {

uint64_t Load(const char* p, size_t bytes) {
  uint64_t v = 0;
  std::memcpy(&v, p, bytes);
  return v;
}

struct MethodInfo {
  DriftMethod method;
  std::string_view name;
  double default_threshold;
  bool has_p_value;
};

constexpr MethodInfo kMethods[] = {
    {DriftMethod::kAuto, "auto", 0.0, false},
    {DriftMethod::kKs, "ks", 0.05, true},
    {DriftMethod::kChiSquare, "chi2", 0.05, true},
    {DriftMethod::kZ, "z", 0.05, true},
    {DriftMethod::kPsi, "psi", 0.1, false},
    {DriftMethod::kJensenShannon, "js", 0.1, false},
    {DriftMethod::kWasserstein, "wasserstein", 0.1, false},
    {DriftMethod::kHellinger, "hellinger", 0.1, false},
    {DriftMethod::kCramerVonMises, "cvm", 0.05, true},
};

const MethodInfo& Info(DriftMethod m) {
  for (const MethodInfo& info : kMethods) {
    if (info.method == m) return info;
  }
  return kMethods[0];
}

bool NumericOnly(DriftMethod m) {
  return m == DriftMethod::kKs || m == DriftMethod::kWasserstein ||
         m == DriftMethod::kCramerVonMises;
}

// A column side as value frequencies ("category" text -> count).
struct Frequencies {
  std::map<std::string, double> counts;
  bool exact = true;
};

Frequencies ValueFrequencies(const ColumnSide& side) {
  Frequencies f;
  // The profile's counts are exact while it has few distinct values (the common case).
  if (std::optional<std::map<std::string, uint64_t>> exact = side.profile->ExactValueCounts()) {
    for (const auto& [text, c] : *exact) f.counts[text] = static_cast<double>(c);
    return f;
  }
  if (side.raw != nullptr) {
    for (double x : side.raw->numbers) f.counts[CanonicalNumberText(x)] += 1.0;
    for (const auto& [text, c] : side.raw->others) f.counts[text] += static_cast<double>(c);
    return f;
  }
  // Approximate: the monitored categories, the exact numbers if kept, the rest as one bucket.
  f.exact = false;
  double listed = 0.0;
  if (std::optional<std::vector<std::pair<double, uint64_t>>> numbers =
          side.profile->NumberCounts()) {
    for (const auto& [x, c] : *numbers) {
      f.counts[CanonicalNumberText(x)] += static_cast<double>(c);
      listed += static_cast<double>(c);
    }
  }
  for (const CategoryCounts::Row& row : side.profile->categories().Items()) {
    f.counts[row.item] += static_cast<double>(row.estimate);
    listed += static_cast<double>(row.estimate);
  }
  const double rest = static_cast<double>(side.profile->count()) - listed;
  if (rest > 0.5) f.counts["(other)"] += rest;
  return f;
}

// Counts of both sides aligned over the union of their keys.
struct Aligned {
  std::vector<std::string> keys;
  std::vector<double> reference;
  std::vector<double> current;
  bool exact = true;
};

Aligned Align(const Frequencies& a, const Frequencies& b) {
  Aligned out;
  std::set<std::string> keys;
  for (const auto& [k, c] : a.counts) keys.insert(k);
  for (const auto& [k, c] : b.counts) keys.insert(k);
  for (const std::string& k : keys) {
    out.keys.push_back(k);
    auto ia = a.counts.find(k);
    auto ib = b.counts.find(k);
    out.reference.push_back(ia == a.counts.end() ? 0.0 : ia->second);
    out.current.push_back(ib == b.counts.end() ? 0.0 : ib->second);
  }
  out.exact = a.exact && b.exact;
  return out;
}

// Exact number counts of a side, if known.
// (The profile keeps them exactly up to its limit of distinct numbers, raw data or not.)
std::optional<std::map<double, double>> NumberCounts(const ColumnSide& side) {
  std::map<double, double> counts;
  std::optional<std::vector<std::pair<double, uint64_t>>> kept = side.profile->NumberCounts();
  if (!kept) return std::nullopt;
  for (const auto& [x, c] : *kept) counts[x] = static_cast<double>(c);
  return counts;
}

// Histogram of the numbers of both sides: one bin per value when few, else Sturges edges on the
// combined data (exact from raw values, estimated from the KLL sketches otherwise).
Result<Aligned> NumericBins(const ColumnSide& ref, const ColumnSide& cur,
                            const DriftOptions& options) {
  std::optional<std::map<double, double>> ref_counts = NumberCounts(ref);
  std::optional<std::map<double, double>> cur_counts = NumberCounts(cur);
  if (ref_counts && cur_counts) {
    std::set<double> values;
    for (const auto& [x, c] : *ref_counts) values.insert(x);
    for (const auto& [x, c] : *cur_counts) values.insert(x);
    if (values.size() <= options.max_value_bins) {
      Aligned out;
      for (double x : values) {
        out.keys.push_back(CanonicalNumberText(x));
        out.reference.push_back(ref_counts->count(x) ? ref_counts->at(x) : 0.0);
        out.current.push_back(cur_counts->count(x) ? cur_counts->at(x) : 0.0);
      }
      return out;
    }
  }
  Aligned out;
  if (ref.raw != nullptr && cur.raw != nullptr) {
    MW_ASSIGN_OR_RETURN(std::vector<double> edges,
                        SturgesBinEdges(ref.raw->numbers, cur.raw->numbers));
    MW_ASSIGN_OR_RETURN(std::vector<uint64_t> a, HistogramCounts(ref.raw->numbers, edges));
    MW_ASSIGN_OR_RETURN(std::vector<uint64_t> b, HistogramCounts(cur.raw->numbers, edges));
    for (size_t i = 0; i < a.size(); ++i) {
      out.keys.push_back("[" + CanonicalNumberText(edges[i]) + ", " +
                         CanonicalNumberText(edges[i + 1]) + (i + 1 == a.size() ? "]" : ")"));
      out.reference.push_back(static_cast<double>(a[i]));
      out.current.push_back(static_cast<double>(b[i]));
    }
    return out;
  }
  // From the profiles: numpy's Sturges rule on the combined count and range.
  const double lo = std::min(*ref.profile->min(), *cur.profile->min());
  const double hi = std::max(*ref.profile->max(), *cur.profile->max());
  const double n = static_cast<double>(ref.profile->numbers() + cur.profile->numbers());
  const size_t bins = hi > lo ? static_cast<size_t>(std::ceil(std::log2(n) + 1.0)) : 1;
  std::vector<double> edges;
  for (size_t i = 0; i <= bins; ++i)
    edges.push_back(lo + (hi - lo) * static_cast<double>(i) / bins);
  edges.back() = hi;
  out.reference = ref.profile->BinCounts(edges);
  out.current = cur.profile->BinCounts(edges);
  for (size_t i = 0; i < bins; ++i) out.keys.push_back("bin " + std::to_string(i));
  out.exact = false;
  return out;
}

bool HasNumbers(const ColumnSide& s) {
  return s.raw != nullptr ? !s.raw->numbers.empty() : s.profile->numbers() > 0;
}

// The exact normalized Wasserstein distance and KS statistic of two raw columns, in one pass;
// without the sort checks and the deviation's passes for columns LoadDataset sorted.
Result<NormalizedWassersteinAndKs> ExactWassersteinAndKs(const RawColumn& ref,
                                                         const RawColumn& cur) {
  if (ref.sorted && cur.sorted && ref.population_std) {
    return NormalizedWassersteinDistanceAndKsSorted(ref.numbers, cur.numbers,
                                                    *ref.population_std);
  }
  return NormalizedWassersteinDistanceAndKs(ref.numbers, cur.numbers);
}

// Normalized Wasserstein distance (W1 / max(std_ref, 0.001)) and whether it is exact.
Result<std::pair<double, bool>> NormalizedWasserstein(const ColumnSide& ref,
                                                      const ColumnSide& cur) {
  if (ref.raw != nullptr && cur.raw != nullptr) {
    MW_ASSIGN_OR_RETURN(NormalizedWassersteinAndKs r, ExactWassersteinAndKs(*ref.raw, *cur.raw));
    return std::pair<double, bool>{r.wasserstein.statistic, true};
  }
  auto weighted = [](const KllSketch& k, std::vector<double>* values, std::vector<double>* w) {
    const KllSortedView view = k.GetSortedView();
    uint64_t prev = 0;
    for (size_t i = 0; i < view.items().size(); ++i) {
      values->push_back(view.items()[i]);
      w->push_back(static_cast<double>(view.cumulative_weights()[i] - prev));
      prev = view.cumulative_weights()[i];
    }
  };
  std::vector<double> va, wa, vb, wb;
  weighted(ref.profile->quantiles(), &va, &wa);
  weighted(cur.profile->quantiles(), &vb, &wb);
  MW_ASSIGN_OR_RETURN(DistanceResult d, WassersteinDistance(va, wa, vb, wb));
  const double scale = std::max(std::sqrt(ref.profile->variance().value_or(0.0)), 0.001);
  return std::pair<double, bool>{d.statistic / scale, false};
}

std::vector<double> Proportions(const std::vector<double>& counts) {
  double total = 0.0;
  for (double c : counts) total += c;
  std::vector<double> p;
  for (double c : counts) p.push_back(total > 0 ? c / total : 0.0);
  return p;
}

// Zero proportions replaced by `fill` (Evidently's empty-bin handling).
std::vector<double> Filled(const std::vector<double>& counts, double fill) {
  std::vector<double> p = Proportions(counts);
  for (double& x : p) {
    if (x == 0.0) x = fill;
  }
  return p;
}

uint64_t Values(const ColumnSide& s) {
  if (s.raw == nullptr) return s.profile->count();
  uint64_t n = s.raw->numbers.size();
  for (const auto& [text, c] : s.raw->others) n += c;
  return n;
}

// The method that auto picks for this column.
// `union_categories` counts the distinct values of both sides (called only when needed).
DriftMethod AutoMethod(const ColumnSide& ref, const ColumnSide& cur, ColumnType type,
                       const std::function<size_t()>& union_categories,
                       const DriftOptions& options) {
  const bool numeric = type == ColumnType::kNumeric && HasNumbers(ref) && HasNumbers(cur) &&
                       ref.profile->DistinctCount() > static_cast<double>(options.few_distinct);
  if (Values(ref) <= options.small_reference) {
    if (numeric) return DriftMethod::kKs;
    return union_categories() <= 2 ? DriftMethod::kZ : DriftMethod::kChiSquare;
  }
  return numeric ? DriftMethod::kWasserstein : DriftMethod::kJensenShannon;
}

}  // namespace

std::string_view DriftMethodName(DriftMethod method) { return Info(method).name; }

Result<DriftMethod> ParseDriftMethod(std::string_view name) {
  std::string names;
  for (const MethodInfo& info : kMethods) {
    if (info.name == name) return info.method;
    names += (names.empty() ? "" : "|") + std::string(info.name);
  }
  return InvalidArgumentError("unknown drift method '" + std::string(name) + "' (expected " +
                              names + ")");
}

std::string_view PValueCorrectionName(PValueCorrection c) {
  switch (c) {
    case PValueCorrection::kNone:
      return "none";
    case PValueCorrection::kBonferroni:
      return "bonferroni";
    case PValueCorrection::kBenjaminiHochberg:
      return "bh";
  }
  return "none";
}

Result<PValueCorrection> ParsePValueCorrection(std::string_view name) {
  if (name == "none") return PValueCorrection::kNone;
  if (name == "bonferroni") return PValueCorrection::kBonferroni;
  if (name == "bh") return PValueCorrection::kBenjaminiHochberg;
  return InvalidArgumentError("unknown correction '" + std::string(name) +
                              "' (expected none|bonferroni|bh)");
}

void RawColumn::AddOther(const ClassifiedValue& value) {
  std::string_view text = value.text;
  switch (value.kind) {
    case ValueKind::kMissing:
      ++missing;
      return;
    case ValueKind::kNumber:
      numbers.push_back(value.number);
      return;
    case ValueKind::kBooleanLiteral:
      text = value.boolean ? "true" : "false";
      break;
    case ValueKind::kText:
      break;
  }
  others.Add(text);
}

// Two words that hold every byte of a text of up to 16 (overlapping loads of its ends), so that
// with the length they identify it; longer texts are compared in full as well.
inline TextCounts::Key TextCounts::MakeKey(std::string_view text) {
  const char* p = text.data();
  const size_t n = text.size();
  Key k;
  k.size = static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX));
  if (n >= 8) {
    k.head = Load(p, 8);
    k.tail = Load(p + n - 8, 8);
  } else if (n >= 4) {
    k.head = Load(p, 4);
    k.tail = Load(p + n - 4, 4);
  } else if (n > 0) {
    k.head = Load(p, 1) | Load(p + n / 2, 1) << 8 | Load(p + n - 1, 1) << 16;
  }
  return k;
}

void TextCounts::Add(std::string_view text, uint64_t count) {
  if (2 * (entries_.size() + 1) > slots_.size()) Grow();
  Key key = MakeKey(text);
  const size_t mask = slots_.size() - 1;
  for (size_t i = Home(key);; i = (i + 1) & mask) {
    Key& slot = slots_[i];
    if (slot.entry == 0) {
      key.entry = static_cast<uint32_t>(entries_.size() + 1);
      slot = key;
      entries_.emplace_back(std::string(text), count);
      return;
    }
    if (slot.head == key.head && slot.tail == key.tail && slot.size == key.size &&
        (text.size() <= 16 || entries_[slot.entry - 1].first == text)) {
      entries_[slot.entry - 1].second += count;
      return;
    }
  }
}

void TextCounts::Grow() {
  std::vector<Key> old(std::max<size_t>(16, 2 * slots_.size()));
  old.swap(slots_);
  shift_ = 64 - std::countr_zero(slots_.size());
  const size_t mask = slots_.size() - 1;
  for (const Key& key : old) {
    if (key.entry == 0) continue;
    size_t i = Home(key);
    while (slots_[i].entry != 0) i = (i + 1) & mask;
    slots_[i] = key;
  }
}

Result<ColumnDrift> ColumnDriftTest(const std::string& name, const ColumnSide& ref,
                                    const ColumnSide& cur, const ColumnDriftOptions& column,
                                    const DriftOptions& options) {
  ColumnDrift d;
  d.name = name;
  d.type = ref.profile->type();
  d.n_reference = Values(ref);
  d.n_current = Values(cur);
  const uint64_t cur_all = cur.profile->count() + cur.profile->missing();
  d.missing_share_current =
      cur_all == 0 ? 0.0
                   : static_cast<double>(cur.profile->missing()) / static_cast<double>(cur_all);
  if (d.n_reference == 0 || d.n_current == 0) {
    return InvalidArgumentError("column '" + name + "': no values in the " +
                                (d.n_reference == 0 ? "reference" : "current") +
                                " data (all missing)");
  }
  const bool both_raw = ref.raw != nullptr && cur.raw != nullptr;
  const bool numeric_sides = d.type == ColumnType::kNumeric && HasNumbers(ref) && HasNumbers(cur);
  // The value frequencies of both sides, built on first use: a numeric column with many
  // distinct values never needs them.
  std::optional<Aligned> categories_cache;
  auto categories = [&]() -> const Aligned& {
    if (!categories_cache) categories_cache = Align(ValueFrequencies(ref), ValueFrequencies(cur));
    return *categories_cache;
  };
  const std::function<size_t()> union_size = [&] { return categories().keys.size(); };

  // The normalized Wasserstein distance of the raw numbers, when a test computed it already.
  std::optional<Result<double>> raw_effect_size;

  DriftMethod method = column.method;
  if (method == DriftMethod::kAuto) {
    method = AutoMethod(ref, cur, d.type, union_size, options);
  } else if (NumericOnly(method) && !numeric_sides) {
    d.notes.push_back(std::string(DriftMethodName(method)) +
                      " applies to numeric columns only; the default method was used");
    method = AutoMethod(ref, cur, d.type, union_size, options);
  } else if (method == DriftMethod::kZ && categories().keys.size() > 2) {
    d.notes.push_back("z applies to columns of two values only; the default method was used");
    method = AutoMethod(ref, cur, d.type, union_size, options);
  }
  if (method == DriftMethod::kCramerVonMises && !both_raw) {
    return InvalidArgumentError(
        "column '" + name + "': cvm needs the raw data on both sides (a profile keeps a sketch)");
  }
  d.method = method;
  d.threshold = column.threshold.value_or(Info(method).default_threshold);
  // Numeric columns under category methods use their values when few, else bins.
  const bool few_values =
      !numeric_sides || ref.profile->DistinctCount() <= static_cast<double>(options.few_distinct);
  auto binned = [&]() -> Result<Aligned> {
    if (few_values) return categories();
    return NumericBins(ref, cur, options);
  };

  switch (method) {
    case DriftMethod::kKs: {
      if (both_raw) {
        // The effect size (normalized Wasserstein) comes from the same pass over the two
        // samples. That fails only on values KS takes (infinities) or rejects itself (NaN):
        // then the test alone, without an effect size.
        Result<NormalizedWassersteinAndKs> both = ExactWassersteinAndKs(*ref.raw, *cur.raw);
        KsTestResult r;
        if (both.ok()) {
          r = KolmogorovSmirnovTestOfStatistic(both->ks, ref.raw->numbers.size(),
                                               cur.raw->numbers.size());
          raw_effect_size = both->wasserstein.statistic;
        } else {
          MW_ASSIGN_OR_RETURN(r, KolmogorovSmirnovTest(ref.raw->numbers, cur.raw->numbers));
          raw_effect_size = both.status();
        }
        d.statistic = r.statistic;
        d.raw_p_value = r.p_value;
        d.notes.push_back("p-value method: " + std::string(r.method));
      } else {
        const KllKsDistance k =
            KolmogorovSmirnovDistance(ref.profile->quantiles(), cur.profile->quantiles());
        // The p-value of the smallest statistic the sketches allow: at large n the sketch error
        // exceeds the test's resolution, and the estimate itself would flag noise as drift.
        const KsTestResult r =
            KolmogorovSmirnovPValue(std::max(0.0, k.statistic - k.error_bound),
                                    ref.profile->quantiles().n(), cur.profile->quantiles().n());
        d.notes.push_back("p-value of statistic - error_bound (conservative)");
        d.statistic = k.statistic;
        d.raw_p_value = r.p_value;
        d.error_bound = k.error_bound;
        d.exact = k.error_bound == 0.0;
      }
      break;
    }
    case DriftMethod::kCramerVonMises: {
      MW_ASSIGN_OR_RETURN(CramerVonMisesResult r,
                          CramerVonMisesTest(ref.raw->numbers, cur.raw->numbers));
      d.statistic = r.statistic;
      d.raw_p_value = r.p_value;
      break;
    }
    case DriftMethod::kWasserstein: {
      MW_ASSIGN_OR_RETURN(auto w, NormalizedWasserstein(ref, cur));
      d.statistic = w.first;
      d.exact = w.second;
      break;
    }
    case DriftMethod::kChiSquare: {
      MW_ASSIGN_OR_RETURN(Aligned bins, binned());
      MW_ASSIGN_OR_RETURN(ChiSquareTestResult r,
                          ChiSquareHomogeneityTest(bins.reference, bins.current));
      d.statistic = r.statistic;
      d.raw_p_value = r.p_value;
      d.exact = bins.exact;
      break;
    }
    case DriftMethod::kZ: {
      // The last value in sorted order ("1", "true") counts as the positive one.
      const double ref_pos = categories().reference.back();
      const double cur_pos = categories().current.back();
      MW_ASSIGN_OR_RETURN(ProportionZTestResult r,
                          TwoProportionZTest(static_cast<uint64_t>(ref_pos), d.n_reference,
                                             static_cast<uint64_t>(cur_pos), d.n_current));
      d.statistic = r.statistic;
      d.raw_p_value = r.p_value;
      d.exact = categories().exact;
      break;
    }
    case DriftMethod::kPsi:
    case DriftMethod::kJensenShannon:
    case DriftMethod::kHellinger: {
      MW_ASSIGN_OR_RETURN(Aligned bins, binned());
      const std::vector<double> p = Filled(bins.reference, options.empty_bin_fill);
      const std::vector<double> q = Filled(bins.current, options.empty_bin_fill);
      Result<DistanceResult> r =
          method == DriftMethod::kPsi ? PopulationStabilityIndex(p, q, options.empty_bin_fill)
          : method == DriftMethod::kJensenShannon ? JensenShannonDistance(p, q)
                                                  : HellingerDistance(p, q);
      MW_RETURN_IF_ERROR(r.status());
      d.statistic = r->statistic;
      d.exact = bins.exact;
      break;
    }
    case DriftMethod::kAuto:
      return InternalError("column '" + name + "': no method chosen");
  }
  if (numeric_sides && (ref.profile->texts() + ref.profile->boolean_literals() > 0 ||
                        cur.profile->texts() + cur.profile->boolean_literals() > 0)) {
    d.notes.push_back(std::to_string(cur.profile->texts() + cur.profile->boolean_literals()) +
                      " current and " +
                      std::to_string(ref.profile->texts() + ref.profile->boolean_literals()) +
                      " reference values of this numeric column are not numbers: not tested");
  }
  d.p_value = d.raw_p_value;
  d.drift = Info(method).has_p_value ? (d.p_value && *d.p_value < d.threshold)
                                     : d.statistic >= d.threshold;
  // Effect size: normalized Wasserstein for numeric columns, JS distance of the frequencies
  // otherwise.
  if (numeric_sides && method == DriftMethod::kWasserstein) {
    d.effect_size = d.statistic;
  } else if (raw_effect_size) {
    if (raw_effect_size->ok()) d.effect_size = **raw_effect_size;
  } else if (numeric_sides) {
    Result<std::pair<double, bool>> w = NormalizedWasserstein(ref, cur);
    if (w.ok()) d.effect_size = w->first;
  } else {
    Result<DistanceResult> js = JensenShannonDistance(categories().reference, categories().current);
    if (js.ok()) d.effect_size = js->statistic;
  }
  return d;
}

Result<DriftReport> DatasetDrift(const std::vector<std::string>& names,
                                 const std::vector<ColumnSide>& reference,
                                 const std::vector<ColumnSide>& current, uint64_t reference_rows,
                                 uint64_t current_rows, const DriftOptions& options,
                                 const ParallelFor& parallel_for) {
  if (names.size() != reference.size() || names.size() != current.size()) {
    return InvalidArgumentError("drift: one reference and one current side per column");
  }
  if (!(options.drift_share > 0.0 && options.drift_share <= 1.0)) {
    return InvalidArgumentError("drift: drift share must be in (0, 1]");
  }
  DriftReport report;
  report.drift_share_threshold = options.drift_share;
  report.n_reference = reference_rows;
  report.n_current = current_rows;
  report.correction = options.correction;
  std::vector<std::optional<Result<ColumnDrift>>> tested(names.size());
  RunParallelFor(parallel_for, names.size(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      auto it = options.per_column.find(names[i]);
      const ColumnDriftOptions& column = it == options.per_column.end() ? options.all : it->second;
      tested[i] = ColumnDriftTest(names[i], reference[i], current[i], column, options);
    }
  });
  for (std::optional<Result<ColumnDrift>>& d : tested) {
    if (!d->ok()) return d->status();
    report.columns.push_back(std::move(**d));
  }
  // Multiple-testing correction over the columns that have a p-value.
  if (options.correction != PValueCorrection::kNone) {
    std::vector<double> p;
    std::vector<size_t> at;
    for (size_t i = 0; i < report.columns.size(); ++i) {
      if (report.columns[i].raw_p_value) {
        p.push_back(*report.columns[i].raw_p_value);
        at.push_back(i);
      }
    }
    if (!p.empty()) {
      MW_ASSIGN_OR_RETURN(std::vector<double> adjusted,
                          options.correction == PValueCorrection::kBonferroni
                              ? BonferroniAdjust(p)
                              : BenjaminiHochbergAdjust(p));
      for (size_t j = 0; j < at.size(); ++j) {
        ColumnDrift& d = report.columns[at[j]];
        d.p_value = adjusted[j];
        d.drift = adjusted[j] < d.threshold;
      }
    }
  }
  for (const ColumnDrift& d : report.columns) report.n_drifted += d.drift;
  report.n_columns = report.columns.size();
  report.drift_share = report.n_columns == 0 ? 0.0
                                             : static_cast<double>(report.n_drifted) /
                                                   static_cast<double>(report.n_columns);
  report.dataset_drift = report.n_columns > 0 && report.drift_share >= options.drift_share;
  return report;
}

}  // namespace modelwatch
