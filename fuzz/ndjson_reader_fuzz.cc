// libFuzzer target for the NDJSON TableReader; see table_reader_fuzz.h for the input format and
// the checks. Corpus: fuzz/corpus/ndjson_reader/.
#include <cstddef>
#include <cstdint>

#include "table_reader_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return modelwatch::fuzz::FuzzTableReader(data, size, modelwatch::io::TableFormat::kNdjson);
}
