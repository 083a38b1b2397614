// CsvReader: the RFC 4180 TableReader.
//
// Rows are parsed straight out of the BlockBuffer: a field is a (pointer, size) into the buffer,
// so the hot path neither copies nor allocates. A quoted field with "" escapes is unescaped in
// place, after its row is known to be complete (a row cut by the end of the buffer is parsed
// again from its start after a refill, so it must not be modified before).
//
// Conventions beyond table_reader.h:
//  - An unquoted empty field is null; a quoted empty field ("") is an empty string, not null.
//  - A '"' inside an unquoted field is an ordinary character (`ab"c` is the text ab"c).
//  - Errors name the line where the row starts and the 1-based field number.
//  - A UTF-8 byte order mark at the start of the file is skipped.
//  - Select() ends the current row: fields are empty and null until the next Next().
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "internal/block_buffer.h"
#include "internal/table_readers.h"
#include "modelwatch/core/number_format.h"
#include "modelwatch/io/table_reader.h"

namespace modelwatch::io::internal {
namespace {

struct CsvField {
  char* data = nullptr;
  size_t size = 0;
  bool quoted = false;
  bool escaped = false;  // holds "" pairs not yet collapsed
};

// Readable bytes after the buffer's end, for loads of up to 64 bytes; BlockBuffer zeroes them,
// so they never look like a delimiter.
constexpr size_t kPadding = 64;
// Fields that ParseShortRow may store (those of any 64-byte row); fields_ never holds fewer.
constexpr size_t kShortRowFields = 65;
// ParseShortRow handles rows that end within this many 64-byte blocks (and have at most
// kShortRowFields fields).
constexpr size_t kShortRowBlocks = 4;

// Where the line breaks, commas and quotes are in a 64-byte block (see FindStructure64).
struct Masks64 {
  uint64_t newline = 0, comma = 0, quote = 0;
};

#if defined(__SSE2__)
// Bit i of the result is set when p[i] == c, for i < 16.
inline uint64_t Mask16(__m128i v, char c) {
  return static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))));
}

// Where the line breaks, commas and quotes are in p[0, 64), stopping after the first 16-byte
// block that holds a line break (later blocks are left out of the masks).
inline Masks64 FindStructure64(const char* p) {
  Masks64 m;
  for (int k = 0; k < 4 && m.newline == 0; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    m.newline = Mask16(v, '\n') << (16 * k);
    m.comma |= Mask16(v, ',') << (16 * k);
    m.quote |= Mask16(v, '"') << (16 * k);
  }
  return m;
}
#endif

// The first ',' or '\n' in [p, end), or end. Reads up to kPadding bytes past `end`.
inline const char* FindDelimiter(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i newline = _mm_set1_epi8('\n');
  for (; p < end; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, newline))));
    if (mask != 0) return std::min(p + __builtin_ctz(mask), end);
  }
  return end;
#else
  while (p != end && *p != ',' && *p != '\n') ++p;
  return p;
#endif
}

// Collapses each "" of s[0, n) to " in place; returns the new size.
size_t CollapseQuotes(char* s, size_t n) {
  char* out = s;
  for (size_t i = 0; i < n; ++i) {
    *out++ = s[i];
    if (s[i] == '"') ++i;  // an escaped field holds quotes only in pairs
  }
  return static_cast<size_t>(out - s);
}

// 'x', or '\xNN' for a byte that is not printable ASCII.
std::string QuoteChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("'\\x") + kHex[u >> 4] + kHex[u & 15] + "'";
}

