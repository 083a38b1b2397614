#include "modelwatch/core/cgroup_cpu_stat.h"

#include <string>

#include "internal/proc_text.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

Result<CgroupCpuStat> ParseCgroupCpuStat(std::string_view text, std::string_view source) {
  CgroupCpuStat stat;
  bool seen_usage = false, seen_user = false, seen_system = false;
  MW_RETURN_IF_ERROR(internal::ForEachKeyValue(
      text, source, [&](std::string_view key, uint64_t value, int line) -> Status {
        const auto set = [&](uint64_t* field, bool* seen) -> Status {
          if (*seen) return ContentError(source, line, "repeated " + Quote(key));
          *seen = true;
          *field = value;
          return Status::Ok();
        };
        const auto set_optional = [&](std::optional<uint64_t>* field) -> Status {
          if (field->has_value()) return ContentError(source, line, "repeated " + Quote(key));
          *field = value;
          return Status::Ok();
        };
        if (key == "usage_usec") return set(&stat.usage_usec, &seen_usage);
        if (key == "user_usec") return set(&stat.user_usec, &seen_user);
        if (key == "system_usec") return set(&stat.system_usec, &seen_system);
        if (key == "nr_periods") return set_optional(&stat.nr_periods);
        if (key == "nr_throttled") return set_optional(&stat.nr_throttled);
        if (key == "throttled_usec") return set_optional(&stat.throttled_usec);
        return Status::Ok();
      }));
  if (!seen_usage || !seen_user || !seen_system) {
    return ContentError(source, 0, "missing one of usage_usec, user_usec, system_usec");
  }
  return stat;
}

}  // namespace modelwatch
