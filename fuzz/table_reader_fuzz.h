// The body shared by the table reader fuzz targets (csv_reader_fuzz.cc, ndjson_reader_fuzz.cc).
//
// Input: one control byte, then the file's content. A control byte with the high bit set picks a
// small block size, 1 + (byte & 63), so that records straddle block boundaries; otherwise the
// default block size is used. The content is read twice, with that block size and with one
// large block, and both reads must agree field for field and end in the same status: block
// boundaries must never change what is read. Along the way the reader's invariants are checked
// (null fields are empty, lines never go back, progress stays within the input), and every byte
// of every field is touched so that the sanitizers see any read outside the buffer (and, where
// the reader promises it, the kParseSlack bytes that end it, by ParseDoubleWithSlack, which
// must agree with ParseDouble). A target may
// also compare the read with a simple reference implementation of the format.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/number_format.h"
#include "modelwatch/io/table_reader.h"

namespace modelwatch::fuzz {

// Aborts (a finding for the fuzzer) when `condition` is false.
inline void Check(bool condition) {
  if (!condition) std::abort();
}

// Where the fields' checksum goes, so that reading them cannot be optimised away.
inline volatile unsigned checksum_sink = 0;

// Everything a read produced, for comparing two reads of the same input.
struct TableRead {
  std::vector<std::string> columns;
  std::vector<std::string> cells;  // "line:position:null?:text" for each selected field
  std::string status;              // of Open, or of the reader at the end
  bool operator==(const TableRead&) const = default;
};

inline TableRead ReadTable(const std::string& content, io::TableFormat format, size_t block_size) {
  TableRead out;
  io::TableReader::Options options;
  options.block_size = block_size;
  auto opened = io::TableReader::FromString(content, "fuzz", format, options);
  if (!opened.ok()) {
    Check(opened.status().code() == StatusCode::kInvalidArgument);
    Check(!opened.status().message().empty());
    out.status = opened.status().ToString();
    return out;
  }
  io::TableReader& reader = **opened;
  out.columns = reader.column_names();

  // A column that does not exist is kNotFound; then the first (up to) three columns.
  const std::string absent =
      "\x01"
      "absent";
  if (std::find(out.columns.begin(), out.columns.end(), absent) == out.columns.end()) {
    Check(reader.Select({absent}).code() == StatusCode::kNotFound);
  }
  const size_t num_selected = std::min<size_t>(3, out.columns.size());
  const std::vector<std::string> selected(out.columns.begin(),
                                          out.columns.begin() + static_cast<long>(num_selected));
  Check(reader.Select(selected).ok());

  uint64_t last_line = 0;
  unsigned checksum = 0;
  while (reader.Next()) {
    Check(reader.line() > last_line);
    last_line = reader.line();
    Check(reader.bytes_read() <= content.size());
    Check(!reader.Where().empty());
    for (size_t i = 0; i < num_selected; ++i) {
      const std::string_view field = reader.field(i);
      const bool null = reader.is_null(i);
      Check(!null || field.empty());
      for (char c : field) checksum += static_cast<unsigned char>(c);
      if (reader.fields_have_parse_slack()) {
        // Reads the bytes before a short field: the sanitizers check that they are the buffer's.
        double with_slack = 0, plain = 0;
        const bool parsed = ParseDoubleWithSlack(field, &with_slack);
        Check(parsed == ParseDouble(field, &plain));
        Check(!parsed || std::memcmp(&with_slack, &plain, sizeof plain) == 0);
      }
      Check(!reader.WhereField(i).empty());
      out.cells.push_back(std::to_string(reader.line()) + ":" + std::to_string(i) + ":" +
                          (null ? "null" : "") + ":" + std::string(field));
    }
  }
  Check(!reader.Next());  // stays at the end
  const Status& status = reader.status();
  Check(status.ok() || status.code() == StatusCode::kInvalidArgument);
  if (status.ok()) Check(reader.bytes_read() == content.size());
  out.status = status.ToString();
  checksum_sink = checksum;
  return out;
}

// What a reference implementation says ReadTable must return for `content`.
using ReferenceReader = TableRead (*)(const std::string& content);

// The fuzz target: reads the input as described above; with `reference`, also requires the read
// to equal the reference's.
inline int FuzzTableReader(const uint8_t* data, size_t size, io::TableFormat format,
                           ReferenceReader reference = nullptr) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const std::string content(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t block_size = (control & 0x80) != 0 ? 1 + (control & 63) : size_t{1} << 20;
  const TableRead read = ReadTable(content, format, block_size);
  if (block_size != size_t{1} << 20) Check(read == ReadTable(content, format, size_t{1} << 20));
  if (reference != nullptr) Check(read == reference(content));
  return 0;
}

}  // namespace modelwatch::fuzz
