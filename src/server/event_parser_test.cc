#include "modelwatch/server/event_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace modelwatch::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

constexpr int64_t kNow = 1'764'000'000'000'000;  // 2025-11-24T16:00:00Z

Result<std::vector<PredictionEvent>> Predictions(std::string_view body,
                                                 BodyFormat format = BodyFormat::kNdjson,
                                                 const ParseLimits& limits = ParseLimits(),
                                                 std::string_view model = "fraud") {
  return ParsePredictions(body, format, ParseContext{model, kNow}, limits);
}

Result<std::vector<LabelEvent>> Labels(std::string_view body,
                                       BodyFormat format = BodyFormat::kNdjson,
                                       std::string_view model = "fraud") {
  return ParseLabels(body, format, ParseContext{model, kNow}, ParseLimits());
}

// The one prediction of a one-record NDJSON body, which must parse.
PredictionEvent One(std::string_view record) {
  auto events = Predictions(record);
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  if (!events.ok() || events->size() != 1) return {};
  return events->front();
}

// The status of a body that must fail.
template <typename T>
Status Failure(const Result<T>& result) {
  EXPECT_FALSE(result.ok());
  return result.status();
}

// The error message for a one-record NDJSON prediction body, which must be invalid.
std::string Invalid(std::string_view record) {
  const Status status = Failure(Predictions(record));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  return status.message();
}

// --- Content-Type ---

TEST(BodyFormatTest, MapsContentTypes) {
  EXPECT_EQ(*BodyFormatFromContentType("application/json"), BodyFormat::kJson);
  EXPECT_EQ(*BodyFormatFromContentType("application/json; charset=utf-8"), BodyFormat::kJson);
  EXPECT_EQ(*BodyFormatFromContentType(" Application/JSON ;charset=UTF-8"), BodyFormat::kJson);
  EXPECT_EQ(*BodyFormatFromContentType("application/x-ndjson"), BodyFormat::kNdjson);
  EXPECT_EQ(*BodyFormatFromContentType("application/ndjson"), BodyFormat::kNdjson);
  EXPECT_EQ(*BodyFormatFromContentType("application/jsonl"), BodyFormat::kNdjson);
  EXPECT_EQ(*BodyFormatFromContentType("application/x-jsonlines"), BodyFormat::kNdjson);
  EXPECT_EQ(*BodyFormatFromContentType("application/x-ndjson; charset=utf-8"), BodyFormat::kNdjson);
}

