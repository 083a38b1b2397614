#include "modelwatch/io/dataset_input.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/sort_doubles.h"
#include "modelwatch/io/table_reader.h"

namespace modelwatch::io {
namespace {

constexpr uint64_t kProgressEvery = 1 << 14;

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return UnavailableError(path + ": read error");
  return bytes;
}

Result<LoadedDataset> LoadProfile(const DatasetRequest& req) {
  MW_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(req.path));
  Result<DatasetProfile> profile = DatasetProfile::Deserialize(bytes);
  if (!profile.ok()) return profile.status().WithPrefix(req.path);
  for (const std::string& name : req.columns) {
    if (profile->Find(name) == nullptr) {
      return NotFoundError(req.path + ": the profile has no column '" + name + "'");
    }
  }
  LoadedDataset d{req.path, true, std::move(*profile), {}};
  return d;
}

Result<std::unique_ptr<io::TableReader>> OpenTable(const DatasetRequest& req) {
  io::TableFormat format;
  if (req.input_format.empty()) {
    MW_ASSIGN_OR_RETURN(format, io::TableFormatFromPath(req.path));
  } else {
    MW_ASSIGN_OR_RETURN(format, io::ParseTableFormat(req.input_format));
  }
  return io::TableReader::Open(req.path, format);
}

std::vector<std::string> DistinctColumnNames(const io::TableReader& reader) {
  std::vector<std::string> columns;
  std::set<std::string> seen;
  for (const std::string& name : reader.column_names()) {
    if (seen.insert(name).second) columns.push_back(name);
  }
  return columns;
}

// Room for the numbers of the whole file at the rate of the rows read so far, so that the
// columns' vectors are not copied as they grow.
void ReserveForAll(const io::TableReader& reader, std::vector<RawColumn>& raw) {
  if (reader.bytes_read() == 0 || reader.total_bytes() <= reader.bytes_read()) return;
  const double scale =
      static_cast<double>(reader.total_bytes()) / static_cast<double>(reader.bytes_read()) * 1.05;
  for (RawColumn& column : raw) {
    column.numbers.reserve(static_cast<size_t>(static_cast<double>(column.numbers.size()) * scale));
  }
}

}  // namespace

bool LooksLikeProfile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[sizeof(kFrameMagic)] = {};
  in.read(magic, sizeof(magic));
  return in.gcount() == sizeof(magic) && std::equal(magic, magic + sizeof(magic), kFrameMagic);
}

Result<std::vector<std::string>> DatasetColumns(const DatasetRequest& req) {
  if (LooksLikeProfile(req.path)) {
    MW_ASSIGN_OR_RETURN(LoadedDataset d, LoadProfile(req));
    std::vector<std::string> columns;
    for (const ColumnProfile& c : d.profile.columns()) columns.push_back(c.name());
    return columns;
  }
  MW_ASSIGN_OR_RETURN(std::unique_ptr<io::TableReader> reader, OpenTable(req));
  return DistinctColumnNames(*reader);
}

Result<LoadedDataset> LoadDataset(const DatasetRequest& req, const RowProgress& progress) {
  if (LooksLikeProfile(req.path)) return LoadProfile(req);
  MW_ASSIGN_OR_RETURN(std::unique_ptr<io::TableReader> reader, OpenTable(req));
  std::vector<std::string> columns = req.columns;
  if (columns.empty()) columns = DistinctColumnNames(*reader);
  std::vector<std::string> selected = columns;
  const bool has_time = !req.time_column.empty();
  if (has_time) selected.push_back(req.time_column);
  MW_RETURN_IF_ERROR(reader->Select(selected));
  DatasetProfile::Options options;
  options.time_column = req.time_column;
  options.column.quantile_sketch = req.quantile_sketch || !req.keep_raw;
  // The profile from the raw values afterwards, or value by value as they come.
  const bool profile_from_raw = req.keep_raw && !options.column.quantile_sketch && !has_time;
  std::optional<DatasetProfile> profile;
  if (!profile_from_raw) {
    MW_ASSIGN_OR_RETURN(profile, DatasetProfile::Create(columns, options));
  }
  std::vector<RawColumn> raw(req.keep_raw ? columns.size() : 0);
  std::vector<std::string_view> fields(columns.size());
  std::vector<ClassifiedValue> classified(raw.size());
  uint64_t rows = 0;
  const bool parse_slack = reader->fields_have_parse_slack();
  while (reader->Next()) {
    if (profile_from_raw) {
      reader->GetFields(fields);
      if (parse_slack) {
        for (size_t i = 0; i < raw.size(); ++i) raw[i].Add(ClassifyText<true>(fields[i]));
      } else {
        for (size_t i = 0; i < raw.size(); ++i) raw[i].Add(Classify(fields[i]));
      }
    } else {
      for (size_t i = 0; i < columns.size(); ++i) fields[i] = reader->field(i);
      profile->UpdateRow(fields, has_time ? reader->field(columns.size()) : std::string_view(),
                         classified);
      for (size_t i = 0; i < raw.size(); ++i) raw[i].Add(classified[i]);
    }
    if (++rows % kProgressEvery == 0) {
      if (rows == kProgressEvery) ReserveForAll(*reader, raw);
      if (progress) progress(reader->bytes_read(), reader->total_bytes(), rows);
    }
  }
  MW_RETURN_IF_ERROR(reader->status());
  if (progress) progress(reader->bytes_read(), reader->total_bytes(), rows);
  for (RawColumn& column : raw) {
    SortDoubles(column.numbers);
    column.sorted = true;
  }
  if (profile_from_raw) {
    std::vector<ColumnProfile> profiles;
    for (size_t i = 0; i < columns.size(); ++i) {
      const std::vector<std::pair<std::string_view, uint64_t>> others(raw[i].others.begin(),
                                                                      raw[i].others.end());
      MW_ASSIGN_OR_RETURN(ColumnProfile column,
                          ColumnProfile::FromValues(columns[i], options.column, raw[i].numbers,
                                                    others, raw[i].missing));
      // FromValues' variance is numpy's two-pass one over these sorted numbers.
      if (const std::optional<double> variance = column.variance()) {
        raw[i].population_std = std::sqrt(*variance);
      }
      profiles.push_back(std::move(column));
    }
    MW_ASSIGN_OR_RETURN(profile, DatasetProfile::FromColumns(std::move(profiles), rows));
  }
  LoadedDataset d{req.path, false, std::move(*profile), std::move(raw)};
  return d;
}

}  // namespace modelwatch::io
