// Tests of the CSV TableReader (src/io/csv_reader.cc) through the public TableReader interface.
// Every content test runs with several block sizes, down to one byte, so that rows, quoted
// fields, "" escapes and CRLF pairs straddle block boundaries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/number_format.h"
#include "modelwatch/io/table_reader.h"

namespace modelwatch::io {
namespace {

using ::testing::ElementsAre;

constexpr size_t kBlockSizes[] = {1, 2, 3, 7, 16, 63, 64, 65, 1 << 20};

std::unique_ptr<TableReader> OpenCsv(const std::string& data, size_t block_size) {
  TableReader::Options options;
  options.block_size = block_size;
  auto reader = TableReader::FromString(data, "t.csv", TableFormat::kCsv, options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

Status OpenError(const std::string& data, size_t block_size = 1 << 20) {
  TableReader::Options options;
  options.block_size = block_size;
  return TableReader::FromString(data, "t.csv", TableFormat::kCsv, options).status();
}

// The selected fields of every row as "line:a|b|c", a null field as "<null>". Checks that
// GetFields gives what field() gives, on every row.
std::vector<std::string> ReadAll(TableReader& reader, size_t num_fields) {
  std::vector<std::string> rows;
  std::vector<std::string_view> fields(num_fields, "unset");
  while (reader.Next()) {
    reader.GetFields(fields);
    for (size_t i = 0; i < num_fields; ++i) EXPECT_EQ(fields[i], reader.field(i)) << i;
    std::string row = std::to_string(reader.line()) + ":";
    for (size_t i = 0; i < num_fields; ++i) {
      if (i > 0) row += '|';
      row += reader.is_null(i) ? std::string("<null>") : std::string(reader.field(i));
    }
    rows.push_back(row);
  }
  return rows;
}

// Reads `data` with every block size; expects the same rows each time and a clean end.
std::vector<std::string> ReadAllBlockSizes(const std::string& data) {
  std::vector<std::string> first;
  for (size_t block_size : kBlockSizes) {
    auto reader = OpenCsv(data, block_size);
    if (reader == nullptr) return {};
    std::vector<std::string> rows = ReadAll(*reader, reader->column_names().size());
    EXPECT_TRUE(reader->status().ok())
        << "block " << block_size << ": " << reader->status().ToString();
    EXPECT_EQ(reader->bytes_read(), data.size()) << "block " << block_size;
    if (block_size == kBlockSizes[0]) {
      first = rows;
    } else {
      EXPECT_EQ(rows, first) << "block " << block_size;
    }
  }
  return first;
}

// Reads to the end with every block size; expects the error `code`/`message` each time.
void ExpectReadError(const std::string& data, StatusCode code, const std::string& message) {
  for (size_t block_size : kBlockSizes) {
    auto reader = OpenCsv(data, block_size);
    if (reader == nullptr) return;
    while (reader->Next()) {
    }
    EXPECT_EQ(reader->status().code(), code) << "block " << block_size;
    EXPECT_EQ(reader->status().message(), message) << "block " << block_size;
    EXPECT_FALSE(reader->Next());  // stays at the error
    EXPECT_EQ(reader->status().message(), message);
  }
}

TEST(CsvReaderTest, ReadsHeaderAndRows) {
  const std::string data = "label,prediction,score\n1,0,0.8732\n0,0,0.1\n";
  auto reader = OpenCsv(data, 1 << 20);
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->column_names(), ElementsAre("label", "prediction", "score"));
  EXPECT_EQ(reader->file_name(), "t.csv");
  EXPECT_EQ(reader->total_bytes(), data.size());
  ASSERT_TRUE(reader->Next());
  EXPECT_EQ(reader->field(0), "1");
  EXPECT_EQ(reader->field(1), "0");
  EXPECT_EQ(reader->field(2), "0.8732");
  EXPECT_FALSE(reader->is_null(2));
  EXPECT_EQ(reader->line(), 2u);
  EXPECT_EQ(reader->Where(), "t.csv:2");
  EXPECT_EQ(reader->WhereField(2), "t.csv:2:3");
  ASSERT_TRUE(reader->Next());
  EXPECT_EQ(reader->field(2), "0.1");
  EXPECT_EQ(reader->line(), 3u);
  EXPECT_FALSE(reader->Next());
  EXPECT_TRUE(reader->status().ok());
  EXPECT_EQ(reader->bytes_read(), data.size());
  EXPECT_FALSE(reader->Next());
  EXPECT_TRUE(reader->status().ok());
}

// Fields may go to ParseDoubleWithSlack: the first field of the buffer has front padding.
TEST(CsvReaderTest, FieldsHaveParseSlack) {
  for (size_t block_size : kBlockSizes) {
    auto reader = OpenCsv("x,y\n1.5,-2\n", block_size);
    ASSERT_NE(reader, nullptr);
    EXPECT_TRUE(reader->fields_have_parse_slack());
    ASSERT_TRUE(reader->Next());
    double x = 0, y = 0;
    ASSERT_TRUE(ParseDoubleWithSlack(reader->field(0), &x));
    ASSERT_TRUE(ParseDoubleWithSlack(reader->field(1), &y));
    EXPECT_EQ(x, 1.5);
    EXPECT_EQ(y, -2.0);
  }
}

TEST(CsvReaderTest, GetFieldsBeforeTheFirstRowAreEmpty) {
  auto reader = OpenCsv("a,b\n1,2\n", 1 << 20);
  ASSERT_NE(reader, nullptr);
  std::vector<std::string_view> fields(2, "unset");
  reader->GetFields(fields);
  EXPECT_THAT(fields, ElementsAre("", ""));
  ASSERT_TRUE(reader->Next());
  reader->GetFields(std::span(fields).first(1));  // fewer than the columns
  EXPECT_THAT(fields, ElementsAre("1", ""));
}

TEST(CsvReaderTest, SameRowsWithEveryBlockSize) {
  EXPECT_THAT(ReadAllBlockSizes("a,b,c\n1,2,3\n4,5,6\n"), ElementsAre("2:1|2|3", "3:4|5|6"));
}

TEST(CsvReaderTest, SelectChoosesAndOrdersColumns) {
  auto reader = OpenCsv("id,label,pred\nx,1,0\ny,0,1\n", 4);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->Select({"pred", "id", "pred"}).ok());
  EXPECT_THAT(ReadAll(*reader, 3), ElementsAre("2:0|x|0", "3:1|y|1"));
}

TEST(CsvReaderTest, WhereFieldNamesTheColumnPosition) {
  auto reader = OpenCsv("id,label,pred\nx,1,0\n", 1 << 20);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->Select({"pred", "id"}).ok());
  ASSERT_TRUE(reader->Next());
  EXPECT_EQ(reader->WhereField(0), "t.csv:2:3");
  EXPECT_EQ(reader->WhereField(1), "t.csv:2:1");
}

TEST(CsvReaderTest, SelectMissingColumnIsNotFound) {
  auto reader = OpenCsv("id,label,pred\n1,2,3\n", 1 << 20);
  ASSERT_NE(reader, nullptr);
  const Status status = reader->Select({"label", "score"});
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "t.csv:1: column 'score' not found (columns: id, label, pred)");
}

