// Timestamps of events and rows, as the data model (DESIGN.md §3) accepts them: RFC 3339
// ("2026-11-24T10:00:03.120Z", "2026-11-24 10:00:03+01:00"; 'T' or ' ' between date and time,
// fraction of any length, 'Z' or a numeric offset required) or epoch seconds ("1764000003.12").
// Parsed to seconds since the Unix epoch (UTC) as a double (microsecond resolution for present
// dates). Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace modelwatch {

// Seconds since 1970-01-01T00:00:00Z, or nullopt when `text` is neither form (or a field is out
// of range: month 1-12, day valid for the month, hour 0-23, minute 0-59, second 0-60).
std::optional<double> ParseTimestamp(std::string_view text);

// RFC 3339 in UTC with millisecond precision: "2026-11-24T10:00:03.120Z".
std::string FormatTimestamp(double epoch_seconds);

}  // namespace modelwatch