TEST(BodyFormatTest, RejectsOthers) {
  const Status status = Failure(BodyFormatFromContentType("text/plain; charset=utf-8"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "unsupported Content-Type 'text/plain; charset=utf-8' (expected application/json or "
            "application/x-ndjson)");
  EXPECT_FALSE(BodyFormatFromContentType("").ok());
  EXPECT_FALSE(BodyFormatFromContentType("application/jsonx").ok());
  EXPECT_FALSE(BodyFormatFromContentType("application/x-www-form-urlencoded").ok());
}

// --- Every prediction field ---

TEST(ParsePredictionsTest, ReadsEveryField) {
  const PredictionEvent e =
      One(R"({"id":"req-81f3","ts":"2026-11-24T10:00:03.120Z","model":"fraud","version":"v7",)"
          R"("features":{"amount":129.5,"country":"DE","age":null,"vip":true},)"
          R"("prediction":1,"score":0.91,"scores":{"cat":0.7,"dog":0.2,"fox":0.1},)"
          R"("label":null,"latency_ms":12.4,"segment":{"region":"eu","tier":2.0,"new":false}})");
  EXPECT_EQ(e.id, "req-81f3");
  EXPECT_EQ(e.ts_us, 1795514403120000);
  EXPECT_EQ(e.model, "fraud");
  EXPECT_EQ(e.version, "v7");
  ASSERT_EQ(e.features.size(), 4u);
  EXPECT_EQ(e.features[0], (Feature{"amount", EventValue::Number(129.5)}));
  EXPECT_EQ(e.features[1], (Feature{"country", EventValue::String("DE")}));
  EXPECT_EQ(e.features[2], (Feature{"age", EventValue()}));
  EXPECT_EQ(e.features[3], (Feature{"vip", EventValue::Bool(true)}));
  EXPECT_EQ(e.prediction, EventValue::Number(1));
  ASSERT_TRUE(e.score.has_value());
  EXPECT_DOUBLE_EQ(*e.score, 0.91);
  EXPECT_THAT(e.scores, ElementsAre(Pair("cat", 0.7), Pair("dog", 0.2), Pair("fox", 0.1)));
  EXPECT_TRUE(e.label.is_null());
  ASSERT_TRUE(e.latency_ms.has_value());
  EXPECT_DOUBLE_EQ(*e.latency_ms, 12.4);
  EXPECT_THAT(e.segment,
              ElementsAre(Pair("region", "eu"), Pair("tier", "2"), Pair("new", "false")));
}

TEST(ParsePredictionsTest, OnlyIdIsRequired) {
  const PredictionEvent e = One(R"({"id":"a"})");
  EXPECT_EQ(e.id, "a");
  EXPECT_EQ(e.model, "fraud");  // from the URL
  EXPECT_EQ(e.version, "");
  EXPECT_EQ(e.ts_us, kNow);
  EXPECT_TRUE(e.features.empty());
  EXPECT_TRUE(e.prediction.is_null());
  EXPECT_FALSE(e.score.has_value());
  EXPECT_TRUE(e.scores.empty());
  EXPECT_TRUE(e.label.is_null());
  EXPECT_FALSE(e.latency_ms.has_value());
  EXPECT_TRUE(e.segment.empty());
  EXPECT_EQ(Invalid(R"({"score":0.5})"), "line 1: field 'id' is missing");
  EXPECT_EQ(Invalid("{}"), "line 1: field 'id' is missing");
}

TEST(ParsePredictionsTest, NullMeansAbsentInOptionalFields) {
  const PredictionEvent e =
      One(R"({"id":"a","ts":null,"model":null,"version":null,"features":null,"score":null,)"
          R"("scores":null,"latency_ms":null,"segment":null,"prediction":null,"label":null})");
  EXPECT_EQ(e.ts_us, kNow);
  EXPECT_EQ(e.model, "fraud");
  EXPECT_EQ(e.version, "");
  EXPECT_FALSE(e.score.has_value());
  EXPECT_FALSE(e.latency_ms.has_value());
}

TEST(ParsePredictionsTest, ValueKinds) {
  EXPECT_EQ(One(R"({"id":"a","prediction":"cat"})").prediction, EventValue::String("cat"));
  EXPECT_EQ(One(R"({"id":"a","prediction":true})").prediction, EventValue::Bool(true));
  EXPECT_EQ(One(R"({"id":"a","prediction":-2.5e3})").prediction, EventValue::Number(-2500));
  EXPECT_EQ(One(R"({"id":"a","label":"1"})").label, EventValue::String("1"));
  EXPECT_EQ(One(R"({"id":"a","label":0})").label, EventValue::Number(0));
  EXPECT_EQ(One(R"({"id":"a","label":false})").label, EventValue::Bool(false));
  EXPECT_EQ(Invalid(R"({"id":"a","prediction":[1]})"),
            "line 1: field 'prediction' must be a number, string, boolean or null");
  EXPECT_EQ(Invalid(R"({"id":"a","label":{"x":1}})"),
            "line 1: field 'label' must be a number, string, boolean or null");
}

// --- id ---

TEST(ParsePredictionsTest, IntegerIdsAreTheirDecimalText) {
  EXPECT_EQ(One(R"({"id":42})").id, "42");
  EXPECT_EQ(One(R"({"id":-7})").id, "-7");
  EXPECT_EQ(One(R"({"id":0})").id, "0");
  EXPECT_EQ(One(R"({"id":-0})").id, "0");
  EXPECT_EQ(One(R"({"id":123456789012345678901234567890})").id, "123456789012345678901234567890");
  constexpr std::string_view kWrong = "line 1: field 'id' must be a non-empty string or an integer";
  EXPECT_EQ(Invalid(R"({"id":1.5})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":1e3})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":true})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":null})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":""})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":["a"]})"), kWrong);
  EXPECT_THAT(Invalid(R"({"id":012})"), StartsWith("line 1: invalid JSON"));
}

TEST(ParsePredictionsTest, IdLength) {
  const std::string ok(256, 'x');
  EXPECT_EQ(One(R"({"id":")" + ok + R"("})").id, ok);
  EXPECT_EQ(Invalid(R"({"id":")" + ok + R"(y"})"),
            "line 1: field 'id' is 257 bytes long, more than the limit of 256");
}

TEST(ParsePredictionsTest, StringsAreUnescaped) {
  const PredictionEvent e = One(R"({"id":"a\"b\\c\u00e9\ud83d\ude00","features":{"\u0078":"\n"}})");
  EXPECT_EQ(e.id, "a\"b\\c\xC3\xA9\xF0\x9F\x98\x80");
  ASSERT_EQ(e.features.size(), 1u);
  EXPECT_EQ(e.features[0].name, "x");
  EXPECT_EQ(e.features[0].value, EventValue::String("\n"));
}

