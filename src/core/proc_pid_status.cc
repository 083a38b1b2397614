#include "modelwatch/core/proc_pid_status.h"

#include <limits>
#include <string>
#include <vector>

#include "internal/proc_text.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

Result<ProcPidStatus> ParseProcPidStatus(std::string_view text, std::string_view source) {
  ProcPidStatus status;
  bool seen_name = false;
  uint64_t rss = 0, size = 0;
  struct Field {
    std::string_view key;
    uint64_t* value;
    bool kib;  // "N kB"
    bool required;
    bool seen = false;
  };
  Field fields[] = {
      {"Threads", &status.threads, false, true},
      {"VmRSS", &rss, true, false},
      {"VmSize", &size, true, false},
      {"voluntary_ctxt_switches", &status.voluntary_ctxt_switches, false, true},
      {"nonvoluntary_ctxt_switches", &status.nonvoluntary_ctxt_switches, false, true}};
  internal::LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (internal::Trim(line).empty()) continue;
      return ContentError(source, lines.line_number(), "expected 'Key: value', got " + Quote(line));
    }
    const std::string_view key = line.substr(0, colon);
    const std::string_view rest = line.substr(colon + 1);
    if (key == "Name") {
      if (seen_name) return ContentError(source, lines.line_number(), "repeated 'Name'");
      seen_name = true;
      // One tab separates the key from the name; the name itself may begin with spaces.
      status.name = std::string(rest.starts_with('\t') ? rest.substr(1) : internal::Trim(rest));
      continue;
    }
    Field* field = nullptr;
    for (Field& f : fields) {
      if (f.key == key) field = &f;
    }
    if (field == nullptr) continue;
    if (field->seen) return ContentError(source, lines.line_number(), "repeated " + Quote(key));
    const std::vector<std::string_view> values = internal::SplitFields(rest);
    const size_t expected = field->kib ? 2 : 1;
    uint64_t value = 0;
    if (values.size() != expected || !internal::ParseU64(values[0], &value) ||
        (field->kib && values[1] != "kB") ||
        (field->kib && value > std::numeric_limits<uint64_t>::max() / 1024)) {
      return ContentError(source, lines.line_number(),
                          std::string(key) + ": expected " +
                              (field->kib ? "'N kB'" : "an unsigned integer") + ", got " +
                              Quote(rest));
    }
    *field->value = field->kib ? value * 1024 : value;
    field->seen = true;
  }
  if (!seen_name) return ContentError(source, 0, "no 'Name' line");
  for (const Field& f : fields) {
    if (f.required && !f.seen) return ContentError(source, 0, "no " + Quote(f.key) + " line");
  }
  if (fields[1].seen) status.vm_rss_bytes = rss;
  if (fields[2].seen) status.vm_size_bytes = size;
  return status;
}

}  // namespace modelwatch
