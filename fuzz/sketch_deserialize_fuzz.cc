// libFuzzer target for the sketches' Deserialize (kll_sketch.h, hyperloglog.h,
// frequent_items.h, category_counts.h). Corpus: fuzz/corpus/sketch_deserialize/.
//
// Input: one control byte, then the bytes given to every sketch's Deserialize. The control byte
// helps the fuzzer past the framing so that it reaches the payload parsers:
//   bits 0-2  if non-zero, the family id field (bytes 4-5) is set to this value (1..7);
//   bit 3     the payload length field (bytes 8-15) is set to match the input's size;
//   bit 4     the trailing CRC-32C is recomputed (the last 4 bytes, when there are >= 20).
// Checks: Deserialize never crashes and fails only with kDataLoss and a message; when it
// succeeds, the bytes are canonical (re-serializing gives them back exactly) and the sketch is
// usable: its queries return sane values, and after Update and Merge calls it still serializes
// to bytes that Deserialize accepts (the operations preserve every invariant Deserialize checks).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/category_counts.h"
#include "modelwatch/core/frequent_items.h"
#include "modelwatch/core/hyperloglog.h"
#include "modelwatch/core/kll_sketch.h"

namespace modelwatch::fuzz {
namespace {

// Aborts (a finding for the fuzzer) when `condition` is false.
void Check(bool condition) {
  if (!condition) std::abort();
}

// Updates below this total keep every counter far from overflow (the sketches require totals
// below 2^64).
constexpr uint64_t kRoomForUpdates = uint64_t{1} << 60;

template <typename Sketch>
const Sketch* Open(const std::string& bytes, Result<Sketch>& result) {
  result = Sketch::Deserialize(bytes);
  if (!result.ok()) {
    Check(result.status().code() == StatusCode::kDataLoss);
    Check(!result.status().message().empty());
    return nullptr;
  }
  Check(result->Serialize() == bytes);
  return &*result;
}

template <typename Sketch>
void CheckStillValid(const Sketch& sketch) {
  const std::string bytes = sketch.Serialize();
  const auto back = Sketch::Deserialize(bytes);
  Check(back.ok());
  Check(*back == sketch);
}

void FuzzKll(const std::string& bytes) {
  Result<KllSketch> result = DataLossError("unset");
  const KllSketch* s = Open(bytes, result);
  if (s == nullptr) return;
  const double rank = s->Rank(0.0);
  Check(s->empty() ? std::isnan(rank) : (rank >= 0.0 && rank <= 1.0));
  const double median = s->Quantile(0.5);
  Check(s->empty() ? std::isnan(median) : (median >= s->min() && median <= s->max()));
  const KllSortedView view = s->GetSortedView();
  Check(view.n() == s->n());
  if (s->n() >= kRoomForUpdates) return;
  KllSketch copy = *s;
  for (int i = 0; i < 40; ++i) copy.Update(static_cast<double>(i % 7) - 3.0);
  copy.Merge(*s);
  CheckStillValid(copy);
}

void FuzzHll(const std::string& bytes) {
  Result<HyperLogLog> result = DataLossError("unset");
  const HyperLogLog* h = Open(bytes, result);
  if (h == nullptr) return;
  const double estimate = h->Estimate();
  Check(estimate >= 0.0 && std::isfinite(estimate));
  HyperLogLog copy = *h;
  copy.Update("fuzz");
  copy.Update(1.5);
  Check(copy.Merge(*h).ok());
  CheckStillValid(copy);
}

void FuzzFrequentItems(const std::string& bytes) {
  Result<FrequentItems> result = DataLossError("unset");
  const FrequentItems* f = Open(bytes, result);
  if (f == nullptr) return;
  Check(f->MaximumError() <= f->n() / f->capacity());
  for (const FrequentItems::Row& row : f->Items()) {
    Check(row.lower_bound <= row.upper_bound && row.upper_bound <= f->n());
  }
  if (f->n() >= kRoomForUpdates) return;
  FrequentItems copy = *f;
  for (int i = 0; i < 20; ++i) copy.Update("item" + std::to_string(i % 5), 1 + i % 3);
  copy.Merge(*f);
  Check(copy.MaximumError() <= copy.n() / copy.capacity());
  CheckStillValid(copy);
}

void FuzzCategoryCounts(const std::string& bytes) {
  Result<CategoryCounts> result = DataLossError("unset");
  const CategoryCounts* c = Open(bytes, result);
  if (c == nullptr) return;
  Check(c->DistinctCount() >= 0.0);
  for (const CategoryCounts::Row& row : c->Items()) Check(row.lower_bound <= row.upper_bound);
  if (c->total() >= kRoomForUpdates) return;
  CategoryCounts copy = *c;
  for (int i = 0; i < 20; ++i) copy.Update("c" + std::to_string(i % 6));
  Check(copy.Merge(*c).ok());
  CheckStillValid(copy);
}

}  // namespace
}  // namespace modelwatch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelwatch;
  if (size == 0) return 0;
  const uint8_t control = data[0];
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((control & 7) != 0 && bytes.size() >= 6) {
    bytes[4] = static_cast<char>(control & 7);
    bytes[5] = 0;
  }
  if ((control & 8) != 0 && bytes.size() >= kFrameHeaderBytes + kFrameTrailerBytes) {
    const uint64_t length = bytes.size() - kFrameHeaderBytes - kFrameTrailerBytes;
    for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<char>(length >> (8 * i));
  }
  if ((control & 16) != 0 && bytes.size() >= kFrameHeaderBytes + kFrameTrailerBytes) {
    const uint32_t crc = Crc32c(std::string_view(bytes).substr(0, bytes.size() - 4));
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  }
  fuzz::FuzzKll(bytes);
  fuzz::FuzzHll(bytes);
  fuzz::FuzzFrequentItems(bytes);
  fuzz::FuzzCategoryCounts(bytes);
  return 0;
}
