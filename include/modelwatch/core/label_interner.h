// LabelInterner: maps label texts ("cat", "1", "1.0") to dense ids 0, 1, 2, ... in order of first
// sight, so hot paths count small integers instead of hashing strings.
//
// Ids are raw: "1" and "1.0" get different ids. The canonical class set (class identity by value,
// scikit-learn's sorted order) is derived at report time by CanonicalLabelOrder (label_order.h).
//
// Intern() allocates only when a label is seen for the first time. Lookups of a handful of labels
// (the common case: a classifier has few classes) are a linear scan over short strings; beyond
// kLinearScanLimit a hash map is used.
// Thread safety: not thread safe; one interner per thread, merge by text.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace modelwatch {

class LabelInterner {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;
  static constexpr size_t kLinearScanLimit = 16;

  LabelInterner() = default;
  LabelInterner(const LabelInterner& other);
  LabelInterner& operator=(const LabelInterner& other);
  LabelInterner(LabelInterner&&) noexcept = default;
  LabelInterner& operator=(LabelInterner&&) noexcept = default;

  // Returns the id of `label`, adding it if new.
  uint32_t Intern(std::string_view label);
  // Returns the id of `label`, or kNotFound.
  uint32_t Find(std::string_view label) const;

  size_t size() const { return texts_.size(); }
  const std::string& text(uint32_t id) const { return *texts_[id]; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  void Rebuild();
  // Labels of at most 8 bytes packed into an integer, so the linear scan compares integers.
  struct ShortKey {
    uint64_t bytes = 0;
    uint32_t size = UINT32_MAX;  // UINT32_MAX: the label is longer than 8 bytes
  };
  static ShortKey MakeShortKey(std::string_view label);

  // unique_ptr keeps each string's address (and so the map's string_view keys) stable.
  std::vector<std::unique_ptr<std::string>> texts_;
  std::vector<ShortKey> short_keys_;  // parallel to texts_
  std::unordered_map<std::string_view, uint32_t, Hash, std::equal_to<>> index_;
};

}  // namespace modelwatch
