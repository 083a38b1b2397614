#include "modelwatch/server/schema_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace modelwatch::server {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

PredictionEvent Event(std::vector<Feature> features) {
  PredictionEvent e;
  e.model = "m";
  e.id = "x";
  e.prediction = EventValue::Number(1);
  e.features = std::move(features);
  return e;
}

Feature F(std::string name, EventValue value) { return Feature{std::move(name), std::move(value)}; }

ModelConfig Inferred(uint64_t events) {
  ModelConfig m;
  m.name = "m";
  m.infer_schema_events = events;
  return m;
}

class SchemaRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("mw-schema-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    std::filesystem::remove(path_);
    store_ = OpenStore();
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix);
    }
  }
  std::unique_ptr<store::Store> OpenStore() {
    Result<std::unique_ptr<store::Store>> s = store::OpenSqliteStore({path_.string()});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(*s);
  }
  std::unique_ptr<SchemaRegistry> Open() {
    Result<std::unique_ptr<SchemaRegistry>> r = SchemaRegistry::Open(*store_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(*r);
  }

  std::filesystem::path path_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SchemaRegistryTest, DeclaredFeaturesAreCheckedFromTheFirstEvent) {
  auto registry = Open();
  ModelConfig m = Inferred(100);
  m.features = {{"age", ColumnType::kNumeric},
                {"vip", ColumnType::kBoolean},
                {"country", ColumnType::kCategorical}};
  const std::vector<PredictionEvent> ok = {
      Event({F("age", EventValue::Number(3)), F("vip", EventValue::Number(1)),
             F("country", EventValue::Number(49))}),
      Event({F("age", EventValue()), F("vip", EventValue::Bool(false)),
             F("country", EventValue::String("DE"))})};
  EXPECT_TRUE(registry->Check(m, ok).ok());
  const std::vector<PredictionEvent> bad = {Event({}), Event({F("age", EventValue::String("3"))})};
  EXPECT_EQ(registry->Check(m, bad).message(),
            "record 2: feature 'age' must be numeric (declared for model 'm')");
  const std::vector<PredictionEvent> unknown = {Event({F("zip", EventValue::Number(1))})};
  EXPECT_EQ(registry->Check(m, unknown).message(),
            "record 1: feature 'zip' is not in the declared features of model 'm'");
  const std::vector<PredictionEvent> two = {Event({F("vip", EventValue::Number(2))})};
  EXPECT_EQ(registry->Check(m, two).message(),
            "record 1: feature 'vip' must be boolean (declared for model 'm')");
  EXPECT_EQ(registry->SchemaOf(m).source, ModelSchema::Source::kDeclared);
}

// Types found for the previous event's features are reused for the same names at the same place
// only: a value that does not fit is still caught there, and other orders are looked up.
TEST_F(SchemaRegistryTest, RepeatedAndReorderedFeaturesAreCheckedByTheirOwnType) {
  auto registry = Open();
  ModelConfig m = Inferred(100);
  m.features = {{"age", ColumnType::kNumeric}, {"vip", ColumnType::kBoolean}};
  const std::vector<PredictionEvent> swapped = {
      Event({F("age", EventValue::Number(3)), F("vip", EventValue::Bool(true))}),
      Event({F("age", EventValue::Number(4)), F("vip", EventValue::Bool(false))}),
      Event({F("vip", EventValue::Bool(true)), F("age", EventValue::Number(5))}),
      Event({F("vip", EventValue::Number(2)), F("age", EventValue::Number(5))})};
  EXPECT_EQ(registry->Check(m, swapped).message(),
            "record 4: feature 'vip' must be boolean (declared for model 'm')");
  const std::vector<PredictionEvent> later = {
      Event({F("age", EventValue::Number(3))}),
      Event({F("age", EventValue::Number(3)), F("vip", EventValue::Bool(true))}),
      Event({F("age", EventValue::Number(3)), F("zip", EventValue::Number(1))})};
  EXPECT_EQ(registry->Check(m, later).message(),
            "record 3: feature 'zip' is not in the declared features of model 'm'");
  const std::vector<PredictionEvent> repeated = {
      Event({F("age", EventValue::Number(3)), F("vip", EventValue::Bool(true))}),
      Event({F("age", EventValue::String("old")), F("vip", EventValue::Bool(true))})};
  EXPECT_EQ(registry->Check(m, repeated).message(),
            "record 2: feature 'age' must be numeric (declared for model 'm')");
}

