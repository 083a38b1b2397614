// Tests of the NDJSON TableReader (src/io/ndjson_reader.cc) through the public TableReader
// interface. Content tests run with several block sizes, down to one byte, so that records
// straddle block boundaries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "modelwatch/io/table_reader.h"

namespace modelwatch::io {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr size_t kBlockSizes[] = {1, 2, 7, 64, 1 << 20};

TableReader::Options Blocks(size_t block_size) {
  TableReader::Options options;
  options.block_size = block_size;
  return options;
}

std::unique_ptr<TableReader> OpenNdjson(const std::string& data, size_t block_size = 1 << 20) {
  auto reader = TableReader::FromString(data, "t.ndjson", TableFormat::kNdjson, Blocks(block_size));
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

Status OpenError(const std::string& data, size_t block_size = 1 << 20) {
  return TableReader::FromString(data, "t.ndjson", TableFormat::kNdjson, Blocks(block_size))
      .status();
}

// The selected fields of every row as "line:a|b", a null field as "<null>".
std::vector<std::string> ReadAll(TableReader& reader, size_t num_fields) {
  std::vector<std::string> rows;
  while (reader.Next()) {
    std::string row = std::to_string(reader.line()) + ":";
    for (size_t i = 0; i < num_fields; ++i) {
      if (i > 0) row += '|';
      row += reader.is_null(i) ? std::string("<null>") : std::string(reader.field(i));
    }
    rows.push_back(row);
  }
  return rows;
}

// Reads `data` with every block size, selecting `columns` (all when empty); expects the same
// rows each time and a clean end.
std::vector<std::string> ReadAllBlockSizes(const std::string& data,
                                           const std::vector<std::string>& columns = {}) {
  std::vector<std::string> first;
  for (size_t block_size : kBlockSizes) {
    auto reader = OpenNdjson(data, block_size);
    if (reader == nullptr) return {};
    if (!columns.empty()) {
      EXPECT_TRUE(reader->Select(columns).ok());
    }
    const size_t n = columns.empty() ? reader->column_names().size() : columns.size();
    std::vector<std::string> rows = ReadAll(*reader, n);
    EXPECT_TRUE(reader->status().ok())
        << "block " << block_size << ": " << reader->status().ToString();
    EXPECT_EQ(reader->bytes_read(), data.size());
    if (block_size == kBlockSizes[0]) {
      first = rows;
    } else {
      EXPECT_EQ(rows, first) << "block " << block_size;
    }
  }
  return first;
}

// Reads to the end selecting `columns` (all when empty), with every block size; expects the error
// `code`/`message` each time.
void ExpectReadError(const std::string& data, const std::vector<std::string>& columns,
                     StatusCode code, const std::string& message) {
  for (size_t block_size : kBlockSizes) {
    auto reader = OpenNdjson(data, block_size);
    if (reader == nullptr) return;
    if (!columns.empty()) {
      ASSERT_TRUE(reader->Select(columns).ok());
    }
    while (reader->Next()) {
    }
    EXPECT_EQ(reader->status().code(), code) << "block " << block_size;
    EXPECT_EQ(reader->status().message(), message) << "block " << block_size;
    EXPECT_FALSE(reader->Next());
    EXPECT_EQ(reader->status().message(), message);
  }
}

// The message of the error on line 2, after a good first record.
std::string SecondLineError(const std::string& line) {
  auto reader = OpenNdjson("{\"a\":0}\n" + line + "\n");
  if (reader == nullptr) return "open failed";
  while (reader->Next()) {
  }
  EXPECT_EQ(reader->status().code(), StatusCode::kInvalidArgument) << line;
  return reader->status().message();
}

TEST(NdjsonReaderTest, ColumnsAreTheFirstRecordsKeys) {
  auto reader = OpenNdjson(
      "{\"id\":\"r1\",\"label\":1,\"score\":0.5}\n{\"score\":0.25,\"id\":\"r2\",\"label\":0}\n");
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->column_names(), ElementsAre("id", "label", "score"));
  EXPECT_THAT(ReadAll(*reader, 3), ElementsAre("1:r1|1|0.5", "2:r2|0|0.25"));
  EXPECT_TRUE(reader->status().ok());
}

TEST(NdjsonReaderTest, ValuesAsText) {
  EXPECT_THAT(
      ReadAllBlockSizes(
          "{\"s\":\"x\",\"n\":1e3,\"t\":true,\"f\":false,\"z\":null}\n"
          "{\"s\":\"a\\\"b\\\\c\\n\\u00e9\",\"n\":-0.5E-2,\"t\":false,\"f\":true,\"z\":\"\"}\n"
          "{\"s\":\"\",\"n\":123456789012345678901234567890,\"t\":0,\"f\":1e999,\"z\":-0}\n"),
      ElementsAre("1:x|1e3|true|false|<null>", "2:a\"b\\c\n\xC3\xA9|-0.5E-2|false|true|",
                  "3:|123456789012345678901234567890|0|1e999|-0"));
}

TEST(NdjsonReaderTest, WhitespaceInsideRecords) {
  EXPECT_THAT(ReadAllBlockSizes("  { \"a\" : 1 , \"b\" :\t\"x\" }  \r\n{\"a\":2,\"b\":null}\r\n"),
              ElementsAre("1:1|x", "2:2|<null>"));
}

TEST(NdjsonReaderTest, SelectChoosesAndOrdersKeys) {
  EXPECT_THAT(
      ReadAllBlockSizes("{\"a\":1,\"b\":2,\"c\":3}\n{\"c\":6,\"b\":5,\"a\":4}\n", {"c", "a", "c"}),
      ElementsAre("1:3|1|3", "2:6|4|6"));
}

TEST(NdjsonReaderTest, OtherKeysMayComeAndGo) {
  EXPECT_THAT(
      ReadAllBlockSizes("{\"a\":1,\"b\":2}\n{\"a\":3,\"x\":[1,{\"y\":null}],\"z\":{}}\n{\"a\":5}\n",
                        {"a"}),
      ElementsAre("1:1", "2:3", "3:5"));
}

TEST(NdjsonReaderTest, FirstOccurrenceOfADuplicateKeyWins) {
  EXPECT_THAT(ReadAllBlockSizes("{\"a\":1,\"a\":2}\n{\"a\":3,\"a\":[4]}\n"),
              ElementsAre("1:1", "2:3"));
  auto reader = OpenNdjson("{\"a\":1,\"b\":2,\"a\":3}\n");
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->column_names(), ElementsAre("a", "b"));
}

