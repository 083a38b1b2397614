#include "modelwatch/core/cgroup_memory_events.h"

#include <string>

#include "internal/proc_text.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

Result<CgroupMemoryEvents> ParseCgroupMemoryEvents(std::string_view text, std::string_view source) {
  CgroupMemoryEvents events;
  uint64_t group_kill = 0;
  struct Field {
    std::string_view key;
    uint64_t* value;
    bool seen = false;
  };
  Field fields[] = {{"low", &events.low},           {"high", &events.high},
                    {"max", &events.max},           {"oom", &events.oom},
                    {"oom_kill", &events.oom_kill}, {"oom_group_kill", &group_kill}};
  MW_RETURN_IF_ERROR(internal::ForEachKeyValue(
      text, source, [&](std::string_view key, uint64_t value, int line) -> Status {
        for (Field& f : fields) {
          if (f.key != key) continue;
          if (f.seen) return ContentError(source, line, "repeated " + Quote(key));
          f.seen = true;
          *f.value = value;
        }
        return Status::Ok();
      }));
  for (int i = 0; i < 5; ++i) {
    if (!fields[i].seen) return ContentError(source, 0, "no " + Quote(fields[i].key) + " line");
  }
  if (fields[5].seen) events.oom_group_kill = group_kill;
  return events;
}

}  // namespace modelwatch
