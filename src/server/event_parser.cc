// Ingest parsers on simdjson's On-Demand API (error codes, no exceptions).
//
// Every value of every record is visited (unknown fields are errors, so there is nothing to
// skip), which makes On-Demand validate the whole body. kJson bodies are copied once into a
// padded per-thread buffer; kNdjson lines are parsed in place when at least SIMDJSON_PADDING
// bytes of the body follow them (every line but the last ones), else from a padded copy.
//
// Hot-path choices, measured on 1000-event NDJSON batches with 10 numeric features:
//  - keys without escapes are taken straight from the input (no unescaping copy);
//  - feature names are checked for duplicates once per distinct schema: a record whose names
//    equal the previous record's, in order, is known to be duplicate-free;
//  - the event vector is reserved from the size of the first record.
#include "modelwatch/server/event_parser.h"

#include <simdjson.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "modelwatch/core/label_order.h"
#include "modelwatch/core/timestamp.h"
#include "modelwatch/io/json_error_text.h"
#include "modelwatch/io/json_text.h"

namespace modelwatch::server {
namespace {

namespace od = simdjson::ondemand;
using io::IsAsciiDigit;
using io::IsJsonInteger;
using io::IsJsonNumber;
using io::IsJsonSpace;
using io::SameText;
using io::TrimTrailingJsonSpace;
using simdjson::error_code;

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;
constexpr size_t kMaxIdBytes = 256;
constexpr size_t kMaxNameBytes = 128;  // version, model
constexpr size_t kRetainBytes = size_t{16} << 20;
constexpr size_t kQuoteBytes = 64;
constexpr double kMinEpochSeconds = -62135596800.0;  // 0001-01-01T00:00:00Z
constexpr double kEndEpochSeconds = 253402300800.0;  // 10000-01-01T00:00:00Z, excluded

// The length of the valid UTF-8 sequence at s[i], or 0 when there is none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

bool IsValidName(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameBytes) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsAsciiDigit(c) ||
                    c == '_' || c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string QuoteForMessage(std::string_view s) {
  std::string out = "'";
  size_t i = 0;
  while (i < s.size()) {
    if (i >= kQuoteBytes) {
      out += "...";
      break;
    }
    const size_t n = Utf8SequenceLength(s, i);
    const auto c = static_cast<unsigned char>(s[i]);
    if (n == 0 || c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out += "'";
  return out;
}

namespace {

// Quoted for a message.
std::string Quote(std::string_view s) { return QuoteForMessage(s); }

Status JsonStatus(error_code error, std::string message) {
  if (error == simdjson::MEMALLOC || error == simdjson::CAPACITY) {
    return ResourceExhaustedError(std::move(message));
  }
  return InvalidArgumentError(std::move(message));
}

// Where stage 1 (which reports no position) found `error` in `text`: the first byte that is not
// UTF-8, the first control character inside a string, or the opening quote of the string that
// is not closed. text.size() when not found.
size_t FindStage1Error(std::string_view text, error_code error) {
  if (error == simdjson::UTF8_ERROR) {
    for (size_t i = 0; i < text.size();) {
      const size_t n = Utf8SequenceLength(text, i);
      if (n == 0) return i;
      i += n;
    }
    return text.size();
  }
  if (error != simdjson::UNESCAPED_CHARS && error != simdjson::UNCLOSED_STRING) return text.size();
  bool in_string = false;
  size_t open = text.size();
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      if (c == '"') {
        in_string = true;
        open = i;
      }
    } else if (c == '\\') {
      ++i;
    } else if (c == '"') {
      in_string = false;
    } else if (static_cast<unsigned char>(c) < 0x20 && error == simdjson::UNESCAPED_CHARS) {
      return i;
    }
  }
  return in_string ? open : text.size();
}

// " at line L, column C" (kJson) or " at column C" (kNdjson, text is the line) for byte
// `offset` of `text`; "" when the offset is outside it.
std::string PositionText(std::string_view text, size_t offset, bool lines) {
  if (offset > text.size()) return {};
  const std::string_view before = text.substr(0, offset);
  const size_t last_nl = before.rfind('\n');
  const size_t column = last_nl == std::string_view::npos ? offset + 1 : offset - last_nl;
  if (!lines) return " at column " + std::to_string(column);
  const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  return " at line " + std::to_string(line) + ", column " + std::to_string(column);
}

// The position of the first '"' or '\\' in [p, limit), or limit. [p, limit) is followed by at
// least 16 readable bytes (the padding).
const char* FindQuoteOrBackslash(const char* p, const char* limit) {
#if defined(__SSE2__)
  static_assert(kPadding >= 16);
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

// Convert to what they initialize, so that a Feature's members are built in place (guaranteed
// copy elision) rather than moved from temporaries.
struct InPlaceString {
  std::string_view text;
  operator std::string() const { return std::string(text); }  // NOLINT(google-explicit-constructor)
};
struct InPlaceNumber {
  double x;
  operator EventValue() const {
    return EventValue::Number(x);
  }  // NOLINT(google-explicit-constructor)
};

// Appends Feature{name, value}, building it in place where the compiler can initialize an
// aggregate from parentheses (C++20 P0960: GCC 10, clang 16); else through one move.
template <typename Name, typename Value>
void AddFeature(std::vector<Feature>* features, Name&& name, Value&& value) {
#if defined(__cpp_aggregate_paren_init)
  features->emplace_back(std::forward<Name>(name), std::forward<Value>(value));
#else
  features->push_back(Feature{std::forward<Name>(name), std::forward<Value>(value)});
#endif
}

// Per-thread scratch: the parser and a padded buffer, reused across calls.
struct Scratch {
  od::parser parser;
  std::unique_ptr<char[]> buffer;
  size_t buffer_capacity = 0;

  // A copy of `text` followed by kPadding spaces.
  const char* Padded(std::string_view text) {
    const size_t needed = text.size() + kPadding;
    if (buffer_capacity < needed) {
      buffer_capacity = std::max(needed, 2 * buffer_capacity);
      buffer = std::make_unique_for_overwrite<char[]>(buffer_capacity);
    }
    if (!text.empty()) std::memcpy(buffer.get(), text.data(), text.size());
    std::memset(buffer.get() + text.size(), ' ', kPadding);
    return buffer.get();
  }
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Frees the scratch at the end of a call that grew it past kRetainBytes, so that one huge body
// does not pin its memory to the thread.
class ScratchGuard {
 public:
  ScratchGuard() : scratch_(ThreadScratch()) {}
  ~ScratchGuard() {
    if (scratch_.parser.capacity() > kRetainBytes) scratch_.parser = od::parser();
    if (scratch_.buffer_capacity > kRetainBytes) {
      scratch_.buffer.reset();
      scratch_.buffer_capacity = 0;
    }
  }
  ScratchGuard(const ScratchGuard&) = delete;
  ScratchGuard& operator=(const ScratchGuard&) = delete;
  Scratch& scratch() { return scratch_; }

 private:
  Scratch& scratch_;
};

// Index of the first name equal to an earlier one, or n when all n names are distinct.
template <typename NameAt>
size_t FirstDuplicate(size_t n, NameAt name_at) {
  if (n < 2) return n;
  if (n <= 24) {
    for (size_t i = 1; i < n; ++i) {
      const std::string_view a = name_at(i);
      for (size_t j = 0; j < i; ++j) {
        if (name_at(j) == a) return i;
      }
    }
    return n;
  }
  std::vector<std::pair<std::string_view, size_t>> sorted;
  sorted.reserve(n);
  for (size_t i = 0; i < n; ++i) sorted.emplace_back(name_at(i), i);
  std::sort(sorted.begin(), sorted.end());
  size_t first = n;
  for (size_t i = 1; i < n; ++i) {
    if (sorted[i].first == sorted[i - 1].first) first = std::min(first, sorted[i].second);
  }
  return first;
}

enum PredictionField : int {
  kId,
  kTs,
  kModel,
  kVersion,
  kFeatures,
  kPrediction,
  kScore,
  kScores,
  kLabel,
  kLatencyMs,
  kSegment,
};

int PredictionFieldOf(std::string_view key) {
  switch (key.size()) {
    case 2:
      if (key == "id") return kId;
      if (key == "ts") return kTs;
      break;
    case 5:
      if (key == "score") return kScore;
      if (key == "label") return kLabel;
      if (key == "model") return kModel;
      break;
    case 6:
      if (key == "scores") return kScores;
      break;
    case 7:
      if (key == "version") return kVersion;
      if (key == "segment") return kSegment;
      break;
    case 8:
      if (key == "features") return kFeatures;
      break;
    case 10:
      if (key == "prediction") return kPrediction;
      if (key == "latency_ms") return kLatencyMs;
      break;
    default:
      break;
  }
  return -1;
}

int LabelFieldOf(std::string_view key) {
  if (key == "id") return kId;
  if (key == "ts") return kTs;
  if (key == "model") return kModel;
  if (key == "label") return kLabel;
  return -1;
}

// Parses the records of one body. Knows where it is (record or line number, the document and
// its text) to name the place in errors.
class RecordParser {
 public:
  RecordParser(const ParseContext& context, const ParseLimits& limits, bool ndjson)
      : context_(context), limits_(limits), ndjson_(ndjson) {}

  // The record about to be parsed: its number (record index or line) and the document holding
  // it, whose text is `text` (the whole body for kJson, the line for kNdjson).
  void SetRecord(uint64_t number) { number_ = number; }
  void SetDocument(od::document* doc, std::string_view text) {
    doc_ = doc;
    text_ = text;
  }

  Status Parse(od::object& object, PredictionEvent* event);
  Status Parse(od::object& object, LabelEvent* event);
  // Calls visit(field, value) -> Status for each member of `object` in order, after mapping its
  // key through field_of (-1: unknown) and rejecting unknown and repeated keys; `seen` gets a
  // bit per field (bit f for field f).
  template <typename FieldOf, typename Visit>
  Status ForEachField(od::object& object, FieldOf field_of, uint32_t* seen, Visit visit);

  // "record 3: <message>" / "line 3: <message>".
  std::string Prefix() const {
    return (ndjson_ ? "line " : "record ") + std::to_string(number_) + ": ";
  }
  Status Error(std::string_view message) const {
    return InvalidArgumentError(Prefix() + std::string(message));
  }
  Status LimitError(std::string_view message) const {
    return ResourceExhaustedError(Prefix() + std::string(message));
  }
  // A JSON syntax error inside the current record, at the position the document stopped at.
  Status JsonError(error_code error) const {
    return JsonStatus(
        error, Prefix() + "invalid JSON" + Where() + ": " + io::JsonErrorText(error, "body"));
  }
  // The error for an unconsumed value of the wrong type: a JSON error when the value is not even
  // valid JSON ("tru", "1.", a bad escape), else Error(message).
  Status WrongType(od::value& value, std::string_view message) const;
  // A JSON syntax error in `value`, at its start.
  Status JsonError(error_code error, od::value& value) const {
    return JsonStatus(error, Prefix() + "invalid JSON" + Where(value.raw_json_token().data()) +
                                 ": " + io::JsonErrorText(error, "body"));
  }
  // " at ..." for `location` (by default the document's current position), or "".
  std::string Where(const char* location = nullptr) const {
    if (location == nullptr &&
        (doc_ == nullptr || doc_->current_location().get(location) != simdjson::SUCCESS)) {
      return {};
    }
    if (location < text_.data() || location > text_.data() + text_.size()) return {};
    return PositionText(text_, static_cast<size_t>(location - text_.data()), !ndjson_);
  }

 private:
  // The key of `field`: from the input when it has no escape, else unescaped by simdjson.
  [[gnu::always_inline]] error_code KeyText(od::field& field, std::string_view* key) const {
    const char* raw = field.key().raw();
    const char* limit = text_.data() + text_.size();
    const char* close = FindQuoteOrBackslash(raw, limit);
    if (close < limit && *close == '"') {
      *key = std::string_view(raw, static_cast<size_t>(close - raw));
      return simdjson::SUCCESS;
    }
    return field.unescaped_key().get(*key);
  }

  // "<kind> '<name>'": "feature 'x'", "field 'score'".
  static std::string Subject(std::string_view kind, std::string_view name) {
    return std::string(kind) + " " + Quote(name);
  }
  Status TooLong(std::string_view subject, size_t size) const {
    return LimitError(std::string(subject) + " is " + std::to_string(size) +
                      " bytes long, more than the limit of " +
                      std::to_string(limits_.max_string_bytes));
  }

  // A number; `*wrong` set (and SUCCESS returned) when the value is not a number or is beyond
  // the range of a double (1e999).
  error_code Number(od::value& value, double* x, bool* wrong) const;
  // null | number | string | boolean into *out; `kind`/`name` name it in errors.
  Status Scalar(od::value& value, EventValue* out, std::string_view kind,
                std::string_view name) const;
  // True when the value is null (and consumes it).
  error_code IsNull(od::value& value, bool* null) const;

  Status Id(od::value& value, std::string* id) const;
  Status Ts(od::value& value, int64_t* ts_us) const;
  Status Model(od::value& value, std::string* model) const;
  Status Version(od::value& value, std::string* version) const;
  Status Features(od::value& value, std::vector<Feature>* features);
  // A number in [0,1]; errors name "<what>" or, with a class name, "<what>'<class>'".
  Status Probability(od::value& value, double* p, std::string_view what,
                     std::string_view class_name = {}) const;
  Status Scores(od::value& value, std::vector<std::pair<std::string, double>>* scores) const;
  Status Segment(od::value& value, std::vector<std::pair<std::string, std::string>>* segment) const;
  // The model of a record that names none.
  Status DefaultModel(std::string* model) const {
    if (context_.model.empty()) return Error("field 'model' is missing (the URL names no model)");
    model->assign(context_.model);
    return Status::Ok();
  }

  const ParseContext& context_;
  const ParseLimits& limits_;
  const bool ndjson_;
  uint64_t number_ = 0;
  od::document* doc_ = nullptr;
  std::string_view text_;
  std::vector<std::string> last_feature_names_;  // distinct
};

error_code RecordParser::IsNull(od::value& value, bool* null) const {
  od::json_type type;
  if (auto error = value.type().get(type)) return error;
  *null = false;
  if (type != od::json_type::null) return simdjson::SUCCESS;
  if (auto error = value.is_null().get(*null)) return error;
  return *null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
}

Status RecordParser::WrongType(od::value& value, std::string_view message) const {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, value);
  error_code error = simdjson::SUCCESS;
  switch (type) {
    case od::json_type::boolean: {
      bool b;
      error = value.get_bool().get(b);
      break;
    }
    case od::json_type::null: {
      bool null;
      error = IsNull(value, &null);
      break;
    }
    case od::json_type::string: {
      std::string_view text;
      error = value.get_string().get(text);
      break;
    }
    case od::json_type::number:
      if (!IsJsonNumber(TrimTrailingJsonSpace(value.raw_json_token())))
        error = simdjson::NUMBER_ERROR;
      break;
    case od::json_type::array:
    case od::json_type::object:
      break;
  }
  return error ? JsonError(error, value) : Error(message);
}

error_code RecordParser::Number(od::value& value, double* x, bool* wrong) const {
  od::json_type type;
  if (auto error = value.type().get(type)) return error;
  if (type != od::json_type::number) {
    *wrong = true;
    return simdjson::SUCCESS;
  }
  const error_code error = value.get_double().get(*x);
  if (error == simdjson::NUMBER_ERROR) {
    if (IsJsonNumber(TrimTrailingJsonSpace(value.raw_json_token()))) {
      *wrong = true;  // valid JSON, but not a finite double
      return simdjson::SUCCESS;
    }
  }
  return error;
}

Status RecordParser::Scalar(od::value& value, EventValue* out, std::string_view kind,
                            std::string_view name) const {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, value);
  switch (type) {
    case od::json_type::number: {
      bool wrong = false;
      double x = 0;
      if (auto error = Number(value, &x, &wrong)) return JsonError(error, value);
      if (wrong) return Error(Subject(kind, name) + " must be a finite number");
      out->kind = EventValue::Kind::kNumber;
      out->number = x;
      return Status::Ok();
    }
    case od::json_type::string: {
      std::string_view text;
      if (auto error = value.get_string().get(text)) return JsonError(error, value);
      if (text.size() > limits_.max_string_bytes) return TooLong(Subject(kind, name), text.size());
      out->kind = EventValue::Kind::kString;
      out->text.assign(text);
      return Status::Ok();
    }
    case od::json_type::boolean: {
      bool b;
      if (auto error = value.get_bool().get(b)) return JsonError(error, value);
      out->kind = EventValue::Kind::kBool;
      out->boolean = b;
      return Status::Ok();
    }
    case od::json_type::null: {
      bool null = false;
      if (auto error = IsNull(value, &null)) return JsonError(error, value);
      out->kind = EventValue::Kind::kNull;
      return Status::Ok();
    }
    case od::json_type::array:
    case od::json_type::object:
      break;
  }
  return Error(Subject(kind, name) + " must be a number, string, boolean or null");
}

Status RecordParser::Id(od::value& value, std::string* id) const {
  static constexpr std::string_view kWrong = "field 'id' must be a non-empty string or an integer";
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, value);
  std::string_view text;
  if (type == od::json_type::string) {
    if (auto error = value.get_string().get(text)) return JsonError(error, value);
    if (text.empty()) return Error(kWrong);
  } else if (type == od::json_type::number) {
    text = TrimTrailingJsonSpace(value.raw_json_token());
    if (!IsJsonInteger(text)) {
      if (!IsJsonNumber(text)) return JsonError(simdjson::NUMBER_ERROR);
      return Error(kWrong);
    }
    if (text == "-0") text = "0";
  } else {
    return WrongType(value, kWrong);
  }
  if (text.size() > kMaxIdBytes) {
    return Error("field 'id' is " + std::to_string(text.size()) +
                 " bytes long, more than the limit of " + std::to_string(kMaxIdBytes));
  }
  id->assign(text);
  return Status::Ok();
}

Status RecordParser::Ts(od::value& value, int64_t* ts_us) const {
  static constexpr std::string_view kWrong = "field 'ts' must be an RFC 3339 time or epoch seconds";
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, value);
  double seconds = 0;
  if (type == od::json_type::string) {
    std::string_view text;
    if (auto error = value.get_string().get(text)) return JsonError(error, value);
    const std::optional<double> parsed = ParseTimestamp(text);
    if (!parsed) return Error(std::string(kWrong) + ", not " + Quote(text));
    seconds = *parsed;
  } else if (type == od::json_type::number) {
    bool wrong = false;
    if (auto error = Number(value, &seconds, &wrong)) return JsonError(error, value);
    if (wrong) seconds = HUGE_VAL;  // beyond a double: out of range below
  } else if (type == od::json_type::null) {
    bool null;
    if (auto error = IsNull(value, &null)) return JsonError(error, value);
    return Status::Ok();  // absent: keeps the default
  } else {
    return WrongType(value, kWrong);
  }
  if (!(seconds >= kMinEpochSeconds && seconds < kEndEpochSeconds)) {
    return Error(
        "field 'ts' is out of range: years 0001-9999 only (epoch seconds, not milliseconds)");
  }
  *ts_us = std::llround(seconds * 1e6);
  return Status::Ok();
}

Status RecordParser::Model(od::value& value, std::string* model) const {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, value);
  if (type == od::json_type::null) {
    bool null;
    if (auto error = IsNull(value, &null)) return JsonError(error, value);
    return DefaultModel(model);
  }
  if (type != od::json_type::string) return WrongType(value, "field 'model' must be a string");
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonError(error, value);
  if (context_.model.empty()) {
    if (!IsValidName(text)) {
      return Error("field 'model' is " + Quote(text) +
                   ": must be 1-128 characters from [A-Za-z0-9_.:-]");
    }
  } else if (text != context_.model) {
    return Error("field 'model' is " + Quote(text) + " but the URL names " + Quote(context_.model));
  }
  model->assign(text);
  return Status::Ok();
}

