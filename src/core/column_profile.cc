#include "modelwatch/core/column_profile.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "internal/pairwise_sum.h"
#include "modelwatch/core/label_order.h"
#include "modelwatch/core/number_format.h"

namespace modelwatch {
namespace {

// ASCII case-insensitive equality with a lower-case literal.
bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

bool IsMissingSpelling(std::string_view text) {
  if (text.size() > 4) return false;
  return text.empty() || EqualsLower(text, "na") || EqualsLower(text, "n/a") ||
         EqualsLower(text, "nan") || EqualsLower(text, "null") || EqualsLower(text, "none");
}

// The number of runs of equal values in `ascending` (so -0.0 and 0.0 are one): its distinct
// numbers. No branch per value, so that the compiler can vectorize it.
size_t CountRuns(std::span<const double> ascending) {
  if (ascending.empty()) return 0;
  size_t starts = 1;
  for (size_t i = 1; i < ascending.size(); ++i) starts += ascending[i] != ascending[i - 1];
  return starts;
}

constexpr std::string_view kTrue = "true";
constexpr std::string_view kFalse = "false";

}  // namespace

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kNumeric:
      return "numeric";
    case ColumnType::kCategorical:
      return "categorical";
    case ColumnType::kBoolean:
      return "boolean";
  }
  return "unknown";
}

ValueKind ClassifyValue(std::string_view text, double* number, bool* boolean) {
  // Numbers first, the common case: no missing spelling parses as one.
  if (ParseDouble(text, number) && std::isfinite(*number)) [[likely]] return ValueKind::kNumber;
  return ClassifyNonNumber(text, boolean);
}

ValueKind ClassifyNonNumber(std::string_view text, bool* boolean) {
  if (IsMissingSpelling(text)) return ValueKind::kMissing;
  if (EqualsLower(text, kTrue)) {
    *boolean = true;
    return ValueKind::kBooleanLiteral;
  }
  if (EqualsLower(text, kFalse)) {
    *boolean = false;
    return ValueKind::kBooleanLiteral;
  }
  return ValueKind::kText;
}

Result<ColumnProfile> ColumnProfile::Create(std::string name, const Options& options) {
  if (options.max_exact_values < 1 || options.max_exact_values > CategoryCounts::kMaxExactLimit) {
    return InvalidArgumentError("column profile: max_exact_values must be in [1, " +
                                std::to_string(CategoryCounts::kMaxExactLimit) + "]");
  }
  MW_ASSIGN_OR_RETURN(KllSketch kll, KllSketch::Create(options.kll_k));
  MW_ASSIGN_OR_RETURN(CategoryCounts categories, CategoryCounts::Create(options.categories));
  MW_ASSIGN_OR_RETURN(HyperLogLog distinct, HyperLogLog::Create(options.hll_precision));
  return ColumnProfile(std::move(name), options, std::move(kll), std::move(categories),
                       std::move(distinct));
}

Result<ColumnProfile> ColumnProfile::FromValues(
    std::string name, const Options& options, std::span<const double> ascending,
    std::span<const std::pair<std::string_view, uint64_t>> others, uint64_t missing) {
  if (options.quantile_sketch) {
    return InvalidArgumentError("column profile '" + name +
                                "': a profile from given values has no quantile sketch");
  }
  MW_ASSIGN_OR_RETURN(ColumnProfile p, Create(std::move(name), options));
  p.missing_ = missing;
  const size_t n = ascending.size();
  p.numbers_ = n;
  p.distinct_numbers_ = 0;
  if (n > 0) {
    p.min_ = ascending.front() + 0.0;  // -0.0 is 0.0, as in AddNumber
    p.max_ = ascending.back() + 0.0;
    // Only 0 and 1: nothing below 0, above 1, or strictly between.
    const auto above_zero = std::upper_bound(ascending.begin(), ascending.end(), 0.0);
    const auto from_one = std::lower_bound(ascending.begin(), ascending.end(), 1.0);
    p.only_zero_one_ = p.min_ >= 0.0 && p.max_ <= 1.0 && above_zero == from_one;
    const double mean = internal::NumpySum(ascending) / static_cast<double>(n);
    const double m2 = internal::NumpyPairwiseSum(n, [&](size_t i) {
      const double d = ascending[i] - mean;
      return d * d;
    });
    p.moments_ = RunningMoments::FromParts(n, mean, m2);
    // One run of equal values per distinct number (-0.0 and 0.0 are one, as in AddNumber),
    // counted until there are too many to keep.
    size_t end = 0;
    while (end < n && p.numbers_exact_) {
      const size_t begin = end;
      const double x = ascending[begin] + 0.0;
      while (end < n && ascending[end] == x) ++end;
      p.number_counts_.emplace(x, end - begin);
      p.numbers_exact_ = p.number_counts_.size() <= options.max_exact_values;
    }
    p.distinct_numbers_ = p.number_counts_.size() + CountRuns(ascending.subspan(end));
    if (!p.numbers_exact_) p.number_counts_ = {};
  }
  std::vector<std::pair<std::string_view, uint64_t>> sorted(others.begin(), others.end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [text, count] : sorted) {
    (text == kTrue || text == kFalse ? p.booleans_ : p.texts_) += count;
    p.categories_.Update(text, count);
    if (count > 0) p.distinct_.Update(text);  // only texts: the numbers are counted exactly
  }
  return p;
}

