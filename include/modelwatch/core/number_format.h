// Locale-independent number parsing and printing used by readers and writers.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace modelwatch {

// Parses a decimal or scientific floating-point number occupying all of `text` (a leading '+' is
// accepted; "nan", "inf" and surrounding spaces are not). Returns false if `text` is not one.
bool ParseDouble(std::string_view text, double* value);

// How many bytes ending at a text's end ParseDoubleWithSlack reads.
inline constexpr size_t kParseSlack = 16;

// ParseDouble, bit for bit, for a text whose last kParseSlack bytes of memory are all readable:
// [text.data() + text.size() - kParseSlack, text.data() + text.size()), which starts before
// text.data() when the text is shorter (a reader's buffer, with padding in front of its first
// byte). Those bytes are read and only the text's are used; a short plain decimal then takes
// one load instead of loads chosen by its length, which varies from field to field.
bool ParseDoubleWithSlack(std::string_view text, double* value);

// Shortest text that reads back to the same double ("0.1", "1e-07", "3"). Callers must not pass
// NaN or infinities (JSON has no spelling for them).
std::string FormatDouble(double value);

}  // namespace modelwatch
