// The datasets of `modelwatch profile | drift | report` and of serve's reference files: a
// CSV/NDJSON file read into a DatasetProfile (and, on request, the raw values of every column,
// for exact drift tests), or a profile file written by `modelwatch profile` (recognized by its
// magic bytes, whatever its name).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "modelwatch/core/dataset_profile.h"
#include "modelwatch/core/drift.h"
#include "modelwatch/core/status.h"

namespace modelwatch::io {

struct DatasetRequest {
  std::string path;
  std::string input_format;          // "" (from the extension), "csv" or "ndjson"
  std::vector<std::string> columns;  // empty: every column of the file
  std::string time_column;           // optional: the profile's time range
  // Also keep every value (exact drift tests), the numbers of each column sorted ascending
  // (SortDoubles).
  bool keep_raw = false;
  // false, with keep_raw and no time column: the profile is built from the raw values once they
  // are read (ColumnProfile::FromValues: no quantile sketch, one sketch update per distinct
  // value rather than per value), for callers that compute everything from the raw values.
  bool quantile_sketch = true;
};

struct LoadedDataset {
  std::string path;
  bool from_profile = false;
  DatasetProfile profile;
  std::vector<RawColumn> raw;  // one per profile column when keep_raw and not from_profile
};

using RowProgress = std::function<void(uint64_t bytes_read, uint64_t total_bytes, uint64_t rows)>;

// Errors: kNotFound (file or column), kInvalidArgument naming FILE:LINE:COLUMN for bad rows,
// kDataLoss for a corrupt or foreign profile file.
Result<LoadedDataset> LoadDataset(const DatasetRequest& request, const RowProgress& progress);

// The columns LoadDataset would read when request.columns is empty: the profile's, or the
// file's header (first-seen order, duplicates once). Errors as LoadDataset's.
Result<std::vector<std::string>> DatasetColumns(const DatasetRequest& request);

// True when the file starts with the magic bytes of modelwatch's binary formats.
bool LooksLikeProfile(const std::string& path);

}  // namespace modelwatch::io
