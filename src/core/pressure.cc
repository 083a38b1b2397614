#include "modelwatch/core/pressure.h"

#include <cmath>
#include <string>
#include <vector>

#include "internal/proc_text.h"
#include "modelwatch/core/number_format.h"

namespace modelwatch {
namespace {

using internal::ContentError;
using internal::Quote;

Status ParseLine(const std::vector<std::string_view>& fields, std::string_view source, int line,
                 PressureLine* out) {
  static constexpr std::string_view kKeys[] = {"avg10=", "avg60=", "avg300=", "total="};
  if (fields.size() != 5) {
    return ContentError(source, line,
                        "expected 'avg10=N avg60=N avg300=N total=N' after " + Quote(fields[0]));
  }
  double* const averages[] = {&out->avg10, &out->avg60, &out->avg300};
  for (int i = 0; i < 4; ++i) {
    const std::string_view field = fields[i + 1];
    if (!field.starts_with(kKeys[i])) {
      return ContentError(source, line, "expected " + Quote(kKeys[i]) + ", got " + Quote(field));
    }
    const std::string_view value = field.substr(kKeys[i].size());
    if (i < 3) {
      if (!ParseDouble(value, averages[i]) || !(*averages[i] >= 0.0 && *averages[i] <= 100.0)) {
        return ContentError(source, line,
                            Quote(field) + ": the average is not a percentage in [0, 100]");
      }
    } else if (!internal::ParseU64(value, &out->total_micros)) {
      return ContentError(source, line, Quote(field) + ": total is not an unsigned integer");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Pressure> ParsePressure(std::string_view text, std::string_view source) {
  Pressure pressure;
  bool seen_some = false;
  internal::LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    const std::vector<std::string_view> fields = internal::SplitFields(line);
    if (fields.empty()) continue;
    if (fields[0] == "some") {
      if (seen_some) return ContentError(source, lines.line_number(), "repeated 'some' line");
      seen_some = true;
      MW_RETURN_IF_ERROR(ParseLine(fields, source, lines.line_number(), &pressure.some));
    } else if (fields[0] == "full") {
      if (pressure.full) return ContentError(source, lines.line_number(), "repeated 'full' line");
      PressureLine full;
      MW_RETURN_IF_ERROR(ParseLine(fields, source, lines.line_number(), &full));
      pressure.full = full;
    } else {
      return ContentError(source, lines.line_number(),
                          "expected a 'some' or 'full' line, got " + Quote(line));
    }
  }
  if (!seen_some) return ContentError(source, 0, "no 'some' line");
  return pressure;
}

}  // namespace modelwatch
