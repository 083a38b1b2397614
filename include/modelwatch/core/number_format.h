// Locale-independent number parsing and printing used by readers and writers.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace modelwatch {

// Parses a decimal or scientific floating-point number occupying all of `text` (a leading '+' is
// accepted; "nan", "inf" and surrounding spaces are not). Returns false if `text` is not one.
bool ParseDouble(std::string_view text, double* value);

// Shortest text that reads back to the same double ("0.1", "1e-07", "3"). Callers must not pass
// NaN or infinities (JSON has no spelling for them).
std::string FormatDouble(double value);

}  // namespace modelwatch