class CsvReader final : public TableReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> source, std::string name, size_t block_size)
      : buffer_(std::move(source), block_size, kPadding, kParseSlack),
        name_(std::move(name)),
        fields_(kShortRowFields) {}

  void SetRange(uint64_t begin, uint64_t end) {
    range_begin_ = begin;
    range_end_ = end;
  }
  // Reads the header: the first row that is not blank.
  Status Init();
  // Positions at Options::range_begin after the header (no-op when 0).
  Status SeekToRange();

  const std::vector<std::string>& column_names() const override { return columns_; }
  Status Select(const std::vector<std::string>& columns) override;
  bool Next() override;
  const Status& status() const override { return status_; }
  std::string_view field(size_t i) const override {
    if (!has_row_) return {};
    const CsvField& f = fields_[selected_[i]];
    return {f.data, f.size};
  }
  void GetFields(std::span<std::string_view> out) const override {
    if (!has_row_) {
      std::fill(out.begin(), out.end(), std::string_view());
      return;
    }
    for (size_t i = 0; i < out.size(); ++i) {
      const CsvField& f = fields_[selected_[i]];
      out[i] = {f.data, f.size};
    }
  }
  bool fields_have_parse_slack() const override { return true; }  // the buffer's front padding
  bool is_null(size_t i) const override {
    if (!has_row_) return true;
    const CsvField& f = fields_[selected_[i]];
    return f.size == 0 && !f.quoted;
  }
  uint64_t line() const override { return row_line_; }
  const std::string& file_name() const override { return name_; }
  std::string Where() const override { return Location(name_, row_line_); }
  std::string WhereField(size_t i) const override {
    return Location(name_, row_line_) + ':' + std::to_string(selected_[i] + 1);
  }
  uint64_t bytes_read() const override { return buffer_.OffsetOf(pos_); }
  uint64_t offset() const override { return buffer_.OffsetOf(pos_); }
  uint64_t total_bytes() const override { return buffer_.total_size(); }

 private:
  enum class Parse { kRow, kNeedMore, kEnd, kError };

  // Parses the row at pos_ into fields_[0, num_fields_); on kRow sets row_end_ (the first byte
  // after the row), row_newlines_ (line breaks consumed, the row's own included) and
  // row_escaped_.
  Parse ParseRow();
  // The common case of ParseRow, without branching per byte: a row that ends within the next
  // kShortRowBlocks * 64 bytes, holds no '"' and has at most kShortRowFields fields. False when
  // the row is not such a row (fields_ may have been overwritten then, nothing else).
  [[gnu::always_inline]] inline bool ParseShortRow();
  // ParseShortRow for a row longer than 64 bytes; `first_block` is FindStructure64(pos_).
  bool ParseRowOfBlocks(const Masks64& first_block);
  // Stores the last field of a short row, [start, line_end) less a final '\r', and the row.
  void EndShortRow(size_t n, char* start, char* line_end) {
    StoreFieldUnchecked(n++, start,
                        (line_end != start && line_end[-1] == '\r') ? line_end - 1 : line_end,
                        false, false);
    num_fields_ = n;
    row_end_ = line_end + 1;
    row_newlines_ = 1;
    row_escaped_ = false;
  }
  // Reads more input, keeping [pos_, end()); false (with status_ set) on a read error.
  bool Refill();
  // Advances to the next row that is not blank; false at the end or on an error.
  bool NextRow();
  // Next() for every case but the common one: blank lines, long or quoted rows, refills, the
  // end, errors. Out of line, so that the common case stays small.
  [[gnu::noinline]] bool NextSlow();
  bool RowIsBlank() const { return num_fields_ == 1 && fields_[0].size == 0 && !fields_[0].quoted; }
  void StoreField(size_t n, const char* begin, const char* end, bool quoted, bool escaped) {
    if (n == fields_.size()) fields_.emplace_back();
    StoreFieldUnchecked(n, begin, end, quoted, escaped);
  }
  // For n < kShortRowFields, which fields_ always holds.
  void StoreFieldUnchecked(size_t n, const char* begin, const char* end, bool quoted,
                           bool escaped) {
    CsvField& f = fields_[n];
    f.data = const_cast<char*>(begin);
    f.size = static_cast<size_t>(end - begin);
    f.quoted = quoted;
    f.escaped = escaped;
  }
  Parse Fail(Status status) {
    status_ = std::move(status);
    return Parse::kError;
  }
  std::string FieldLocation(size_t field_index) const {
    return Location(name_, line_) + ':' + std::to_string(field_index + 1);
  }

  BlockBuffer buffer_;
  const std::string name_;
  std::vector<std::string> columns_;
  std::vector<size_t> selected_;  // column index of each selected field
  Status status_;

  char* pos_ = nullptr;  // start of the next row to parse
  uint64_t line_ = 1;    // line of pos_
  uint64_t header_line_ = 1;
  uint64_t row_line_ = 0;  // line of the current row

  std::vector<CsvField> fields_;  // of the row being parsed; grows, never shrinks
  size_t num_fields_ = 0;
  char* row_end_ = nullptr;
  uint64_t row_newlines_ = 0;
  bool row_escaped_ = false;  // some field of the row holds "" pairs
  bool has_row_ = false;
  bool done_ = false;
  uint64_t range_begin_ = 0;
  uint64_t range_end_ = UINT64_MAX;
};