// --- ts ---

TEST(ParsePredictionsTest, TimestampsInBothForms) {
  EXPECT_EQ(One(R"({"id":"a","ts":"2026-11-24T10:00:03.120Z"})").ts_us, 1795514403120000);
  EXPECT_EQ(One(R"({"id":"a","ts":"2026-11-24 11:00:03.12+01:00"})").ts_us, 1795514403120000);
  EXPECT_EQ(One(R"({"id":"a","ts":"2026-11-24T10:00:03.000001Z"})").ts_us, 1795514403000001);
  EXPECT_EQ(One(R"({"id":"a","ts":1795514403.12})").ts_us, 1795514403120000);
  EXPECT_EQ(One(R"({"id":"a","ts":1795514403})").ts_us, 1795514403000000);
  EXPECT_EQ(One(R"({"id":"a","ts":"1795514403.5"})").ts_us, 1795514403500000);
  EXPECT_EQ(One(R"({"id":"a","ts":0})").ts_us, 0);
  EXPECT_EQ(One(R"({"id":"a","ts":-86400})").ts_us, -86400000000);
  EXPECT_EQ(One(R"({"id":"a","ts":"0001-01-01T00:00:00Z"})").ts_us, -62135596800000000);
  EXPECT_EQ(One(R"({"id":"a","ts":"9999-12-31T23:59:59Z"})").ts_us, 253402300799000000);
}

TEST(ParsePredictionsTest, BadTimestamps) {
  EXPECT_EQ(Invalid(R"({"id":"a","ts":"yesterday"})"),
            "line 1: field 'ts' must be an RFC 3339 time or epoch seconds, not 'yesterday'");
  EXPECT_EQ(Invalid(R"({"id":"a","ts":"2026-13-01T00:00:00Z"})"),
            "line 1: field 'ts' must be an RFC 3339 time or epoch seconds, not "
            "'2026-13-01T00:00:00Z'");
  EXPECT_EQ(Invalid(R"({"id":"a","ts":true})"),
            "line 1: field 'ts' must be an RFC 3339 time or epoch seconds");
  constexpr std::string_view kRange =
      "line 1: field 'ts' is out of range: years 0001-9999 only (epoch seconds, not milliseconds)";
  EXPECT_EQ(Invalid(R"({"id":"a","ts":1795514403120})"), kRange);  // milliseconds
  EXPECT_EQ(Invalid(R"({"id":"a","ts":1e300})"), kRange);
  EXPECT_EQ(Invalid(R"({"id":"a","ts":1e999})"), kRange);
  EXPECT_EQ(Invalid(R"({"id":"a","ts":"0000-12-31T23:59:59Z"})"), kRange);
}

// --- model and version ---

TEST(ParsePredictionsTest, ModelMustMatchTheUrl) {
  EXPECT_EQ(One(R"({"id":"a","model":"fraud"})").model, "fraud");
  EXPECT_EQ(Invalid(R"({"id":"a","model":"x"})"),
            "line 1: field 'model' is 'x' but the URL names 'fraud'");
  EXPECT_EQ(Invalid(R"({"id":"a","model":1})"), "line 1: field 'model' must be a string");
  const Status status =
      Failure(Predictions(R"([{"id":"a"},{"id":"b","model":"x"}])", BodyFormat::kJson));
  EXPECT_EQ(status.message(), "record 2: field 'model' is 'x' but the URL names 'fraud'");
}

TEST(ParsePredictionsTest, ModelFromTheRecordWhenTheUrlNamesNone) {
  auto events =
      Predictions(R"({"id":"a","model":"churn-v2"})", BodyFormat::kNdjson, ParseLimits(), "");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->front().model, "churn-v2");
  EXPECT_EQ(Failure(Predictions(R"({"id":"a"})", BodyFormat::kNdjson, ParseLimits(), "")).message(),
            "line 1: field 'model' is missing (the URL names no model)");
  EXPECT_EQ(
      Failure(Predictions(R"({"id":"a","model":"a b"})", BodyFormat::kNdjson, ParseLimits(), ""))
          .message(),
      "line 1: field 'model' is 'a b': must be 1-128 characters from [A-Za-z0-9_.:-]");
}

