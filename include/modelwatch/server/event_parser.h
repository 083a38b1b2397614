// Ingest parsers: HTTP request bodies -> validated prediction and label events (DESIGN.md §3).
//
// A body is one JSON object, a JSON array of objects (BodyFormat::kJson) or NDJSON, one object a
// line (BodyFormat::kNdjson). A batch is validated whole: the first invalid record fails the
// call and no event is returned, so that the server can accept or reject a request whole.
//
// Errors (Status codes and the messages the server puts in its error body):
//  - kInvalidArgument: bad JSON or a record that breaks the data model. The message names the
//    record, 1-based: "record 17: field 'score' must be a number in [0,1]" for kJson, and the
//    physical line for kNdjson, blank lines skipped but counted: "line 17: unknown field 'scroe'".
//    JSON syntax errors say where simdjson found them when it can:
//    "line 3: invalid JSON at column 12: bad number" (kNdjson), "record 2: invalid JSON at line
//    2, column 20: bad number" (kJson: line and column in the body); stage-1 errors (invalid
//    UTF-8, an unclosed string, a raw control character) are located by a rescan.
//    The server answers 400 (or 422).
//  - kResourceExhausted: a ParseLimits bound was passed ("batch has more than 10000 records",
//    "record 3: 612 features, more than the limit of 500", "record 3: feature 'x' is 2000 bytes
//    long, more than the limit of 1024"). The server answers 413.
//  Names and values quoted in messages are cut to 64 bytes ("...") at a UTF-8 character
//  boundary, with control characters written as \xNN, so that a message is always short, valid
//  UTF-8 and printable.
//
// Prediction record fields (any other field is an error, "unknown field 'scroe'"; a field given
// twice is an error; JSON null in an optional field means the field is absent):
//   id          required: a non-empty string of at most 256 bytes, or an integer (kept as its
//               decimal text, 42 -> "42").
//   ts          RFC 3339 string or epoch seconds (number or string, see core/timestamp.h) -> us;
//               absent -> ParseContext::now_us. Years 0001-9999 only, so that epoch
//               milliseconds sent by mistake are an error rather than a date in year 57000.
//   model       must equal ParseContext::model (the model named by the URL). When the context
//               names no model, every record must name one: 1-128 bytes of [A-Za-z0-9_.:-].
//   version     1-128 bytes of [A-Za-z0-9_.:-]; "" in the event when absent.
//   features    object name -> number | string | boolean | null, kept in the order sent; numbers
//               finite; names non-empty and distinct.
//   prediction  number | string | boolean | null.
//   score       number in [0,1] (binary: P(positive class)).
//   scores      object class -> number in [0,1] (multiclass); class names distinct.
//   label       number | string | boolean | null.
//   latency_ms  finite number >= 0.
//   segment     object key -> string | number | boolean; numbers and booleans are kept as their
//               canonical text (CanonicalNumberText: 2.0 -> "2", true -> "true"); keys distinct.
// Label record fields: id (required, as above), model (as above), label (required, not null),
// ts (as above).
//
// JSON details: strings must be valid UTF-8 and may use any escape; keys are compared after
// unescaping; a UTF-8 byte order mark at the start of the body is skipped. For kNdjson a line
// ends at LF; a CR before it, spaces and tabs are whitespace; a blank line (only whitespace) is
// skipped; every other line must hold exactly one object. An empty kJson body is an error; an
// empty array, or a kNdjson body without records, gives no events.
//
// Performance: simdjson On-Demand over the body, no copy per record beyond the events' own
// strings. Measured on 1000-event NDJSON batches with 10 numeric features, id, RFC 3339 ts,
// model, version, prediction and score (255 bytes an event), one thread of a shared 2-core AMD
// EPYC VM, thread CPU time: about 1.1-1.4 us an event (0.7-0.9 M events/s/core), about 7,100
// instructions (callgrind), of which the 10 features take half; simdjson's DOM parse_many only
// walking the same body takes 0.53 us. Part of the cost is glibc returning the freed batch to the
// kernel between requests (page faults on the next batch: 20-25% here).
//
// Thread safety: the functions may be called concurrently from any number of threads. Each
// thread keeps a reusable simdjson parser (and, for kJson, a padded copy of the body) between
// calls, sized to the largest body it parsed, up to 16 MiB; scratch for larger bodies is freed at
// the end of the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/event.h"
#include "modelwatch/core/status.h"

namespace modelwatch::server {

enum class BodyFormat {
  kJson,    // one JSON object, or an array of objects
  kNdjson,  // one JSON object per line
};

// The BodyFormat for a Content-Type header value: application/json -> kJson;
// application/x-ndjson, application/ndjson, application/jsonl, application/x-jsonlines -> kNdjson.
// The media type is compared case-insensitively, spaces around it and parameters
// ("; charset=utf-8") are ignored. Anything else is kInvalidArgument "unsupported Content-Type
// 'text/plain' (expected application/json or application/x-ndjson)"; this is the only error
// this function returns, and the server answers it with 415 Unsupported Media Type.
Result<BodyFormat> BodyFormatFromContentType(std::string_view content_type);

// Bounds on one request body. Passing one is kResourceExhausted.
struct ParseLimits {
  size_t max_records = 10000;
  size_t max_features = 500;       // per record
  size_t max_string_bytes = 1024;  // per string: feature name or value, prediction, label,
                                   // class name (scores), segment key or value
};

struct ParseContext {
  std::string_view model;  // the model the URL names; "" when it names none (see `model` above)
  int64_t now_us = 0;      // the ts of a record that has none (microseconds since the epoch)
};

// The prediction events of `body`, in the order sent, or the first error.
Result<std::vector<PredictionEvent>> ParsePredictions(std::string_view body, BodyFormat format,
                                                      const ParseContext& context,
                                                      const ParseLimits& limits);

// The label events of `body`, in the order sent, or the first error.
Result<std::vector<LabelEvent>> ParseLabels(std::string_view body, BodyFormat format,
                                            const ParseContext& context, const ParseLimits& limits);

// True for 1-128 bytes of [A-Za-z0-9_.:-]: what a version (and a model named by a record) must
// be.
bool IsValidName(std::string_view name);

// `text` in single quotes for an error message, as described at the top of this file.
std::string QuoteForMessage(std::string_view text);

}  // namespace modelwatch::server
