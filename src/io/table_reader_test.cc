// Tests of TableReader's factories and format helpers (src/io/table_reader.cc): format names,
// file extensions, options, and reading real files.
#include "modelwatch/io/table_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace modelwatch::io {
namespace {

using ::testing::ElementsAre;

// A file under the test's temporary directory, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content)
      : path_(::testing::TempDir() + "mw_table_reader_" + std::to_string(::getpid()) + "_" + name) {
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(TableFormatTest, ParseTableFormat) {
  EXPECT_EQ(ParseTableFormat("csv").value(), TableFormat::kCsv);
  EXPECT_EQ(ParseTableFormat("CSV").value(), TableFormat::kCsv);
  EXPECT_EQ(ParseTableFormat("ndjson").value(), TableFormat::kNdjson);
  EXPECT_EQ(ParseTableFormat("jsonl").value(), TableFormat::kNdjson);
  const Status status = ParseTableFormat("xml").status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "unknown table format 'xml' (expected csv, ndjson or jsonl)");
  EXPECT_EQ(ParseTableFormat("").status().code(), StatusCode::kInvalidArgument);
}

TEST(TableFormatTest, TableFormatFromPath) {
  EXPECT_EQ(TableFormatFromPath("data.csv").value(), TableFormat::kCsv);
  EXPECT_EQ(TableFormatFromPath("/a.b/DATA.CSV").value(), TableFormat::kCsv);
  EXPECT_EQ(TableFormatFromPath("x.ndjson").value(), TableFormat::kNdjson);
  EXPECT_EQ(TableFormatFromPath("dir/x.jsonl").value(), TableFormat::kNdjson);
  EXPECT_EQ(TableFormatFromPath("x.json").value(), TableFormat::kNdjson);
  for (const char* path : {"data", "data.csv.gz", "dir.csv/data", ".csv", "data.", ""}) {
    const Status status = TableFormatFromPath(path).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << path;
  }
  EXPECT_EQ(TableFormatFromPath("data.txt").status().message(),
            "data.txt: cannot tell the format from the file name (expected .csv, .ndjson, .jsonl "
            "or .json)");
}

TEST(TableReaderTest, ZeroBlockSizeIsInvalid) {
  TableReader::Options options;
  options.block_size = 0;
  const Status status =
      TableReader::FromString("a\n1\n", "t.csv", TableFormat::kCsv, options).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "table reader: block_size must be > 0");
}

TEST(TableReaderTest, OpensCsvFile) {
  TempFile file("a.csv", "label,score\n1,0.5\n0,\n");
  TableReader::Options options;
  options.block_size = 4;
  auto reader = TableReader::Open(file.path(), TableFormat::kCsv, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  TableReader& r = **reader;
  EXPECT_EQ(r.file_name(), file.path());
  EXPECT_EQ(r.total_bytes(), 21u);
  EXPECT_THAT(r.column_names(), ElementsAre("label", "score"));
  ASSERT_TRUE(r.Select({"score"}).ok());
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.field(0), "0.5");
  EXPECT_EQ(r.Where(), file.path() + ":2");
  ASSERT_TRUE(r.Next());
  EXPECT_TRUE(r.is_null(0));
  EXPECT_FALSE(r.Next());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.bytes_read(), 21u);
}

TEST(TableReaderTest, OpensNdjsonFile) {
  TempFile file("a.ndjson", "{\"label\":1,\"score\":0.5}\n{\"label\":0,\"score\":null}\n");
  auto reader = TableReader::Open(file.path(), TableFormat::kNdjson);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  TableReader& r = **reader;
  EXPECT_THAT(r.column_names(), ElementsAre("label", "score"));
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.field(1), "0.5");
  ASSERT_TRUE(r.Next());
  EXPECT_TRUE(r.is_null(1));
  EXPECT_FALSE(r.Next());
  EXPECT_TRUE(r.status().ok());
}

TEST(TableReaderTest, EmptyFile) {
  TempFile file("empty.csv", "");
  const Status status = TableReader::Open(file.path(), TableFormat::kCsv).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), file.path() + ": file is empty");
}

TEST(TableReaderTest, MissingFileIsNotFound) {
  const std::string path = ::testing::TempDir() + "mw_no_such_file.csv";
  const Status status = TableReader::Open(path, TableFormat::kCsv).status();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), path + ": cannot open: No such file or directory");
}

