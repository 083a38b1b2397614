// The two TableReader implementations behind TableReader::Open / FromString, and the pieces of
// their error messages that both share. Private to src/io.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "byte_source.h"
#include "modelwatch/core/status.h"
#include "modelwatch/io/table_reader.h"

namespace modelwatch::io::internal {

// Read the header (CSV) or the first record (NDJSON) from `source`; errors as documented in
// table_reader.h. `name` is the file name used in messages.
Result<std::unique_ptr<TableReader>> NewCsvReader(std::unique_ptr<ByteSource> source,
                                                  std::string name,
                                                  const TableReader::Options& options);
Result<std::unique_ptr<TableReader>> NewNdjsonReader(std::unique_ptr<ByteSource> source,
                                                     std::string name,
                                                     const TableReader::Options& options);

// "FILE:LINE".
std::string Location(std::string_view file, uint64_t line);

// kInvalidArgument "FILE: file is empty".
Status EmptyFileError(std::string_view file);

// kNotFound "FILE:LINE: column 'C' not found (columns: A, B)".
Status ColumnNotFoundError(std::string_view file, uint64_t line, std::string_view column,
                           const std::vector<std::string>& columns);

// Maps each name of `wanted` to its first position in `columns`; on a missing name returns
// ColumnNotFoundError with `line` (where the columns were read).
Result<std::vector<size_t>> ResolveColumns(std::string_view file, uint64_t line,
                                           const std::vector<std::string>& columns,
                                           const std::vector<std::string>& wanted);

}  // namespace modelwatch::io::internal