TEST(ParsePredictionsTest, Version) {
  EXPECT_EQ(One(R"({"id":"a","version":"v7.1_rc-2:b"})").version, "v7.1_rc-2:b");
  EXPECT_EQ(One(R"({"id":"a","version":")" + std::string(128, 'v') + R"("})").version,
            std::string(128, 'v'));
  EXPECT_EQ(Invalid(R"({"id":"a","version":"v 7"})"),
            "line 1: field 'version' is 'v 7': must be 1-128 characters from [A-Za-z0-9_.:-]");
  EXPECT_EQ(Invalid(R"({"id":"a","version":""})"),
            "line 1: field 'version' is '': must be 1-128 characters from [A-Za-z0-9_.:-]");
  EXPECT_THAT(Invalid(R"({"id":"a","version":")" + std::string(129, 'v') + R"("})"),
              HasSubstr("must be 1-128 characters"));
  EXPECT_EQ(Invalid(R"({"id":"a","version":7})"), "line 1: field 'version' must be a string");
}

// --- features ---

TEST(ParsePredictionsTest, FeatureValuesMustBeScalars) {
  EXPECT_EQ(Invalid(R"({"id":"a","features":{"a":1,"x":{"y":1}}})"),
            "line 1: feature 'x' must be a number, string, boolean or null");
  EXPECT_EQ(Invalid(R"({"id":"a","features":{"x":[1,2]}})"),
            "line 1: feature 'x' must be a number, string, boolean or null");
  EXPECT_EQ(Invalid(R"({"id":"a","features":[1,2]})"),
            "line 1: field 'features' must be an object");
  EXPECT_EQ(Invalid(R"({"id":"a","features":{"":1}})"), "line 1: a feature has an empty name");
}

TEST(ParsePredictionsTest, HugeNumbers) {
  const PredictionEvent e =
      One(R"({"id":"a","features":{"a":1.7976931348623157e308,"b":123456789012345678901234567890,)"
          R"("c":1e-400,"d":-0.0,"e":18446744073709551616}})");
  ASSERT_EQ(e.features.size(), 5u);
  EXPECT_EQ(e.features[0].value.number, 1.7976931348623157e308);
  EXPECT_EQ(e.features[1].value.number, 1.2345678901234568e29);
  EXPECT_EQ(e.features[2].value.number, 0);
  EXPECT_EQ(e.features[3].value.number, 0);
  EXPECT_EQ(e.features[4].value.number, 18446744073709551616.0);
  EXPECT_EQ(Invalid(R"({"id":"a","features":{"x":1e309}})"),
            "line 1: feature 'x' must be a finite number");
  EXPECT_EQ(Invalid(R"({"id":"a","features":{"x":-1e999}})"),
            "line 1: feature 'x' must be a finite number");
  EXPECT_EQ(Invalid(R"({"id":"a","prediction":1e999})"),
            "line 1: field 'prediction' must be a finite number");
  EXPECT_EQ(Invalid(R"({"id":"a","score":1e999})"),
            "line 1: field 'score' must be a number in [0,1]");
  EXPECT_THAT(Invalid(R"({"id":"a","features":{"x":1.}})"),
              StartsWith("line 1: invalid JSON at column 27: bad number"));
}

TEST(ParsePredictionsTest, DuplicateFeatures) {
  EXPECT_EQ(Invalid(R"({"id":"a","features":{"x":1,"y":2,"x":3}})"),
            "line 1: feature 'x' appears twice");
  // Equal once unescaped.
  EXPECT_EQ(Invalid(R"({"id":"a","features":{"ab":1,"a\u0062":2}})"),
            "line 1: feature 'ab' appears twice");
  // Many features (the sorting path).
  std::string record = R"({"id":"a","features":{)";
  for (int i = 0; i < 100; ++i)
    record += "\"f" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_EQ(One(record + R"("g":0}})").features.size(), 101u);
  EXPECT_EQ(Invalid(record + R"("f17":0}})"), "line 1: feature 'f17' appears twice");
  // A record whose names differ from the previous record's is checked again.
  const Status status =
      Failure(Predictions("{\"id\":1,\"features\":{\"a\":1,\"b\":2}}\n"
                          "{\"id\":2,\"features\":{\"a\":1,\"b\":2}}\n"
                          "{\"id\":3,\"features\":{\"a\":1,\"a\":2}}\n"));
  EXPECT_EQ(status.message(), "line 3: feature 'a' appears twice");
}