TEST(CsvReaderTest, SelectMissingColumnNamesTheHeaderLine) {
  auto reader = OpenCsv("\n\nid\n1\n", 1 << 20);
  ASSERT_NE(reader, nullptr);
  const Status status = reader->Select({"x"});
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "t.csv:3: column 'x' not found (columns: id)");
}

TEST(CsvReaderTest, SelectNothingStillValidatesRows) {
  auto reader = OpenCsv("a,b\n1,2\n3\n", 1 << 20);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->Select({}).ok());
  EXPECT_TRUE(reader->Next());
  EXPECT_FALSE(reader->Next());
  EXPECT_EQ(reader->status().message(), "t.csv:3: row has 1 fields, header has 2");
}

TEST(CsvReaderTest, CrlfLineEnds) {
  EXPECT_THAT(ReadAllBlockSizes("a,b\r\n1,2\r\n3,4\r\n"), ElementsAre("2:1|2", "3:3|4"));
  EXPECT_THAT(ReadAllBlockSizes("a,b\r\n1,2\n3,4\r\n"), ElementsAre("2:1|2", "3:3|4"));
}

TEST(CsvReaderTest, LastLineWithoutLineBreak) {
  EXPECT_THAT(ReadAllBlockSizes("a,b\n1,2\n3,4"), ElementsAre("2:1|2", "3:3|4"));
  EXPECT_THAT(ReadAllBlockSizes("a,b\r\n1,2\r\n3,4\r"), ElementsAre("2:1|2", "3:3|4"));
  EXPECT_THAT(ReadAllBlockSizes("a,b\n1,\"2\""), ElementsAre("2:1|2"));
  EXPECT_THAT(ReadAllBlockSizes("a,b\n1,\"2\"\r"), ElementsAre("2:1|2"));
  EXPECT_THAT(ReadAllBlockSizes("a,b\n1,"), ElementsAre("2:1|<null>"));
}

