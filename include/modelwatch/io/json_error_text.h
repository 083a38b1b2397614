// Our wording for the JSON parser's (simdjson's) errors, shared by every JSON reader (io's NDJSON
// reader, the daemon's ingest and KServe parsers) so that a user sees one vocabulary: short, and
// stable across simdjson versions. The error is passed as its integer value, so that no
// simdjson type appears in a public header.
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace modelwatch::io {

// The text of simdjson error `simdjson_error` (a simdjson::error_code), e.g. "string is not
// closed". `unit` names what was parsed ("body", "line") for the errors that are about its
// size: "body is empty", "line is too large".
std::string JsonErrorText(int simdjson_error, std::string_view unit);

}  // namespace modelwatch::io
