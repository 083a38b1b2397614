#include "modelwatch/core/label_interner.h"

namespace modelwatch {

LabelInterner::LabelInterner(const LabelInterner& other) { *this = other; }

LabelInterner& LabelInterner::operator=(const LabelInterner& other) {
  if (this == &other) return *this;
  texts_.clear();
  short_keys_ = other.short_keys_;
  texts_.reserve(other.texts_.size());
  for (const auto& t : other.texts_) texts_.push_back(std::make_unique<std::string>(*t));
  Rebuild();
  return *this;
}

LabelInterner::ShortKey LabelInterner::MakeShortKey(std::string_view label) {
  ShortKey key;
  if (label.size() > 8) return key;
  for (size_t i = 0; i < label.size(); ++i) {
    key.bytes |= uint64_t{static_cast<unsigned char>(label[i])} << (8 * i);
  }
  key.size = static_cast<uint32_t>(label.size());
  return key;
}

void LabelInterner::Rebuild() {
  index_.clear();
  if (texts_.size() <= kLinearScanLimit) return;
  for (uint32_t id = 0; id < texts_.size(); ++id) index_.emplace(*texts_[id], id);
}

uint32_t LabelInterner::Find(std::string_view label) const {
  if (texts_.size() <= kLinearScanLimit) {
    const ShortKey key = MakeShortKey(label);
    if (key.size != UINT32_MAX) {
      for (uint32_t id = 0; id < short_keys_.size(); ++id) {
        if (short_keys_[id].bytes == key.bytes && short_keys_[id].size == key.size) return id;
      }
      return kNotFound;
    }
    for (uint32_t id = 0; id < texts_.size(); ++id) {
      const std::string& t = *texts_[id];
      if (t.size() == label.size() && std::string_view(t) == label) return id;
    }
    return kNotFound;
  }
  auto it = index_.find(label);
  return it == index_.end() ? kNotFound : it->second;
}

uint32_t LabelInterner::Intern(std::string_view label) {
  uint32_t id = Find(label);
  if (id != kNotFound) return id;
  id = static_cast<uint32_t>(texts_.size());
  texts_.push_back(std::make_unique<std::string>(label));
  short_keys_.push_back(MakeShortKey(label));
  if (texts_.size() == kLinearScanLimit + 1) {
    Rebuild();
  } else if (texts_.size() > kLinearScanLimit) {
    index_.emplace(*texts_.back(), id);
  }
  return id;
}

}  // namespace modelwatch
