#include "modelwatch/server/cardinality_guard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modelwatch::server {
namespace {

PredictionEvent Event(const std::string& version, std::vector<std::string> features,
                      EventValue prediction, EventValue label = {},
                      std::vector<std::pair<std::string, std::string>> segment = {}) {
  PredictionEvent e;
  e.model = "m";
  e.version = version;
  e.id = "x";
  for (std::string& name : features) e.features.push_back({std::move(name), EventValue::Number(1)});
  e.prediction = std::move(prediction);
  e.label = std::move(label);
  e.segment = std::move(segment);
  return e;
}

LimitsConfig Limits(uint64_t versions, uint64_t features, uint64_t classes, uint64_t segments) {
  LimitsConfig l;
  l.max_models = 2;
  l.max_versions_per_model = versions;
  l.max_features_per_model = features;
  l.max_label_values = classes;
  l.max_segments_per_model = segments;
  return l;
}

TEST(CardinalityGuardTest, CountsDistinctNamesAcrossEventsInAnyOrder) {
  CardinalityGuard guard(Limits(2, 3, 3, 2));
  // Repeated names in the same place, in another place, and a new one in a later event.
  std::vector<PredictionEvent> batch = {
      Event("v1", {"a", "b"}, EventValue::String("cat")),
      Event("v1", {"a", "b"}, EventValue::String("cat")),
      Event("v1", {"b", "a"}, EventValue::String("dog")),
      Event("v2", {"a", "b", "c"}, EventValue::String("dog"), EventValue::String("cat")),
  };
  EXPECT_TRUE(guard.Admit("m", batch, true).ok());
  // A fourth feature, after events that repeat the known ones.
  std::vector<PredictionEvent> more = {Event("v2", {"a", "b", "c"}, EventValue::String("cat")),
                                       Event("v2", {"a", "b", "c", "d"}, EventValue::String("cat"))};
  const Status s = guard.Admit("m", more, true);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "model 'm': feature 'd' would be number 4, more than limits.max_features_per_model "
            "(3)");
}

TEST(CardinalityGuardTest, ClassesFromPredictionsAndLabelsWhateverTheirPlace) {
  CardinalityGuard guard(Limits(5, 5, 2, 5));
  // The label of one event equals the prediction of the next, and the reverse: still 2 classes.
  std::vector<PredictionEvent> batch = {
      Event("", {}, EventValue::Number(1), EventValue::Number(0)),
      Event("", {}, EventValue::Number(0), EventValue::Number(1)),
      Event("", {}, EventValue::Number(1.0), EventValue{}),
  };
  EXPECT_TRUE(guard.Admit("m", batch, true).ok());
  // A third class right after an event with the same prediction: the label is new.
  std::vector<PredictionEvent> third = {
      Event("", {}, EventValue::Number(1), EventValue::Number(0)),
      Event("", {}, EventValue::Number(1), EventValue::Number(2)),
  };
  const Status s = guard.Admit("m", third, true);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "model 'm': class '2' would be number 3, more than limits.max_label_values (2)");
  // Regression values are not classes.
  std::vector<PredictionEvent> regression = {Event("", {}, EventValue::Number(3.5)),
                                             Event("", {}, EventValue::Number(4.5))};
  EXPECT_TRUE(guard.Admit("m", regression, false).ok());
}

TEST(CardinalityGuardTest, RejectedBatchAddsNothing) {
  CardinalityGuard guard(Limits(2, 5, 5, 5));
  std::vector<PredictionEvent> batch = {Event("v1", {}, EventValue{}),
                                        Event("v2", {}, EventValue{}),
                                        Event("v3", {}, EventValue{})};
  EXPECT_EQ(guard.Admit("m", batch, false).code(), StatusCode::kResourceExhausted);
  // v1 and v2 were not recorded by the rejected batch: two new versions still fit.
  std::vector<PredictionEvent> two = {Event("v2", {}, EventValue{}),
                                      Event("v1", {}, EventValue{})};
  EXPECT_TRUE(guard.Admit("m", two, false).ok());
  std::vector<PredictionEvent> third = {Event("v1", {}, EventValue{}),
                                        Event("v3", {}, EventValue{})};
  const Status s = guard.Admit("m", third, false);
  EXPECT_EQ(s.message(),
            "model 'm': version 'v3' would be number 3, more than limits.max_versions_per_model "
            "(2)");
}

TEST(CardinalityGuardTest, SegmentsByKeyAndValue) {
  CardinalityGuard guard(Limits(5, 5, 5, 2));
  std::vector<PredictionEvent> batch = {
      Event("", {}, EventValue{}, EventValue{}, {{"region", "eu"}}),
      Event("", {}, EventValue{}, EventValue{}, {{"region", "eu"}}),
      Event("", {}, EventValue{}, EventValue{}, {{"region", "us"}}),
      Event("", {}, EventValue{}, EventValue{}, {{"region", "eu"}}),
  };
  EXPECT_TRUE(guard.Admit("m", batch, false).ok());
  std::vector<PredictionEvent> third = {
      Event("", {}, EventValue{}, EventValue{}, {{"region", "us"}}),
      Event("", {}, EventValue{}, EventValue{}, {{"region", "ap"}}),
  };
  const Status s = guard.Admit("m", third, false);
  EXPECT_EQ(s.message(),
            "model 'm': segment 'region=ap' would be number 3, more than "
            "limits.max_segments_per_model (2)");
}

TEST(CardinalityGuardTest, ModelsLimit) {
  CardinalityGuard guard(Limits(5, 5, 5, 5));
  std::vector<PredictionEvent> one = {Event("", {}, EventValue{})};
  EXPECT_TRUE(guard.Admit("a", one, false).ok());
  EXPECT_TRUE(guard.Admit("b", one, false).ok());
  const Status s = guard.Admit("c", one, false);
  EXPECT_EQ(s.message(), "model 'c' would be model number 3, more than limits.max_models (2)");
  EXPECT_EQ(guard.models(), 2u);
}

}  // namespace
}  // namespace modelwatch::server
