#include "modelwatch/core/dataset_profile.h"

#include <algorithm>
#include <set>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/timestamp.h"

namespace modelwatch {
namespace {

constexpr std::string_view kContext = "dataset profile";
// Bytes of the smallest serialized column (a generous lower bound, for ReadCount).
constexpr size_t kMinColumnBytes = 16;

}  // namespace

Result<DatasetProfile> DatasetProfile::Create(std::vector<std::string> column_names,
                                              const Options& options) {
  std::set<std::string> seen;
  DatasetProfile profile;
  for (std::string& name : column_names) {
    if (!seen.insert(name).second) {
      return InvalidArgumentError("dataset profile: column '" + name + "' appears twice");
    }
    MW_ASSIGN_OR_RETURN(ColumnProfile column,
                        ColumnProfile::Create(std::move(name), options.column));
    profile.columns_.push_back(std::move(column));
  }
  profile.time_column_ = options.time_column;
  return profile;
}

Result<DatasetProfile> DatasetProfile::FromColumns(std::vector<ColumnProfile> columns,
                                                   uint64_t rows) {
  std::set<std::string> seen;
  for (const ColumnProfile& c : columns) {
    if (!seen.insert(c.name()).second) {
      return InvalidArgumentError("dataset profile: column '" + c.name() + "' appears twice");
    }
    if (c.count() + c.missing() != rows) {
      return InvalidArgumentError("dataset profile: column '" + c.name() + "' has " +
                                  std::to_string(c.count() + c.missing()) + " values for " +
                                  std::to_string(rows) + " rows");
    }
  }
  DatasetProfile profile;
  profile.columns_ = std::move(columns);
  profile.rows_ = rows;
  return profile;
}

void DatasetProfile::UpdateRow(std::span<const std::string_view> fields, std::string_view time,
                               std::span<ClassifiedValue> classified) {
  ++rows_;
  const size_t n = std::min(fields.size(), columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    const ClassifiedValue value = Classify(i < n ? fields[i] : std::string_view());
    columns_[i].Update(value);
    if (!classified.empty()) classified[i] = value;
  }
  if (time_column_.empty()) return;
  const std::optional<double> t = ParseTimestamp(time);
  if (!t) {
    ++rows_without_time_;
    return;
  }
  time_min_ = time_rows_ == 0 ? *t : std::min(time_min_, *t);
  time_max_ = time_rows_ == 0 ? *t : std::max(time_max_, *t);
  ++time_rows_;
}

void DatasetProfile::UpdateClassifiedRow(std::span<const ClassifiedValue> values) {
  ++rows_;
  for (size_t i = 0; i < columns_.size(); ++i) {
    columns_[i].Update(i < values.size() ? values[i] : ClassifiedValue{});
  }
}

Status DatasetProfile::Merge(const DatasetProfile& other) {
  if (other.columns_.size() != columns_.size() || other.time_column_ != time_column_) {
    return InvalidArgumentError("dataset profile: cannot merge profiles of different columns");
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name() != other.columns_[i].name()) {
      return InvalidArgumentError("dataset profile: cannot merge profiles of different columns");
    }
  }
  std::vector<ColumnProfile> merged = columns_;
  for (size_t i = 0; i < merged.size(); ++i) MW_RETURN_IF_ERROR(merged[i].Merge(other.columns_[i]));
  columns_ = std::move(merged);
  rows_ += other.rows_;
  rows_without_time_ += other.rows_without_time_;
  if (other.time_rows_ > 0) {
    time_min_ = time_rows_ == 0 ? other.time_min_ : std::min(time_min_, other.time_min_);
    time_max_ = time_rows_ == 0 ? other.time_max_ : std::max(time_max_, other.time_max_);
  }
  time_rows_ += other.time_rows_;
  return Status::Ok();
}

const ColumnProfile* DatasetProfile::Find(std::string_view name) const {
  for (const ColumnProfile& c : columns_) {
    if (c.name() == name) return &c;
  }
  return nullptr;
}

std::string DatasetProfile::Serialize() const {
  ByteWriter w;
  w.PutVarint(rows_);
  w.PutString(time_column_);
  w.PutVarint(time_rows_);
  w.PutVarint(rows_without_time_);
  w.PutDouble(time_min_);
  w.PutDouble(time_max_);
  w.PutVarint(columns_.size());
  for (const ColumnProfile& c : columns_) c.AppendTo(&w);
  return WriteFrame(FormatFamily::kDatasetProfile, kFormatVersion, w.bytes());
}

Result<DatasetProfile> DatasetProfile::Deserialize(std::string_view bytes) {
  MW_ASSIGN_OR_RETURN(OpenedFrame frame,
                      OpenFrame(bytes, FormatFamily::kDatasetProfile, kFormatVersion, kContext));
  ByteReader r = frame.PayloadReader(kContext);
  DatasetProfile p;
  MW_ASSIGN_OR_RETURN(p.rows_, r.ReadVarint("row count"));
  MW_ASSIGN_OR_RETURN(std::string_view time_column, r.ReadString("time column"));
  p.time_column_ = std::string(time_column);
  MW_ASSIGN_OR_RETURN(p.time_rows_, r.ReadVarint("rows with a time"));
  MW_ASSIGN_OR_RETURN(p.rows_without_time_, r.ReadVarint("rows without a time"));
  MW_ASSIGN_OR_RETURN(p.time_min_, r.ReadDouble("time min"));
  MW_ASSIGN_OR_RETURN(p.time_max_, r.ReadDouble("time max"));
  const size_t columns_at = r.offset();
  MW_ASSIGN_OR_RETURN(uint64_t columns, r.ReadCount("column count", UINT32_MAX, kMinColumnBytes));
  std::set<std::string> seen;
  for (uint64_t i = 0; i < columns; ++i) {
    const size_t at = r.offset();
    MW_ASSIGN_OR_RETURN(ColumnProfile column, ColumnProfile::ReadFrom(&r));
    if (column.count() + column.missing() != p.rows_) {
      return r.Corrupt(at, "column '" + column.name() + "' has " +
                               std::to_string(column.count() + column.missing()) + " values for " +
                               std::to_string(p.rows_) + " rows");
    }
    if (!seen.insert(column.name()).second) {
      return r.Corrupt(at, "column '" + column.name() + "' appears twice");
    }
    p.columns_.push_back(std::move(column));
  }
  if (p.time_rows_ + p.rows_without_time_ != (p.time_column_.empty() ? 0 : p.rows_)) {
    return r.Corrupt(columns_at, "time counts disagree with the row count");
  }
  MW_RETURN_IF_ERROR(r.ExpectEnd());
  return p;
}

}  // namespace modelwatch