TEST(ParsePredictionsTest, FeatureLimits) {
  ParseLimits limits;
  limits.max_features = 500;
  std::string record = R"({"id":"a","features":{)";
  for (int i = 0; i < 612; ++i) record += (i ? ",\"f" : "\"f") + std::to_string(i) + "\":1";
  record += "}}";
  const std::string body = "{\"id\":\"x\"}\n{\"id\":\"y\"}\n" + record + "\n";
  Status status = Failure(Predictions(body, BodyFormat::kNdjson, limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "line 3: 612 features, more than the limit of 500");
  limits.max_features = 612;
  EXPECT_TRUE(Predictions(body, BodyFormat::kNdjson, limits).ok());

  limits.max_string_bytes = 4;
  status =
      Failure(Predictions(R"({"id":"a","features":{"x":"abcde"}})", BodyFormat::kNdjson, limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "line 1: feature 'x' is 5 bytes long, more than the limit of 4");
  status =
      Failure(Predictions(R"({"id":"a","features":{"abcde":1}})", BodyFormat::kNdjson, limits));
  EXPECT_EQ(status.message(),
            "line 1: feature name 'abcde' is 5 bytes long, more than the limit of 4");
  status = Failure(Predictions(R"({"id":"a","label":"abcde"})", BodyFormat::kNdjson, limits));
  EXPECT_EQ(status.message(), "line 1: field 'label' is 5 bytes long, more than the limit of 4");
  EXPECT_TRUE(
      Predictions(R"({"id":"a","features":{"abcd":"abcd"}})", BodyFormat::kNdjson, limits).ok());
}

// --- score, scores, latency_ms, segment ---

TEST(ParsePredictionsTest, Score) {
  EXPECT_EQ(*One(R"({"id":"a","score":0})").score, 0);
  EXPECT_EQ(*One(R"({"id":"a","score":1})").score, 1);
  EXPECT_EQ(*One(R"({"id":"a","score":1.0e0})").score, 1);
  constexpr std::string_view kWrong = "line 1: field 'score' must be a number in [0,1]";
  EXPECT_EQ(Invalid(R"({"id":"a","score":1.5})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":"a","score":-0.1})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":"a","score":"0.5"})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":"a","score":true})"), kWrong);
  const Status status =
      Failure(Predictions("{\"id\":1}\n\n{\"id\":2}\n{\"id\":3}\n\n\n{\"id\":5}"
                          "\n\n\n\n\n\n\n\n\n\n{\"id\":6,\"score\":2}\n"));
  EXPECT_EQ(status.message(), "line 17: field 'score' must be a number in [0,1]");
}

TEST(ParsePredictionsTest, Scores) {
  EXPECT_THAT(One(R"({"id":"a","scores":{}})").scores, ElementsAre());
  EXPECT_EQ(Invalid(R"({"id":"a","scores":{"cat":0.5,"dog":1.2}})"),
            "line 1: field 'scores': class 'dog' must be a number in [0,1]");
  EXPECT_EQ(Invalid(R"({"id":"a","scores":{"cat":null}})"),
            "line 1: field 'scores': class 'cat' must be a number in [0,1]");
  EXPECT_EQ(Invalid(R"({"id":"a","scores":{"cat":0.5,"cat":0.5}})"),
            "line 1: field 'scores' names class 'cat' twice");
  EXPECT_EQ(Invalid(R"({"id":"a","scores":[0.5]})"), "line 1: field 'scores' must be an object");
  EXPECT_EQ(Invalid(R"({"id":"a","scores":{"":0.5}})"),
            "line 1: field 'scores' has an empty class name");
}

TEST(ParsePredictionsTest, LatencyMs) {
  EXPECT_EQ(*One(R"({"id":"a","latency_ms":0})").latency_ms, 0);
  EXPECT_EQ(*One(R"({"id":"a","latency_ms":1e5})").latency_ms, 1e5);
  constexpr std::string_view kWrong = "line 1: field 'latency_ms' must be a number >= 0";
  EXPECT_EQ(Invalid(R"({"id":"a","latency_ms":-1})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":"a","latency_ms":"12"})"), kWrong);
  EXPECT_EQ(Invalid(R"({"id":"a","latency_ms":1e999})"), kWrong);
}

TEST(ParsePredictionsTest, Segment) {
  EXPECT_THAT(One(R"({"id":"a","segment":{"n":1e3,"x":0.25,"t":true,"s":""}})").segment,
              ElementsAre(Pair("n", "1000"), Pair("x", "0.25"), Pair("t", "true"), Pair("s", "")));
  EXPECT_EQ(Invalid(R"({"id":"a","segment":{"region":null}})"),
            "line 1: segment 'region' must be a string, number or boolean");
  EXPECT_EQ(Invalid(R"({"id":"a","segment":{"region":["eu"]}})"),
            "line 1: segment 'region' must be a number, string, boolean or null");
  EXPECT_EQ(Invalid(R"({"id":"a","segment":{"r":"a","r":"b"}})"),
            "line 1: segment 'r' appears twice");
  EXPECT_EQ(Invalid(R"({"id":"a","segment":"eu"})"), "line 1: field 'segment' must be an object");
  EXPECT_EQ(Invalid(R"({"id":"a","segment":{"":"eu"}})"),
            "line 1: field 'segment' has an empty key");
}