void ColumnProfile::AddNumber(double x) {
  x += 0.0;  // -0.0 is 0.0
  if (numbers_ == 0) {
    min_ = max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  ++numbers_;
  only_zero_one_ = only_zero_one_ && (x == 0.0 || x == 1.0);
  moments_.Add(x);
  if (options_.quantile_sketch) kll_.Update(x);
  distinct_.Update(x);
  if (numbers_exact_) {
    ++number_counts_[x];
    if (number_counts_.size() > options_.max_exact_values) {
      numbers_exact_ = false;
      number_counts_ = {};
    }
  }
}

void ColumnProfile::Update(const ClassifiedValue& value) {
  switch (value.kind) {
    case ValueKind::kMissing:
      ++missing_;
      return;
    case ValueKind::kNumber:
      AddNumber(value.number);
      return;
    case ValueKind::kBooleanLiteral:
      ++booleans_;
      categories_.Update(value.boolean ? kTrue : kFalse);
      distinct_.Update(value.boolean ? kTrue : kFalse);
      return;
    case ValueKind::kText:
      ++texts_;
      categories_.Update(value.text);
      distinct_.Update(value.text);
      return;
  }
}

Status ColumnProfile::Merge(const ColumnProfile& other) {
  if (other.name_ != name_) {
    return InvalidArgumentError("column profile: cannot merge column '" + other.name_ +
                                "' into column '" + name_ + "'");
  }
  if (distinct_numbers_ || other.distinct_numbers_) {
    return InvalidArgumentError("column profile '" + name_ +
                                "': a profile from given values cannot be merged");
  }
  if (other.options_.max_exact_values != options_.max_exact_values || other.kll_.k() != kll_.k() ||
      other.options_.quantile_sketch != options_.quantile_sketch) {
    return InvalidArgumentError("column profile '" + name_ +
                                "': cannot merge profiles with different sketch settings");
  }
  CategoryCounts categories = categories_;
  MW_RETURN_IF_ERROR(categories.Merge(other.categories_));
  HyperLogLog distinct = distinct_;
  MW_RETURN_IF_ERROR(distinct.Merge(other.distinct_));
  categories_ = std::move(categories);
  distinct_ = std::move(distinct);
  if (other.numbers_ > 0) {
    min_ = numbers_ == 0 ? other.min_ : std::min(min_, other.min_);
    max_ = numbers_ == 0 ? other.max_ : std::max(max_, other.max_);
  }
  missing_ += other.missing_;
  numbers_ += other.numbers_;
  booleans_ += other.booleans_;
  texts_ += other.texts_;
  only_zero_one_ = only_zero_one_ && other.only_zero_one_;
  moments_.Merge(other.moments_);
  kll_.Merge(other.kll_);
  if (numbers_exact_ && other.numbers_exact_) {
    for (const auto& [value, c] : other.number_counts_) number_counts_[value] += c;
    if (number_counts_.size() > options_.max_exact_values) numbers_exact_ = false;
  } else {
    numbers_exact_ = false;
  }
  if (!numbers_exact_) number_counts_ = {};
  return Status::Ok();
}

ColumnType ColumnProfile::type() const {
  if (texts_ > 0 || (numbers_ > 0 && booleans_ > 0)) return ColumnType::kCategorical;
  if (booleans_ > 0) return ColumnType::kBoolean;
  if (numbers_ > 0) return only_zero_one_ ? ColumnType::kBoolean : ColumnType::kNumeric;
  return ColumnType::kCategorical;
}

std::optional<double> ColumnProfile::min() const {
  return numbers_ > 0 ? std::optional<double>(min_) : std::nullopt;
}
std::optional<double> ColumnProfile::max() const {
  return numbers_ > 0 ? std::optional<double>(max_) : std::nullopt;
}
std::optional<double> ColumnProfile::mean() const {
  return numbers_ > 0 ? std::optional<double>(moments_.mean()) : std::nullopt;
}
std::optional<double> ColumnProfile::variance() const {
  if (numbers_ == 0) return std::nullopt;
  return moments_.sum_squared_deviations() / static_cast<double>(moments_.count());
}

std::optional<std::vector<std::pair<double, uint64_t>>> ColumnProfile::NumberCounts() const {
  if (!numbers_exact_) return std::nullopt;
  std::vector<std::pair<double, uint64_t>> counts(number_counts_.begin(), number_counts_.end());
  std::sort(counts.begin(), counts.end());
  return counts;
}

std::vector<double> ColumnProfile::BinCounts(std::span<const double> edges) const {
  const size_t bins = edges.size() < 2 ? 0 : edges.size() - 1;
  std::vector<double> counts(bins, 0.0);
  if (bins == 0 || numbers_ == 0) return counts;
  if (numbers_exact_) {
    for (const auto& [x, n] : number_counts_) {
      if (x < edges.front() || x > edges.back()) continue;
      // The first edge above x closes x's bin; x == the last edge falls in the last bin.
      const size_t above =
          static_cast<size_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin());
      counts[std::min(bins, above) - 1] += static_cast<double>(n);
    }
    return counts;
  }
  // Share of the numbers below x: the rank of the largest double under x.
  auto below = [&](double x) { return kll_.Rank(std::nextafter(x, -HUGE_VAL)); };
  const double n = static_cast<double>(kll_.n());
  double previous = below(edges.front());
  for (size_t b = 0; b < bins; ++b) {
    const double rank = b + 1 == bins ? kll_.Rank(edges.back()) : below(edges[b + 1]);
    counts[b] = std::max(0.0, rank - previous) * n;
    previous = rank;
  }
  return counts;
}

