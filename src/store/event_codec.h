// The compact binary encoding of the part of a prediction event that the SQLite store keeps in
// one blob (predictions.payload): features, prediction, score, scores, latency and segment. The
// columns hold the rest (model, id, version, ts_us, label).
//
// Layout (ByteWriter primitives: varints are LEB128, doubles their IEEE-754 bits, strings a
// varint length then the bytes):
//   u8      format version (kPayloadFormatVersion)
//   u8      flags: bit 0 score present, bit 1 latency_ms present; other bits 0
//   value   prediction
//   double  score                      (when flagged)
//   double  latency_ms                 (when flagged)
//   varint  feature count, then per feature: string name, value
//   varint  score count, then per class: string class, double probability
//   varint  segment count, then per entry: string key, string value
// value = u8 tag (0 null, 1 number, 2 false, 3 true, 4 string), then a double for a number or
// a string for a string.
//
// Doubles round-trip bit-exactly (the sign of zero and NaN payloads included), strings
// byte-exactly (empty, embedded NULs, any UTF-8). No checksum: the blob lives inside SQLite's
// pages; the decoder still bounds-checks every read and never allocates from an unchecked count,
// so damaged bytes give kDataLoss, not a crash.
//
// Version policy as in core/byte_codec.h: the writer writes the current version, the reader
// accepts 1..current and rejects newer ones.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/event.h"
#include "modelwatch/core/status.h"

namespace modelwatch::store::internal {

inline constexpr uint8_t kPayloadFormatVersion = 1;

// Appends the payload of `event` to `out`.
void AppendPredictionPayload(const PredictionEvent& event, ByteWriter& out);

// Sets features, prediction, score, scores, latency_ms and segment of `event` from `bytes`
// (other fields are left alone; existing capacity is reused). kDataLoss "payload: ..." naming
// the byte offset and field on truncated, trailing or foreign bytes; `event` is then unspecified.
Status DecodePredictionPayload(std::string_view bytes, PredictionEvent& event);

}  // namespace modelwatch::store::internal
