#include "modelwatch/core/label_interner.h"

namespace modelwatch {

LabelInterner::LabelInterner(const LabelInterner& other) { *this = other; }

LabelInterner& LabelInterner::operator=(const LabelInterner& other) {
  if (this == &other) return *this;
  texts_.clear();
  texts_.reserve(other.texts_.size());
  for (const auto& t : other.texts_) texts_.push_back(std::make_unique<std::string>(*t));
  Rebuild();
  return *this;
}

void LabelInterner::Rebuild() {
  index_.clear();
  if (texts_.size() <= kLinearScanLimit) return;
  for (uint32_t id = 0; id < texts_.size(); ++id) index_.emplace(*texts_[id], id);
}

uint32_t LabelInterner::Find(std::string_view label) const {
  if (texts_.size() <= kLinearScanLimit) {
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
  if (texts_.size() == kLinearScanLimit + 1) {
    Rebuild();
  } else if (texts_.size() > kLinearScanLimit) {
    index_.emplace(*texts_.back(), id);
  }
  return id;
}

}  // namespace modelwatch