TEST(CsvReaderTest, BlankLinesAreSkippedAndCounted) {
  EXPECT_THAT(ReadAllBlockSizes("\n\r\na,b\n\n1,2\r\n\r\n\n3,4\n\n"),
              ElementsAre("5:1|2", "8:3|4"));
}

TEST(CsvReaderTest, HeaderOnlyHasNoRows) {
  EXPECT_TRUE(ReadAllBlockSizes("a,b\n").empty());
  EXPECT_TRUE(ReadAllBlockSizes("a,b").empty());
}

TEST(CsvReaderTest, EmptyFieldsAreNullQuotedEmptyIsNot) {
  EXPECT_THAT(ReadAllBlockSizes("a,b,c\n,\"\",\n\"\",,x\n"),
              ElementsAre("2:<null>||<null>", "3:|<null>|x"));
}

TEST(CsvReaderTest, QuotedFields) {
  EXPECT_THAT(ReadAllBlockSizes("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"\"\"\",\"\"\"\"\"\"\n"),
              ElementsAre("2:x,y|say \"hi\"", "3:\"|\"\""));
}

TEST(CsvReaderTest, QuotedFieldsSpanLines) {
  EXPECT_THAT(ReadAllBlockSizes("a,b\n\"line 1\nline 2\",x\n\"p\r\nq\",\"\n\n\"\ny,z\n"),
              ElementsAre("2:line 1\nline 2|x", "4:p\r\nq|\n\n", "8:y|z"));
}

TEST(CsvReaderTest, QuotedHeader) {
  auto reader = OpenCsv("\"id\",\"a,b\",\"say \"\"x\"\"\",\"\"\n1,2,3,4\n", 5);
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->column_names(), ElementsAre("id", "a,b", "say \"x\"", ""));
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsText) {
  EXPECT_THAT(ReadAllBlockSizes("a,b\nab\"c,x\"\n"), ElementsAre("2:ab\"c|x\""));
}

TEST(CsvReaderTest, SpacesAreKept) {
  EXPECT_THAT(ReadAllBlockSizes("a,b\n 1 , \"2\"\n"), ElementsAre("2: 1 | \"2\""));
}

TEST(CsvReaderTest, ByteOrderMarkIsSkipped) {
  auto reader = OpenCsv("\xEF\xBB\xBFid,x\n1,2\n", 1);
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->column_names(), ElementsAre("id", "x"));
  EXPECT_THAT(ReadAll(*reader, 2), ElementsAre("2:1|2"));
}

TEST(CsvReaderTest, RowsLongerThanBlocks) {
  const std::string big(10000, 'x');
  std::string escaped;
  for (int i = 0; i < 3000; ++i) escaped += "a\"\"";
  std::string unescaped;
  for (int i = 0; i < 3000; ++i) unescaped += "a\"";
  const std::string data = "a,b\n" + big + ",\"" + escaped + "\"\n1,2\n";
  EXPECT_THAT(ReadAllBlockSizes(data), ElementsAre("2:" + big + "|" + unescaped, "3:1|2"));
}