Status RecordParser::Version(od::value& value, std::string* version) const {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, value);
  if (type == od::json_type::null) {
    bool null;
    if (auto error = IsNull(value, &null)) return JsonError(error, value);
    return Status::Ok();
  }
  if (type != od::json_type::string) return WrongType(value, "field 'version' must be a string");
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonError(error, value);
  if (!IsValidName(text)) {
    return Error("field 'version' is " + Quote(text) +
                 ": must be 1-128 characters from [A-Za-z0-9_.:-]");
  }
  version->assign(text);
  return Status::Ok();
}

Status RecordParser::Features(od::value& value, std::vector<Feature>* features) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, value);
  if (type == od::json_type::null) {
    bool null;
    if (auto error = IsNull(value, &null)) return JsonError(error, value);
    return Status::Ok();
  }
  if (type != od::json_type::object) return WrongType(value, "field 'features' must be an object");
  od::object object;
  if (auto error = value.get_object().get(object)) return JsonError(error, value);
  features->reserve(std::min(last_feature_names_.size(), limits_.max_features));
  size_t count = 0;
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error);
    if (++count > limits_.max_features) continue;  // only counted, for the message
    std::string_view name;
    if (auto error = KeyText(field, &name)) return JsonError(error);
    if (name.empty()) return Error("a feature has an empty name");
    if (name.size() > limits_.max_string_bytes)
      return TooLong(Subject("feature name", name), name.size());
    od::value& v = field.value();
    double x;
    if (v.get_double().get(x) == simdjson::SUCCESS) {  // the common case, on the fast path
      AddFeature(features, InPlaceString{name}, InPlaceNumber{x});
      continue;
    }
    EventValue value;  // a failed get_double() consumed nothing: look again
    MW_RETURN_IF_ERROR(Scalar(v, &value, "feature", name));
    AddFeature(features, InPlaceString{name}, std::move(value));
  }
  if (count > limits_.max_features) {
    return LimitError(std::to_string(count) + " features, more than the limit of " +
                      std::to_string(limits_.max_features));
  }
  // Same names as the previous record, in order: known to be distinct.
  const size_t n = features->size();
  bool same = n == last_feature_names_.size();
  for (size_t i = 0; same && i < n; ++i)
    same = SameText((*features)[i].name, last_feature_names_[i]);
  if (same) return Status::Ok();
  const size_t duplicate =
      FirstDuplicate(n, [&](size_t i) -> std::string_view { return (*features)[i].name; });
  if (duplicate < n)
    return Error(Subject("feature", (*features)[duplicate].name) + " appears twice");
  last_feature_names_.resize(n);
  for (size_t i = 0; i < n; ++i) last_feature_names_[i] = (*features)[i].name;
  return Status::Ok();
}

