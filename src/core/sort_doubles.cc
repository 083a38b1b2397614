#include "modelwatch/core/sort_doubles.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <vector>

namespace modelwatch {
namespace {

constexpr size_t kRadixMinSize = 1024;  // below this std::sort is as fast
constexpr int kDigitBits = 11;
constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;  // 6
constexpr size_t kBuckets = size_t{1} << kDigitBits;
constexpr uint64_t kSignBit = uint64_t{1} << 63;

// The order-preserving image: negative doubles have every bit flipped, others the sign bit set.
uint64_t ToKey(double x) {
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  return (bits & kSignBit) != 0 ? ~bits : bits | kSignBit;
}

double FromKey(uint64_t key) {
  return std::bit_cast<double>((key & kSignBit) != 0 ? key & ~kSignBit : ~key);
}

size_t Digit(uint64_t key, int pass) {
  return static_cast<size_t>(key >> (pass * kDigitBits)) & (kBuckets - 1);
}

void RadixSort(std::span<double> values) {
  const size_t n = values.size();
  std::unique_ptr<uint64_t[]> a(new uint64_t[n]);
  std::unique_ptr<uint64_t[]> b(new uint64_t[n]);
  std::vector<std::array<size_t, kBuckets>> counts(kPasses);
  for (auto& c : counts) c.fill(0);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t key = ToKey(values[i]);
    a[i] = key;
    for (int p = 0; p < kPasses; ++p) ++counts[p][Digit(key, p)];
  }
  uint64_t* from = a.get();
  uint64_t* to = b.get();
  for (int p = 0; p < kPasses; ++p) {
    std::array<size_t, kBuckets>& c = counts[p];
    if (c[Digit(from[0], p)] == n) continue;  // every key has this digit: nothing moves
    size_t offset = 0;
    for (size_t& x : c) {
      const size_t count = x;
      x = offset;
      offset += count;
    }
    for (size_t i = 0; i < n; ++i) to[c[Digit(from[i], p)]++] = from[i];
    std::swap(from, to);
  }
  for (size_t i = 0; i < n; ++i) values[i] = FromKey(from[i]);
}

}  // namespace

void SortDoubles(std::span<double> values) {
  if (std::is_sorted(values.begin(), values.end())) return;
  if (values.size() < kRadixMinSize) {
    std::sort(values.begin(), values.end());
    return;
  }
  RadixSort(values);
}

std::span<const double> SortedView(std::span<const double> values, std::vector<double>* storage) {
  if (std::is_sorted(values.begin(), values.end())) return values;
  storage->assign(values.begin(), values.end());
  SortDoubles(*storage);
  return *storage;
}

}  // namespace modelwatch
