// FrequentItems: the most frequent strings of a stream with guaranteed count bounds, in
// O(capacity) memory — heavy hitters and top-k of categorical values.
//
// Algorithm: Space-Saving (Metwally, Agrawal, El Abbadi, "Efficient Computation of Frequent and
// Top-k Elements in Data Streams", ICDT 2005). At most `capacity` items are monitored, each with
// a counter and an error. A monitored item's counter grows by its weight; a new item takes a
// free slot, or replaces the item with the smallest counter c_min and starts at c_min + weight
// with error c_min. For every item x with true count f(x):
//   LowerBound(x) = counter - error <= f(x) <= counter = UpperBound(x),
// an item that is not monitored has f(x) <= MaximumError(), and every error is <= MaximumError()
// <= n / capacity (n = total weight). So every item with f(x) > n / capacity is monitored.
//
// Merge: Agarwal, Cormode, Huang, Phillips, Wei, Yi, "Mergeable Summaries" (PODS 2012, ACM TODS
// 2013) show Space-Saving is isomorphic to Misra-Gries and merge it through that form; this
// implementation does the same: the union's bounds are the sums of the two sides' bounds (an item
// one side does not monitor gets [0, that side's MaximumError()]); if more than `capacity` items
// remain, the (capacity+1)-th largest excess over the summed MaximumErrors is subtracted (the
// Misra-Gries step) and only items still above it are kept. The result keeps the guarantee above
// for the merged stream: every error <= MaximumError() <= n / capacity(), n the total weight.
// Sketches of different capacities merge into the smaller capacity (the bound holds only for
// it). frequent_items_test.cc checks the bounds against exact counts after streams and merges.
//
// Determinism: the same sequence of Update/Merge calls gives the same sketch and bytes (ties are
// broken by position, and by item bytes in Merge). Items are arbitrary byte strings.
// Configuration: capacity in [kMinCapacity, kMaxCapacity], validated once by Create.
// Serialization: frame family 3 (byte_codec.h), version 1; docs/sketches.md.
// Thread safety: a value type; const methods may run concurrently, mutation may not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "modelwatch/core/hash.h"
#include "modelwatch/core/status.h"

namespace modelwatch {

class FrequentItems {
 public:
  static constexpr size_t kMinCapacity = 2;
  static constexpr size_t kMaxCapacity = size_t{1} << 20;
  static constexpr size_t kDefaultCapacity = 1000;
  static constexpr uint16_t kFormatVersion = 1;

  struct Row {
    std::string item;
    uint64_t estimate = 0;     // the Space-Saving counter (= upper_bound)
    uint64_t lower_bound = 0;  // <= true count
    uint64_t upper_bound = 0;  // >= true count
    bool operator==(const Row&) const = default;
  };

  // Which side errs when selecting items above a threshold.
  enum class ErrorType {
    kNoFalsePositives,  // items whose lower bound is above the threshold
    kNoFalseNegatives,  // items whose upper bound is above it (complete if threshold >=
                        // MaximumError())
  };

  // kDefaultCapacity.
  FrequentItems() : FrequentItems(kDefaultCapacity) {}
  // kInvalidArgument unless kMinCapacity <= capacity <= kMaxCapacity.
  static Result<FrequentItems> Create(size_t capacity);

  // Adds `weight` occurrences of `item` (weight 0: no-op). The total weight must stay < 2^64.
  // O(log capacity).
  void Update(std::string_view item, uint64_t weight = 1);
  // Adds `other`'s stream; the result has the smaller of the two capacities (header comment).
  void Merge(const FrequentItems& other);

  size_t capacity() const { return capacity_; }
  // Total weight added.
  uint64_t n() const { return n_; }
  bool empty() const { return n_ == 0; }
  size_t num_items() const { return slots_.size(); }
  // Upper bound of the count of any item that is not monitored, and of every monitored item's
  // error; <= n / capacity.
  uint64_t MaximumError() const;

  // Bounds of one item's count (an unmonitored item: [0, MaximumError()]).
  uint64_t LowerBound(std::string_view item) const;
  uint64_t UpperBound(std::string_view item) const;
  // The monitored items by estimate descending, ties by item bytes ascending.
  std::vector<Row> Items() const;
  // The monitored items whose lower (kNoFalsePositives) or upper (kNoFalseNegatives) bound is
  // > threshold, in Items() order.
  std::vector<Row> ItemsAbove(uint64_t threshold, ErrorType error_type) const;

  std::string Serialize() const;
  // kDataLoss for bytes that are not a valid frequent-items sketch of a supported version.
  static Result<FrequentItems> Deserialize(std::string_view bytes);

  // Same capacity, totals and monitored items in the same internal order.
  bool operator==(const FrequentItems& other) const;

 private:
  struct Counter {
    std::string item;
    uint64_t count = 0;
    uint64_t error = 0;
  };

  explicit FrequentItems(size_t capacity) : capacity_(capacity) {}

  Row MakeRow(const Counter& c) const;
  // Rebuilds index_, heap_ and heap_pos_ from slots_ taken as a heap in array order.
  void RebuildIndex();
  void SiftDown(size_t pos);
  void SiftUp(size_t pos);
  void SwapHeap(size_t a, size_t b);

  size_t capacity_;
  uint64_t n_ = 0;
  // Upper bound of the count of items that were never monitored since the last merge.
  uint64_t offset_ = 0;
  std::vector<Counter> slots_;
  std::vector<uint32_t> heap_;      // slot ids, a binary min-heap by count
  std::vector<uint32_t> heap_pos_;  // slot id -> position in heap_
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> index_;
};

}  // namespace modelwatch
