#include "event_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>

namespace modelwatch::store::internal {
namespace {

using ::testing::HasSubstr;

std::string Encode(const PredictionEvent& e) {
  ByteWriter w;
  AppendPredictionPayload(e, w);
  return w.Release();
}

// The payload fields alone: what a decode into a fresh event reproduces.
PredictionEvent PayloadPart(const PredictionEvent& e) {
  PredictionEvent p;
  p.features = e.features;
  p.prediction = e.prediction;
  p.score = e.score;
  p.scores = e.scores;
  p.latency_ms = e.latency_ms;
  p.segment = e.segment;
  return p;
}

PredictionEvent RichEvent() {
  PredictionEvent e;
  e.features = {
      {"null", EventValue{}},
      {"zero", EventValue::Number(0.0)},
      {"negative zero", EventValue::Number(-0.0)},
      {"denormal", EventValue::Number(std::numeric_limits<double>::denorm_min())},
      {"max", EventValue::Number(std::numeric_limits<double>::max())},
      {"lowest", EventValue::Number(std::numeric_limits<double>::lowest())},
      {"third", EventValue::Number(1.0 / 3.0)},
      {"true", EventValue::Bool(true)},
      {"false", EventValue::Bool(false)},
      {"empty", EventValue::String("")},
      {"unicode", EventValue::String("Zürich – 東京 🚀")},
      {std::string("nul\0inside", 10), EventValue::String(std::string("a\0b", 3))},
      {"", EventValue::String("empty name")},
  };
  e.prediction = EventValue::String("cat");
  e.score = 0.25;
  e.scores = {{"cat", 0.7}, {"dog", 0.2}, {"", 0.1}, {"ñandú", -0.0}};
  e.latency_ms = 0.0;
  e.segment = {{"region", "eu"}, {"", ""}, {"país", "España"}};
  return e;
}

TEST(EventCodecTest, RoundTripsEveryValueKindAndField) {
  const PredictionEvent e = RichEvent();
  PredictionEvent decoded;
  ASSERT_TRUE(DecodePredictionPayload(Encode(e), decoded).ok());
  EXPECT_EQ(decoded, PayloadPart(e));
}

TEST(EventCodecTest, DoublesRoundTripBitExactly) {
  const double values[] = {-0.0,
                           0.0,
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::min(),
                           1.0 / 3.0,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::infinity(),
                           std::bit_cast<double>(uint64_t{0x7FF8000000000123})};  // NaN payload
  for (double v : values) {
    PredictionEvent e;
    e.prediction = EventValue::Number(v);
    e.score = v;
    e.latency_ms = v;
    e.features = {{"x", EventValue::Number(v)}};
    e.scores = {{"c", v}};
    PredictionEvent d;
    ASSERT_TRUE(DecodePredictionPayload(Encode(e), d).ok());
    const uint64_t bits = std::bit_cast<uint64_t>(v);
    EXPECT_EQ(std::bit_cast<uint64_t>(d.prediction.number), bits);
    EXPECT_EQ(std::bit_cast<uint64_t>(*d.score), bits);
    EXPECT_EQ(std::bit_cast<uint64_t>(*d.latency_ms), bits);
    EXPECT_EQ(std::bit_cast<uint64_t>(d.features[0].value.number), bits);
    EXPECT_EQ(std::bit_cast<uint64_t>(d.scores[0].second), bits);
  }
}

TEST(EventCodecTest, EmptyEventIsTwoBytesPlusThreeCountsAndATag) {
  const PredictionEvent e;
  const std::string bytes = Encode(e);
  EXPECT_EQ(bytes.size(), 6u);      // version, flags, null tag, three zero counts
  PredictionEvent d = RichEvent();  // decoding overwrites every payload field
  ASSERT_TRUE(DecodePredictionPayload(bytes, d).ok());
  EXPECT_EQ(PayloadPart(d), e);
}

// The size quoted in docs/storage.md.
TEST(EventCodecTest, TenNumericFeaturesWithScoreAndLatencyTake150Bytes) {
  PredictionEvent e;
  for (int f = 0; f < 10; ++f) {
    e.features.push_back({"f" + std::to_string(f), EventValue::Number(f / 7.0)});
  }
  e.prediction = EventValue::Number(1);
  e.score = 0.5;
  e.latency_ms = 3.5;
  EXPECT_EQ(Encode(e).size(), 150u);
}

TEST(EventCodecTest, DecodingIntoAReusedEventEqualsAFreshDecode) {
  const PredictionEvent rich = RichEvent();
  PredictionEvent small;
  small.features = {{"a", EventValue::Bool(true)}};
  small.prediction = EventValue::Number(2);
  PredictionEvent d;
  ASSERT_TRUE(DecodePredictionPayload(Encode(rich), d).ok());
  ASSERT_TRUE(DecodePredictionPayload(Encode(small), d).ok());
  EXPECT_EQ(d, PayloadPart(small));
  ASSERT_TRUE(DecodePredictionPayload(Encode(rich), d).ok());
  EXPECT_EQ(d, PayloadPart(rich));
}

TEST(EventCodecTest, EveryTruncationIsDataLoss) {
  const std::string bytes = Encode(RichEvent());
  for (size_t n = 0; n < bytes.size(); ++n) {
    PredictionEvent d;
    const Status s = DecodePredictionPayload(bytes.substr(0, n), d);
    ASSERT_EQ(s.code(), StatusCode::kDataLoss) << "prefix " << n;
    EXPECT_THAT(s.message(), HasSubstr("payload: "));
  }
}

TEST(EventCodecTest, TrailingBytesAreDataLoss) {
  PredictionEvent d;
  const Status s = DecodePredictionPayload(Encode(RichEvent()) + "x", d);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("trailing"));
}

TEST(EventCodecTest, NewerOrZeroVersionIsRefused) {
  std::string bytes = Encode(PredictionEvent{});
  PredictionEvent d;
  bytes[0] = static_cast<char>(kPayloadFormatVersion + 1);
  Status s = DecodePredictionPayload(bytes, d);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("newer than this build supports (1)"));
  bytes[0] = 0;
  EXPECT_EQ(DecodePredictionPayload(bytes, d).code(), StatusCode::kDataLoss);
}

TEST(EventCodecTest, UnknownFlagsAndTagsAreDataLoss) {
  std::string bytes = Encode(PredictionEvent{});
  PredictionEvent d;
  bytes[1] = 0x04;
  EXPECT_THAT(DecodePredictionPayload(bytes, d).message(), HasSubstr("unknown flag bits 4"));
  bytes[1] = 0;
  bytes[2] = 9;  // the prediction's value tag
  const Status s = DecodePredictionPayload(bytes, d);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("unknown value tag 9 of 'prediction'"));
}

TEST(EventCodecTest, HugeCountIsRefusedBeforeAllocating) {
  ByteWriter w;
  w.PutU8(kPayloadFormatVersion);
  w.PutU8(0);
  w.PutU8(0);                      // null prediction
  w.PutVarint(uint64_t{1} << 31);  // feature count with no features behind it
  PredictionEvent d;
  const Status s = DecodePredictionPayload(w.bytes(), d);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("feature count"));
}

}  // namespace
}  // namespace modelwatch::store::internal