Status RecordParser::Probability(od::value& value, double* p, std::string_view what,
                                 std::string_view class_name) const {
  bool wrong = false;
  if (auto error = Number(value, p, &wrong)) return JsonError(error, value);
  if (!wrong && *p >= 0 && *p <= 1) return Status::Ok();
  const std::string message = std::string(what) + (class_name.empty() ? "" : Quote(class_name)) +
                              " must be a number in [0,1]";
  return wrong ? WrongType(value, message) : Error(message);
}

Status RecordParser::Scores(od::value& value,
                            std::vector<std::pair<std::string, double>>* scores) const {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, value);
  if (type == od::json_type::null) {
    bool null;
    if (auto error = IsNull(value, &null)) return JsonError(error, value);
    return Status::Ok();
  }
  if (type != od::json_type::object) return WrongType(value, "field 'scores' must be an object");
  od::object object;
  if (auto error = value.get_object().get(object)) return JsonError(error, value);
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error);
    std::string_view name;
    if (auto error = KeyText(field, &name)) return JsonError(error);
    if (name.empty()) return Error("field 'scores' has an empty class name");
    if (name.size() > limits_.max_string_bytes) return TooLong(Subject("class", name), name.size());
    if (scores->size() >= limits_.max_features) {
      return LimitError("field 'scores' has more than " + std::to_string(limits_.max_features) +
                        " classes");
    }
    auto& [class_name, p] = scores->emplace_back();
    class_name.assign(name);
    MW_RETURN_IF_ERROR(Probability(field.value(), &p, "field 'scores': class ", name));
  }
  const size_t duplicate = FirstDuplicate(
      scores->size(), [&](size_t i) -> std::string_view { return (*scores)[i].first; });
  if (duplicate < scores->size()) {
    return Error("field 'scores' names class " + Quote((*scores)[duplicate].first) + " twice");
  }
  return Status::Ok();
}