TEST_F(SchemaRegistryTest, TheFirstEventsFixTheSchemaWhichThenSurvivesARestart) {
  const ModelConfig m = Inferred(3);
  {
    auto registry = Open();
    const std::vector<PredictionEvent> first = {
        Event({F("age", EventValue::Number(30)), F("vip", EventValue::Bool(true)),
               F("country", EventValue::String("DE")), F("mixed", EventValue::Number(1)),
               F("empty", EventValue())}),
        Event({F("age", EventValue()), F("mixed", EventValue::String("a"))})};
    ASSERT_TRUE(registry->Check(m, first).ok());
    ModelSchema s = registry->SchemaOf(m);
    EXPECT_EQ(s.source, ModelSchema::Source::kInferring);
    EXPECT_EQ(s.events_seen, 2u);
    EXPECT_EQ(s.infer_events, 3u);
    // While inferring anything goes; this batch reaches the count and is observed whole.
    const std::vector<PredictionEvent> second = {
        Event({F("age", EventValue::Number(41))}),
        Event({F("vip", EventValue::Bool(false)), F("late", EventValue::Number(2))})};
    ASSERT_TRUE(registry->Check(m, second).ok());
    s = registry->SchemaOf(m);
    EXPECT_EQ(s.source, ModelSchema::Source::kInferred);
    EXPECT_THAT(
        s.features,
        ElementsAre(Pair("age", ColumnType::kNumeric), Pair("country", ColumnType::kCategorical),
                    Pair("empty", ColumnType::kCategorical), Pair("late", ColumnType::kNumeric),
                    Pair("mixed", ColumnType::kCategorical), Pair("vip", ColumnType::kBoolean)));
  }
  store_ = OpenStore();
  auto registry = Open();
  EXPECT_EQ(registry->SchemaOf(m).source, ModelSchema::Source::kInferred);
  const std::vector<PredictionEvent> bad = {Event({F("age", EventValue::String("old"))})};
  EXPECT_EQ(registry->Check(m, bad).message(),
            "record 1: feature 'age' must be numeric (inferred for model 'm' from its first 3 "
            "events)");
  const std::vector<PredictionEvent> unknown = {Event({}), Event({F("zip", EventValue())})};
  EXPECT_EQ(registry->Check(m, unknown).message(),
            "record 2: feature 'zip' is not in the inferred features of model 'm' from its first 3 "
            "events");
}

TEST_F(SchemaRegistryTest, ModelsAreInferredSeparately) {
  auto registry = Open();
  ModelConfig a = Inferred(1), b = Inferred(1);
  b.name = "b";
  ASSERT_TRUE(registry->Check(a, std::vector{Event({F("x", EventValue::Number(1))})}).ok());
  ASSERT_TRUE(registry->Check(b, std::vector{Event({F("x", EventValue::String("s"))})}).ok());
  EXPECT_THAT(registry->SchemaOf(a).features, ElementsAre(Pair("x", ColumnType::kNumeric)));
  EXPECT_THAT(registry->SchemaOf(b).features, ElementsAre(Pair("x", ColumnType::kCategorical)));
}

TEST_F(SchemaRegistryTest, AStoredSchemaThatCannotBeReadIsDataLoss) {
  ASSERT_TRUE(store_->PutMetaText("inferred_schema:m", "{\"age\":\"integer\"}").ok());
  Result<std::unique_ptr<SchemaRegistry>> r = SchemaRegistry::Open(*store_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("feature 'age' has no valid type"));
  ASSERT_TRUE(store_->PutMetaText("inferred_schema:m", "not json").ok());
  EXPECT_EQ(SchemaRegistry::Open(*store_).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace modelwatch::server
