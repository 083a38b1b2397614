#include "modelwatch/core/proc_loadavg.h"

#include <cmath>
#include <string>
#include <vector>

#include "internal/proc_text.h"
#include "modelwatch/core/number_format.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

Result<LoadAverage> ParseLoadavg(std::string_view text, std::string_view source) {
  const std::vector<std::string_view> fields = internal::SplitFields(internal::Trim(text));
  if (fields.size() != 5) {
    return ContentError(source, 1, "expected 5 fields, got " + std::to_string(fields.size()));
  }
  LoadAverage load;
  double* const loads[] = {&load.load1, &load.load5, &load.load15};
  for (int i = 0; i < 3; ++i) {
    if (!ParseDouble(fields[i], loads[i]) || !std::isfinite(*loads[i]) || *loads[i] < 0.0) {
      return ContentError(source, 1,
                          "load average " + Quote(fields[i]) + " is not a non-negative number");
    }
  }
  const size_t slash = fields[3].find('/');
  if (slash == std::string_view::npos ||
      !internal::ParseU64(fields[3].substr(0, slash), &load.runnable) ||
      !internal::ParseU64(fields[3].substr(slash + 1), &load.threads)) {
    return ContentError(source, 1, "expected 'runnable/threads', got " + Quote(fields[3]));
  }
  if (!internal::ParseU64(fields[4], &load.last_pid)) {
    return ContentError(source, 1, "last pid " + Quote(fields[4]) + " is not an integer");
  }
  return load;
}

}  // namespace modelwatch
