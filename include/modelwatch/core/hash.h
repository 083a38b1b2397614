// Hash64: the 64-bit hash behind modelwatch's sketches (HyperLogLog registers, and any later
// hash-partitioned structure). Written for this project; the design follows two public ones:
//   - the absorb step is xxHash64's round (Yann Collet, 2012): each little-endian 8-byte word w
//     is folded in as  h = rotl(h ^ (w * kP2), 31) * kP1  — a bijection in w for a fixed h and
//     in h for a fixed w, so two inputs of equal length collide only if their states do;
//   - the finalizer is Stafford's "Mix13" variant of MurmurHash3's fmix64 (David Stafford,
//     "Better Bit Mixing", 2011), the output function of SplitMix64 (Steele, Lea, Flood 2014):
//     every input bit flips each output bit with probability ~1/2 (checked in hash_test.cc).
// The state starts from the seed and the length (so the empty string does not hash to 0), and
// the 0-7 tail bytes are packed into one last word: inputs that differ only by trailing zero
// bytes hash differently.
//
// Stability (contract): the values are part of stored sketches (a serialized HyperLogLog is a
// function of these hashes), so they are fixed for all time and identical on every platform
// (explicit little-endian loads). hash_test.cc pins known values; never change them — a new
// hash needs a new sketch format version.
//
// Not a cryptographic hash: an adversary who can choose the inputs can make them collide.
// Thread safety: pure functions.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace modelwatch {

namespace hash_internal {

inline constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull;  // odd constants with well-spread bits
inline constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4Full;
inline constexpr uint64_t kP3 = 0x165667B19E3779F9ull;

inline uint64_t Load64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace hash_internal

// Stafford Mix13: a bijective 64-bit mixer with full avalanche.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

// Hash of a byte string. Different seeds give independent-looking hash functions.
inline uint64_t Hash64(std::string_view bytes, uint64_t seed = 0) {
  using hash_internal::kP1;
  using hash_internal::kP2;
  using hash_internal::kP3;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  uint64_t h = (seed + kP1) ^ (static_cast<uint64_t>(n) * kP3);
  while (n >= 8) {
    h = std::rotl(h ^ (hash_internal::Load64(p) * kP2), 31) * kP1;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t tail = 0;
    for (size_t i = n; i-- > 0;) tail = (tail << 8) | p[i];
    h = std::rotl(h ^ (tail * kP2), 31) * kP1;
  }
  return Mix64(h);
}

// Hash of a 64-bit value (not equal to Hash64 of its 8 bytes).
inline uint64_t HashU64(uint64_t v, uint64_t seed = 0) {
  return Mix64(v ^ Mix64(seed ^ hash_internal::kP1));
}

// Hash of a double by value: -0.0 hashes as 0.0 and every NaN as the one quiet NaN, so values
// that compare equal (and all NaNs) hash equally. Not equal to Hash64 of its decimal text.
inline uint64_t HashDouble(double v, uint64_t seed = 0) {
  if (v == 0.0) v = 0.0;
  if (v != v) return HashU64(0x7FF8000000000000ull, seed);
  return HashU64(std::bit_cast<uint64_t>(v), seed);
}

// A transparent hasher for unordered containers keyed by std::string, so that lookups by
// std::string_view do not build a string: std::unordered_map<std::string, V, StringHash,
// std::equal_to<>>.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return static_cast<size_t>(Hash64(s)); }
};

}  // namespace modelwatch
