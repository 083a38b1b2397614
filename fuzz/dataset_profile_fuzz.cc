// libFuzzer target for DatasetProfile::Deserialize (the .mwprof reader of `modelwatch drift`,
// `report` and `profile --input`). Corpus: fuzz/corpus/dataset_profile/ (profiles written by
// `modelwatch profile`, some cut or corrupted).
//
// Input: one control byte, then the bytes. Bit 0 of the control byte recomputes the payload
// length and the trailing CRC-32C so that the fuzzer reaches the payload parser.
// Checks: Deserialize never crashes and fails only with kDataLoss and a message; when it
// succeeds the bytes are canonical (re-serializing gives them back) and the profile is usable:
// its accessors return consistent values and merging it with itself serializes to bytes that
// Deserialize accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/dataset_profile.h"

namespace modelwatch::fuzz {
namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

// Sets the payload length (bytes 8-15) and the CRC-32C (last 4 bytes) to match `bytes`.
void Refresh(std::string& bytes) {
  if (bytes.size() < kFrameHeaderBytes + kFrameTrailerBytes) return;
  const uint64_t payload = bytes.size() - kFrameHeaderBytes - kFrameTrailerBytes;
  for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<char>((payload >> (8 * i)) & 0xFF);
  const uint32_t crc = Crc32c(std::string_view(bytes).substr(0, bytes.size() - kFrameTrailerBytes));
  for (int i = 0; i < 4; ++i) {
    bytes[bytes.size() - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  }
}

}  // namespace
}  // namespace modelwatch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelwatch;
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) fuzz::Refresh(bytes);
  Result<DatasetProfile> profile = DatasetProfile::Deserialize(bytes);
  if (!profile.ok()) {
    fuzz::Check(profile.status().code() == StatusCode::kDataLoss);
    fuzz::Check(!profile.status().message().empty());
    return 0;
  }
  fuzz::Check(profile->Serialize() == bytes);
  for (const ColumnProfile& c : profile->columns()) {
    fuzz::Check(c.count() + c.missing() == profile->rows());
    (void)c.type();
    (void)c.DistinctCount();
    (void)c.ExactValueCounts();
    if (c.numbers() > 0) (void)c.quantiles().Quantile(0.5);
  }
  DatasetProfile twice = *profile;
  // Merging doubles every count: only where that cannot overflow (totals stay below 2^64).
  if (profile->rows() < (uint64_t{1} << 60) && twice.Merge(*profile).ok()) {
    fuzz::Check(DatasetProfile::Deserialize(twice.Serialize()).ok());
  }
  return 0;
}