Status RecordParser::Segment(od::value& value,
                             std::vector<std::pair<std::string, std::string>>* segment) const {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, value);
  if (type == od::json_type::null) {
    bool null;
    if (auto error = IsNull(value, &null)) return JsonError(error, value);
    return Status::Ok();
  }
  if (type != od::json_type::object) return WrongType(value, "field 'segment' must be an object");
  od::object object;
  if (auto error = value.get_object().get(object)) return JsonError(error, value);
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error);
    std::string_view key;
    if (auto error = KeyText(field, &key)) return JsonError(error);
    if (key.empty()) return Error("field 'segment' has an empty key");
    if (key.size() > limits_.max_string_bytes)
      return TooLong(Subject("segment key", key), key.size());
    if (segment->size() >= limits_.max_features) {
      return LimitError("field 'segment' has more than " + std::to_string(limits_.max_features) +
                        " keys");
    }
    EventValue v;
    MW_RETURN_IF_ERROR(Scalar(field.value(), &v, "segment", key));
    auto& [k, text] = segment->emplace_back();
    k.assign(key);
    switch (v.kind) {
      case EventValue::Kind::kString:
        text = std::move(v.text);
        break;
      case EventValue::Kind::kNumber:
        text = CanonicalNumberText(v.number);
        break;
      case EventValue::Kind::kBool:
        text = v.boolean ? "true" : "false";
        break;
      case EventValue::Kind::kNull:
        return Error(Subject("segment", key) + " must be a string, number or boolean");
    }
  }
  const size_t duplicate = FirstDuplicate(
      segment->size(), [&](size_t i) -> std::string_view { return (*segment)[i].first; });
  if (duplicate < segment->size()) {
    return Error(Subject("segment", (*segment)[duplicate].first) + " appears twice");
  }
  return Status::Ok();
}

