// NdjsonReader: the NDJSON TableReader, on simdjson's On-Demand API (error codes, no exceptions).
//
// Each line is one record and is parsed in place in the BlockBuffer, which keeps
// SIMDJSON_PADDING readable bytes after its end. On-Demand gives a number's JSON text
// (raw_json_token), which the DOM API loses; in exchange it validates only what is visited, so
// every value of a record is visited: a record is accepted only if the whole line is valid JSON.
// String values without escapes are delivered straight from the buffer; others are unescaped into
// the parser's string buffer. Both stay valid until the next Next().
//
// Conventions beyond table_reader.h:
//  - A blank line holds only spaces, tabs and CRs.
//  - The columns are the first record's distinct keys; with duplicate keys in a record, the first
//    occurrence is the value.
//  - Number syntax is checked against RFC 8259 but the text is not converted: "1e999" and
//    integers beyond 64 bits are delivered as they are.
//  - A UTF-8 byte order mark at the start of the file is skipped.
//  - Select() ends the current row: fields are empty and null until the next Next().
//  - Out of memory in simdjson is kResourceExhausted.
#include <simdjson.h>
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
#include "modelwatch/io/json_error_text.h"
#include "modelwatch/io/json_text.h"
#include "modelwatch/io/table_reader.h"

namespace modelwatch::io::internal {
namespace {

namespace od = simdjson::ondemand;

// Deeper nesting is rejected (simdjson's default limit), which also bounds the recursion below.
constexpr int kMaxDepth = 1024;

// The position of the first '"' or '\\' in [p, limit), or limit. [p, limit) lies in the
// BlockBuffer, which may be read up to SIMDJSON_PADDING (>= 16) bytes past its end.
const char* FindQuoteOrBackslash(const char* p, const char* limit) {
#if defined(__SSE2__)
  static_assert(simdjson::SIMDJSON_PADDING >= 16);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; p < limit; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
    if (mask != 0) return std::min(p + __builtin_ctz(mask), limit);
  }
  return limit;
#else
  while (p < limit && *p != '"' && *p != '\\') ++p;
  return p;
#endif
}

// The text of a string token `"..."` (trailing spaces allowed) when it holds no escape, so that
// it equals its unescaped value; false otherwise.
bool PlainString(std::string_view token, std::string_view* text) {
  token = TrimTrailingJsonSpace(token);
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
  token = token.substr(1, token.size() - 2);
  if (FindQuoteOrBackslash(token.data(), token.data() + token.size()) !=
      token.data() + token.size()) {
    return false;
  }
  *text = token;
  return true;
}

// A key as text: from the buffer when it has no escape, else unescaped by simdjson. `limit` is
// the end of the line.
simdjson::error_code KeyText(od::field& field, const char* limit, std::string_view* key) {
  const char* raw = field.key().raw();
  const char* close = FindQuoteOrBackslash(raw, limit);
  if (close < limit && *close == '"') {
    *key = std::string_view(raw, static_cast<size_t>(close - raw));
    return simdjson::SUCCESS;
  }
  return field.unescaped_key().get(*key);
}

// Visits `value` and everything inside it, so that On-Demand validates it.
simdjson::error_code Validate(od::value& value, const char* limit, int depth) {
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  od::json_type type;
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (auto error = value.get_object().get(object)) return error;
      for (auto field_result : object) {
        od::field field;
        if (auto error = std::move(field_result).get(field)) return error;
        std::string_view key;
        if (auto error = KeyText(field, limit, &key)) return error;
        if (auto error = Validate(field.value(), limit, depth + 1)) return error;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array array;
      if (auto error = value.get_array().get(array)) return error;
      for (auto element_result : array) {
        od::value element;
        if (auto error = std::move(element_result).get(element)) return error;
        if (auto error = Validate(element, limit, depth + 1)) return error;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view text;
      if (PlainString(value.raw_json_token(), &text)) return simdjson::SUCCESS;
      return value.get_string().get(text);
    }
    case od::json_type::number:
      return IsJsonNumber(TrimTrailingJsonSpace(value.raw_json_token())) ? simdjson::SUCCESS
                                                                         : simdjson::NUMBER_ERROR;
    case od::json_type::boolean: {
      bool b;
      return value.get_bool().get(b);
    }
    case od::json_type::null: {
      bool null = false;
      if (auto error = value.is_null().get(null)) return error;
      return null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

class NdjsonReader final : public TableReader {
 public:
  NdjsonReader(std::unique_ptr<ByteSource> source, std::string name, size_t block_size)
      : buffer_(std::move(source), block_size, simdjson::SIMDJSON_PADDING),
        name_(std::move(name)) {}

  // Reads the first record, for the column names; Next() returns it again.
  Status Init();
  void SetRange(uint64_t begin, uint64_t end) {
    range_begin_ = begin;
    range_end_ = end;
  }

  const std::vector<std::string>& column_names() const override { return columns_; }
  Status Select(const std::vector<std::string>& columns) override;
  bool Next() override;
  const Status& status() const override { return status_; }
  std::string_view field(size_t i) const override {
    return has_row_ ? values_[key_of_slot_[i]] : std::string_view();
  }
  bool is_null(size_t i) const override { return !has_row_ || nulls_[key_of_slot_[i]] != 0; }
  uint64_t line() const override { return row_line_; }
  const std::string& file_name() const override { return name_; }
  std::string Where() const override { return Location(name_, row_line_); }
  std::string WhereField(size_t i) const override {
    return Location(name_, row_line_) + ":'" + selected_[i] + "'";
  }
  uint64_t bytes_read() const override { return buffer_.OffsetOf(pos_); }
  uint64_t offset() const override { return buffer_.OffsetOf(pos_); }
  uint64_t total_bytes() const override { return buffer_.total_size(); }

 private:
  // Finds the next line that is not blank: [line_begin_, line_end_) at row_line_, and moves pos_
  // past it. False at the end of input, or on a read error (status_ set).
  bool NextLine();
  // Parses [line_begin_, line_end_) and fills the selected fields; with `keys`, also collects
  // the record's distinct keys in order.
  Status ParseRecord(std::vector<std::string>* keys);
  // The wanted_ key equal to `key` and not found yet in this record, or wanted_.size().
  size_t FindWanted(std::string_view key) const;
  // Stores the value of wanted_[k].
  Status ReadWanted(od::value& value, size_t k);
  void SetSelection(std::vector<std::string> columns);
  Status JsonError(simdjson::error_code error) const;

  BlockBuffer buffer_;
  const std::string name_;
  od::parser parser_;
  std::vector<std::string> columns_;
  std::vector<std::string> selected_;  // the selection, in order
  std::vector<std::string> wanted_;    // its distinct names
  std::vector<size_t> key_of_slot_;    // selected_[i] == wanted_[key_of_slot_[i]]
  Status status_;

  char* pos_ = nullptr;  // start of the next line to read
  uint64_t line_ = 1;    // line of pos_
  uint64_t first_line_ = 1;
  uint64_t row_line_ = 0;
  char* line_begin_ = nullptr;
  char* line_end_ = nullptr;

  std::vector<std::string_view> values_;  // per wanted_ key
  std::vector<char> nulls_;
  std::vector<char> found_;
  size_t num_found_ = 0;
  bool has_row_ = false;
  bool done_ = false;
  uint64_t range_begin_ = 0;
  uint64_t range_end_ = UINT64_MAX;
};

Status NdjsonReader::JsonError(simdjson::error_code error) const {
  std::string m = Location(name_, row_line_) + ": invalid JSON: ";
  m += JsonErrorText(error, "line");
  if (error == simdjson::MEMALLOC) return ResourceExhaustedError(std::move(m));
  return InvalidArgumentError(std::move(m));
}

bool NdjsonReader::NextLine() {
  size_t scanned = 0;  // bytes after pos_ known to hold no line break
  for (;;) {
    char* const end = buffer_.end();
    char* const from = pos_ + scanned;
    char* nl = static_cast<char*>(std::memchr(from, '\n', static_cast<size_t>(end - from)));
    char* line_end = nl;
    char* next = nl;  // past the line break, once there is one (no arithmetic on nullptr)
    if (nl != nullptr) {
      ++next;
    } else {
      if (!buffer_.eof()) {
        scanned = static_cast<size_t>(end - pos_);
        status_ = buffer_.Refill(pos_);
        pos_ = buffer_.data();
        if (!status_.ok()) return false;
        continue;
      }
      if (pos_ == end) return false;
      line_end = next = end;  // a last line without a line break
    }
    char* const begin = pos_;
    const uint64_t line = line_;
    pos_ = next;
    if (nl != nullptr) ++line_;
    scanned = 0;
    if (std::all_of(begin, line_end, [](char c) { return c == ' ' || c == '\t' || c == '\r'; })) {
      continue;
    }
    if (buffer_.OffsetOf(begin) >= range_end_) {  // the range ended in blank lines
      pos_ = begin;
      return false;
    }
    line_begin_ = begin;
    line_end_ = line_end;
    row_line_ = line;
    return true;
  }
}

size_t NdjsonReader::FindWanted(std::string_view key) const {
  size_t k = 0;
  while (k < wanted_.size() && (found_[k] || !SameText(wanted_[k], key))) ++k;
  return k;
}

Status NdjsonReader::ReadWanted(od::value& value, size_t k) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error);
  std::string_view text;
  bool null = false;
  switch (type) {
    case od::json_type::string:
      if (!PlainString(value.raw_json_token(), &text)) {
        if (auto error = value.get_string().get(text)) return JsonError(error);
      }
      break;
    case od::json_type::number:
      text = TrimTrailingJsonSpace(value.raw_json_token());
      if (!IsJsonNumber(text)) return JsonError(simdjson::NUMBER_ERROR);
      break;
    case od::json_type::boolean: {
      bool b;
      if (auto error = value.get_bool().get(b)) return JsonError(error);
      text = b ? "true" : "false";
      break;
    }
    case od::json_type::null:
      if (auto error = value.is_null().get(null)) return JsonError(error);
      if (!null) return JsonError(simdjson::N_ATOM_ERROR);
      break;
    case od::json_type::array:
    case od::json_type::object:
      return InvalidArgumentError(Location(name_, row_line_) + ":'" + wanted_[k] + "': value is " +
                                  (type == od::json_type::array ? "an array" : "an object") +
                                  ", expected a string, number, boolean or null");
  }
  values_[k] = text;
  nulls_[k] = null;
  found_[k] = 1;
  ++num_found_;
  return Status::Ok();
}

Status NdjsonReader::ParseRecord(std::vector<std::string>* keys) {
  const char* begin = line_begin_;
  const size_t size = static_cast<size_t>(line_end_ - line_begin_);
  const char* first = begin;
  while (IsJsonSpace(*first)) ++first;  // the line is not blank
  if (*first != '{') {
    return InvalidArgumentError(Location(name_, row_line_) + ": record is not a JSON object");
  }
  od::document doc;
  if (auto error = parser_.iterate(begin, size, buffer_.ReadableFrom(begin)).get(doc)) {
    return JsonError(error);
  }
  od::object object;
  if (auto error = doc.get_object().get(object)) return JsonError(error);
  std::fill(found_.begin(), found_.end(), 0);
  num_found_ = 0;
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error);
    std::string_view key;
    if (auto error = KeyText(field, line_end_, &key)) return JsonError(error);
    if (keys != nullptr && std::find(keys->begin(), keys->end(), key) == keys->end()) {
      keys->emplace_back(key);
    }
    const size_t k = FindWanted(key);
    if (k < wanted_.size()) {
      MW_RETURN_IF_ERROR(ReadWanted(field.value(), k));
    } else if (auto error = Validate(field.value(), line_end_, 1)) {
      return JsonError(error);
    }
  }
  // Another token after the object ("{} {}"): the line is not one record.
  const char* location;
  if (doc.current_location().get(location) != simdjson::OUT_OF_BOUNDS) {
    return JsonError(simdjson::TRAILING_CONTENT);
  }
  if (num_found_ != wanted_.size()) {
    for (const std::string& name : selected_) {  // the first missing one in selection order
      if (!found_[static_cast<size_t>(std::find(wanted_.begin(), wanted_.end(), name) -
                                      wanted_.begin())]) {
        return InvalidArgumentError(Location(name_, row_line_) + ": field '" + name +
                                    "' is missing");
      }
    }
  }
  return Status::Ok();
}

