#include "modelwatch/core/cgroup_memory_stat.h"

#include <optional>
#include <unordered_set>

#include "internal/proc_text.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

std::optional<uint64_t> CgroupMemoryStat::Find(std::string_view key) const {
  for (const auto& [name, value] : entries) {
    if (name == key) return value;
  }
  return std::nullopt;
}

Result<CgroupMemoryStat> ParseCgroupMemoryStat(std::string_view text, std::string_view source) {
  CgroupMemoryStat stat;
  std::unordered_set<std::string_view> seen;
  MW_RETURN_IF_ERROR(internal::ForEachKeyValue(
      text, source, [&](std::string_view key, uint64_t value, int line) -> Status {
        if (!seen.insert(key).second) {
          return ContentError(source, line, "repeated " + Quote(key));
        }
        stat.entries.emplace_back(std::string(key), value);
        return Status::Ok();
      }));
  struct Required {
    std::string_view key;
    uint64_t* value;
  };
  const Required required[] = {{"anon", &stat.anon},
                               {"file", &stat.file},
                               {"active_file", &stat.active_file},
                               {"inactive_file", &stat.inactive_file}};
  for (const Required& r : required) {
    const std::optional<uint64_t> value = stat.Find(r.key);
    if (!value) return ContentError(source, 0, "no " + Quote(r.key) + " line");
    *r.value = *value;
  }
  return stat;
}

}  // namespace modelwatch
