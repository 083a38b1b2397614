// Data, prediction and label drift of a current dataset against a reference: one test per
// column, chosen by the column's type and the reference size unless forced, and a dataset-level
// verdict from the share of drifted columns. Definitions, defaults and their sources:
// docs/drift.md; the individual tests: docs/drift-tests.md.
//
// Inputs per column and side: the ColumnProfile (always) and, when the raw data is at hand, the
// raw values (RawColumn). With raw values on both sides every statistic is exact (SciPy's);
// otherwise the profiles give approximations: KS from the two KLL sketches (error bound
// reported), Wasserstein from their weighted quantiles, binned distances from sketch ranks,
// categorical tests from the category counts (exact up to the profile's exact-category limit).
// Cramér–von Mises needs raw data on both sides.
//
// Default method (method = kAuto), after Evidently's widely used defaults:
//   reference <= 1000 values: numeric with > 5 distinct values: KS, drift when p < 0.05;
//                             otherwise chi-square (two-proportion Z test when the union has
//                             two categories), drift when p < 0.05;
//   reference > 1000 values:  numeric with > 5 distinct values: normalized Wasserstein (W1 /
//                             max(std_ref, 0.001)), drift when >= 0.1; otherwise Jensen-Shannon
//                             distance (natural log), drift when >= 0.1.
// Numeric columns under binned methods (PSI, JS, Hellinger, chi-square) use one bin per value
// when the two sides have <= 20 distinct values together, else Sturges edges on the combined
// data (numpy.histogram_bin_edges(..., 'sturges')); empty bins are filled with 1e-4 (PSI, JS,
// Hellinger, as Evidently). A p-value method drifts when p < threshold, a distance when
// statistic >= threshold. Every column also gets an effect size: the normalized Wasserstein
// distance for numeric columns, the Jensen-Shannon distance of the value frequencies otherwise.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "modelwatch/core/column_profile.h"
#include "modelwatch/core/parallel_for.h"
#include "modelwatch/core/status.h"

namespace modelwatch {

enum class DriftMethod {
  kAuto,
  kKs,
  kChiSquare,
  kZ,
  kPsi,
  kJensenShannon,
  kWasserstein,
  kHellinger,
  kCramerVonMises
};

// "auto", "ks", "chi2", "z", "psi", "js", "wasserstein", "hellinger", "cvm".
std::string_view DriftMethodName(DriftMethod method);
// The inverse; kInvalidArgument naming the accepted names.
Result<DriftMethod> ParseDriftMethod(std::string_view name);

enum class PValueCorrection { kNone, kBonferroni, kBenjaminiHochberg };
std::string_view PValueCorrectionName(PValueCorrection correction);  // "none", "bonferroni", "bh"
Result<PValueCorrection> ParsePValueCorrection(std::string_view name);

struct ColumnDriftOptions {
  DriftMethod method = DriftMethod::kAuto;
  std::optional<double> threshold;  // default: the method's
};

struct DriftOptions {
  ColumnDriftOptions all;                                // every column
  std::map<std::string, ColumnDriftOptions> per_column;  // overrides `all` for a column
  PValueCorrection correction = PValueCorrection::kNone;
  double drift_share = 0.5;  // dataset drift when the drifted share is >= this
  double empty_bin_fill = 1e-4;
  size_t small_reference = 1000;  // reference values up to this: the p-value defaults
  size_t few_distinct = 5;        // numeric with up to this many distinct values: categorical tests
  size_t max_value_bins = 20;     // up to this many distinct values together: one bin per value
};

// The count of each distinct text, in first-seen order: RawColumn's non-numeric values. An
// open-addressing table (power-of-two size, linear probing) over a vector of entries: counting
// a value costs a hash and usually one comparison, which matters at a lookup per row.
class TextCounts {
 public:
  using Entry = std::pair<std::string, uint64_t>;

