#include "modelwatch/core/cgroup_cpu_max.h"

#include <string>
#include <vector>

#include "internal/proc_text.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

std::optional<double> CgroupCpuMax::LimitCpus() const {
  if (!quota_usec) return std::nullopt;
  return static_cast<double>(*quota_usec) / static_cast<double>(period_usec);
}

Result<CgroupCpuMax> ParseCgroupCpuMax(std::string_view text, std::string_view source) {
  const std::vector<std::string_view> fields = internal::SplitFields(internal::Trim(text));
  if (fields.empty() || fields.size() > 2) {
    return ContentError(source, 1, "expected '$MAX $PERIOD', got " + Quote(text));
  }
  CgroupCpuMax max;
  if (fields[0] != "max") {
    uint64_t quota = 0;
    if (!internal::ParseU64(fields[0], &quota) || quota == 0) {
      return ContentError(source, 1,
                          "quota " + Quote(fields[0]) + " is neither 'max' nor a positive integer");
    }
    max.quota_usec = quota;
  }
  if (fields.size() == 2 &&
      (!internal::ParseU64(fields[1], &max.period_usec) || max.period_usec == 0)) {
    return ContentError(source, 1, "period " + Quote(fields[1]) + " is not a positive integer");
  }
  return max;
}

}  // namespace modelwatch