double ColumnProfile::DistinctCount() const {
  if (distinct_is_exact()) {
    return static_cast<double>(number_counts_.size()) + categories_.DistinctCount();
  }
  if (distinct_numbers_) {  // FromValues: the sketch holds the texts only
    return static_cast<double>(*distinct_numbers_) +
           (categories_.is_exact() ? categories_.DistinctCount() : distinct_.Estimate());
  }
  return distinct_.Estimate();
}

std::optional<std::map<std::string, uint64_t>> ColumnProfile::ExactValueCounts() const {
  if (!distinct_is_exact()) return std::nullopt;
  std::map<std::string, uint64_t> counts;
  for (const auto& [value, c] : number_counts_) counts[CanonicalNumberText(value)] += c;
  for (const CategoryCounts::Row& row : categories_.Items()) counts[row.item] += row.estimate;
  return counts;
}

void ColumnProfile::AppendTo(ByteWriter* w) const {
  w->PutString(name_);
  w->PutVarint(options_.max_exact_values);
  w->PutVarint(missing_);
  w->PutVarint(numbers_);
  w->PutVarint(booleans_);
  w->PutVarint(texts_);
  w->PutU8(only_zero_one_ ? 1 : 0);
  w->PutDouble(min_);
  w->PutDouble(max_);
  w->PutDouble(moments_.mean());
  w->PutDouble(moments_.sum_squared_deviations());
  w->PutU8(numbers_exact_ ? 1 : 0);
  if (numbers_exact_) {
    const std::vector<std::pair<double, uint64_t>> counts = *NumberCounts();
    w->PutVarint(counts.size());
    for (const auto& [value, c] : counts) {
      w->PutDouble(value);
      w->PutVarint(c);
    }
  }
  w->PutString(kll_.Serialize());
  w->PutString(categories_.Serialize());
  w->PutString(distinct_.Serialize());
}