// --- record structure ---

TEST(ParsePredictionsTest, UnknownAndDuplicateFields) {
  EXPECT_EQ(Invalid(R"({"id":"a","scroe":0.5})"), "line 1: unknown field 'scroe'");
  EXPECT_EQ(Invalid(R"({"id":"a","score":0.5,"score":0.5})"),
            "line 1: field 'score' appears twice");
  EXPECT_EQ(Invalid(R"({"id":"a","\u0069d":"b"})"), "line 1: field 'id' appears twice");
  // Names in messages are cut and made printable.
  EXPECT_EQ(Invalid("{\"id\":\"a\",\"" + std::string(100, 'z') + "\":1}"),
            "line 1: unknown field '" + std::string(64, 'z') + "...'");
  EXPECT_EQ(Invalid(R"({"id":"a","a\u0001b":1})"), "line 1: unknown field 'a\\x01b'");
  // A cut never splits a character: 63 bytes, then a 2-byte character.
  EXPECT_EQ(Invalid("{\"id\":\"a\",\"" + std::string(63, 'z') + "\xC3\xA9zzz\":1}"),
            "line 1: unknown field '" + std::string(63, 'z') + "\xC3\xA9...'");
}

TEST(ParsePredictionsTest, RecordNumbersInJsonArrays) {
  const Status status =
      Failure(Predictions(R"([{"id":"a"},{"id":"b"},{"id":"c","score":7}])", BodyFormat::kJson));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "record 3: field 'score' must be a number in [0,1]");
  EXPECT_EQ(Failure(Predictions(R"({"id":"c","scroe":7})", BodyFormat::kJson)).message(),
            "record 1: unknown field 'scroe'");
  EXPECT_EQ(Failure(Predictions(R"([{"id":"a"},[1]])", BodyFormat::kJson)).message(),
            "record 2: must be a JSON object");
}

TEST(ParsePredictionsTest, SingleObjectArrayAndNdjsonAgree) {
  const std::string a = R"({"id":"a","features":{"x":1,"y":"u"},"score":0.5})";
  const std::string b = R"({"id":2,"ts":1795514403,"label":"cat","prediction":"dog"})";
  auto ndjson = Predictions(a + "\n" + b + "\n");
  auto array = Predictions(" [ " + a + " ,\n" + b + " ]\n", BodyFormat::kJson);
  auto single = Predictions(a, BodyFormat::kJson);
  ASSERT_TRUE(ndjson.ok()) << ndjson.status().ToString();
  ASSERT_TRUE(array.ok()) << array.status().ToString();
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  ASSERT_EQ(ndjson->size(), 2u);
  EXPECT_EQ(*ndjson, *array);
  ASSERT_EQ(single->size(), 1u);
  EXPECT_EQ(single->front(), ndjson->front());
}

TEST(ParsePredictionsTest, NdjsonLinesBlankLinesAndCrlf) {
  const std::string body =
      "\xEF\xBB\xBF{\"id\":\"a\"}\r\n"
      "\r\n"
      "   \t\r\n"
      "{\"id\":\"b\"}  \r\n"
      "{\"id\":\"c\"}";  // no final line break
  auto events = Predictions(body);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].id, "a");
  EXPECT_EQ((*events)[1].id, "b");
  EXPECT_EQ((*events)[2].id, "c");
  EXPECT_EQ(Failure(Predictions(body + "\r\n\r\n{\"id\":\"d\",\"x\":1}\r\n")).message(),
            "line 7: unknown field 'x'");
  EXPECT_EQ(Failure(Predictions("\n\n[{\"id\":\"a\"}]\n")).message(),
            "line 3: must be a JSON object (one object per line)");
  EXPECT_EQ(Failure(Predictions("{\"id\":\"a\"} {\"id\":\"b\"}\n")).message(),
            "line 1: invalid JSON at column 12: content after the end of the object (one object "
            "per line)");
  EXPECT_THAT(Failure(Predictions("{\"id\":\"a\",\n\"score\":1}\n")).message(),
              StartsWith("line 1: invalid JSON"));
}

TEST(ParsePredictionsTest, EmptyBodies) {
  EXPECT_TRUE(Predictions("")->empty());
  EXPECT_TRUE(Predictions("\n \r\n\n")->empty());
  EXPECT_TRUE(Predictions("[]", BodyFormat::kJson)->empty());
  EXPECT_TRUE(Predictions(" [ ]\n", BodyFormat::kJson)->empty());
  EXPECT_EQ(Failure(Predictions(" \n", BodyFormat::kJson)).message(),
            "body is empty (expected a JSON object or an array of objects)");
  EXPECT_EQ(Failure(Predictions("42", BodyFormat::kJson)).message(),
            "body must be a JSON object or an array of objects");
  EXPECT_EQ(Failure(Predictions("\"x\"", BodyFormat::kJson)).message(),
            "body must be a JSON object or an array of objects");
}