TEST(CsvReaderTest, ManyColumns) {
  // Rows of more than 64 bytes and of more fields than a short row holds.
  std::string header, row, expected = "2:";
  for (int i = 0; i < 100; ++i) {
    header += (i ? "," : "") + std::string("c") + std::to_string(i);
    row += (i ? "," : "") + std::to_string(i);
    expected += (i ? "|" : "") + std::to_string(i);
  }
  EXPECT_THAT(ReadAllBlockSizes(header + "\n" + row + "\n" + row),
              ElementsAre(expected, "3" + expected.substr(1)));
}

TEST(CsvReaderTest, FieldCountsAroundTheShortRowLimit) {
  // One-byte fields: rows of 60 to 70 fields end within a few 64-byte blocks, so the block-wise
  // parser takes them up to its field limit (65) and the general one after it.
  for (int columns = 60; columns <= 70; ++columns) {
    SCOPED_TRACE(std::to_string(columns) + " columns");
    std::string header, row, expected = "2:";
    for (int i = 0; i < columns; ++i) {
      header += (i ? "," : "") + std::string(1, static_cast<char>('a' + i % 26));
      row += (i ? "," : "") + std::to_string(i % 10);
      expected += (i ? "|" : "") + std::to_string(i % 10);
    }
    EXPECT_THAT(ReadAllBlockSizes(header + "\n" + row + "\n" + row + "\n"),
                ElementsAre(expected, "3" + expected.substr(1)));
  }
}

TEST(CsvReaderTest, FieldsStayValidUntilNextCall) {
  auto reader = OpenCsv("a,b\n\"x\"\"y\",2\n", 3);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->Select({"a", "a"}).ok());  // a field unescaped once, seen twice
  ASSERT_TRUE(reader->Next());
  EXPECT_EQ(reader->field(0), "x\"y");
  EXPECT_EQ(reader->field(1), "x\"y");
  EXPECT_FALSE(reader->Next());
  EXPECT_EQ(reader->field(0), "");  // no current row
  EXPECT_TRUE(reader->is_null(0));
}

TEST(CsvReaderTest, SelectEndsTheCurrentRow) {
  auto reader = OpenCsv("a,b\n\"x\"\"\",2\n3,4\n", 1 << 20);
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

TEST(CsvReaderTest, EmptyFile) {
  for (const std::string data : {"", "\n", "\r\n\n\r\n", "\xEF\xBB\xBF", "\r"}) {
    const Status status = OpenError(data, 1);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << data;
    EXPECT_EQ(status.message(), "t.csv: file is empty");
  }
}

TEST(CsvReaderTest, RaggedRow) {
  ExpectReadError("a,b,c\n1,2,3\n\n1,2\n", StatusCode::kInvalidArgument,
                  "t.csv:4: row has 2 fields, header has 3");
  ExpectReadError("a,b\n1,2\n1,2,\n", StatusCode::kInvalidArgument,
                  "t.csv:3: row has 3 fields, header has 2");
}

TEST(CsvReaderTest, RaggedRowAfterMultilineField) {
  ExpectReadError("a,b\n\"1\n2\",3\n4\n", StatusCode::kInvalidArgument,
                  "t.csv:4: row has 1 fields, header has 2");
}

TEST(CsvReaderTest, UnclosedQuote) {
  ExpectReadError("a,b,c\n1,2,3\n4,\"5,6\n7,8,9\n", StatusCode::kInvalidArgument,
                  "t.csv:3:2: quoted field is not closed");
  ExpectReadError("a\n\"", StatusCode::kInvalidArgument, "t.csv:2:1: quoted field is not closed");
  ExpectReadError("a\n\"x\"\"", StatusCode::kInvalidArgument,
                  "t.csv:2:1: quoted field is not closed");
}

TEST(CsvReaderTest, UnclosedQuoteInHeader) {
  const Status status = OpenError("a,\"b\n1,2\n", 2);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "t.csv:1:2: quoted field is not closed");
}