bool CsvReader::ParseShortRow() {
#if defined(__SSE2__)
  char* const p = pos_;
  const Masks64 m = FindStructure64(p);
  if (m.newline == 0) return ParseRowOfBlocks(m);
  const uint64_t before = (m.newline & (~m.newline + 1)) - 1;  // bits before the first line break
  if ((m.quote & before) != 0) return false;
  char* const line_end = p + __builtin_ctzll(m.newline);
  if (line_end >= buffer_.end()) return false;  // cannot happen: the padding holds no '\n'
  size_t n = 0;
  char* start = p;
  for (uint64_t commas = m.comma & before; commas != 0; commas &= commas - 1) {
    char* const comma = p + __builtin_ctzll(commas);
    StoreFieldUnchecked(n++, start, comma, false, false);
    start = comma + 1;
  }
  EndShortRow(n, start, line_end);
  return true;
#else
  return false;
#endif
}

bool CsvReader::ParseRowOfBlocks(const Masks64& first_block) {
#if defined(__SSE2__)
  char* const p = pos_;
  char* start = p;
  size_t n = 0;
  for (size_t block = 0; block < kShortRowBlocks; ++block) {
    char* const b = p + 64 * block;
    // FindStructure64 reads 64 bytes: within the data and its padding while b < end().
    if (b >= buffer_.end()) return false;
    const Masks64 m = block == 0 ? first_block : FindStructure64(b);
    // Bits before the first line break of the block (all of them when it has none).
    const uint64_t before = m.newline == 0 ? ~uint64_t{0} : (m.newline & (~m.newline + 1)) - 1;
    if ((m.quote & before) != 0) return false;
    for (uint64_t c = m.comma & before; c != 0; c &= c - 1) {
      // Room for this field and the row's last one (a count per field, not a popcount of the
      // block: without -mpopcnt that is a library call).
      if (n + 2 > kShortRowFields) return false;
      char* const comma = b + __builtin_ctzll(c);
      StoreFieldUnchecked(n++, start, comma, false, false);
      start = comma + 1;
    }
    if (m.newline == 0) continue;
    char* const line_end = b + __builtin_ctzll(m.newline);
    if (line_end >= buffer_.end()) return false;  // cannot happen: the padding holds no '\n'
    EndShortRow(n, start, line_end);
    return true;
  }
  return false;
#else
  return false;
#endif
}

CsvReader::Parse CsvReader::ParseRow() {
  if (ParseShortRow()) return Parse::kRow;
  char* p = pos_;
  char* const end = buffer_.end();
  const bool eof = buffer_.eof();
  if (p == end) return eof ? Parse::kEnd : Parse::kNeedMore;
  size_t n = 0;
  uint64_t newlines = 0;
  bool any_escaped = false;
  for (;;) {
    char* const start = p;
    if (p != end && *p == '"') {
      // Quoted: up to the next '"' that is not part of a "" pair.
      bool escaped = false;
      ++p;
      for (;;) {
        char* q = static_cast<char*>(std::memchr(p, '"', static_cast<size_t>(end - p)));
        if (q == nullptr) {
          if (!eof) return Parse::kNeedMore;
          return Fail(InvalidArgumentError(FieldLocation(n) + ": quoted field is not closed"));
        }
        newlines += static_cast<uint64_t>(std::count(p, q, '\n'));
        if (q + 1 == end && !eof) return Parse::kNeedMore;  // "" or the closing quote?
        if (q + 1 != end && q[1] == '"') {
          escaped = true;
          p = q + 2;
          continue;
        }
        StoreField(n++, start + 1, q, /*quoted=*/true, escaped);
        any_escaped |= escaped;
        p = q + 1;
        break;
      }
      // After the closing quote: a separator, a line end, or the end of input.
      if (p == end) break;
      if (*p == ',') {
        ++p;
        continue;
      }
      if (*p == '\n') {
        ++p;
        ++newlines;
        break;
      }
      if (*p == '\r') {
        if (p + 1 == end) {
          if (!eof) return Parse::kNeedMore;
          ++p;
          break;
        }
        if (p[1] == '\n') {
          p += 2;
          ++newlines;
          break;
        }
      }
      return Fail(InvalidArgumentError(FieldLocation(n - 1) + ": unexpected character " +
                                       QuoteChar(*p) + " after closing quote"));
    }
    // Unquoted: up to the next ',' or line end.
    p = const_cast<char*>(FindDelimiter(p, end));
    if (p != end && *p == ',') {
      StoreField(n++, start, p, false, false);
      ++p;
      continue;
    }
    if (p == end && !eof) return Parse::kNeedMore;
    // The row ends here (a line break, or the end of input); a CR before it is no data.
    const char* field_end = (p != start && p[-1] == '\r') ? p - 1 : p;
    StoreField(n++, start, field_end, false, false);
    if (p != end) {
      ++p;
      ++newlines;
    }
    break;
  }
  num_fields_ = n;
  row_end_ = p;
  row_newlines_ = newlines;
  row_escaped_ = any_escaped;
  return Parse::kRow;
}

