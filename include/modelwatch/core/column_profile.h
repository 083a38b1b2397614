// ColumnProfile: the mergeable summary of one column of a dataset — what a reference profile
// stores and what drift tests compare when the raw data is not at hand.
//
// Each value is classified as it arrives (ClassifyValue):
//   - missing: empty/null, or (ASCII case-insensitive) "na", "n/a", "nan", "null", "none" —
//     pandas' default NA spellings that occur in practice; counted, not otherwise used;
//   - number: a finite decimal (ParseDouble); "1" and "1.0" are the same value;
//   - boolean literal: "true" / "false" (any ASCII case);
//   - text: anything else.
// The inferred type (type()) follows from what was seen: any text, or numbers mixed with
// boolean literals, make the column categorical; only boolean literals, or only the numbers 0
// and 1, make it boolean; otherwise only numbers make it numeric. An all-missing column is
// categorical with no values.
//
// What is kept (memory independent of the row count):
//   - counts: values, missing, numbers, boolean literals, texts;
//   - numbers: min, max, mean and variance (Welford/Chan), a KLL quantile sketch
//     (KllSketch::kDefaultProfileK unless set), and their exact value counts while there are at
//     most Options::max_exact_values distinct numbers (dropped past it);
//   - non-numbers: CategoryCounts of the boolean literals (as "true"/"false") and texts: exact up
//     to Options::categories.max_exact distinct, a frequent-items sketch past it;
//   - a HyperLogLog of every value, for the distinct count once exact counts are gone.
// Merge combines two profiles of the same column as if one had seen both inputs (sketch
// merges are within the sketches' error bounds; counts, min, max and moments are exact).
//
// Serialization: AppendTo/ReadFrom write the column inside a DatasetProfile frame
// (dataset_profile.h); errors name the column and byte offset.
// Thread safety: a value type; const methods may run concurrently, mutation may not.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/category_counts.h"
#include "modelwatch/core/hyperloglog.h"
#include "modelwatch/core/kll_sketch.h"
#include "modelwatch/core/number_format.h"
#include "modelwatch/core/regression_metrics.h"
#include "modelwatch/core/status.h"

namespace modelwatch {

enum class ColumnType { kNumeric, kCategorical, kBoolean };

// "numeric", "categorical", "boolean".
std::string_view ColumnTypeName(ColumnType type);

enum class ValueKind { kMissing, kNumber, kBooleanLiteral, kText };

// Classifies one field's text as described above; *number is set for kNumber, *boolean for
// kBooleanLiteral.
ValueKind ClassifyValue(std::string_view text, double* number, bool* boolean);

// One field's text with its classification, so that several consumers classify it once.
struct ClassifiedValue {
  std::string_view text;
  ValueKind kind = ValueKind::kMissing;
  double number = 0;     // kNumber
  bool boolean = false;  // kBooleanLiteral
};
// ClassifyValue's work once ParseDouble has declined `text` (or found it non-finite).
ValueKind ClassifyNonNumber(std::string_view text, bool* boolean);

// Whether a text that starts with byte `c` may be a number for ParseDouble: a digit, a sign or
// '.'. Texts that start otherwise ("desktop", "NA", "true") skip ParseDouble, which would
// decline them.
constexpr bool MayStartNumber(char c) {
  return static_cast<unsigned char>(c - '0') < 10 || c == '-' || c == '.' || c == '+';
}

// Inline, with the number first: Classify runs on every field of a file that is read into
// profiles or raw columns, and most fields are numbers. kWithSlack: the text has
// ParseDoubleWithSlack's readable bytes before its end (a reader's buffer), and is parsed so.
template <bool kWithSlack>
inline ClassifiedValue ClassifyText(std::string_view text) {
  ClassifiedValue v;
  v.text = text;
  if (!text.empty() && MayStartNumber(text[0]) &&
      (kWithSlack ? ParseDoubleWithSlack(text, &v.number) : ParseDouble(text, &v.number)) &&
      std::isfinite(v.number)) [[likely]] {
    v.kind = ValueKind::kNumber;
  } else {
    v.kind = ClassifyNonNumber(text, &v.boolean);
  }
  return v;
}
inline ClassifiedValue Classify(std::string_view text) { return ClassifyText<false>(text); }

class ColumnProfile {
 public:
  struct Options {
    int kll_k = KllSketch::kDefaultProfileK;
    // false: the quantile sketch is not updated (quantiles() stays empty, BinCounts falls back to
    // nothing once the exact counts are gone). Only for callers that keep every raw value and
    // compute from those (the exact drift path), as the sketch is most of a profile's cost.
    // Such a profile is not a complete one: Merge with a complete one is kInvalidArgument, and
    // its serialized bytes are rejected by Deserialize (the sketch's count disagrees).
    bool quantile_sketch = true;
    size_t max_exact_values = 1000;  // distinct numbers counted exactly
    CategoryCounts::Options categories;
    int hll_precision = HyperLogLog::kDefaultPrecision;
  };

