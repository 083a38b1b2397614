#include "modelwatch/core/confusion_matrix.h"

#include <algorithm>
#include <cassert>

namespace modelwatch {

ConfusionMatrix::ConfusionMatrix(uint32_t capacity)
    : capacity_(std::max<uint32_t>(capacity, 1)),
      counts_(static_cast<size_t>(capacity_) * capacity_, 0) {}

void ConfusionMatrix::Grow(uint32_t max_id) {
  uint32_t new_capacity = capacity_;
  while (new_capacity <= max_id) new_capacity *= 2;
  std::vector<uint64_t> grown(static_cast<size_t>(new_capacity) * new_capacity, 0);
  for (uint32_t t = 0; t < capacity_; ++t) {
    std::copy_n(counts_.begin() + static_cast<size_t>(t) * capacity_, capacity_,
                grown.begin() + static_cast<size_t>(t) * new_capacity);
  }
  counts_.swap(grown);
  capacity_ = new_capacity;
}

void ConfusionMatrix::Merge(const ConfusionMatrix& other) {
  if (other.capacity_ > capacity_) Grow(other.capacity_ - 1);
  for (uint32_t t = 0; t < other.capacity_; ++t) {
    for (uint32_t p = 0; p < other.capacity_; ++p) {
      counts_[static_cast<size_t>(t) * capacity_ + p] +=
          other.counts_[static_cast<size_t>(t) * other.capacity_ + p];
    }
  }
}

uint64_t ConfusionMatrix::total() const {
  uint64_t sum = 0;
  for (uint64_t c : counts_) sum += c;
  return sum;
}

std::vector<uint64_t> ConfusionMatrix::Remap(std::span<const uint32_t> raw_to_class,
                                             uint32_t num_classes) const {
  std::vector<uint64_t> out(static_cast<size_t>(num_classes) * num_classes, 0);
  const uint32_t ids = static_cast<uint32_t>(std::min<size_t>(raw_to_class.size(), capacity_));
  for (uint32_t t = 0; t < ids; ++t) {
    for (uint32_t p = 0; p < ids; ++p) {
      uint64_t c = counts_[static_cast<size_t>(t) * capacity_ + p];
      if (c == 0) continue;
      assert(raw_to_class[t] < num_classes && raw_to_class[p] < num_classes);
      out[static_cast<size_t>(raw_to_class[t]) * num_classes + raw_to_class[p]] += c;
    }
  }
  return out;
}

}  // namespace modelwatch