TEST(TableReaderTest, DirectoryIsUnavailable) {
  const Status status = TableReader::Open("/", TableFormat::kNdjson).status();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "/: read error: Is a directory");
}

TEST(TableReaderTest, FromStringDispatchesOnFormat) {
  const std::string data = "{\"a\":1}\n";
  auto as_ndjson = TableReader::FromString(data, "x", TableFormat::kNdjson, {});
  ASSERT_TRUE(as_ndjson.ok());
  EXPECT_THAT((*as_ndjson)->column_names(), ElementsAre("a"));
  auto as_csv = TableReader::FromString(data, "x", TableFormat::kCsv, {});
  ASSERT_TRUE(as_csv.ok());
  EXPECT_THAT((*as_csv)->column_names(), ElementsAre("{\"a\":1}"));
}

}  // namespace
}  // namespace modelwatch::io

namespace modelwatch::io {
namespace {

// Reads every row of `data` in the parts given by `splits`; returns the first selected field of
// each row and checks that each part ends exactly where the next begins.
std::vector<std::string> ReadInParts(const std::string& data, TableFormat format,
                                     const std::vector<uint64_t>& splits, bool* aligned) {
  std::vector<std::string> rows;
  *aligned = true;
  std::vector<uint64_t> bounds = {0};
  bounds.insert(bounds.end(), splits.begin(), splits.end());
  bounds.push_back(UINT64_MAX);
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    TableReader::Options o;
    o.block_size = 5;
    o.range_begin = bounds[i];
    o.range_end = bounds[i + 1];
    auto r = TableReader::FromString(data, "t", format, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return rows;
    EXPECT_TRUE((*r)->Select({"a"}).ok());
    while ((*r)->Next()) rows.emplace_back((*r)->field(0));
    // A part that fails (e.g. it starts inside a quoted field) is not aligned either.
    if (!(*r)->status().ok()) *aligned = false;
    if (i + 2 < bounds.size() && (*r)->offset() != bounds[i + 1]) *aligned = false;
  }
  return rows;
}

TEST(TableReaderRangeTest, CsvPartsTogetherReadEveryRowOnce) {
  const std::string data = "a,b\n1,x\n22,y\n333,z\n4444,w\n55555,v\n";
  // Offsets of the line starts: 4, 8, 13, 19, 26.
  for (std::vector<uint64_t> splits : {std::vector<uint64_t>{8}, {13, 26}, {4, 8, 13, 19, 26}}) {
    bool aligned = false;
    EXPECT_EQ(ReadInParts(data, TableFormat::kCsv, splits, &aligned),
              (std::vector<std::string>{"1", "22", "333", "4444", "55555"}));
    EXPECT_TRUE(aligned);
  }
}

TEST(TableReaderRangeTest, NdjsonPartsTogetherReadEveryRowOnce) {
  const std::string data = "{\"a\":1}\n{\"a\":2}\n\n{\"a\":3}\n";
  bool aligned = false;
  EXPECT_EQ(ReadInParts(data, TableFormat::kNdjson, {8, 17}, &aligned),
            (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_TRUE(aligned);
}

TEST(TableReaderRangeTest, SplitInsideQuotedFieldIsDetectedByOffsets) {
  // The row "2,\"x\ny\"" spans lines: a split at the start of "y\"" is not a row start.
  const std::string data = "a,b\n1,p\n2,\"x\ny\"\n3,q\n";
  const uint64_t inside = data.find("y\"");
  bool aligned = true;
  ReadInParts(data, TableFormat::kCsv, {inside}, &aligned);
  EXPECT_FALSE(aligned);
}

TEST(TableReaderRangeTest, SplitPointsAreLineStarts) {
  const std::string path = ::testing::TempDir() + "/split_points.csv";
  std::string data = "a,b\n";
  for (int i = 0; i < 1000; ++i) data += std::to_string(i) + ",x\n";
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
  auto splits = TableReader::SplitPoints(path, 4);
  ASSERT_TRUE(splits.ok());
  ASSERT_EQ(splits->size(), 3u);
  for (uint64_t s : *splits) EXPECT_EQ(data[s - 1], '\n');
  bool aligned = false;
  std::vector<std::string> rows = ReadInParts(data, TableFormat::kCsv, *splits, &aligned);
  EXPECT_EQ(rows.size(), 1000u);
  EXPECT_TRUE(aligned);
  EXPECT_TRUE(TableReader::SplitPoints(path, 1)->empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace modelwatch::io
