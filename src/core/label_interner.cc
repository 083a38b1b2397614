#include "modelwatch/core/label_interner.h"

#include <cstring>

namespace modelwatch {
namespace {

// The id of the short label (`bytes`, `size`) among `keys`, or kNotFound. Every key is compared,
// without an early exit: which label a row holds is as good as random, and the exit branch would
// be mispredicted on most rows. Keys are distinct, so at most one matches.
template <typename ShortKeys>
inline uint32_t ScanShortKeys(const ShortKeys& keys, uint64_t bytes, uint32_t size) {
  uint32_t found = LabelInterner::kNotFound;
  const uint32_t n = static_cast<uint32_t>(keys.size());
  for (uint32_t id = 0; id < n; ++id) {
    found = ((keys[id].bytes ^ bytes) | (keys[id].size ^ size)) == 0 ? id : found;
  }
  return found;
}

// Find() for the other cases (a label longer than 8 bytes, or more labels than the scan takes):
// out of line, so that the common case saves no registers for it.
template <typename Texts, typename Index>
[[gnu::noinline]] uint32_t FindOther(const Texts& texts, const Index& index,
                                     std::string_view label) {
  if (texts.size() <= LabelInterner::kLinearScanLimit) {
    for (uint32_t id = 0; id < texts.size(); ++id) {
      const std::string& t = *texts[id];
      if (t.size() == label.size() && std::string_view(t) == label) return id;
    }
    return LabelInterner::kNotFound;
  }
  auto it = index.find(label);
  return it == index.end() ? LabelInterner::kNotFound : it->second;
}

}  // namespace

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
  key.bytes = PackShortLabel(label);
  key.size = static_cast<uint32_t>(label.size());
  return key;
}

void LabelInterner::Rebuild() {
  index_.clear();
  if (texts_.size() <= kLinearScanLimit) return;
  for (uint32_t id = 0; id < texts_.size(); ++id) index_.emplace(*texts_[id], id);
}

uint32_t LabelInterner::Find(std::string_view label) const {
  if (texts_.size() <= kLinearScanLimit && label.size() <= 8) [[likely]] {
    return ScanShortKeys(short_keys_, PackShortLabel(label), static_cast<uint32_t>(label.size()));
  }
  return FindOther(texts_, index_, label);
}

uint32_t LabelInterner::Intern(std::string_view label) {
  if (texts_.size() <= kLinearScanLimit && label.size() <= 8) [[likely]] {
    const uint32_t id =
        ScanShortKeys(short_keys_, PackShortLabel(label), static_cast<uint32_t>(label.size()));
    if (id != kNotFound) [[likely]]
      return id;
  }
  // Everything else out of line, so that the common case above saves no registers for it.
  auto find_or_add = [this](std::string_view text) __attribute__((noinline)) {
    uint32_t id = Find(text);
    if (id != kNotFound) return id;
    id = static_cast<uint32_t>(texts_.size());
    texts_.push_back(std::make_unique<std::string>(text));
    short_keys_.push_back(MakeShortKey(text));
    if (texts_.size() == kLinearScanLimit + 1) {
      Rebuild();
    } else if (texts_.size() > kLinearScanLimit) {
      index_.emplace(*texts_.back(), id);
    }
    return id;
  };
  return find_or_add(label);
}

}  // namespace modelwatch