bool CsvReader::Refill() {
  status_ = buffer_.Refill(pos_);
  pos_ = buffer_.data();
  return status_.ok();
}

bool CsvReader::NextRow() {
  for (;;) {
    if (buffer_.OffsetOf(pos_) >= range_end_) return false;  // after skipped blank lines
    switch (ParseRow()) {
      case Parse::kNeedMore:
        if (!Refill()) return false;
        continue;
      case Parse::kEnd:
      case Parse::kError:
        return false;
      case Parse::kRow:
        break;
    }
    row_line_ = line_;
    line_ += row_newlines_;
    pos_ = row_end_;
    if (!RowIsBlank()) return true;
  }
}

Status CsvReader::Init() {
  // Enough bytes to recognise a byte order mark.
  while (buffer_.size() < 3 && !buffer_.eof()) {
    MW_RETURN_IF_ERROR(buffer_.Refill(buffer_.data()));
  }
  pos_ = buffer_.data();
  if (buffer_.size() >= 3 && std::memcmp(pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  if (!NextRow()) {
    if (!status_.ok()) return status_;
    return EmptyFileError(name_);
  }
  header_line_ = row_line_;
  columns_.reserve(num_fields_);
  for (size_t i = 0; i < num_fields_; ++i) {
    CsvField& f = fields_[i];
    if (f.escaped) f.size = CollapseQuotes(f.data, f.size);
    columns_.emplace_back(f.data, f.size);
    selected_.push_back(i);
  }
  return SeekToRange();
}

Status CsvReader::SeekToRange() {
  if (range_begin_ == 0) return Status::Ok();
  if (range_begin_ < buffer_.OffsetOf(pos_)) {
    return InvalidArgumentError(name_ + ": range_begin " + std::to_string(range_begin_) +
                                " is inside the header");
  }
  MW_RETURN_IF_ERROR(buffer_.Reset(range_begin_));
  pos_ = buffer_.data();
  line_ = 1;
  return Status::Ok();
}

Status CsvReader::Select(const std::vector<std::string>& columns) {
  MW_ASSIGN_OR_RETURN(selected_, ResolveColumns(name_, header_line_, columns_, columns));
  has_row_ = false;  // the current row's fields were unescaped for the old selection only
  return Status::Ok();
}

bool CsvReader::Next() {
  if (buffer_.OffsetOf(pos_) >= range_end_) [[unlikely]] {
    has_row_ = false;
    done_ = true;
    return false;
  }
  // The common case, kept small: a short row of the right width.
  if (!done_ && ParseShortRow() && num_fields_ == columns_.size() && !RowIsBlank()) {
    row_line_ = line_;
    ++line_;
    pos_ = row_end_;
    has_row_ = true;
    return true;
  }
  return NextSlow();
}

bool CsvReader::NextSlow() {
  has_row_ = false;
  if (done_) return false;
  if (!NextRow()) {
    done_ = true;
    return false;
  }
  if (num_fields_ != columns_.size()) {
    status_ = InvalidArgumentError(Location(name_, row_line_) + ": row has " +
                                   std::to_string(num_fields_) + " fields, header has " +
                                   std::to_string(columns_.size()));
    done_ = true;
    return false;
  }
  if (row_escaped_) {
    // Only now that the row is complete: a row cut by the end of the buffer is parsed again.
    for (size_t index : selected_) {
      CsvField& f = fields_[index];
      if (f.escaped) {
        f.size = CollapseQuotes(f.data, f.size);
        f.escaped = false;
      }
    }
  }
  has_row_ = true;
  return true;
}

}  // namespace

Result<std::unique_ptr<TableReader>> NewCsvReader(std::unique_ptr<ByteSource> source,
                                                  std::string name,
                                                  const TableReader::Options& options) {
  auto reader = std::make_unique<CsvReader>(std::move(source), std::move(name), options.block_size);
  reader->SetRange(options.range_begin, options.range_end);
  MW_RETURN_IF_ERROR(reader->Init());
  return std::unique_ptr<TableReader>(std::move(reader));
}

}  // namespace modelwatch::io::internal