  void Add(std::string_view text, uint64_t count = 1);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  // A slot of the table: the text's bytes (all of them up to 16 bytes), its size, and the
  // index + 1 of its entry (0: a free slot).
  struct Key {
    uint64_t head = 0, tail = 0;
    uint32_t size = 0;
    uint32_t entry = 0;
  };
  static Key MakeKey(std::string_view text);
  // The slot where a key's probe starts: the top bits of a multiplicative hash (every bit of a
  // word moves its product's top bits; two independent multiplies, not a chain of them).
  size_t Home(const Key& key) const {
    const uint64_t h = (key.head * 0x9E3779B97F4A7C15ull) ^
                       ((key.tail ^ key.size) * 0xC2B2AE3D27D4EB4Full);
    return static_cast<size_t>(h >> shift_);
  }
  void Grow();

  std::vector<Entry> entries_;
  std::vector<Key> slots_;  // a power of two of them, at most half in use
  int shift_ = 64;          // 64 - log2(slots_.size())
};

// The raw values of one column on one side (what a file gives; a profile does not keep it).
struct RawColumn {
  std::vector<double> numbers;  // the numeric values, in any order (ascending when `sorted`)
  TextCounts others;            // boolean literals ("true"/"false") and texts
  uint64_t missing = 0;         // missing values are counted, not kept
  // Set by LoadDataset, which sorts the numbers and computes their population standard
  // deviation as numpy.std does (two pairwise passes over the sorted numbers): the exact tests
  // then skip their own sort checks and deviation passes. Leave them unset otherwise.
  bool sorted = false;
  std::optional<double> population_std;
  void Add(std::string_view text) { Add(Classify(text)); }
  // Inline for numbers, which most fields of a numeric column are (a call per field otherwise).
  [[gnu::always_inline]] void Add(const ClassifiedValue& value) {
    if (value.kind == ValueKind::kNumber) [[likely]] {
      numbers.push_back(value.number);
    } else {
      AddOther(value);
    }
  }
  void AddOther(const ClassifiedValue& value);  // a value that is not a number
};

struct ColumnSide {
  const ColumnProfile* profile = nullptr;  // required
  const RawColumn* raw = nullptr;          // optional: exact statistics when both sides have it
};

struct ColumnDrift {
  std::string name;
  ColumnType type = ColumnType::kCategorical;
  DriftMethod method = DriftMethod::kAuto;  // the one used
  double statistic = 0.0;
  std::optional<double> p_value;      // after correction, when the method has one
  std::optional<double> raw_p_value;  // before correction
  double threshold = 0.0;
  bool drift = false;
  std::optional<double> effect_size;
  uint64_t n_reference = 0;  // values (missing excluded)
  uint64_t n_current = 0;
  double missing_share_current = 0.0;
  bool exact = true;                  // false: computed from profiles
  std::optional<double> error_bound;  // of the statistic, when known (KS from sketches)
  std::vector<std::string> notes;
};

struct DriftReport {
  bool dataset_drift = false;
  double drift_share = 0.0;  // share of drifted columns
  double drift_share_threshold = 0.5;
  uint64_t n_drifted = 0;
  uint64_t n_columns = 0;
  uint64_t n_reference = 0;  // rows
  uint64_t n_current = 0;
  PValueCorrection correction = PValueCorrection::kNone;
  std::vector<ColumnDrift> columns;  // in the order given
};

// The drift of one column (before any multiple-testing correction). kInvalidArgument when a
// forced method needs what is missing (Cramér–von Mises without raw data; a numeric-only
// method on a column with no numbers) — the message names the column.
Result<ColumnDrift> ColumnDriftTest(const std::string& name, const ColumnSide& reference,
                                    const ColumnSide& current, const ColumnDriftOptions& column,
                                    const DriftOptions& options);

// Every named column, then the correction and the dataset verdict. `reference_rows` and
// `current_rows` are the datasets' row counts. Columns are tested through `parallel_for` (the
// report and the first error, by column order, do not depend on it).
Result<DriftReport> DatasetDrift(const std::vector<std::string>& names,
                                 const std::vector<ColumnSide>& reference,
                                 const std::vector<ColumnSide>& current, uint64_t reference_rows,
                                 uint64_t current_rows, const DriftOptions& options,
                                 const ParallelFor& parallel_for = nullptr);

}  // namespace modelwatch