std::string_view PredictionFieldName(int field) {
  static constexpr std::string_view kNames[] = {"id",       "ts",         "model",  "version",
                                                "features", "prediction", "score",  "scores",
                                                "label",    "latency_ms", "segment"};
  return kNames[field];
}

template <typename FieldOf, typename Visit>
Status RecordParser::ForEachField(od::object& object, FieldOf field_of, uint32_t* seen,
                                  Visit visit) {
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error);
    std::string_view key;
    if (auto error = KeyText(field, &key)) return JsonError(error);
    const int f = field_of(key);
    if (f < 0) return Error("unknown field " + Quote(key));
    if ((*seen & (1u << f)) != 0) {
      return Error("field '" + std::string(PredictionFieldName(f)) + "' appears twice");
    }
    *seen |= 1u << f;
    MW_RETURN_IF_ERROR(visit(f, field.value()));
  }
  return Status::Ok();
}

Status RecordParser::Parse(od::object& object, PredictionEvent* event) {
  uint32_t seen = 0;
  event->ts_us = context_.now_us;
  MW_RETURN_IF_ERROR(
      ForEachField(object, PredictionFieldOf, &seen, [&](int f, od::value& value) -> Status {
        switch (f) {
          case kId:
            MW_RETURN_IF_ERROR(Id(value, &event->id));
            break;
          case kTs:
            MW_RETURN_IF_ERROR(Ts(value, &event->ts_us));
            break;
          case kModel:
            MW_RETURN_IF_ERROR(Model(value, &event->model));
            break;
          case kVersion:
            MW_RETURN_IF_ERROR(Version(value, &event->version));
            break;
          case kFeatures:
            MW_RETURN_IF_ERROR(Features(value, &event->features));
            break;
          case kPrediction:
            MW_RETURN_IF_ERROR(Scalar(value, &event->prediction, "field", "prediction"));
            break;
          case kScore: {
            bool null = false;
            if (auto error = IsNull(value, &null)) return JsonError(error, value);
            if (null) break;
            double p = 0;
            MW_RETURN_IF_ERROR(Probability(value, &p, "field 'score'"));
            event->score = p;
            break;
          }
          case kScores:
            MW_RETURN_IF_ERROR(Scores(value, &event->scores));
            break;
          case kLabel:
            MW_RETURN_IF_ERROR(Scalar(value, &event->label, "field", "label"));
            break;
          case kLatencyMs: {
            bool null = false;
            if (auto error = IsNull(value, &null)) return JsonError(error, value);
            if (null) break;
            bool wrong = false;
            double ms = 0;
            if (auto error = Number(value, &ms, &wrong)) return JsonError(error, value);
            static constexpr std::string_view kWrong = "field 'latency_ms' must be a number >= 0";
            if (wrong) return WrongType(value, kWrong);
            if (!(ms >= 0)) return Error(kWrong);
            event->latency_ms = ms;
            break;
          }
          case kSegment:
            MW_RETURN_IF_ERROR(Segment(value, &event->segment));
            break;
          default:
            break;
        }
        return Status::Ok();
      }));
  if ((seen & (1u << kId)) == 0) return Error("field 'id' is missing");
  if (event->model.empty()) MW_RETURN_IF_ERROR(DefaultModel(&event->model));
  return Status::Ok();
}

