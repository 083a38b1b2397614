// CategoryCounts: the value counts of a categorical column — exact while the column has few
// distinct values, a bounded-memory sketch past that. Column profiles use it for categorical
// columns (category frequencies for chi-square / PSI drift tests, top values, distinct count).
//
// Modes:
//   - exact: every distinct category with its exact count, up to Options::max_exact distinct
//     categories (default 1000);
//   - sketch: when one more distinct category arrives (by Update or Merge), the counts move into
//     a FrequentItems (Space-Saving) sketch of Options::sketch_capacity counters plus a
//     HyperLogLog of Options::hll_precision for the distinct count. The total count stays exact.
//     Count bounds are those of FrequentItems: every error <= total / sketch_capacity
//     (frequent_items.h). The switch is one way.
// is_exact() says which mode holds; callers that need exact frequencies (e.g. a chi-square test)
// must check it.
//
// Merge: exact + exact adds the counts, switching to sketch mode if the union has more than
// max_exact categories; otherwise both become sketches and merge (FrequentItems::Merge,
// HyperLogLog::Merge). The result keeps this object's options; HyperLogLog precisions must be
// equal (kInvalidArgument, and no change, otherwise).
//
// Determinism: the same sequence of calls gives the same state and bytes (exact counts are
// serialized in byte order of the category; the switch feeds the sketch in a fixed order).
// Serialization: frame family 4 (byte_codec.h), version 1, embedding the framed sketches in
// sketch mode; docs/sketches.md.
// Thread safety: a value type; const methods may run concurrently, mutation may not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "modelwatch/core/frequent_items.h"
#include "modelwatch/core/hash.h"
#include "modelwatch/core/hyperloglog.h"
#include "modelwatch/core/status.h"

namespace modelwatch {

class CategoryCounts {
 public:
  static constexpr size_t kMaxExactLimit = size_t{1} << 20;
  static constexpr uint16_t kFormatVersion = 1;

  struct Options {
    // Distinct categories counted exactly, in [1, kMaxExactLimit].
    size_t max_exact = 1000;
    // Counters of the frequent-items sketch used past max_exact.
    size_t sketch_capacity = FrequentItems::kDefaultCapacity;
    int hll_precision = HyperLogLog::kDefaultPrecision;
    bool operator==(const Options&) const = default;
  };

  using Row = FrequentItems::Row;

  // Default options.
  CategoryCounts() : CategoryCounts(Options()) {}
  // kInvalidArgument for options out of range.
  static Result<CategoryCounts> Create(const Options& options);

  // Adds `weight` occurrences of `category` (weight 0: no-op). The total must stay < 2^64.
  void Update(std::string_view category, uint64_t weight = 1);
  // Adds `other`'s counts; see the header comment.
  Status Merge(const CategoryCounts& other);

  const Options& options() const { return options_; }
  bool is_exact() const { return !sketch_.has_value(); }
  // Exact total weight added.
  uint64_t total() const { return total_; }
  // Number of distinct categories: exact in exact mode, else the HyperLogLog estimate.
  double DistinctCount() const;
  // Bound of every count's error: 0 in exact mode, else FrequentItems::MaximumError().
  uint64_t MaximumError() const;

  // The category's count bounds (exact mode: all three equal the count, 0 if unseen).
  Row Count(std::string_view category) const;
  // Exact mode: every category; sketch mode: the monitored ones. By estimate descending, ties
  // by category bytes ascending.
  std::vector<Row> Items() const;

  // The sketches of sketch mode (null in exact mode).
  const FrequentItems* frequent_items() const { return sketch_ ? &sketch_->items : nullptr; }
  const HyperLogLog* distinct() const { return sketch_ ? &sketch_->distinct : nullptr; }

  std::string Serialize() const;
  // kDataLoss for bytes that are not valid category counts of a supported version.
  static Result<CategoryCounts> Deserialize(std::string_view bytes);

  bool operator==(const CategoryCounts& other) const;

 private:
  struct Sketch {
    FrequentItems items;
    HyperLogLog distinct;
  };

  explicit CategoryCounts(const Options& options) : options_(options) {}

  // The exact counts sorted by count descending, ties by category.
  std::vector<std::pair<std::string, uint64_t>> SortedExact() const;
  void SwitchToSketch();

  Options options_;
  uint64_t total_ = 0;
  std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>> exact_;
  std::optional<Sketch> sketch_;
};

}  // namespace modelwatch