void NdjsonReader::SetSelection(std::vector<std::string> columns) {
  selected_ = std::move(columns);
  wanted_.clear();
  key_of_slot_.clear();
  for (const std::string& name : selected_) {
    const auto it = std::find(wanted_.begin(), wanted_.end(), name);
    key_of_slot_.push_back(static_cast<size_t>(it - wanted_.begin()));
    if (it == wanted_.end()) wanted_.push_back(name);
  }
  values_.assign(wanted_.size(), std::string_view());
  nulls_.assign(wanted_.size(), 0);
  found_.assign(wanted_.size(), 0);
}

Status NdjsonReader::Init() {
  while (buffer_.size() < 3 && !buffer_.eof()) {
    MW_RETURN_IF_ERROR(buffer_.Refill(buffer_.data()));
  }
  pos_ = buffer_.data();
  if (buffer_.size() >= 3 && std::memcmp(pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  if (!NextLine()) {
    if (!status_.ok()) return status_;
    return EmptyFileError(name_);
  }
  std::vector<std::string> keys;
  MW_RETURN_IF_ERROR(ParseRecord(&keys));
  columns_ = keys;
  SetSelection(std::move(keys));
  first_line_ = row_line_;
  if (range_begin_ == 0) {
    // Read the first record again as the first row.
    pos_ = line_begin_;
    line_ = row_line_;
    return Status::Ok();
  }
  MW_RETURN_IF_ERROR(buffer_.Reset(range_begin_));
  pos_ = buffer_.data();
  line_ = 1;
  return Status::Ok();
}

Status NdjsonReader::Select(const std::vector<std::string>& columns) {
  MW_RETURN_IF_ERROR(ResolveColumns(name_, first_line_, columns_, columns).status());
  SetSelection(columns);
  has_row_ = false;  // the current row's values were for the old selection
  return Status::Ok();
}

bool NdjsonReader::Next() {
  has_row_ = false;
  if (done_) return false;
  if (buffer_.OffsetOf(pos_) >= range_end_) {
    done_ = true;
    return false;
  }
  if (!NextLine()) {
    done_ = true;
    return false;
  }
  status_ = ParseRecord(nullptr);
  if (!status_.ok()) {
    done_ = true;
    return false;
  }
  has_row_ = true;
  return true;
}

}  // namespace

Result<std::unique_ptr<TableReader>> NewNdjsonReader(std::unique_ptr<ByteSource> source,
                                                     std::string name,
                                                     const TableReader::Options& options) {
  auto reader =
      std::make_unique<NdjsonReader>(std::move(source), std::move(name), options.block_size);
  reader->SetRange(options.range_begin, options.range_end);
  MW_RETURN_IF_ERROR(reader->Init());
  return std::unique_ptr<TableReader>(std::move(reader));
}

}  // namespace modelwatch::io::internal
