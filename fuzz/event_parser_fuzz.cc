// libFuzzer target for the ingest parsers (server/event_parser.h). Corpus:
// fuzz/corpus/event_parser/.
//
// Input: one control byte, then the request body. Control bits:
//   bit 0: labels (1) or predictions (0)        bit 1: NDJSON (1) or JSON (0)
//   bit 2: small limits (3 records, 4 features, 8-byte strings), to reach the limit paths
//   bit 3: the URL names no model (records must name one)
// Checks, beyond the sanitizers':
//  - an accepted body is valid JSON as simdjson's DOM parser (which validates everything) sees
//    it: the whole body for JSON, every non-blank line for NDJSON; so a body DOM rejects is never
//    accepted (On-Demand validates only what it visits);
//  - the events keep the contract of event.h and the limits; an error has the right code and a
//    message that is valid UTF-8 without control characters (it goes into a JSON error body);
//  - parsing the same body again gives the same result (per-thread scratch is reused).
#include <simdjson.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/server/event_parser.h"

namespace {

using modelwatch::EventValue;
using modelwatch::LabelEvent;
using modelwatch::PredictionEvent;
using modelwatch::Result;
using modelwatch::Status;
using modelwatch::StatusCode;
using namespace modelwatch::server;

void Check(bool condition) {
  if (!condition) std::abort();
}

bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      n = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return false;
    }
    i += n;
  }
  return true;
}

void CheckMessage(const Status& status) {
  Check(status.code() == StatusCode::kInvalidArgument ||
        status.code() == StatusCode::kResourceExhausted);
  Check(!status.message().empty());
  Check(IsUtf8(status.message()));
  for (char c : status.message()) Check(static_cast<unsigned char>(c) >= 0x20);
}

// True when DOM accepts `text`. DOM 3.0.1 rejects integers beyond 64 bits, which are valid
// JSON (and which On-Demand reads as doubles): those are cut to 19 digits and tried again.
bool DomAcceptsText(std::string_view text) {
  static simdjson::dom::parser parser;
  simdjson::dom::element element;
  const simdjson::error_code error = parser.parse(text.data(), text.size()).get(element);
  if (error != simdjson::NUMBER_ERROR) return error == simdjson::SUCCESS;
  std::string cut;
  size_t digits = 0;
  bool changed = false;
  for (char c : text) {
    digits = c >= '0' && c <= '9' ? digits + 1 : 0;
    if (digits > 19) {
      changed = true;
      continue;
    }
    cut += c;
  }
  return changed && parser.parse(cut.data(), cut.size()).get(element) == simdjson::SUCCESS;
}

// True when DOM accepts the body: the whole of it (JSON) or each non-blank line (NDJSON).
bool DomAccepts(std::string_view body, bool ndjson) {
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  if (!ndjson) return DomAcceptsText(body);
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view line = body.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos && !DomAcceptsText(line)) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

void CheckValue(const EventValue& v, const ParseLimits& limits) {
  switch (v.kind) {
    case EventValue::Kind::kNumber:
      Check(std::isfinite(v.number));
      break;
    case EventValue::Kind::kString:
      Check(v.text.size() <= limits.max_string_bytes && IsUtf8(v.text));
      break;
    default:
      Check(v.text.empty());
      break;
  }
}

void CheckCommon(const std::string& model, const std::string& id, const ParseContext& context) {
  Check(!id.empty() && id.size() <= 256 && IsUtf8(id));
  if (context.model.empty()) {
    Check(IsValidName(model));
  } else {
    Check(model == context.model);
  }
}

void CheckEvent(const PredictionEvent& e, const ParseContext& context, const ParseLimits& limits) {
  CheckCommon(e.model, e.id, context);
  Check(e.version.empty() || IsValidName(e.version));
  Check(e.features.size() <= limits.max_features);
  for (size_t i = 0; i < e.features.size(); ++i) {
    Check(!e.features[i].name.empty() && e.features[i].name.size() <= limits.max_string_bytes);
    for (size_t j = 0; j < i; ++j) Check(e.features[j].name != e.features[i].name);
    CheckValue(e.features[i].value, limits);
  }
  CheckValue(e.prediction, limits);
  CheckValue(e.label, limits);
  if (e.score) Check(*e.score >= 0 && *e.score <= 1);
  for (const auto& [name, p] : e.scores) Check(!name.empty() && p >= 0 && p <= 1);
  if (e.latency_ms) Check(*e.latency_ms >= 0 && std::isfinite(*e.latency_ms));
  for (const auto& [key, value] : e.segment) Check(!key.empty() && IsUtf8(value));
}

void CheckEvent(const LabelEvent& e, const ParseContext& context, const ParseLimits& limits) {
  CheckCommon(e.model, e.id, context);
  Check(!e.label.is_null());
  CheckValue(e.label, limits);
}

template <typename Event, typename Parse>
void Run(std::string_view body, bool ndjson, const ParseContext& context, const ParseLimits& limits,
         Parse parse) {
  const BodyFormat format = ndjson ? BodyFormat::kNdjson : BodyFormat::kJson;
  const Result<std::vector<Event>> result = parse(body, format, context, limits);
  const Result<std::vector<Event>> again = parse(body, format, context, limits);
  Check(result.ok() == again.ok());
  if (!result.ok()) {
    CheckMessage(result.status());
    Check(result.status().message() == again.status().message());
    return;
  }
  Check(DomAccepts(body, ndjson));
  Check(*result == *again);
  Check(result->size() <= limits.max_records);
  for (const Event& e : *result) CheckEvent(e, context, limits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  // A view of libFuzzer's exact-size buffer, so that any read past the body is caught.
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool ndjson = (control & 2) != 0;
  ParseLimits limits;
  if ((control & 4) != 0) {
    limits.max_records = 3;
    limits.max_features = 4;
    limits.max_string_bytes = 8;
  }
  const ParseContext context{(control & 8) != 0 ? "" : "fraud", 1'764'000'000'000'000};
  if ((control & 1) != 0) {
    Run<LabelEvent>(body, ndjson, context, limits, ParseLabels);
  } else {
    Run<PredictionEvent>(body, ndjson, context, limits, ParsePredictions);
  }
  // The Content-Type parser on the same bytes.
  auto format = BodyFormatFromContentType(body);
  if (!format.ok()) CheckMessage(format.status());
  return 0;
}
