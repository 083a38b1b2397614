// Shared lexing for the parsers of /proc and cgroup files (proc_stat.h, cgroup_cpu_stat.h, ...):
// lines, whitespace-separated fields, strict unsigned/signed decimals, and errors that name the
// file and line ("/proc/stat:3: ..."). Private to core; the public contracts are in each
// parser's header. Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch::internal {

// Iterates over the lines of `text` ('\n'-terminated; a last line without '\n' counts, an empty
// text has no lines). Line numbers start at 1.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  // The next line without its '\n'; false at the end.
  bool Next(std::string_view* line);
  int line_number() const { return line_number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_number_ = 0;
};

// The fields of `line` separated by runs of spaces and tabs.
std::vector<std::string_view> SplitFields(std::string_view line);
// `text` without leading and trailing spaces, tabs and newlines.
std::string_view Trim(std::string_view text);

// Decimal digits only (no sign, no spaces), no overflow of uint64_t.
bool ParseU64(std::string_view text, uint64_t* value);
// An optional '-' then decimal digits, within int64_t.
bool ParseI64(std::string_view text, int64_t* value);

// InvalidArgument "<source>:<line>: <message>" (line 0: "<source>: <message>").
Status ContentError(std::string_view source, int line, std::string_view message);

// "<what> '<text>'" with `text` cut to 40 bytes and non-printable bytes as '?', so that a
// message quoting file content stays one short printable line.
std::string Quote(std::string_view text);

// Flat-keyed cgroup files (cpu.stat, memory.stat, memory.events): "key value" per line, the
// value an unsigned decimal. Calls `visit(key, value, line)` for each line in order; a line of
// another shape is an error naming the line. Returns the first error of `visit`, if any.
Status ForEachKeyValue(std::string_view text, std::string_view source,
                       const std::function<Status(std::string_view, uint64_t, int)>& visit);

}  // namespace modelwatch::internal