TEST(NdjsonReaderTest, EscapedKeys) {
  auto reader = OpenNdjson("{\"l\\u0061bel\":1,\"q\\\"k\":2}\n{\"label\":3,\"q\\\"k\":4}\n");
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->column_names(), ElementsAre("label", "q\"k"));
  EXPECT_THAT(ReadAll(*reader, 2), ElementsAre("1:1|2", "2:3|4"));
}

TEST(NdjsonReaderTest, BlankLinesAreSkippedAndCounted) {
  EXPECT_THAT(ReadAllBlockSizes("\n  \n{\"a\":1}\n\t\r\n\n{\"a\":2}\n\n"),
              ElementsAre("3:1", "6:2"));
}

TEST(NdjsonReaderTest, LastLineWithoutLineBreak) {
  EXPECT_THAT(ReadAllBlockSizes("{\"a\":1}\n{\"a\":2}"), ElementsAre("1:1", "2:2"));
}

TEST(NdjsonReaderTest, ByteOrderMarkIsSkipped) {
  EXPECT_THAT(ReadAllBlockSizes("\xEF\xBB\xBF{\"a\":1}\n"), ElementsAre("1:1"));
}

TEST(NdjsonReaderTest, LongRecords) {
  const std::string big(5000, 'x');
  std::string nested = "1";
  for (int i = 0; i < 100; ++i) nested = "[" + nested + "]";
  EXPECT_THAT(ReadAllBlockSizes(
                  "{\"a\":\"" + big + "\",\"n\":" + nested + "}\n{\"a\":\"y\",\"n\":0}\n", {"a"}),
              ElementsAre("1:" + big, "2:y"));
}

