#include "modelwatch/core/proc_meminfo.h"

#include <limits>
#include <string>
#include <vector>

#include "internal/proc_text.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

Result<Meminfo> ParseMeminfo(std::string_view text, std::string_view source) {
  Meminfo info;
  uint64_t available = 0;
  struct Field {
    std::string_view key;
    uint64_t* value;
    bool required;
    bool seen = false;
  };
  Field fields[] = {
      {"MemTotal", &info.mem_total_bytes, true}, {"MemFree", &info.mem_free_bytes, true},
      {"MemAvailable", &available, false},       {"Buffers", &info.buffers_bytes, true},
      {"Cached", &info.cached_bytes, true},      {"SwapTotal", &info.swap_total_bytes, true},
      {"SwapFree", &info.swap_free_bytes, true}};
  internal::LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    if (internal::Trim(line).empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return ContentError(source, lines.line_number(), "expected 'Key: value', got " + Quote(line));
    }
    const std::string_view key = line.substr(0, colon);
    Field* field = nullptr;
    for (Field& f : fields) {
      if (f.key == key) field = &f;
    }
    if (field == nullptr) continue;  // a key we do not use (Active, HugePages_Total, ...)
    if (field->seen) return ContentError(source, lines.line_number(), "repeated " + Quote(key));
    const std::vector<std::string_view> values = internal::SplitFields(line.substr(colon + 1));
    uint64_t value = 0;
    if (values.empty() || values.size() > 2 || !internal::ParseU64(values[0], &value) ||
        (values.size() == 2 && values[1] != "kB")) {
      return ContentError(source, lines.line_number(),
                          std::string(key) + ": expected an unsigned integer and 'kB', got " +
                              Quote(line.substr(colon + 1)));
    }
    if (values.size() == 2) {
      if (value > std::numeric_limits<uint64_t>::max() / 1024) {
        return ContentError(source, lines.line_number(), std::string(key) + ": value too large");
      }
      value *= 1024;
    }
    *field->value = value;
    field->seen = true;
  }
  for (const Field& f : fields) {
    if (f.required && !f.seen) return ContentError(source, 0, "no " + Quote(f.key) + " line");
  }
  if (fields[2].seen) info.mem_available_bytes = available;
  return info;
}

}  // namespace modelwatch
