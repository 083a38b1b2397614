// Private helpers of the HTTP layer: request-target parsing and ASCII case folding.
// Pure functions; thread safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelwatch::server::internal {

// ASCII case-insensitive equality (header names, tokens).
bool AsciiIEquals(std::string_view a, std::string_view b);

// Decodes %XX escapes (RFC 3986 §2.1); with plus_as_space, '+' becomes ' ' (the
// application/x-www-form-urlencoded convention used in query strings). nullopt when a '%' is not
// followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space);

// Splits "a=1&b=x%20y&c" into {"a","1"},{"b","x y"},{"c",""}, decoding keys and values; empty
// pieces ("a=1&&b=2") are skipped. nullopt on bad percent-encoding.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

// Splits an absolute path into its segments without decoding: "/" -> {}, "/a/b" -> {"a","b"},
// "/a/" -> {"a",""}. Precondition: path starts with '/'.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace modelwatch::server::internal