TEST(CsvReaderTest, CharacterAfterClosingQuote) {
  ExpectReadError("a,b\n1,2\n\"x\"y,2\n", StatusCode::kInvalidArgument,
                  "t.csv:3:1: unexpected character 'y' after closing quote");
  ExpectReadError("a,b\n1,\"2\" \n", StatusCode::kInvalidArgument,
                  "t.csv:2:2: unexpected character ' ' after closing quote");
  ExpectReadError("a,b\n1,\"2\"\r3\n", StatusCode::kInvalidArgument,
                  "t.csv:2:2: unexpected character '\\x0d' after closing quote");
  ExpectReadError(std::string("a,b\n1,\"2\"\x01\n"), StatusCode::kInvalidArgument,
                  "t.csv:2:2: unexpected character '\\x01' after closing quote");
}

TEST(CsvReaderTest, NulBytesAreData) {
  const std::string data("a,b\n\0,x\0y\n", 10);
  EXPECT_THAT(ReadAllBlockSizes(data), ElementsAre(std::string("2:\0|x\0y", 7)));
}

TEST(CsvReaderTest, ProgressReachesTotal) {
  const std::string data = "a\n1\n2\n3\n";
  auto reader = OpenCsv(data, 2);
  ASSERT_NE(reader, nullptr);
  uint64_t last = reader->bytes_read();
  EXPECT_GT(last, 0u);
  while (reader->Next()) {
    EXPECT_GE(reader->bytes_read(), last);
    last = reader->bytes_read();
  }
  EXPECT_EQ(reader->bytes_read(), data.size());
  EXPECT_EQ(reader->total_bytes(), data.size());
}

// Random tables, written with random quoting and line ends, read back with every block size.
// Random tables of up to `max_columns` columns of values of up to `max_value - 1` bytes from
// `alphabet` (quotes, separators and line breaks included; one field in `quote_one_in` quoted
// when it need not be) read back as written, with every block size.
void CheckRandomTablesRoundTrip(unsigned seed, size_t max_columns, size_t max_value, int iterations,
                                const std::string& alphabet = "ab,\"\r\n x",
                                unsigned quote_one_in = 4) {
  std::mt19937 rng(seed);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    const size_t columns = 1 + rng() % max_columns;
    const size_t rows = rng() % 6;
    std::string data;
    std::vector<std::string> expected;
    for (size_t r = 0; r <= rows; ++r) {  // r == 0: the header
      std::string line_expected;
      for (size_t c = 0; c < columns; ++c) {
        std::string value;
        const size_t size = rng() % max_value;
        for (size_t k = 0; k < size; ++k) value += alphabet[rng() % alphabet.size()];
        const bool needs_quotes = value.find_first_of(",\"\r\n") != std::string::npos ||
                                  (columns == 1 && value.empty()) || rng() % quote_one_in == 0;
        if (c > 0) data += ',';
        if (needs_quotes) {
          data += '"';
          for (char ch : value) data += ch == '"' ? std::string("\"\"") : std::string(1, ch);
          data += '"';
        } else {
          data += value;
        }
        if (c > 0) line_expected += '|';
        line_expected += !needs_quotes && value.empty() ? std::string("<null>") : value;
      }
      if (r > 0) expected.push_back(line_expected);
      if (r < rows || rng() % 2 == 0) data += rng() % 2 ? "\r\n" : "\n";
    }
    std::vector<std::string> got = ReadAllBlockSizes(data);
    for (std::string& row : got) row = row.substr(row.find(':') + 1);  // drop the line numbers
    ASSERT_EQ(got, expected) << "data: " << data;
  }
}

TEST(CsvReaderTest, RandomTablesRoundTrip) { CheckRandomTablesRoundTrip(7, 4, 5, 200); }

// Rows of 64 to a few hundred bytes: the block-wise fast path and its fallbacks (a quote or a
// line break in a later block, more fields than a short row holds).
TEST(CsvReaderTest, RandomLongRowsRoundTrip) {
  CheckRandomTablesRoundTrip(8, 80, 14, 300, "0123456789.ab x-e\r,\"\n", 64);
}

}  // namespace
}  // namespace modelwatch::io
