#include "modelwatch/core/category_counts.h"

#include <algorithm>
#include <utility>

#include "modelwatch/core/byte_codec.h"

namespace modelwatch {
namespace {

constexpr std::string_view kContext = "category counts";
constexpr uint8_t kExactMode = 0;
constexpr uint8_t kSketchMode = 1;

Status ValidateOptions(const CategoryCounts::Options& options) {
  if (options.max_exact < 1 || options.max_exact > CategoryCounts::kMaxExactLimit) {
    return InvalidArgumentError("category counts max_exact must be in [1, " +
                                std::to_string(CategoryCounts::kMaxExactLimit) + "], got " +
                                std::to_string(options.max_exact));
  }
  MW_RETURN_IF_ERROR(FrequentItems::Create(options.sketch_capacity).status());
  return HyperLogLog::Create(options.hll_precision).status();
}

}  // namespace

Result<CategoryCounts> CategoryCounts::Create(const Options& options) {
  MW_RETURN_IF_ERROR(ValidateOptions(options));
  return CategoryCounts(options);
}

std::vector<std::pair<std::string, uint64_t>> CategoryCounts::SortedExact() const {
  std::vector<std::pair<std::string, uint64_t>> entries(exact_.begin(), exact_.end());
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return a.first < b.first;
  });
  return entries;
}

void CategoryCounts::SwitchToSketch() {
  // Options were validated when this object was built, so both Creates succeed.
  Sketch sketch{*FrequentItems::Create(options_.sketch_capacity),
                *HyperLogLog::Create(options_.hll_precision)};
  // Largest counts first: if the capacity is below the number of categories, Space-Saving then
  // evicts among the small ones.
  for (const auto& [category, count] : SortedExact()) {
    sketch.items.Update(category, count);
    sketch.distinct.Update(category);
  }
  exact_.clear();
  sketch_ = std::move(sketch);
}

void CategoryCounts::Update(std::string_view category, uint64_t weight) {
  if (weight == 0) return;
  total_ += weight;
  if (!sketch_) {
    if (const auto it = exact_.find(category); it != exact_.end()) {
      it->second += weight;
      return;
    }
    if (exact_.size() < options_.max_exact) {
      exact_.emplace(std::string(category), weight);
      return;
    }
    SwitchToSketch();
  }
  sketch_->items.Update(category, weight);
  sketch_->distinct.Update(category);
}

Status CategoryCounts::Merge(const CategoryCounts& other) {
  if (other.total_ == 0) return Status::Ok();
  if (&other == this) {
    const CategoryCounts copy = other;
    return Merge(copy);
  }
  if (other.sketch_ && other.sketch_->distinct.precision() != options_.hll_precision) {
    return InvalidArgumentError(
        "cannot merge category counts with a distinct-count sketch of "
        "precision " +
        std::to_string(other.sketch_->distinct.precision()) + " into one of precision " +
        std::to_string(options_.hll_precision));
  }
  if (!sketch_ && !other.sketch_) {
    total_ += other.total_;
    for (const auto& [category, count] : other.SortedExact()) exact_[category] += count;
    if (exact_.size() > options_.max_exact) SwitchToSketch();
    return Status::Ok();
  }
  if (!sketch_) SwitchToSketch();
  total_ += other.total_;
  if (other.sketch_) {
    sketch_->items.Merge(other.sketch_->items);
    MW_RETURN_IF_ERROR(sketch_->distinct.Merge(other.sketch_->distinct));
  } else {
    for (const auto& [category, count] : other.SortedExact()) {
      sketch_->items.Update(category, count);
      sketch_->distinct.Update(category);
    }
  }
  return Status::Ok();
}

double CategoryCounts::DistinctCount() const {
  if (sketch_) return sketch_->distinct.Estimate();
  return static_cast<double>(exact_.size());
}

uint64_t CategoryCounts::MaximumError() const {
  return sketch_ ? sketch_->items.MaximumError() : 0;
}

CategoryCounts::Row CategoryCounts::Count(std::string_view category) const {
  Row row;
  row.item = std::string(category);
  if (sketch_) {
    row.lower_bound = sketch_->items.LowerBound(category);
    row.upper_bound = sketch_->items.UpperBound(category);
    row.estimate = row.upper_bound;
    return row;
  }
  if (const auto it = exact_.find(category); it != exact_.end()) {
    row.estimate = row.lower_bound = row.upper_bound = it->second;
  }
  return row;
}

std::vector<CategoryCounts::Row> CategoryCounts::Items() const {
  if (sketch_) return sketch_->items.Items();
  std::vector<Row> rows;
  rows.reserve(exact_.size());
  for (auto& [category, count] : SortedExact()) {
    rows.push_back(Row{std::move(category), count, count, count});
  }
  return rows;
}

bool CategoryCounts::operator==(const CategoryCounts& other) const {
  if (!(options_ == other.options_) || total_ != other.total_ || exact_ != other.exact_ ||
      sketch_.has_value() != other.sketch_.has_value()) {
    return false;
  }
  return !sketch_ ||
         (sketch_->items == other.sketch_->items && sketch_->distinct == other.sketch_->distinct);
}

