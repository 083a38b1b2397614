#include "modelwatch/io/json_error_text.h"

#include <simdjson.h>

namespace modelwatch::io {

std::string JsonErrorText(int simdjson_error, std::string_view unit) {
  switch (static_cast<simdjson::error_code>(simdjson_error)) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::UNCLOSED_STRING:
      return "string is not closed";
    case simdjson::UNESCAPED_CHARS:
      return "control character in a string (escape it)";
    case simdjson::STRING_ERROR:
      return "bad escape sequence in a string";
    case simdjson::NUMBER_ERROR:
      return "bad number (or beyond the range of a double)";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
    case simdjson::INCORRECT_TYPE:  // what On-Demand reports for a bad true/false/null
      // Where a value was expected: say every kind a value can be.
      return "bad literal (expected true, false, null, a number, a string, an object or an "
             "array)";
    case simdjson::DEPTH_ERROR:
      return "nested too deeply";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "object or array is not closed";
    case simdjson::TRAILING_CONTENT:
      return "content after the end of the JSON value";
    case simdjson::EMPTY:
      return std::string(unit) + " is empty";
    case simdjson::CAPACITY:
      return std::string(unit) + " is too large";
    case simdjson::MEMALLOC:
      return "out of memory";
    default:  // TAPE_ERROR and kin
      return "bad structure (check commas, colons, quotes, braces and brackets)";
  }
}

}  // namespace modelwatch::io