Status RecordParser::Parse(od::object& object, LabelEvent* event) {
  uint32_t seen = 0;
  event->ts_us = context_.now_us;
  MW_RETURN_IF_ERROR(
      ForEachField(object, LabelFieldOf, &seen, [&](int f, od::value& value) -> Status {
        switch (f) {
          case kId:
            MW_RETURN_IF_ERROR(Id(value, &event->id));
            break;
          case kTs:
            MW_RETURN_IF_ERROR(Ts(value, &event->ts_us));
            break;
          case kModel:
            MW_RETURN_IF_ERROR(Model(value, &event->model));
            break;
          case kLabel:
            MW_RETURN_IF_ERROR(Scalar(value, &event->label, "field", "label"));
            if (event->label.is_null()) {
              return Error("field 'label' must be a number, string or boolean, not null");
            }
            break;
          default:
            break;
        }
        return Status::Ok();
      }));
  if ((seen & (1u << kId)) == 0) return Error("field 'id' is missing");
  if ((seen & (1u << kLabel)) == 0) return Error("field 'label' is missing");
  if (event->model.empty()) MW_RETURN_IF_ERROR(DefaultModel(&event->model));
  return Status::Ok();
}

std::string_view StripBom(std::string_view body) {
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  return body;
}

// An error of stage 1 (reported by iterate()) in `text`, with the position we find ourselves.
Status Stage1Error(error_code error, std::string_view prefix, std::string_view text, bool lines) {
  const size_t offset = FindStage1Error(text, error);
  std::string where = offset < text.size() ? PositionText(text, offset, lines) : std::string();
  return JsonStatus(error, std::string(prefix) + "invalid JSON" + where + ": " +
                               io::JsonErrorText(error, "body"));
}