// Payload (version 1): varint max_exact, varint sketch_capacity, u8 hll_precision, u8 mode,
// varint total; then exact mode: varint m, m times (string category, varint count) in ascending
// byte order of the category; sketch mode: string (a framed frequent-items sketch), string (a
// framed HyperLogLog).
std::string CategoryCounts::Serialize() const {
  ByteWriter w;
  w.PutVarint(options_.max_exact);
  w.PutVarint(options_.sketch_capacity);
  w.PutU8(static_cast<uint8_t>(options_.hll_precision));
  w.PutU8(sketch_ ? kSketchMode : kExactMode);
  w.PutVarint(total_);
  if (sketch_) {
    w.PutString(sketch_->items.Serialize());
    w.PutString(sketch_->distinct.Serialize());
  } else {
    std::vector<std::pair<std::string_view, uint64_t>> entries(exact_.begin(), exact_.end());
    std::sort(entries.begin(), entries.end());
    w.PutVarint(entries.size());
    for (const auto& [category, count] : entries) {
      w.PutString(category);
      w.PutVarint(count);
    }
  }
  return WriteFrame(FormatFamily::kCategoryCounts, kFormatVersion, w.bytes());
}

Result<CategoryCounts> CategoryCounts::Deserialize(std::string_view bytes) {
  MW_ASSIGN_OR_RETURN(const OpenedFrame frame,
                      OpenFrame(bytes, FormatFamily::kCategoryCounts, kFormatVersion, kContext));
  ByteReader r = frame.PayloadReader(kContext);
  const size_t options_at = r.offset();
  Options options;
  MW_ASSIGN_OR_RETURN(const uint64_t max_exact, r.ReadVarint("max_exact"));
  MW_ASSIGN_OR_RETURN(const uint64_t sketch_capacity, r.ReadVarint("sketch capacity"));
  MW_ASSIGN_OR_RETURN(const uint8_t precision, r.ReadU8("hll precision"));
  if (max_exact > kMaxExactLimit || sketch_capacity > FrequentItems::kMaxCapacity) {
    return r.Corrupt(options_at, "options out of range");
  }
  options.max_exact = static_cast<size_t>(max_exact);
  options.sketch_capacity = static_cast<size_t>(sketch_capacity);
  options.hll_precision = precision;
  if (const Status s = ValidateOptions(options); !s.ok()) {
    return r.Corrupt(options_at, s.message());
  }
  CategoryCounts counts(options);
  const size_t mode_at = r.offset();
  MW_ASSIGN_OR_RETURN(const uint8_t mode, r.ReadU8("mode"));
  MW_ASSIGN_OR_RETURN(counts.total_, r.ReadVarint("total"));
  if (mode == kExactMode) {
    // A category takes at least 2 bytes: its length and its count.
    MW_ASSIGN_OR_RETURN(const uint64_t m, r.ReadCount("category count", max_exact, 2));
    counts.exact_.reserve(static_cast<size_t>(m));
    std::string_view previous;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < m; ++i) {
      const size_t entry_at = r.offset();
      MW_ASSIGN_OR_RETURN(const std::string_view category, r.ReadString("category"));
      MW_ASSIGN_OR_RETURN(const uint64_t count, r.ReadVarint("category count"));
      if (i > 0 && !(previous < category)) {
        return r.Corrupt(entry_at, "categories are not in strictly ascending order");
      }
      if (count == 0 || count > counts.total_ - sum) {
        return r.Corrupt(entry_at, "category counts do not add up to the total " +
                                       std::to_string(counts.total_));
      }
      sum += count;
      previous = category;
      counts.exact_.emplace(std::string(category), count);
    }
    if (sum != counts.total_) {
      return r.Corrupt(mode_at, "category counts add up to " + std::to_string(sum) +
                                    ", not the total " + std::to_string(counts.total_));
    }
  } else if (mode == kSketchMode) {
    const size_t items_at = r.offset();
    MW_ASSIGN_OR_RETURN(const std::string_view items_bytes, r.ReadString("frequent items"));
    Result<FrequentItems> items = FrequentItems::Deserialize(items_bytes);
    if (!items.ok()) {
      return items.status().WithPrefix(std::string(kContext) + ": in the sketch at byte " +
                                       std::to_string(items_at));
    }
    const size_t distinct_at = r.offset();
    MW_ASSIGN_OR_RETURN(const std::string_view distinct_bytes, r.ReadString("distinct count"));
    Result<HyperLogLog> distinct = HyperLogLog::Deserialize(distinct_bytes);
    if (!distinct.ok()) {
      return distinct.status().WithPrefix(std::string(kContext) + ": in the sketch at byte " +
                                          std::to_string(distinct_at));
    }
    if (items->capacity() > options.sketch_capacity || items->n() != counts.total_) {
      return r.Corrupt(items_at, "the frequent-items sketch disagrees with the capacity or total");
    }
    if (distinct->precision() != options.hll_precision) {
      return r.Corrupt(distinct_at, "the distinct-count sketch disagrees with the precision");
    }
    counts.sketch_ = Sketch{std::move(items).value(), std::move(distinct).value()};
  } else {
    return r.Corrupt(mode_at, "unknown mode " + std::to_string(mode));
  }
  MW_RETURN_IF_ERROR(r.ExpectEnd());
  return counts;
}

}  // namespace modelwatch
