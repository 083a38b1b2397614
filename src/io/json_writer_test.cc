#include "modelwatch/io/json_writer.h"

#include <gtest/gtest.h>

#include <limits>

namespace modelwatch::io {
namespace {

TEST(JsonWriterTest, CompactNestedDocument) {
  JsonWriter w;
  w.BeginObject();
  w.Key("task");
  w.String("binary");
  w.Key("n");
  w.Uint(3);
  w.Key("values");
  w.BeginArray();
  w.Double(0.5);
  w.Double(std::optional<double>());
  w.Int(-2);
  w.Bool(true);
  w.EndArray();
  w.Key("empty");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"task":"binary","n":3,"values":[0.5,null,-2,true],"empty":{}})");
}

TEST(JsonWriterTest, NonFiniteDoublesAreNull) {
  JsonWriter w;
  w.BeginArray();
  w.Double(std::numeric_limits<double>::quiet_NaN());
  w.Double(std::numeric_limits<double>::infinity());
  w.Double(0.1);
  w.EndArray();
  EXPECT_EQ(w.str(), "[null,null,0.1]");
}

TEST(JsonWriterTest, EscapesStrings) {
  JsonWriter w;
  w.String("a\"b\\c\nd\x01\xc3\xa9");
  EXPECT_EQ(w.str(), "\"a\\\"b\\\\c\\nd\\u0001\xc3\xa9\"");
}

TEST(JsonWriterTest, PrettyPrints) {
  JsonWriter w(2);
  w.BeginObject();
  w.Key("a");
  w.BeginArray();
  w.Uint(1);
  w.Uint(2);
  w.EndArray();
  w.Key("b");
  w.Null();
  w.EndObject();
  EXPECT_EQ(w.str(), "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": null\n}");
}

}  // namespace
}  // namespace modelwatch::io