TEST(ParsePredictionsTest, RecordLimit) {
  ParseLimits limits;
  limits.max_records = 2;
  EXPECT_EQ(Predictions("{\"id\":1}\n\n\n{\"id\":2}\n\n", BodyFormat::kNdjson, limits)->size(), 2u);
  Status status =
      Failure(Predictions("{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n", BodyFormat::kNdjson, limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "batch has more than 2 records");
  EXPECT_EQ(Predictions(R"([{"id":1},{"id":2}])", BodyFormat::kJson, limits)->size(), 2u);
  status = Failure(Predictions(R"([{"id":1},{"id":2},{"id":3}])", BodyFormat::kJson, limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "batch has more than 2 records");
  EXPECT_EQ(Failure(Predictions(std::string(20000, '\n') + R"([{"id":1}])")).message(),
            "line 20001: must be a JSON object (one object per line)");
}

TEST(ParsePredictionsTest, DefaultLimitMessage) {
  std::string body;
  for (int i = 0; i <= 10000; ++i) body += "{\"id\":" + std::to_string(i) + "}\n";
  const Status status = Failure(Predictions(body));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "batch has more than 10000 records");
}

// --- JSON syntax ---

TEST(ParsePredictionsTest, SyntaxErrorsSayWhere) {
  EXPECT_EQ(Invalid("{\"id\":\"a\",\"score\":tru}"),
            "line 1: invalid JSON at column 19: bad literal (expected true, false, null, a number, "
            "a string, an object or an array)");
  EXPECT_EQ(Invalid("{\"id\":\"a\" \"score\":1}"),
            "line 1: invalid JSON at column 11: bad structure (check commas, colons, quotes, "
            "braces and brackets)");
  EXPECT_EQ(Invalid("{\"id\":\"a\",\"features\":{\"x\":\"\\q\"}}"),
            "line 1: invalid JSON at column 27: bad escape sequence in a string");
  EXPECT_EQ(Invalid("{\"id\":\"a\",\"features\":{\"x\":nul}}"),
            "line 1: invalid JSON at column 27: bad literal (expected true, false, null, a number, "
            "a string, an object or an array)");
  EXPECT_EQ(Invalid("{\"id\":\"a\",\"id\":\"b\\x\"}"), "line 1: field 'id' appears twice");
  EXPECT_EQ(Invalid("{\"id\":fals}"),
            "line 1: invalid JSON at column 7: bad literal (expected true, false, null, a number, "
            "a string, an object or an array)");
  EXPECT_EQ(Invalid("{\"id\":\"a\""),
            "line 1: invalid JSON at column 1: object or array is not closed");
  EXPECT_EQ(Invalid("{\"id\":\"a}"), "line 1: invalid JSON at column 7: string is not closed");
  EXPECT_EQ(Invalid("{\"id\":\"a\tb\"}"),
            "line 1: invalid JSON at column 9: control character in a string (escape it)");
  const Status status =
      Failure(Predictions("[{\"id\":\"a\"},\n {\"id\":\"b\",\"score\":1.}]", BodyFormat::kJson));
  EXPECT_EQ(
      status.message(),
      "record 2: invalid JSON at line 2, column 20: bad number (or beyond the range of a double)");
  EXPECT_EQ(Failure(Predictions("{\"id\":\"a\"}\n{\"id\":\"b\"}", BodyFormat::kJson)).message(),
            "invalid JSON at line 2, column 1: content after the end of the JSON value (send "
            "several objects as an array, or as NDJSON with Content-Type application/x-ndjson)");
  EXPECT_THAT(Failure(Predictions("[{\"id\":\"a\"},]", BodyFormat::kJson)).message(),
              StartsWith("record 2: invalid JSON"));
  EXPECT_THAT(Failure(Predictions("[{\"id\":\"a\"}", BodyFormat::kJson)).message(),
              HasSubstr("invalid JSON"));
}

TEST(ParsePredictionsTest, InvalidUtf8) {
  EXPECT_EQ(Invalid("{\"id\":\"a\xFF\"}"), "line 1: invalid JSON at column 9: invalid UTF-8");
  EXPECT_EQ(Failure(Predictions("{\"id\":\"a\"}\n\n{\"id\":\"\xC3\x28\"}\n")).message(),
            "line 3: invalid JSON at column 8: invalid UTF-8");
  // Overlong encodings and surrogates are not UTF-8 either.
  EXPECT_THAT(Invalid("{\"id\":\"\xC0\xAF\"}"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(Invalid("{\"id\":\"\xED\xA0\x80\"}"), HasSubstr("invalid UTF-8"));
  const Status status =
      Failure(Predictions("[{\"id\":\"a\"},\n{\"id\":\"\xF5\"}]", BodyFormat::kJson));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "invalid JSON at line 2, column 8: invalid UTF-8");
}

TEST(ParsePredictionsTest, DeepNestingIsAnErrorNotACrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(Invalid(R"({"id":"a","features":{"x":)" + deep + "}}"), StartsWith("line 1: "));
  EXPECT_THAT(Failure(Predictions(deep, BodyFormat::kJson)).message(), HasSubstr("JSON"));
}

TEST(ParsePredictionsTest, LargeBodiesAndManyThreads) {
  // Larger than the scratch a thread keeps (16 MiB), as one JSON array.
  std::string body = "[";
  const std::string record = R"({"id":"req-000000","features":{"a":1.5,)"
                             R"("b":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}},)";
  ParseLimits limits;
  limits.max_records = 1'000'000;
  while (body.size() < (size_t{17} << 20)) body += record;
  body.back() = ']';
  const size_t n = (body.size() - 1) / record.size();
  auto events = Predictions(body, BodyFormat::kJson, limits);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->size(), n);
  // And again, after the scratch was freed.
  EXPECT_EQ(Predictions(R"([{"id":1}])", BodyFormat::kJson)->size(), 1u);

  std::string ndjson;
  for (int i = 0; i < 2000; ++i) {
    ndjson += "{\"id\":" + std::to_string(i) + ",\"features\":{\"x\":" + std::to_string(i) + "}}\n";
  }
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep) {
        auto r = Predictions(ndjson);
        ok[t] += r.ok() && r->size() == 2000 && (*r)[1999].features[0].value.number == 1999;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(ok, ElementsAre(20, 20, 20, 20));
}

// --- labels ---

TEST(ParseLabelsTest, ReadsEveryField) {
  auto labels = Labels(
      "{\"id\":\"req-81f3\",\"model\":\"fraud\",\"label\":0,\"ts\":\"2026-11-24T10:00:03.120Z\"}\n"
      "{\"id\":7,\"label\":\"cat\"}\n"
      "{\"id\":8,\"label\":true,\"ts\":1795514403}\n");
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  ASSERT_EQ(labels->size(), 3u);
  EXPECT_EQ((*labels)[0],
            (LabelEvent{"fraud", "req-81f3", EventValue::Number(0), 1795514403120000}));
  EXPECT_EQ((*labels)[1], (LabelEvent{"fraud", "7", EventValue::String("cat"), kNow}));
  EXPECT_EQ((*labels)[2], (LabelEvent{"fraud", "8", EventValue::Bool(true), 1795514403000000}));
  auto array = Labels(R"([{"id":"a","label":1},{"id":"b","label":2}])", BodyFormat::kJson);
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(array->size(), 2u);
}

TEST(ParseLabelsTest, Errors) {
  EXPECT_EQ(Failure(Labels(R"({"id":"a"})")).message(), "line 1: field 'label' is missing");
  EXPECT_EQ(Failure(Labels(R"({"label":1})")).message(), "line 1: field 'id' is missing");
  EXPECT_EQ(Failure(Labels(R"({"id":"a","label":null})")).message(),
            "line 1: field 'label' must be a number, string or boolean, not null");
  EXPECT_EQ(Failure(Labels(R"({"id":"a","label":1,"score":0.5})")).message(),
            "line 1: unknown field 'score'");
  EXPECT_EQ(Failure(Labels(R"({"id":"a","label":1,"label":2})")).message(),
            "line 1: field 'label' appears twice");
  EXPECT_EQ(Failure(Labels(R"([{"id":"a","label":1},{"id":"b","label":1,"model":"x"}])",
                           BodyFormat::kJson))
                .message(),
            "record 2: field 'model' is 'x' but the URL names 'fraud'");
  EXPECT_EQ(Failure(Labels(R"({"id":"a","label":1,"ts":"soon"})")).message(),
            "line 1: field 'ts' must be an RFC 3339 time or epoch seconds, not 'soon'");
  EXPECT_EQ(Failure(Labels("{\"id\":\"\xFF\",\"label\":1}")).message(),
            "line 1: invalid JSON at column 8: invalid UTF-8");
}

}  // namespace
}  // namespace modelwatch::server
