// libFuzzer target for the CSV TableReader; see table_reader_fuzz.h for the input format and the
// checks. Besides those, every read is compared with ReferenceCsv below: a plain one-byte-at-a-
// time parser of the same format (table_reader.h, csv_reader.cc), which shares no code with the
// reader's block buffering and fast paths. Corpus: fuzz/corpus/csv_reader/.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "table_reader_fuzz.h"

namespace modelwatch::fuzz {
namespace {

std::string QuoteChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("'\\x") + kHex[u >> 4] + kHex[u & 15] + "'";
}

TableRead ReferenceCsv(const std::string& s) {
  const std::string name = "fuzz";
  TableRead out;
  const auto fail = [&](const std::string& message) {
    out.status = "invalid_argument: " + message;
    return out;
  };
  size_t i = s.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  const size_t n = s.size();
  uint64_t line = 1;
  bool have_header = false;
  struct Field {
    std::string text;
    bool null;
  };
  std::vector<Field> row;
  while (i < n) {
    const uint64_t row_line = line;
    const std::string where = name + ":" + std::to_string(row_line);
    row.clear();
    for (bool row_done = false; !row_done;) {
      std::string text;
      if (i < n && s[i] == '"') {
        for (++i;; ++i) {
          if (i >= n) {
            return fail(where + ":" + std::to_string(row.size() + 1) +
                        ": quoted field is not closed");
          }
          if (s[i] == '"') {
            if (i + 1 < n && s[i + 1] == '"') {
              text += '"';
              ++i;
              continue;
            }
            ++i;
            break;
          }
          if (s[i] == '\n') ++line;
          text += s[i];
        }
        row.push_back({text, false});
        if (i >= n) {
          row_done = true;
        } else if (s[i] == ',') {
          ++i;
        } else if (s[i] == '\n') {
          ++i;
          ++line;
          row_done = true;
        } else if (s[i] == '\r' && i + 1 == n) {
          ++i;
          row_done = true;
        } else if (s[i] == '\r' && s[i + 1] == '\n') {
          i += 2;
          ++line;
          row_done = true;
        } else {
          return fail(where + ":" + std::to_string(row.size()) + ": unexpected character " +
                      QuoteChar(s[i]) + " after closing quote");
        }
      } else {
        while (i < n && s[i] != ',' && s[i] != '\n') text += s[i++];
        if (i < n && s[i] == ',') {
          ++i;
          row.push_back({text, text.empty()});
          continue;
        }
        if (!text.empty() && text.back() == '\r') text.pop_back();
        row.push_back({text, text.empty()});
        if (i < n) {
          ++i;
          ++line;
        }
        row_done = true;
      }
    }
    if (row.size() == 1 && row[0].null) continue;  // a blank line
    if (!have_header) {
      for (const Field& f : row) out.columns.push_back(f.text);
      have_header = true;
      continue;
    }
    if (row.size() != out.columns.size()) {
      return fail(where + ": row has " + std::to_string(row.size()) + " fields, header has " +
                  std::to_string(out.columns.size()));
    }
    for (size_t k = 0; k < row.size() && k < 3; ++k) {
      // ReadTable selects by name, and a name picks its first column.
      const Field& f = row[static_cast<size_t>(
          std::find(out.columns.begin(), out.columns.end(), out.columns[k]) - out.columns.begin())];
      out.cells.push_back(std::to_string(row_line) + ":" + std::to_string(k) + ":" +
                          (f.null ? "null" : "") + ":" + f.text);
    }
  }
  if (!have_header) return fail(name + ": file is empty");
  out.status = "ok";
  return out;
}

}  // namespace
}  // namespace modelwatch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return modelwatch::fuzz::FuzzTableReader(data, size, modelwatch::io::TableFormat::kCsv,
                                           &modelwatch::fuzz::ReferenceCsv);
}
