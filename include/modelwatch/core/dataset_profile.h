// DatasetProfile: the reference profile of a dataset — one ColumnProfile per column, the row
// count and, when a time column is named, the time range of the rows. Mergeable (profiles of
// parts of a dataset merge into the profile of the whole) and stored as a versioned binary file
// (`modelwatch profile --output ref.mwprof`).
//
// Format: one frame (byte_codec.h) of family FormatFamily::kDatasetProfile, version 1: payload =
// row count, time column name, time range (rows with an unparsable or missing time are counted),
// column count, then each ColumnProfile (column_profile.h), whose sketches are embedded frames.
// Deserialize rejects truncated, corrupted (CRC-32C) or foreign bytes and profiles of a newer
// version with kDataLoss naming the byte offset (and the column, inside one).
// Thread safety: a value type; const methods may run concurrently, mutation may not.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/column_profile.h"
#include "modelwatch/core/status.h"

namespace modelwatch {

class DatasetProfile {
 public:
  static constexpr uint16_t kFormatVersion = 1;

  struct Options {
    ColumnProfile::Options column;
    std::string time_column;  // empty: no time range
  };

  // One profile per column name (names must be distinct: kInvalidArgument otherwise).
  static Result<DatasetProfile> Create(std::vector<std::string> column_names,
                                       const Options& options);

  // The profile of `rows` rows whose columns were profiled separately (ColumnProfile::FromValues):
  // names distinct and count() + missing() == rows for each column, kInvalidArgument otherwise.
  // No time column.
  static Result<DatasetProfile> FromColumns(std::vector<ColumnProfile> columns, uint64_t rows);

  // Adds one row: fields[i] is the text of column i (a null field is empty). `time` is the time
  // column's text, when the options name one. When `classified` is not empty (it must then
  // have one element per column), it receives each column's classified value, for callers that
  // also keep the raw values.
  void UpdateRow(std::span<const std::string_view> fields, std::string_view time = {},
                 std::span<ClassifiedValue> classified = {});
  // Adds one row of values already classified (events carry typed values, not text):
  // values[i] is column i's (missing when values is shorter).
  void UpdateClassifiedRow(std::span<const ClassifiedValue> values);
  // Adds `other`'s rows: kInvalidArgument unless the columns (names, order) and time column are
  // the same and their sketches are mergeable.
  Status Merge(const DatasetProfile& other);

  uint64_t rows() const { return rows_; }
  const std::vector<ColumnProfile>& columns() const { return columns_; }
  // The column named `name`, or nullptr.
  const ColumnProfile* Find(std::string_view name) const;
  const std::string& time_column() const { return time_column_; }
  std::optional<double> time_min() const {
    return time_rows_ ? std::optional(time_min_) : std::nullopt;
  }
  std::optional<double> time_max() const {
    return time_rows_ ? std::optional(time_max_) : std::nullopt;
  }
  uint64_t rows_without_time() const { return rows_without_time_; }

  std::string Serialize() const;
  static Result<DatasetProfile> Deserialize(std::string_view bytes);

 private:
  DatasetProfile() = default;

  std::vector<ColumnProfile> columns_;
  std::string time_column_;
  uint64_t rows_ = 0;
  uint64_t time_rows_ = 0;
  uint64_t rows_without_time_ = 0;
  double time_min_ = 0.0;
  double time_max_ = 0.0;
};

}  // namespace modelwatch
