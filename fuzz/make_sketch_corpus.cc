// Writes the seed corpus of sketch_deserialize_fuzz.cc: valid serialized sketches of every kind
// (empty, exact, estimating, merged, with +-inf and ties) and a few broken ones, each prefixed
// with the fuzz target's control byte. Deterministic. Regenerate with
//   build/fuzz/make_sketch_corpus fuzz/corpus/sketch_deserialize
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/category_counts.h"
#include "modelwatch/core/frequent_items.h"
#include "modelwatch/core/hyperloglog.h"
#include "modelwatch/core/kll_sketch.h"

namespace {

std::filesystem::path out_dir;
int written = 0;

// Control byte 0: the bytes go to Deserialize unchanged. 0x18: length and CRC are fixed up.
void Write(const std::string& name, const std::string& bytes, uint8_t control = 0) {
  std::ofstream out(out_dir / ("seed_" + name), std::ios::binary);
  out.put(static_cast<char>(control));
  out << bytes;
  ++written;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace modelwatch;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_sketch_corpus DIR\n");
    return 2;
  }
  out_dir = argv[1];
  std::filesystem::create_directories(out_dir);

  // KLL.
  Write("kll_empty", KllSketch::Create(8)->Serialize());
  KllSketch exact = *KllSketch::Create(16);
  for (double x : {3.0, -1.5, 0.0, -0.0, 3.0, 1e300}) exact.Update(x);
  Write("kll_exact", exact.Serialize());
  KllSketch estimating = *KllSketch::Create(8, 7);
  for (int i = 0; i < 100; ++i) estimating.Update((i * 37) % 101);
  estimating.Update(std::numeric_limits<double>::infinity());
  estimating.Update(-std::numeric_limits<double>::infinity());
  Write("kll_estimating", estimating.Serialize());
  KllSketch merged = *KllSketch::Create(12, 3);
  for (int i = 0; i < 50; ++i) merged.Update(i % 4);
  merged.Merge(estimating);
  Write("kll_merged", merged.Serialize());

  // HyperLogLog.
  Write("hll_empty", HyperLogLog::Create(4)->Serialize());
  HyperLogLog sparse = *HyperLogLog::Create(8);
  for (int i = 0; i < 10; ++i) sparse.Update(std::to_string(i));
  Write("hll_sparse", sparse.Serialize());
  HyperLogLog dense = *HyperLogLog::Create(4);
  for (int i = 0; i < 200; ++i) dense.Update(static_cast<double>(i));
  Write("hll_dense", dense.Serialize());

  // Frequent items.
  Write("fi_empty", FrequentItems::Create(2)->Serialize());
  FrequentItems items = *FrequentItems::Create(4);
  for (int i = 0; i < 60; ++i) items.Update(std::string(1, static_cast<char>('a' + (i * i) % 9)));
  Write("fi_full", items.Serialize());
  FrequentItems other = *FrequentItems::Create(3);
  for (int i = 0; i < 30; ++i) other.Update(std::to_string(i % 5), 2);
  items.Merge(other);
  Write("fi_merged", items.Serialize());

  // Category counts.
  CategoryCounts::Options options;
  options.max_exact = 4;
  options.sketch_capacity = 3;
  options.hll_precision = 4;
  CategoryCounts counts = *CategoryCounts::Create(options);
  for (const char* v : {"red", "green", "red", "blue", ""}) counts.Update(v);
  Write("cc_exact", counts.Serialize());
  for (const char* v : {"cyan", "red", "magenta"}) counts.Update(v);
  Write("cc_sketch", counts.Serialize());

  // Broken: truncated, foreign magic, future version, bad checksum; and a corrupt payload with
  // the control byte fixing up the length and checksum.
  const std::string kll = estimating.Serialize();
  Write("broken_truncated", kll.substr(0, kll.size() / 2));
  Write("broken_magic", "MWSX" + kll.substr(4));
  Write("broken_version", WriteFrame(FormatFamily::kKll, 9, "x"));
  std::string bad_crc = kll;
  bad_crc[30] = static_cast<char>(bad_crc[30] ^ 1);
  Write("broken_crc", bad_crc);
  Write("fixup_kll_extra_byte", kll.substr(0, kll.size() - 4) + "z" + "CRC!", 0x18);
  Write("fixup_fi_as_kll", items.Serialize(), 0x19);

  std::printf("wrote %d files to %s\n", written, out_dir.c_str());
  return 0;
}
