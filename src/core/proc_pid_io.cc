#include "modelwatch/core/proc_pid_io.h"

#include <string>
#include <vector>

#include "internal/proc_text.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

Result<ProcPidIo> ParseProcPidIo(std::string_view text, std::string_view source) {
  ProcPidIo io;
  struct Field {
    std::string_view key;
    uint64_t* value;
    bool seen = false;
  };
  Field fields[] = {{"rchar", &io.rchar},
                    {"wchar", &io.wchar},
                    {"syscr", &io.syscr},
                    {"syscw", &io.syscw},
                    {"read_bytes", &io.read_bytes},
                    {"write_bytes", &io.write_bytes},
                    {"cancelled_write_bytes", &io.cancelled_write_bytes}};
  internal::LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    if (internal::Trim(line).empty()) continue;
    const size_t colon = line.find(':');
    uint64_t value = 0;
    if (colon == std::string_view::npos ||
        !internal::ParseU64(internal::Trim(line.substr(colon + 1)), &value)) {
      return ContentError(source, lines.line_number(),
                          "expected 'key: unsigned integer', got " + Quote(line));
    }
    const std::string_view key = line.substr(0, colon);
    for (Field& f : fields) {
      if (f.key != key) continue;
      if (f.seen) return ContentError(source, lines.line_number(), "repeated " + Quote(key));
      *f.value = value;
      f.seen = true;
    }
  }
  for (const Field& f : fields) {
    if (!f.seen) return ContentError(source, 0, "no " + Quote(f.key) + " line");
  }
  return io;
}

}  // namespace modelwatch
