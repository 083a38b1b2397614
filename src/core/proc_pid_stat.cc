#include "modelwatch/core/proc_pid_stat.h"

#include <string>
#include <vector>

#include "internal/proc_text.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

Result<ProcPidStat> ParseProcPidStat(std::string_view text, std::string_view source) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return ContentError(source, 1, "field 2 (comm) is not in parentheses");
  }
  ProcPidStat stat;
  if (!internal::ParseI64(internal::Trim(text.substr(0, open)), &stat.pid)) {
    return ContentError(source, 1,
                        "field 1 (pid) " + Quote(text.substr(0, open)) + " is not an integer");
  }
  stat.comm = std::string(text.substr(open + 1, close - open - 1));
  // fields[0] is field 3 (state).
  const std::vector<std::string_view> fields =
      internal::SplitFields(internal::Trim(text.substr(close + 1)));
  constexpr size_t kLastField = 24;
  if (fields.size() < kLastField - 2) {
    return ContentError(source, 1,
                        "expected at least " + std::to_string(kLastField) + " fields, got " +
                            std::to_string(fields.size() + 2));
  }
  if (fields[0].size() != 1) {
    return ContentError(source, 1, "field 3 (state) " + Quote(fields[0]) + " is not one letter");
  }
  stat.state = fields[0][0];
  struct Unsigned {
    int number;
    const char* name;
    uint64_t* value;
  };
  struct Signed {
    int number;
    const char* name;
    int64_t* value;
  };
  const Unsigned unsigned_fields[] = {
      {10, "minflt", &stat.minflt}, {12, "majflt", &stat.majflt},       {14, "utime", &stat.utime},
      {15, "stime", &stat.stime},   {22, "starttime", &stat.starttime}, {23, "vsize", &stat.vsize}};
  const Signed signed_fields[] = {
      {4, "ppid", &stat.ppid},      {16, "cutime", &stat.cutime},
      {17, "cstime", &stat.cstime}, {18, "priority", &stat.priority},
      {19, "nice", &stat.nice},     {20, "num_threads", &stat.num_threads},
      {24, "rss", &stat.rss}};
  const auto field_error = [&](int number, const char* name) {
    return ContentError(source, 1,
                        "field " + std::to_string(number) + " (" + name + ") " +
                            Quote(fields[number - 3]) + " is not an integer");
  };
  for (const Unsigned& f : unsigned_fields) {
    if (!internal::ParseU64(fields[f.number - 3], f.value)) return field_error(f.number, f.name);
  }
  for (const Signed& f : signed_fields) {
    if (!internal::ParseI64(fields[f.number - 3], f.value)) return field_error(f.number, f.name);
  }
  return stat;
}

}  // namespace modelwatch
