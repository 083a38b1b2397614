// TableReader: streams rows of a CSV or NDJSON file and hands out the fields of a chosen set of
// columns as text, with the line number of each row for error messages.
//
// Formats
//  - CSV (RFC 4180): the first line is the header; fields separated by ','; a field may be quoted
//    with '"' and then contain ',', newlines and '""' (an escaped quote); lines end in LF or CRLF;
//    a final line without a newline is a row; blank lines are skipped. An empty field is null.
//  - NDJSON: one JSON object per line; blank lines skipped. A selected key's value is delivered
//    as text: strings unescaped, numbers as their JSON text ("1e3"), true/false as "true"/"false",
//    null as a null field. A selected key absent from an object is an error; arrays and objects
//    as values are errors.
//
// Memory is constant in the file size: the file is read in blocks (Options::block_size) and a
// row's fields stay valid until the next call to Next().
//
// Errors are Status values whose message names the place as "FILE:LINE:COLUMN: problem" (COLUMN
// is the 1-based field number for CSV, and the key name is quoted for NDJSON), e.g.
//   data.csv:17:3: quoted field is not closed
//   data.csv:9: row has 4 fields, header has 5
//   data.ndjson:3: field 'score' is missing
//   data.csv:1: column 'score' not found (columns: id, label, pred)
// Codes: kNotFound for a missing file or column, kInvalidArgument for malformed content,
// kUnavailable for read errors.
// Thread safety: not thread safe; one reader per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch::io {

enum class TableFormat { kCsv, kNdjson };

// "csv" / "ndjson" (also "jsonl"); kInvalidArgument otherwise.
Result<TableFormat> ParseTableFormat(std::string_view name);
// From the file name's extension: .csv -> CSV; .ndjson, .jsonl, .json -> NDJSON.
Result<TableFormat> TableFormatFromPath(std::string_view path);

class TableReader {
 public:
  struct Options {
    size_t block_size = 1 << 20;  // bytes read from the file at a time
    // Reads only the rows that start in [range_begin, range_end) (byte offsets), so that one
    // file can be split across threads (SplitPoints). The header (CSV) or first record (NDJSON,
    // for the column names) is still read from the start of the file. A row that starts before
    // range_end is read whole. With range_begin > 0, line numbers count from the range start.
    uint64_t range_begin = 0;
    uint64_t range_end = UINT64_MAX;
  };

  virtual ~TableReader() = default;

  // Opens `path` and reads the header (CSV) or the first record (NDJSON) to learn the columns.
  // An empty file (no header, or no record) is kInvalidArgument "FILE: file is empty".
  static Result<std::unique_ptr<TableReader>> Open(const std::string& path, TableFormat format,
                                                   const Options& options);
  static Result<std::unique_ptr<TableReader>> Open(const std::string& path, TableFormat format) {
    return Open(path, format, Options());
  }
  // Up to `parts - 1` offsets that split the file at line starts into about equal parts, for
  // Options::range_begin / range_end; fewer when the file is small. A split offset may fall
  // inside a quoted CSV field that spans lines: a caller detects that by comparing the offset()
  // at which one part ended with the next part's start.
  static Result<std::vector<uint64_t>> SplitPoints(const std::string& path, int parts);

  // Reads from memory; `name` stands for the file name in messages (tests, fuzzing).
  static Result<std::unique_ptr<TableReader>> FromString(std::string data, std::string name,
                                                         TableFormat format,
                                                         const Options& options);

  // All column names: the CSV header, or the keys of the first NDJSON object, in order.
  virtual const std::vector<std::string>& column_names() const = 0;

  // Chooses the columns that field() returns, in this order. kNotFound naming the first missing
  // column and listing the available ones.
  virtual Status Select(const std::vector<std::string>& columns) = 0;

  // Advances to the next row. Returns false at the end of input or on error; then status() tells
  // which (OK at a clean end).
  virtual bool Next() = 0;
  virtual const Status& status() const = 0;

  // The i-th selected field of the current row (valid until the next Next()).
  virtual std::string_view field(size_t i) const = 0;
  // field(i) for every i < out.size() (at most the selected columns), in one call: for readers
  // of every field of every row, where a call per field shows.
  virtual void GetFields(std::span<std::string_view> out) const {
    for (size_t i = 0; i < out.size(); ++i) out[i] = field(i);
  }
  virtual bool is_null(size_t i) const = 0;
  // True when the kParseSlack bytes that end each field (number_format.h) are readable, before
  // the field's first byte too: fields then may go to ParseDoubleWithSlack. The CSV reader's
  // fields lie in a buffer with that much padding in front; other readers: false.
  virtual bool fields_have_parse_slack() const { return false; }
  // 1-based line where the current row starts, and the file name given at Open.
  virtual uint64_t line() const = 0;
  virtual const std::string& file_name() const = 0;
  // "FILE:LINE" of the current row, and "FILE:LINE:COL" naming selected field i (CSV: the field's
  // 1-based position in the row; NDJSON: the key), for callers' messages.
  virtual std::string Where() const = 0;
  virtual std::string WhereField(size_t i) const = 0;

  // Input offset where the next row will be read from (after the last row returned).
  virtual uint64_t offset() const = 0;

  // Progress: bytes consumed so far and the file's size (0 when unknown).
  virtual uint64_t bytes_read() const = 0;
  virtual uint64_t total_bytes() const = 0;
};

}  // namespace modelwatch::io
