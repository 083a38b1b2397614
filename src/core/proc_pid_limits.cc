#include "modelwatch/core/proc_pid_limits.h"

#include <vector>

#include "internal/proc_text.h"

namespace modelwatch {
namespace {

using internal::ContentError;
using internal::Quote;

bool IsLimitValue(std::string_view field) {
  uint64_t ignored = 0;
  return field == "unlimited" || internal::ParseU64(field, &ignored);
}

std::optional<uint64_t> LimitValue(std::string_view field) {
  uint64_t value = 0;
  if (field == "unlimited" || !internal::ParseU64(field, &value)) return std::nullopt;
  return value;
}

}  // namespace

const ProcessLimit* ProcPidLimits::Find(std::string_view name) const {
  for (const ProcessLimit& limit : limits) {
    if (limit.name == name) return &limit;
  }
  return nullptr;
}

Result<ProcPidLimits> ParseProcPidLimits(std::string_view text, std::string_view source) {
  ProcPidLimits result;
  internal::LineReader lines(text);
  std::string_view line;
  if (!lines.Next(&line) || !line.starts_with("Limit ")) {
    return ContentError(source, 1, "expected the 'Limit  Soft Limit  Hard Limit  Units' header");
  }
  while (lines.Next(&line)) {
    const std::vector<std::string_view> fields = internal::SplitFields(line);
    if (fields.empty()) continue;
    // The name is every field before the first value; names have no digits.
    size_t first_value = 0;
    while (first_value < fields.size() && !IsLimitValue(fields[first_value])) ++first_value;
    if (first_value == 0 || first_value + 2 > fields.size() ||
        !IsLimitValue(fields[first_value + 1]) || first_value + 3 < fields.size()) {
      return ContentError(source, lines.line_number(),
                          "expected 'Name  soft  hard  [units]', got " + Quote(line));
    }
    ProcessLimit limit;
    for (size_t i = 0; i < first_value; ++i) {
      if (i > 0) limit.name += ' ';
      limit.name += fields[i];
    }
    limit.soft = LimitValue(fields[first_value]);
    limit.hard = LimitValue(fields[first_value + 1]);
    if (first_value + 2 < fields.size()) limit.units = std::string(fields[first_value + 2]);
    result.limits.push_back(std::move(limit));
  }
  return result;
}

}  // namespace modelwatch
