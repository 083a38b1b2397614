#include "modelwatch/core/proc_pid_cgroup.h"

#include "internal/proc_text.h"

namespace modelwatch {

using internal::ContentError;
using internal::Quote;

std::optional<std::string> ProcPidCgroup::UnifiedPath() const {
  for (const CgroupMembership& m : memberships) {
    if (m.hierarchy_id == 0 && m.controllers.empty()) return m.path;
  }
  return std::nullopt;
}

bool ProcPidCgroup::HasV1Hierarchies() const {
  for (const CgroupMembership& m : memberships) {
    if (m.hierarchy_id != 0) return true;
  }
  return false;
}

Result<ProcPidCgroup> ParseProcPidCgroup(std::string_view text, std::string_view source) {
  ProcPidCgroup result;
  internal::LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    if (line.empty()) continue;
    const size_t first = line.find(':');
    const size_t second =
        first == std::string_view::npos ? std::string_view::npos : line.find(':', first + 1);
    if (second == std::string_view::npos) {
      return ContentError(source, lines.line_number(),
                          "expected 'id:controllers:path', got " + Quote(line));
    }
    CgroupMembership m;
    if (!internal::ParseU64(line.substr(0, first), &m.hierarchy_id)) {
      return ContentError(source, lines.line_number(),
                          "hierarchy id " + Quote(line.substr(0, first)) + " is not an integer");
    }
    std::string_view controllers = line.substr(first + 1, second - first - 1);
    while (!controllers.empty()) {
      const size_t comma = controllers.find(',');
      const std::string_view name = controllers.substr(0, comma);
      if (!name.empty()) m.controllers.emplace_back(name);
      if (comma == std::string_view::npos) break;
      controllers.remove_prefix(comma + 1);
    }
    m.path = std::string(line.substr(second + 1));
    if (!m.path.starts_with('/')) {
      return ContentError(source, lines.line_number(),
                          "cgroup path " + Quote(m.path) + " does not start with '/'");
    }
    result.memberships.push_back(std::move(m));
  }
  return result;
}

}  // namespace modelwatch