TEST(NdjsonReaderTest, WhereFieldNamesTheKey) {
  auto reader = OpenNdjson("{\"a\":1,\"score\":2}\n\n{\"a\":1,\"score\":2}\n");
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->Select({"score"}).ok());
  ASSERT_TRUE(reader->Next());
  ASSERT_TRUE(reader->Next());
  EXPECT_EQ(reader->Where(), "t.ndjson:3");
  EXPECT_EQ(reader->WhereField(0), "t.ndjson:3:'score'");
}

TEST(NdjsonReaderTest, SelectMissingColumnIsNotFound) {
  auto reader = OpenNdjson("\n{\"id\":1,\"label\":2,\"pred\":3}\n");
  ASSERT_NE(reader, nullptr);
  const Status status = reader->Select({"label", "score"});
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "t.ndjson:2: column 'score' not found (columns: id, label, pred)");
}

TEST(NdjsonReaderTest, SelectedKeyMissing) {
  ExpectReadError("{\"label\":1,\"score\":0.5}\n{\"label\":0,\"score\":0.1}\n{\"label\":1}\n",
                  {"label", "score"}, StatusCode::kInvalidArgument,
                  "t.ndjson:3: field 'score' is missing");
}

TEST(NdjsonReaderTest, SelectedValueIsArrayOrObject) {
  ExpectReadError("{\"a\":1,\"score\":2}\n{\"a\":1,\"score\":[2]}\n", {"score"},
                  StatusCode::kInvalidArgument,
                  "t.ndjson:2:'score': value is an array, expected a string, number, boolean or "
                  "null");
  ExpectReadError("{\"a\":1,\"score\":2}\n{\"a\":1,\"score\":{\"x\":1}}\n", {"score"},
                  StatusCode::kInvalidArgument,
                  "t.ndjson:2:'score': value is an object, expected a string, number, boolean or "
                  "null");
}

TEST(NdjsonReaderTest, RecordIsNotAnObject) {
  ExpectReadError("{\"a\":1}\n[1,2]\n", {}, StatusCode::kInvalidArgument,
                  "t.ndjson:2: record is not a JSON object");
  EXPECT_EQ(SecondLineError("\"x\""), "t.ndjson:2: record is not a JSON object");
  EXPECT_EQ(SecondLineError("1"), "t.ndjson:2: record is not a JSON object");
  EXPECT_EQ(SecondLineError("null"), "t.ndjson:2: record is not a JSON object");
}

TEST(NdjsonReaderTest, InvalidJson) {
  const std::string structure =
      "t.ndjson:2: invalid JSON: bad structure (check commas, colons, quotes, braces and "
      "brackets)";
  EXPECT_EQ(SecondLineError("{\"a\":1,}"), structure);
  EXPECT_EQ(SecondLineError("{\"a\" 1}"), structure);
  EXPECT_EQ(SecondLineError("{a:1}"), structure);
  EXPECT_EQ(SecondLineError("{\"a\":x}"), structure);
  EXPECT_EQ(SecondLineError("{\"a\":1,\"b\":[1,2,}"), structure);
  EXPECT_EQ(SecondLineError("{\"a\":\"x}"), "t.ndjson:2: invalid JSON: string is not closed");
  EXPECT_EQ(
      SecondLineError("{\"a\":tru}"),
      "t.ndjson:2: invalid JSON: bad literal (expected true, false, null, a number, a string, "
      "an object or an array)");
  EXPECT_EQ(
      SecondLineError("{\"a\":nulll}"),
      "t.ndjson:2: invalid JSON: bad literal (expected true, false, null, a number, a string, "
      "an object or an array)");
  EXPECT_EQ(
      SecondLineError("{\"a\":1,\"b\":{\"c\":[1,{\"d\":fals}]}}"),
      "t.ndjson:2: invalid JSON: bad literal (expected true, false, null, a number, a string, "
      "an object or an array)");
  EXPECT_EQ(SecondLineError("{\"a\":01}"),
            "t.ndjson:2: invalid JSON: bad number (or beyond the range of a double)");
  EXPECT_EQ(SecondLineError("{\"a\":-}"),
            "t.ndjson:2: invalid JSON: bad number (or beyond the range of a double)");
  EXPECT_EQ(SecondLineError("{\"a\":1.}"),
            "t.ndjson:2: invalid JSON: bad number (or beyond the range of a double)");
  EXPECT_EQ(SecondLineError("{\"a\":0,\"b\":1e+}"),
            "t.ndjson:2: invalid JSON: bad number (or beyond the range of a double)");
  EXPECT_EQ(SecondLineError("{\"a\":\"\\q\"}"),
            "t.ndjson:2: invalid JSON: bad escape sequence in a string");
  EXPECT_EQ(SecondLineError("{\"a\":0,\"b\":\"\\uD800\"}"),
            "t.ndjson:2: invalid JSON: bad escape sequence in a string");
  EXPECT_EQ(SecondLineError("{\"a\":\"\xff\"}"), "t.ndjson:2: invalid JSON: invalid UTF-8");
  EXPECT_EQ(SecondLineError("{\"a\":\"x\ty\"}"),
            "t.ndjson:2: invalid JSON: control character in a string (escape it)");
  EXPECT_EQ(SecondLineError("{\"a\":1"), "t.ndjson:2: invalid JSON: object or array is not closed");
  EXPECT_EQ(SecondLineError("{\"a\":1}{\"a\":2}"),
            "t.ndjson:2: invalid JSON: content after the end of the JSON value");
  EXPECT_EQ(SecondLineError("{\"a\":1}}"),
            "t.ndjson:2: invalid JSON: content after the end of the JSON value");
}

