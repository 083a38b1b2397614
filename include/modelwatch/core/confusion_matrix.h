// ConfusionMatrix: streaming counts of (true id, predicted id) pairs over raw label ids.
//
// Update() is the hot path: one bounds check and one increment, no allocation unless an id beyond
// the current capacity appears (a new class; rare). Merge() adds another matrix over the same id
// space. Remap() folds raw ids into canonical classes (label_order.h) for reporting.
// Rows are true labels, columns predicted labels (scikit-learn's convention).
// Thread safety: not thread safe; merge per-thread matrices.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace modelwatch {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(uint32_t capacity = 8);

  void Update(uint32_t truth, uint32_t pred) {
    if (truth >= capacity_ || pred >= capacity_) Grow(truth > pred ? truth : pred);
    ++counts_[static_cast<size_t>(truth) * capacity_ + pred];
  }
  // Adds `count` rows of (truth, pred) at once.
  void Add(uint32_t truth, uint32_t pred, uint64_t count) {
    if (truth >= capacity_ || pred >= capacity_) Grow(truth > pred ? truth : pred);
    counts_[static_cast<size_t>(truth) * capacity_ + pred] += count;
  }
  // Adds `other`'s counts (ids in the same space).
  void Merge(const ConfusionMatrix& other);

  uint64_t count(uint32_t truth, uint32_t pred) const {
    return truth < capacity_ && pred < capacity_
               ? counts_[static_cast<size_t>(truth) * capacity_ + pred]
               : 0;
  }
  uint64_t total() const;
  uint32_t capacity() const { return capacity_; }

  // Dense num_classes x num_classes counts, row-major, with raw id r counted as class
  // raw_to_class[r]. Ids beyond raw_to_class.size() must have zero counts.
  std::vector<uint64_t> Remap(std::span<const uint32_t> raw_to_class, uint32_t num_classes) const;

 private:
  void Grow(uint32_t max_id);

  uint32_t capacity_;
  std::vector<uint64_t> counts_;  // capacity_ x capacity_, row-major
};

}  // namespace modelwatch
