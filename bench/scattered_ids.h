// Ids scattered like random UUIDs, for the benchmarks that compare them with ids that grow
// (ingest_client.cc --ids random, store_layout_bench.cc): event number n becomes
// n * kMultiplier + kOffset mod 10^13, a permutation of [0, 10^13) (the multiplier is coprime
// with 10: odd, and not a multiple of 5), so the ids never repeat and consecutive events' ids
// land far apart in a sorted index.
#pragma once

#include <cstdint>

namespace modelwatch::bench {

inline constexpr uint64_t kScatteredIdModulus = 10'000'000'000'000;  // ids of 13 digits

inline uint64_t ScatteredId(uint64_t n) {
  __extension__ using Uint128 = unsigned __int128;  // GCC and clang; __extension__: -Wpedantic
  constexpr uint64_t kMultiplier = 6'364'136'223'847;
  constexpr uint64_t kOffset = 1'442'695'040'888;
  return static_cast<uint64_t>(
      (static_cast<Uint128>(n % kScatteredIdModulus) * kMultiplier + kOffset) %
      kScatteredIdModulus);
}

}  // namespace modelwatch::bench
