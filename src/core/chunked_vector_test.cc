#include "modelwatch/core/chunked_vector.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace modelwatch {
namespace {

std::vector<uint64_t> Flatten(const ChunkedVector<uint64_t>& v) {
  std::vector<uint64_t> out;
  for (std::span<const uint64_t> chunk : v.chunks())
    out.insert(out.end(), chunk.begin(), chunk.end());
  return out;
}

ChunkedVector<uint64_t> Iota(uint64_t begin, uint64_t end) {
  ChunkedVector<uint64_t> v;
  for (uint64_t i = begin; i < end; ++i) v.push_back(i);
  return v;
}

std::vector<uint64_t> IotaVector(uint64_t begin, uint64_t end) {
  std::vector<uint64_t> v;
  for (uint64_t i = begin; i < end; ++i) v.push_back(i);
  return v;
}

TEST(ChunkedVectorTest, EmptyHasNoChunks) {
  ChunkedVector<uint64_t> v;
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.size(), 0u);
  EXPECT_TRUE(v.chunks().empty());
  EXPECT_EQ(v.capacity_bytes(), 0u);
}

TEST(ChunkedVectorTest, KeepsOrderAcrossChunkBoundaries) {
  for (uint64_t n : {uint64_t{1}, uint64_t{1023}, uint64_t{1024}, uint64_t{1025}, uint64_t{5000},
                     uint64_t{3} << 20}) {
    const ChunkedVector<uint64_t> v = Iota(0, n);
    EXPECT_EQ(v.size(), n);
    EXPECT_EQ(Flatten(v), IotaVector(0, n)) << n;
    // Waste is at most one partly filled chunk.
    EXPECT_LE(v.capacity_bytes(), 8 * (n + ChunkedVector<uint64_t>::kMaxChunk));
  }
}

// Regression: appending after a partly filled chunk once lost that chunk's elements.
TEST(ChunkedVectorTest, AppendKeepsPartlyFilledChunksOfBoth) {
  ChunkedVector<uint64_t> a = Iota(0, 1500);
  ChunkedVector<uint64_t> b = Iota(1500, 1700);
  a.Append(std::move(b));
  EXPECT_TRUE(b.empty());
  a.push_back(1700);
  EXPECT_EQ(Flatten(a), IotaVector(0, 1701));
  EXPECT_EQ(a.size(), 1701u);
}

TEST(ChunkedVectorTest, AppendToItselfDoubles) {
  ChunkedVector<uint64_t> a = Iota(0, 3);
  a.Append(std::move(a));
  EXPECT_EQ(Flatten(a), (std::vector<uint64_t>{0, 1, 2, 0, 1, 2}));
}

TEST(ChunkedVectorTest, CopyIsDeepAndMoveEmptiesTheSource) {
  ChunkedVector<uint64_t> a = Iota(0, 2000);
  ChunkedVector<uint64_t> copy = a;
  a.push_back(7);
  EXPECT_EQ(Flatten(copy), IotaVector(0, 2000));
  ChunkedVector<uint64_t> moved = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  a.push_back(1);          // and usable
  EXPECT_EQ(Flatten(a), std::vector<uint64_t>{1});
  EXPECT_EQ(moved.size(), 2001u);
}

}  // namespace
}  // namespace modelwatch
