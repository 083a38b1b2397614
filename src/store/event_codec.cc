#include "event_codec.h"

#include <bit>
#include <limits>
#include <string>

namespace modelwatch::store::internal {
namespace {

enum ValueTag : uint8_t {
  kTagNull = 0,
  kTagNumber = 1,
  kTagFalse = 2,
  kTagTrue = 3,
  kTagString = 4
};

constexpr uint8_t kFlagScore = 1u << 0;
constexpr uint8_t kFlagLatency = 1u << 1;
constexpr uint8_t kKnownFlags = kFlagScore | kFlagLatency;

// Counts are bounded by the bytes that remain; this only keeps them within size_t everywhere.
constexpr uint64_t kMaxCount = std::numeric_limits<uint32_t>::max();

// ByteWriter::PutDouble's layout (the IEEE-754 bits, little-endian) in one append instead of
// eight single-byte ones: encoding is a tenth of the store's per-prediction CPU time otherwise.
void PutDouble(double v, ByteWriter& out) {
  const auto bits = std::bit_cast<uint64_t>(v);
  char le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<char>(bits >> (8 * i));
  out.PutRaw(std::string_view(le, sizeof(le)));
}

void PutValue(const EventValue& v, ByteWriter& out) {
  switch (v.kind) {
    case EventValue::Kind::kNull:
      out.PutU8(kTagNull);
      return;
    case EventValue::Kind::kNumber:
      out.PutU8(kTagNumber);
      PutDouble(v.number, out);
      return;
    case EventValue::Kind::kBool:
      out.PutU8(v.boolean ? kTagTrue : kTagFalse);
      return;
    case EventValue::Kind::kString:
      out.PutU8(kTagString);
      out.PutString(v.text);
      return;
  }
}

Status ReadValue(ByteReader& in, std::string_view what, EventValue& v) {
  const size_t at = in.offset();
  MW_ASSIGN_OR_RETURN(const uint8_t tag, in.ReadU8(what));
  switch (tag) {
    case kTagNull:
      v.kind = EventValue::Kind::kNull;
      return Status::Ok();
    case kTagNumber: {
      v.kind = EventValue::Kind::kNumber;
      MW_ASSIGN_OR_RETURN(v.number, in.ReadDouble(what));
      return Status::Ok();
    }
    case kTagFalse:
    case kTagTrue:
      v.kind = EventValue::Kind::kBool;
      v.boolean = tag == kTagTrue;
      return Status::Ok();
    case kTagString: {
      v.kind = EventValue::Kind::kString;
      MW_ASSIGN_OR_RETURN(const std::string_view text, in.ReadString(what));
      v.text.assign(text);
      return Status::Ok();
    }
    default:
      return in.Corrupt(
          at, "unknown value tag " + std::to_string(tag) + " of '" + std::string(what) + "'");
  }
}

// Resets the members a value of another kind may have left behind, so a reused event compares
// equal to a freshly decoded one.
void Normalize(EventValue& v) {
  if (v.kind != EventValue::Kind::kNumber) v.number = 0;
  if (v.kind != EventValue::Kind::kBool) v.boolean = false;
  if (v.kind != EventValue::Kind::kString) v.text.clear();
}

Status ReadFeatures(ByteReader& in, std::vector<Feature>& features) {
  // At least a name length and a value tag each.
  MW_ASSIGN_OR_RETURN(const uint64_t n, in.ReadCount("feature count", kMaxCount, 2));
  features.resize(static_cast<size_t>(n));
  for (Feature& f : features) {
    MW_ASSIGN_OR_RETURN(const std::string_view name, in.ReadString("feature name"));
    f.name.assign(name);
    MW_RETURN_IF_ERROR(ReadValue(in, "feature value", f.value));
    Normalize(f.value);
  }
  return Status::Ok();
}

Status ReadScores(ByteReader& in, std::vector<std::pair<std::string, double>>& scores) {
  // A class length and 8 bytes of probability each.
  MW_ASSIGN_OR_RETURN(const uint64_t n, in.ReadCount("score count", kMaxCount, 9));
  scores.resize(static_cast<size_t>(n));
  for (auto& [cls, p] : scores) {
    MW_ASSIGN_OR_RETURN(const std::string_view name, in.ReadString("score class"));
    cls.assign(name);
    MW_ASSIGN_OR_RETURN(p, in.ReadDouble("score probability"));
  }
  return Status::Ok();
}

Status ReadSegment(ByteReader& in, std::vector<std::pair<std::string, std::string>>& segment) {
  MW_ASSIGN_OR_RETURN(const uint64_t n, in.ReadCount("segment count", kMaxCount, 2));
  segment.resize(static_cast<size_t>(n));
  for (auto& [key, value] : segment) {
    MW_ASSIGN_OR_RETURN(const std::string_view k, in.ReadString("segment key"));
    key.assign(k);
    MW_ASSIGN_OR_RETURN(const std::string_view v, in.ReadString("segment value"));
    value.assign(v);
  }
  return Status::Ok();
}

Status ReadOptionalDouble(ByteReader& in, bool present, std::string_view what,
                          std::optional<double>& out) {
  if (!present) {
    out.reset();
    return Status::Ok();
  }
  MW_ASSIGN_OR_RETURN(const double v, in.ReadDouble(what));
  out = v;
  return Status::Ok();
}

}  // namespace

void AppendPredictionPayload(const PredictionEvent& event, ByteWriter& out) {
  out.PutU8(kPayloadFormatVersion);
  out.PutU8(
      static_cast<uint8_t>((event.score ? kFlagScore : 0) | (event.latency_ms ? kFlagLatency : 0)));
  PutValue(event.prediction, out);
  if (event.score) PutDouble(*event.score, out);
  if (event.latency_ms) PutDouble(*event.latency_ms, out);
  out.PutVarint(event.features.size());
  for (const Feature& f : event.features) {
    out.PutString(f.name);
    PutValue(f.value, out);
  }
  out.PutVarint(event.scores.size());
  for (const auto& [cls, p] : event.scores) {
    out.PutString(cls);
    PutDouble(p, out);
  }
  out.PutVarint(event.segment.size());
  for (const auto& [key, value] : event.segment) {
    out.PutString(key);
    out.PutString(value);
  }
}

Status DecodePredictionPayload(std::string_view bytes, PredictionEvent& event) {
  ByteReader in(bytes, "payload");
  MW_ASSIGN_OR_RETURN(const uint8_t version, in.ReadU8("format version"));
  if (version == 0 || version > kPayloadFormatVersion) {
    return in.Corrupt(0, "format version " + std::to_string(version) +
                             (version == 0 ? " is not valid"
                                           : " is newer than this build supports (" +
                                                 std::to_string(kPayloadFormatVersion) + ")"));
  }
  MW_ASSIGN_OR_RETURN(const uint8_t flags, in.ReadU8("flags"));
  if ((flags & ~kKnownFlags) != 0) {
    return in.Corrupt(1, "unknown flag bits " + std::to_string(flags & ~kKnownFlags));
  }
  MW_RETURN_IF_ERROR(ReadValue(in, "prediction", event.prediction));
  Normalize(event.prediction);
  MW_RETURN_IF_ERROR(ReadOptionalDouble(in, (flags & kFlagScore) != 0, "score", event.score));
  MW_RETURN_IF_ERROR(
      ReadOptionalDouble(in, (flags & kFlagLatency) != 0, "latency_ms", event.latency_ms));
  MW_RETURN_IF_ERROR(ReadFeatures(in, event.features));
  MW_RETURN_IF_ERROR(ReadScores(in, event.scores));
  MW_RETURN_IF_ERROR(ReadSegment(in, event.segment));
  return in.ExpectEnd();
}

}  // namespace modelwatch::store::internal