  // kInvalidArgument for options out of range (those of KllSketch, CategoryCounts, HyperLogLog).
  static Result<ColumnProfile> Create(std::string name, const Options& options);

  // The profile that Update would build from a column's values, given at once: `ascending` its
  // numbers sorted (SortDoubles order; finite), `others` the counts of its boolean literals (as
  // "true" / "false") and texts, each text once, in any order, and `missing` its missing values.
  // O(numbers) plus one sketch update per distinct value, instead of one per value. For callers
  // that keep every raw value anyway (the exact drift path), so options.quantile_sketch must be
  // false (kInvalidArgument otherwise; other option errors as Create's). What depends on the
  // arrival order comes from the sorted values instead: the moments are numpy's two-pass mean
  // and variance (equal to Update's running ones up to rounding), and past
  // options.categories.max_exact categories the frequent-items sketch sees them in byte order.
  // The distinct numbers are counted exactly from the sorted values, past max_exact_values too,
  // so DistinctCount's numeric part is exact (Update's is the HyperLogLog estimate), and such a
  // profile cannot be merged (Merge: kInvalidArgument).
  static Result<ColumnProfile> FromValues(
      std::string name, const Options& options, std::span<const double> ascending,
      std::span<const std::pair<std::string_view, uint64_t>> others, uint64_t missing);

  // Adds one field (a null field is empty text).
  void Update(std::string_view text) { Update(Classify(text)); }
  void Update(const ClassifiedValue& value);  // `value` as Classify returns it
  // Adds `other`'s values; kInvalidArgument when the names or sketch settings differ, or either
  // was built FromValues.
  Status Merge(const ColumnProfile& other);

  const std::string& name() const { return name_; }
  ColumnType type() const;
  uint64_t count() const { return numbers_ + booleans_ + texts_; }  // values, missing excluded
  uint64_t missing() const { return missing_; }
  uint64_t numbers() const { return numbers_; }
  uint64_t boolean_literals() const { return booleans_; }
  uint64_t texts() const { return texts_; }

  // Numbers (nullopt when none).
  std::optional<double> min() const;
  std::optional<double> max() const;
  std::optional<double> mean() const;
  std::optional<double> variance() const;  // population (ddof = 0), numpy's default
  const KllSketch& quantiles() const { return kll_; }
  // Exact counts of the distinct numbers in ascending order; nullopt once there were more than
  // max_exact_values of them.
  std::optional<std::vector<std::pair<double, uint64_t>>> NumberCounts() const;

  // Counts of the numbers in the bins [e0, e1), [e1, e2), ..., [e(k-1), ek] (the last closed,
  // as numpy.histogram) of ascending `edges` (at least two): exact from the value counts while
  // they are kept, else estimated from the quantile sketch's ranks (error per bin within twice
  // the sketch's rank error times numbers()). Numbers outside [e0, ek] are not counted.
  std::vector<double> BinCounts(std::span<const double> edges) const;

  // Boolean literals ("true"/"false") and texts.
  const CategoryCounts& categories() const { return categories_; }

  // Distinct values: exact while the number counts and the categories are exact, else the
  // HyperLogLog estimate (a profile FromValues: its exact count of distinct numbers plus the
  // categories' count or estimate).
  double DistinctCount() const;
  bool distinct_is_exact() const { return numbers_exact_ && categories_.is_exact(); }

  // Every value's count as category text (numbers as CanonicalNumberText), exact when
  // distinct_is_exact(); nullopt otherwise. What categorical drift tests compare.
  std::optional<std::map<std::string, uint64_t>> ExactValueCounts() const;

  void AppendTo(ByteWriter* writer) const;
  static Result<ColumnProfile> ReadFrom(ByteReader* reader);

 private:
  ColumnProfile(std::string name, const Options& options, KllSketch kll, CategoryCounts categories,
                HyperLogLog distinct)
      : name_(std::move(name)),
        options_(options),
        kll_(std::move(kll)),
        categories_(std::move(categories)),
        distinct_(std::move(distinct)) {}

  void AddNumber(double x);

  std::string name_;
  Options options_;
  uint64_t missing_ = 0;
  uint64_t numbers_ = 0;
  uint64_t booleans_ = 0;
  uint64_t texts_ = 0;
  bool only_zero_one_ = true;  // every number seen is 0 or 1
  double min_ = 0.0;
  double max_ = 0.0;
  RunningMoments moments_;
  KllSketch kll_;
  bool numbers_exact_ = true;                           // number_counts_ holds every number
  std::unordered_map<double, uint64_t> number_counts_;  // keys: never -0.0 (stored as 0.0)
  CategoryCounts categories_;
  HyperLogLog distinct_;  // FromValues: the texts only, as distinct_numbers_ counts the numbers
  std::optional<uint64_t> distinct_numbers_;  // set by FromValues only
};

}  // namespace modelwatch