// True when the document has nothing left after its root value.
bool AtEnd(od::document& doc) {
  const char* location;
  return doc.current_location().get(location) == simdjson::OUT_OF_BOUNDS;
}

template <typename Event>
Result<std::vector<Event>> ParseJson(std::string_view body, const ParseContext& context,
                                     const ParseLimits& limits) {
  body = StripBom(body);
  size_t first = 0;
  while (first < body.size() && IsJsonSpace(body[first])) ++first;
  if (first == body.size()) {
    return InvalidArgumentError("body is empty (expected a JSON object or an array of objects)");
  }
  const char start = body[first];
  if (start != '{' && start != '[') {
    return InvalidArgumentError("body must be a JSON object or an array of objects");
  }
  ScratchGuard guard;
  Scratch& scratch = guard.scratch();
  const char* data = scratch.Padded(body);
  const std::string_view text(data, body.size());
  od::document doc;
  if (auto error = scratch.parser.iterate(data, body.size(), body.size() + kPadding).get(doc)) {
    return Stage1Error(error, "", text, /*lines=*/true);
  }
  RecordParser parser(context, limits, /*ndjson=*/false);
  parser.SetDocument(&doc, text);
  std::vector<Event> events;
  if (start == '{') {
    parser.SetRecord(1);
    od::object object;
    if (auto error = doc.get_object().get(object)) return parser.JsonError(error);
    MW_RETURN_IF_ERROR(parser.Parse(object, &events.emplace_back()));
  } else {
    od::array array;
    if (auto error = doc.get_array().get(array)) return parser.JsonError(error);
    size_t n = 0;
    for (auto element_result : array) {
      parser.SetRecord(++n);
      od::value element;
      if (auto error = std::move(element_result).get(element)) return parser.JsonError(error);
      if (n > limits.max_records) {
        return ResourceExhaustedError("batch has more than " + std::to_string(limits.max_records) +
                                      " records");
      }
      od::json_type type;
      if (auto error = element.type().get(type)) return parser.JsonError(error);
      if (type != od::json_type::object) return parser.WrongType(element, "must be a JSON object");
      od::object object;
      if (auto error = element.get_object().get(object)) return parser.JsonError(error);
      MW_RETURN_IF_ERROR(parser.Parse(object, &events.emplace_back()));
      if (n == 1) {  // reserve for records of about the size of the first
        const char* location = nullptr;
        if (doc.current_location().get(location) == simdjson::SUCCESS && location > data) {
          const size_t per_record = static_cast<size_t>(location - data);
          events.reserve(std::min(limits.max_records, body.size() / per_record + 1));
        }
      }
    }
  }
  if (!AtEnd(doc)) {
    return InvalidArgumentError(
        "invalid JSON" + parser.Where() +
        ": content after the end of the JSON value (send several objects as an array, or as "
        "NDJSON with Content-Type application/x-ndjson)");
  }
  return events;
}

