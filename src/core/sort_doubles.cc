#include "modelwatch/core/sort_doubles.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace modelwatch {
namespace {

constexpr size_t kRadixMinSize = 256;  // below this std::sort is as fast
constexpr size_t kInsertionMax = 32;   // buckets up to this size: insertion sort
constexpr int kTopMaxBits = 16;        // digit width of the first pass (one pass over all values)
constexpr int kMaxBits = 11;           // of the later passes (buckets that fit in cache)
constexpr uint64_t kSignBit = uint64_t{1} << 63;

// The order-preserving image: negative doubles have every bit flipped, others the sign bit set.
uint64_t ToKey(double x) {
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  return (bits & kSignBit) != 0 ? ~bits : bits | kSignBit;
}

double FromKey(uint64_t key) {
  return std::bit_cast<double>((key & kSignBit) != 0 ? key & ~kSignBit : ~key);
}

// The bits in which some of the keys differ (0: all equal).
uint64_t VaryingBits(const uint64_t* keys, size_t n) {
  uint64_t any = 0, all = ~uint64_t{0};
  for (size_t i = 0; i < n; ++i) {
    any |= keys[i];
    all &= keys[i];
  }
  return any ^ all;
}

// The digit of a pass: the `bits` bits from the highest varying one down (fewer when fewer vary),
// about one bucket per two keys (up to max_bits), so that most buckets end up with a key or two.
struct Digit {
  int shift = 0;
  size_t buckets = 0;
  size_t Of(uint64_t key) const { return static_cast<size_t>(key >> shift) & (buckets - 1); }
};

Digit ChooseDigit(uint64_t varying, size_t n, int max_bits) {
  const int top = 63 - std::countl_zero(varying);  // varying != 0
  const int wanted = std::clamp(static_cast<int>(std::bit_width(n)) - 1, 4, max_bits);
  const int bits = std::min(wanted, top + 1);
  return Digit{top + 1 - bits, size_t{1} << bits};
}

void InsertionSort(uint64_t* keys, size_t n) {
  for (size_t i = 1; i < n; ++i) {
    const uint64_t key = keys[i];
    size_t j = i;
    for (; j > 0 && keys[j - 1] > key; --j) keys[j] = keys[j - 1];
    keys[j] = key;
  }
}

void WriteDoubles(const uint64_t* keys, size_t n, double* out) {
  for (size_t i = 0; i < n; ++i) out[i] = FromKey(keys[i]);
}

// Stable scatter of keys[0, n) by digit into out; on return end[d] is the end of bucket d in out
// (its start is end[d - 1], or 0).
void Scatter(const uint64_t* keys, size_t n, const Digit& digit, uint64_t* out, uint32_t* end) {
  std::fill(end, end + digit.buckets, 0);
  for (size_t i = 0; i < n; ++i) ++end[digit.Of(keys[i])];
  uint32_t offset = 0;
  for (size_t d = 0; d < digit.buckets; ++d) {
    const uint32_t count = end[d];
    end[d] = offset;
    offset += count;
  }
  for (size_t i = 0; i < n; ++i) out[end[digit.Of(keys[i])]++] = keys[i];
}

// Sorts the keys in `keys` (scratch: `other`, the same size) by most-significant digit first and
// writes them as doubles to `keys` if in_keys, else to `other`, at the same offsets.
void SortKeys(uint64_t* keys, uint64_t* other, size_t n, bool in_keys) {
  double* out = reinterpret_cast<double*>(in_keys ? keys : other);
  if (n <= kInsertionMax) {
    InsertionSort(keys, n);
    WriteDoubles(keys, n, out);
    return;
  }
  const uint64_t varying = VaryingBits(keys, n);
  if (varying == 0) {
    WriteDoubles(keys, n, out);
    return;
  }
  const Digit digit = ChooseDigit(varying, n, kMaxBits);
  uint32_t end[size_t{1} << kMaxBits];
  Scatter(keys, n, digit, other, end);
  // The buckets, most of them small: a run of consecutive small buckets is in order but for
  // keys within a bucket, so one insertion sort over the run finishes it (each key moves only
  // within its bucket) without a branch per bucket.
  size_t run = 0;  // start of the current run of small buckets
  for (size_t d = 0, begin = 0; d < digit.buckets; begin = end[d++]) {
    const size_t m = end[d] - begin;
    if (m > kInsertionMax) [[unlikely]] {
      InsertionSort(other + run, begin - run);
      WriteDoubles(other + run, begin - run, out + run);
      SortKeys(other + begin, keys + begin, m, !in_keys);
      run = end[d];
    }
  }
  InsertionSort(other + run, n - run);
  WriteDoubles(other + run, n - run, out + run);
}

// n < 2^32: buckets are counted in 32 bits.
void RadixSort(std::span<double> values) {
  const size_t n = values.size();
  const double* const in = values.data();
  uint64_t any = 0, all = ~uint64_t{0};
  for (size_t i = 0; i < n; ++i) {
    const uint64_t key = ToKey(in[i]);
    any |= key;
    all &= key;
  }
  const uint64_t varying = any ^ all;
  if (varying == 0) return;  // all equal
  // The first pass goes over memory once with a wide digit, from the values to their keys in
  // the scratch buffer; the buckets it leaves are sorted while they sit in cache, back into
  // `values`.
  std::unique_ptr<uint64_t[]> keys(new uint64_t[n]);
  const Digit digit = ChooseDigit(varying, n, kTopMaxBits);
  const int shift = digit.shift;
  const uint64_t mask = digit.buckets - 1;
  std::vector<uint32_t> end(digit.buckets);
  for (size_t i = 0; i < n; ++i) ++end[(ToKey(in[i]) >> shift) & mask];
  uint32_t offset = 0;
  for (uint32_t& e : end) {
    const uint32_t count = e;
    e = offset;
    offset += count;
  }
  for (size_t i = 0; i < n; ++i) {
    const uint64_t key = ToKey(in[i]);
    keys[end[(key >> shift) & mask]++] = key;
  }
  uint64_t* const scratch = reinterpret_cast<uint64_t*>(values.data());
  for (size_t d = 0, begin = 0; d < digit.buckets; begin = end[d++]) {
    if (end[d] > begin) SortKeys(keys.get() + begin, scratch + begin, end[d] - begin, false);
  }
}

}  // namespace

void SortDoubles(std::span<double> values) {
  if (std::is_sorted(values.begin(), values.end())) return;
  if (values.size() < kRadixMinSize || values.size() > UINT32_MAX) {
    // By key, not by value, so that -0.0 comes before 0.0 here too.
    std::vector<uint64_t> keys(values.size());
    std::transform(values.begin(), values.end(), keys.begin(), ToKey);
    std::sort(keys.begin(), keys.end());
    std::transform(keys.begin(), keys.end(), values.begin(), FromKey);
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
