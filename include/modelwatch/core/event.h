// The events of the data model (DESIGN.md §3) once parsed and validated: what ingest hands to
// the monitor and what the store keeps. Plain values; parsing lives in server/, storage in
// store/.
//
// Labels and predictions are strings or numbers, and class identity is by value: a number is
// kept as a number and compared as one ("1", 1 and 1.0 are the same class once canonicalized by
// EventValue::CanonicalText). Time is event time in microseconds since the Unix epoch (UTC).
// Thread safety: value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace modelwatch {

// A feature, prediction or label value as sent: null, a number, a boolean or a string.
struct EventValue {
  enum class Kind : uint8_t { kNull, kNumber, kBool, kString };
  Kind kind = Kind::kNull;
  double number = 0;     // kNumber (finite)
  bool boolean = false;  // kBool
  std::string text;      // kString

  static EventValue Number(double x) { return {Kind::kNumber, x, false, {}}; }
  static EventValue Bool(bool b) { return {Kind::kBool, 0, b, {}}; }
  static EventValue String(std::string s) { return {Kind::kString, 0, false, std::move(s)}; }
  bool is_null() const { return kind == Kind::kNull; }
  // The class identity of a label or prediction: numbers as CanonicalNumberText ("1" for 1.0),
  // booleans as "true"/"false", strings as they are, null as "".
  std::string CanonicalText() const;
  friend bool operator==(const EventValue&, const EventValue&) = default;
};

struct Feature {
  std::string name;
  EventValue value;
  friend bool operator==(const Feature&, const Feature&) = default;
};

struct PredictionEvent {
  std::string model;    // required
  std::string version;  // "" when not given
  std::string id;       // required: labels join on (model, id)
  int64_t ts_us = 0;    // event time
  std::vector<Feature> features;                      // in the order sent; null values kept
  EventValue prediction;                              // class or regression value; may be null
  std::optional<double> score;                        // binary: P(positive), in [0, 1]
  std::vector<std::pair<std::string, double>> scores;  // multiclass: class -> probability
  EventValue label;                                   // may come now or later (null)
  std::optional<double> latency_ms;                   // >= 0
  std::vector<std::pair<std::string, std::string>> segment;  // key -> value
  friend bool operator==(const PredictionEvent&, const PredictionEvent&) = default;
};

struct LabelEvent {
  std::string model;  // required
  std::string id;     // required
  EventValue label;   // not null
  int64_t ts_us = 0;  // when the label was observed
  friend bool operator==(const LabelEvent&, const LabelEvent&) = default;
};

}  // namespace modelwatch