template <typename Event>
Result<std::vector<Event>> ParseNdjson(std::string_view body, const ParseContext& context,
                                       const ParseLimits& limits) {
  body = StripBom(body);
  ScratchGuard guard;
  Scratch& scratch = guard.scratch();
  RecordParser parser(context, limits, /*ndjson=*/true);
  std::vector<Event> events;
  const char* p = body.data();
  const char* const end = body.data() + body.size();
  uint64_t line = 0;
  size_t records = 0;
  while (p < end) {
    ++line;
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* const line_end = nl != nullptr ? nl : end;
    const char* const next = nl != nullptr ? nl + 1 : end;
    const char* q = p;
    while (q < line_end && IsJsonSpace(*q)) ++q;
    if (q == line_end) {  // blank
      p = next;
      continue;
    }
    parser.SetRecord(line);
    if (++records > limits.max_records) {
      return ResourceExhaustedError("batch has more than " + std::to_string(limits.max_records) +
                                    " records");
    }
    if (*q != '{') return parser.Error("must be a JSON object (one object per line)");
    const size_t size = static_cast<size_t>(line_end - p);
    const char* data = p;
    size_t capacity = static_cast<size_t>(end - p);
    if (capacity < size + kPadding) {  // near the end of the body: parse a padded copy
      data = scratch.Padded(std::string_view(p, size));
      capacity = size + kPadding;
    }
    const std::string_view text(data, size);
    od::document doc;
    if (auto error = scratch.parser.iterate(data, size, capacity).get(doc)) {
      return Stage1Error(error, parser.Prefix(), text, /*lines=*/false);
    }
    parser.SetDocument(&doc, text);
    od::object object;
    if (auto error = doc.get_object().get(object)) return parser.JsonError(error);
    MW_RETURN_IF_ERROR(parser.Parse(object, &events.emplace_back()));
    if (!AtEnd(doc)) {
      return InvalidArgumentError(parser.Prefix() + "invalid JSON" + parser.Where() +
                                  ": content after the end of the object (one object per line)");
    }
    if (records == 1) {  // reserve for lines of about the size of the first
      const size_t per_line = static_cast<size_t>(next - body.data());
      events.reserve(std::min(limits.max_records, body.size() / per_line + 1));
    }
    p = next;
  }
  return events;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

Result<BodyFormat> BodyFormatFromContentType(std::string_view content_type) {
  const auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  const std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  if (EqualsIgnoreCase(media, "application/json")) return BodyFormat::kJson;
  for (std::string_view ndjson : {"application/x-ndjson", "application/ndjson", "application/jsonl",
                                  "application/x-jsonlines"}) {
    if (EqualsIgnoreCase(media, ndjson)) return BodyFormat::kNdjson;
  }
  return InvalidArgumentError("unsupported Content-Type " + Quote(trim(content_type)) +
                              " (expected application/json or application/x-ndjson)");
}

Result<std::vector<PredictionEvent>> ParsePredictions(std::string_view body, BodyFormat format,
                                                      const ParseContext& context,
                                                      const ParseLimits& limits) {
  return format == BodyFormat::kJson ? ParseJson<PredictionEvent>(body, context, limits)
                                     : ParseNdjson<PredictionEvent>(body, context, limits);
}

Result<std::vector<LabelEvent>> ParseLabels(std::string_view body, BodyFormat format,
                                            const ParseContext& context,
                                            const ParseLimits& limits) {
  return format == BodyFormat::kJson ? ParseJson<LabelEvent>(body, context, limits)
                                     : ParseNdjson<LabelEvent>(body, context, limits);
}

}  // namespace modelwatch::server
