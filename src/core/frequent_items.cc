#include "modelwatch/core/frequent_items.h"

#include <algorithm>
#include <utility>

#include "modelwatch/core/byte_codec.h"

namespace modelwatch {
namespace {

constexpr std::string_view kContext = "frequent items sketch";

bool RowBefore(const FrequentItems::Row& a, const FrequentItems::Row& b) {
  if (a.estimate != b.estimate) return a.estimate > b.estimate;
  return a.item < b.item;
}

}  // namespace

Result<FrequentItems> FrequentItems::Create(size_t capacity) {
  if (capacity < kMinCapacity || capacity > kMaxCapacity) {
    return InvalidArgumentError("frequent items capacity must be in [" +
                                std::to_string(kMinCapacity) + ", " + std::to_string(kMaxCapacity) +
                                "], got " + std::to_string(capacity));
  }
  return FrequentItems(capacity);
}

uint64_t FrequentItems::MaximumError() const {
  if (slots_.size() < capacity_) return offset_;
  return std::max(offset_, slots_[heap_[0]].count);
}

void FrequentItems::SwapHeap(size_t a, size_t b) {
  std::swap(heap_[a], heap_[b]);
  heap_pos_[heap_[a]] = static_cast<uint32_t>(a);
  heap_pos_[heap_[b]] = static_cast<uint32_t>(b);
}

void FrequentItems::SiftDown(size_t pos) {
  const size_t size = heap_.size();
  for (;;) {
    const size_t left = 2 * pos + 1;
    if (left >= size) return;
    size_t smallest = left;
    const size_t right = left + 1;
    if (right < size && slots_[heap_[right]].count < slots_[heap_[left]].count) smallest = right;
    if (!(slots_[heap_[smallest]].count < slots_[heap_[pos]].count)) return;
    SwapHeap(pos, smallest);
    pos = smallest;
  }
}

void FrequentItems::SiftUp(size_t pos) {
  while (pos > 0) {
    const size_t parent = (pos - 1) / 2;
    if (!(slots_[heap_[pos]].count < slots_[heap_[parent]].count)) return;
    SwapHeap(pos, parent);
    pos = parent;
  }
}

void FrequentItems::Update(std::string_view item, uint64_t weight) {
  if (weight == 0) return;
  n_ += weight;
  if (const auto it = index_.find(item); it != index_.end()) {
    const uint32_t slot = it->second;
    slots_[slot].count += weight;
    SiftDown(heap_pos_[slot]);
    return;
  }
  if (slots_.size() < capacity_) {
    const auto slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(Counter{std::string(item), offset_ + weight, offset_});
    heap_.push_back(slot);
    heap_pos_.push_back(static_cast<uint32_t>(heap_.size() - 1));
    index_.emplace(slots_.back().item, slot);
    SiftUp(heap_.size() - 1);
    return;
  }
  // Replace the item with the smallest counter.
  const uint32_t slot = heap_[0];
  Counter& c = slots_[slot];
  const uint64_t base = std::max(c.count, offset_);
  index_.erase(c.item);
  c.item.assign(item);
  c.count = base + weight;
  c.error = base;
  index_.emplace(c.item, slot);
  SiftDown(0);
}

void FrequentItems::RebuildIndex() {
  const size_t size = slots_.size();
  heap_.resize(size);
  heap_pos_.resize(size);
  index_.clear();
  index_.reserve(size);
  for (size_t i = 0; i < size; ++i) {
    heap_[i] = static_cast<uint32_t>(i);
    heap_pos_[i] = static_cast<uint32_t>(i);
    index_.emplace(slots_[i].item, static_cast<uint32_t>(i));
  }
}

void FrequentItems::Merge(const FrequentItems& other) {
  if (other.n_ == 0) return;
  // The smaller capacity, so that the merged bound stays n / capacity().
  const size_t capacity = std::min(capacity_, other.capacity_);
  const uint64_t bound_a = MaximumError();
  const uint64_t bound_b = other.MaximumError();
  // The union, with summed bounds: upper = counter (+ the other side's MaximumError if it does
  // not monitor the item), lower = counter - error (+ 0).
  struct Candidate {
    std::string item;
    uint64_t upper;
    uint64_t lower;
  };
  std::vector<Candidate> union_items;
  union_items.reserve(slots_.size() + other.slots_.size());
  for (const Counter& c : slots_) {
    const auto it = other.index_.find(c.item);
    if (it != other.index_.end()) {
      const Counter& o = other.slots_[it->second];
      union_items.push_back({c.item, c.count + o.count, (c.count - c.error) + (o.count - o.error)});
    } else {
      union_items.push_back({c.item, c.count + bound_b, c.count - c.error});
    }
  }
  for (const Counter& o : other.slots_) {
    if (index_.contains(o.item)) continue;
    union_items.push_back({o.item, o.count + bound_a, o.count - o.error});
  }
  // Largest upper bounds first, ties by item bytes: the order the heap is rebuilt in.
  std::sort(union_items.begin(), union_items.end(), [](const Candidate& a, const Candidate& b) {
    if (a.upper != b.upper) return a.upper > b.upper;
    return a.item < b.item;
  });
  // In Misra-Gries form an item's counter is upper - offset. If more than `capacity` items
  // remain, subtract the (capacity+1)-th largest counter from all and keep the positive ones.
  uint64_t offset = bound_a + bound_b;
  size_t keep = union_items.size();
  if (keep > capacity) {
    const uint64_t subtract = union_items[capacity].upper - offset;
    offset += subtract;
    keep = 0;
    while (keep < union_items.size() && union_items[keep].upper > offset) ++keep;
  }
  std::vector<Counter> slots;
  slots.reserve(keep);
  for (size_t i = 0; i < keep; ++i) {
    Candidate& c = union_items[i];
    slots.push_back(Counter{std::move(c.item), c.upper, c.upper - c.lower});
  }
  // Descending order reversed is ascending: a valid min-heap.
  std::reverse(slots.begin(), slots.end());
  n_ += other.n_;
  capacity_ = capacity;
  offset_ = offset;
  slots_ = std::move(slots);
  RebuildIndex();
}

FrequentItems::Row FrequentItems::MakeRow(const Counter& c) const {
  return Row{c.item, c.count, c.count - c.error, c.count};
}

uint64_t FrequentItems::LowerBound(std::string_view item) const {
  const auto it = index_.find(item);
  if (it == index_.end()) return 0;
  const Counter& c = slots_[it->second];
  return c.count - c.error;
}

uint64_t FrequentItems::UpperBound(std::string_view item) const {
  const auto it = index_.find(item);
  if (it == index_.end()) return MaximumError();
  return slots_[it->second].count;
}

std::vector<FrequentItems::Row> FrequentItems::Items() const {
  std::vector<Row> rows;
  rows.reserve(slots_.size());
  for (const Counter& c : slots_) rows.push_back(MakeRow(c));
  std::sort(rows.begin(), rows.end(), RowBefore);
  return rows;
}

std::vector<FrequentItems::Row> FrequentItems::ItemsAbove(uint64_t threshold,
                                                          ErrorType error_type) const {
  std::vector<Row> rows = Items();
  std::erase_if(rows, [&](const Row& r) {
    const uint64_t bound =
        error_type == ErrorType::kNoFalsePositives ? r.lower_bound : r.upper_bound;
    return bound <= threshold;
  });
  return rows;
}

bool FrequentItems::operator==(const FrequentItems& other) const {
  if (capacity_ != other.capacity_ || n_ != other.n_ || offset_ != other.offset_ ||
      heap_.size() != other.heap_.size()) {
    return false;
  }
  for (size_t pos = 0; pos < heap_.size(); ++pos) {
    const Counter& a = slots_[heap_[pos]];
    const Counter& b = other.slots_[other.heap_[pos]];
    if (a.item != b.item || a.count != b.count || a.error != b.error) return false;
  }
  return true;
}

// Payload (version 1): varint capacity, varint n, varint offset, varint item count m, then m
// times (in heap order): string item, varint count, varint error.
std::string FrequentItems::Serialize() const {
  ByteWriter w;
  w.PutVarint(capacity_);
  w.PutVarint(n_);
  w.PutVarint(offset_);
  w.PutVarint(heap_.size());
  for (uint32_t slot : heap_) {
    const Counter& c = slots_[slot];
    w.PutString(c.item);
    w.PutVarint(c.count);
    w.PutVarint(c.error);
  }
  return WriteFrame(FormatFamily::kFrequentItems, kFormatVersion, w.bytes());
}

Result<FrequentItems> FrequentItems::Deserialize(std::string_view bytes) {
  MW_ASSIGN_OR_RETURN(const OpenedFrame frame,
                      OpenFrame(bytes, FormatFamily::kFrequentItems, kFormatVersion, kContext));
  ByteReader r = frame.PayloadReader(kContext);
  const size_t capacity_at = r.offset();
  MW_ASSIGN_OR_RETURN(const uint64_t capacity, r.ReadVarint("capacity"));
  if (capacity < kMinCapacity || capacity > kMaxCapacity) {
    return r.Corrupt(capacity_at, "capacity " + std::to_string(capacity) + " is outside [" +
                                      std::to_string(kMinCapacity) + ", " +
                                      std::to_string(kMaxCapacity) + "]");
  }
  FrequentItems sketch(static_cast<size_t>(capacity));
  MW_ASSIGN_OR_RETURN(sketch.n_, r.ReadVarint("total weight"));
  const size_t offset_at = r.offset();
  MW_ASSIGN_OR_RETURN(sketch.offset_, r.ReadVarint("offset"));
  if (sketch.offset_ > sketch.n_) {
    return r.Corrupt(offset_at, "offset exceeds the total weight");
  }
  const size_t count_at = r.offset();
  // An item takes at least 3 bytes: its length, count and error.
  MW_ASSIGN_OR_RETURN(const uint64_t num_items, r.ReadCount("item count", capacity, 3));
  sketch.slots_.reserve(static_cast<size_t>(num_items));
  uint64_t lower_sum = 0;
  for (uint64_t i = 0; i < num_items; ++i) {
    const size_t item_at = r.offset();
    MW_ASSIGN_OR_RETURN(const std::string_view item, r.ReadString("item"));
    MW_ASSIGN_OR_RETURN(const uint64_t count, r.ReadVarint("item count"));
    MW_ASSIGN_OR_RETURN(const uint64_t error, r.ReadVarint("item error"));
    if (count > sketch.n_ || error > count || count < sketch.offset_ || count == 0) {
      return r.Corrupt(item_at, "item " + std::to_string(i) +
                                    " has inconsistent count and error (count " +
                                    std::to_string(count) + ", error " + std::to_string(error) +
                                    ", offset " + std::to_string(sketch.offset_) + ", total " +
                                    std::to_string(sketch.n_) + ")");
    }
    if (i > 0 && count < sketch.slots_[(i - 1) / 2].count) {
      return r.Corrupt(item_at, "items are not in heap order");
    }
    lower_sum += count - error;
    if (lower_sum > sketch.n_) {
      return r.Corrupt(item_at, "the lower bounds add up to more than the total weight");
    }
    sketch.slots_.push_back(Counter{std::string(item), count, error});
  }
  MW_RETURN_IF_ERROR(r.ExpectEnd());
  sketch.RebuildIndex();
  if (sketch.index_.size() != sketch.slots_.size()) {
    return r.Corrupt(count_at, "an item appears twice");
  }
  // The invariant behind MaximumError() <= n / capacity: with b = MaximumError(),
  // b * capacity + sum(count - b) <= n; and every error is <= b.
  const uint64_t b = sketch.MaximumError();
  if (b > sketch.n_ / capacity) {
    return r.Corrupt(count_at, "the maximum error exceeds total weight / capacity");
  }
  const uint64_t allowed_excess = sketch.n_ - b * capacity;
  uint64_t excess = 0;
  for (const Counter& c : sketch.slots_) {
    if (c.error > b) return r.Corrupt(count_at, "an item's error exceeds the maximum error");
    if (c.count - b > allowed_excess - excess) {
      return r.Corrupt(count_at, "the counts add up to more than the total weight allows");
    }
    excess += c.count - b;
  }
  return sketch;
}

}  // namespace modelwatch