Result<ColumnProfile> ColumnProfile::ReadFrom(ByteReader* r) {
  const size_t start = r->offset();
  MW_ASSIGN_OR_RETURN(std::string_view name, r->ReadString("column name"));
  const std::string where = "column '" + std::string(name) + "'";
  Options options;
  MW_ASSIGN_OR_RETURN(uint64_t max_exact, r->ReadVarint("max_exact_values"));
  if (max_exact < 1 || max_exact > CategoryCounts::kMaxExactLimit) {
    return r->Corrupt(start,
                      where + ": max_exact_values " + std::to_string(max_exact) + " out of range");
  }
  options.max_exact_values = max_exact;
  ColumnProfile p(std::string(name), options, KllSketch(), CategoryCounts(), HyperLogLog());
  MW_ASSIGN_OR_RETURN(p.missing_, r->ReadVarint("missing count"));
  MW_ASSIGN_OR_RETURN(p.numbers_, r->ReadVarint("number count"));
  MW_ASSIGN_OR_RETURN(p.booleans_, r->ReadVarint("boolean count"));
  MW_ASSIGN_OR_RETURN(p.texts_, r->ReadVarint("text count"));
  const size_t zero_one_at = r->offset();
  MW_ASSIGN_OR_RETURN(uint8_t zero_one, r->ReadU8("zero-one flag"));
  if (zero_one > 1) return r->Corrupt(zero_one_at, where + ": zero-one flag is not 0 or 1");
  p.only_zero_one_ = zero_one != 0;
  MW_ASSIGN_OR_RETURN(p.min_, r->ReadDouble("min"));
  MW_ASSIGN_OR_RETURN(p.max_, r->ReadDouble("max"));
  MW_ASSIGN_OR_RETURN(double mean, r->ReadDouble("mean"));
  MW_ASSIGN_OR_RETURN(double m2, r->ReadDouble("sum of squared deviations"));
  p.moments_ = RunningMoments::FromParts(p.numbers_, mean, m2);
  const size_t exact_at = r->offset();
  MW_ASSIGN_OR_RETURN(uint8_t exact, r->ReadU8("exact-numbers flag"));
  if (exact > 1) return r->Corrupt(exact_at, where + ": exact-numbers flag is not 0 or 1");
  p.numbers_exact_ = exact != 0;
  if (p.numbers_exact_) {
    MW_ASSIGN_OR_RETURN(uint64_t distinct, r->ReadCount("number count entries", max_exact, 9));
    uint64_t total = 0;
    double previous = -std::numeric_limits<double>::infinity();
    for (uint64_t i = 0; i < distinct; ++i) {
      const size_t value_at = r->offset();
      MW_ASSIGN_OR_RETURN(double value, r->ReadDouble("number value"));
      MW_ASSIGN_OR_RETURN(uint64_t c, r->ReadVarint("number value count"));
      // As written: finite, ascending, distinct, no -0.0, each seen at least once.
      const bool negative_zero = value == 0.0 && std::signbit(value);
      if (!std::isfinite(value) || (i > 0 && !(value > previous)) || negative_zero || c == 0 ||
          c > p.numbers_ - total) {
        return r->Corrupt(value_at, where + ": number value counts are not canonical");
      }
      previous = value;
      p.number_counts_[value] = c;
      total += c;
    }
    if (total != p.numbers_) {
      return r->Corrupt(start, where + ": number value counts add up to " + std::to_string(total) +
                                   ", not " + std::to_string(p.numbers_));
    }
  }
  const size_t kll_at = r->offset();
  MW_ASSIGN_OR_RETURN(std::string_view kll_bytes, r->ReadString("quantile sketch"));
  Result<KllSketch> kll = KllSketch::Deserialize(kll_bytes);
  if (!kll.ok()) return r->Corrupt(kll_at, where + ": " + kll.status().message());
  p.kll_ = std::move(*kll);
  const size_t categories_at = r->offset();
  MW_ASSIGN_OR_RETURN(std::string_view category_bytes, r->ReadString("category counts"));
  Result<CategoryCounts> categories = CategoryCounts::Deserialize(category_bytes);
  if (!categories.ok()) {
    return r->Corrupt(categories_at, where + ": " + categories.status().message());
  }
  p.categories_ = std::move(*categories);
  const size_t distinct_at = r->offset();
  MW_ASSIGN_OR_RETURN(std::string_view distinct_bytes, r->ReadString("distinct sketch"));
  Result<HyperLogLog> distinct = HyperLogLog::Deserialize(distinct_bytes);
  if (!distinct.ok()) return r->Corrupt(distinct_at, where + ": " + distinct.status().message());
  p.distinct_ = std::move(*distinct);
  if (p.kll_.n() != p.numbers_ || p.categories_.total() != p.booleans_ + p.texts_) {
    return r->Corrupt(start, where + ": sketch counts disagree with the value counts");
  }
  p.options_.kll_k = p.kll_.k();
  p.options_.categories = p.categories_.options();
  p.options_.hll_precision = p.distinct_.precision();
  return p;
}

}  // namespace modelwatch