TEST(NdjsonReaderTest, RecordSpanningLinesIsInvalid) {
  ExpectReadError("{\"a\":1}\n{\"a\":\n2}\n", {}, StatusCode::kInvalidArgument,
                  "t.ndjson:2: invalid JSON: object or array is not closed");
}

TEST(NdjsonReaderTest, NestingTooDeep) {
  std::string nested = "1";
  for (int i = 0; i < 1100; ++i) nested = "[" + nested + "]";
  EXPECT_EQ(SecondLineError("{\"a\":0,\"b\":" + nested + "}"),
            "t.ndjson:2: invalid JSON: nested too deeply");
}

TEST(NdjsonReaderTest, InvalidFirstRecordFailsOpen) {
  Status status = OpenError("\n{\"a\":1,}\n", 3);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "t.ndjson:2: invalid JSON: bad structure (check commas, colons, quotes, braces and "
            "brackets)");
  status = OpenError("[{\"a\":1}]\n");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "t.ndjson:1: record is not a JSON object");
}

// Regression (found by ndjson_reader_fuzz): the end of input with no line break left computed
// nullptr + 1, undefined behaviour reported by UBSan.
TEST(NdjsonReaderTest, EmptyFile) {
  for (const std::string data : {"", "\n", " \r\n\t\n", "\xEF\xBB\xBF"}) {
    const Status status = OpenError(data, 1);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << data;
    EXPECT_EQ(status.message(), "t.ndjson: file is empty");
  }
}

TEST(NdjsonReaderTest, EmptyFirstObjectHasNoColumns) {
  auto reader = OpenNdjson("{}\n{\"a\":1}\n");
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->column_names(), IsEmpty());
  EXPECT_THAT(ReadAll(*reader, 0), ElementsAre("1:", "2:"));
}

TEST(NdjsonReaderTest, SelectEndsTheCurrentRow) {
  auto reader = OpenNdjson("{\"a\":1,\"b\":2}\n{\"a\":3,\"b\":4}\n");
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->Select({"b"}).ok());
  ASSERT_TRUE(reader->Next());
  EXPECT_EQ(reader->field(0), "2");
  ASSERT_TRUE(reader->Select({"a"}).ok());
  EXPECT_EQ(reader->field(0), "");
  EXPECT_TRUE(reader->is_null(0));
  ASSERT_TRUE(reader->Next());
  EXPECT_EQ(reader->field(0), "3");
}

TEST(NdjsonReaderTest, NoFieldsOutsideARow) {
  auto reader = OpenNdjson("{\"a\":\"x\"}\n");
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->Next());
  EXPECT_EQ(reader->field(0), "x");
  EXPECT_FALSE(reader->Next());
  EXPECT_EQ(reader->field(0), "");
  EXPECT_TRUE(reader->is_null(0));
}

}  // namespace
}  // namespace modelwatch::io
