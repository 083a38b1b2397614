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
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace modelwatch {

// The bytes of a label of at most 8 bytes (more: undefined), byte i at bits 8i..8i+7 and 0 above
// its size, from at most three loads that stay within the label: no loop over its bytes. With the
// size, a key that identifies the label (LabelInterner's scan; the metrics command's label cache).
inline uint64_t PackShortLabel(std::string_view label) {
  const char* p = label.data();
  const size_t n = label.size();
  if (n >= 4) {
    uint32_t low, high;  // bytes [0, 4) and [n - 4, n): they overlap when n < 8
    std::memcpy(&low, p, 4);
    std::memcpy(&high, p + n - 4, 4);
    return uint64_t{low} | (uint64_t{high} << (8 * (n - 4)));
  }
  if (n == 0) return 0;
  // Bytes 0, n / 2 and n - 1 cover the 1 to 3 bytes (a byte or'ed twice is still itself).
  return uint64_t{static_cast<unsigned char>(p[0])} |
         (uint64_t{static_cast<unsigned char>(p[n / 2])} << (8 * (n / 2))) |
         (uint64_t{static_cast<unsigned char>(p[n - 1])} << (8 * (n - 1)));
}

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
