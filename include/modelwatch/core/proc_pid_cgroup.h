// /proc/PID/cgroup: the control groups of a process (cgroups(7)), one line per hierarchy:
//   "hierarchy-ID:controller-list:cgroup-path"
// cgroup v2 (unified): the single line "0::/system.slice/model.service"; cgroup v1: one line
// per mounted hierarchy ("4:memory:/docker/abc", "9:name=systemd:/"). A "hybrid" host has both.
// The path is relative to the hierarchy's mount point and may itself contain ':'; a group
// removed while the process is in it reads "... (deleted)".
// Errors: kInvalidArgument naming "<source>:<line>" when a line lacks the two ':' separators,
// the hierarchy id is not an unsigned integer, or the path does not start with '/'.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct CgroupMembership {
  uint64_t hierarchy_id = 0;             // 0 for the unified (v2) hierarchy
  std::vector<std::string> controllers;  // empty for v2; "name=systemd" for named v1 hierarchies
  std::string path;                      // "/system.slice/model.service"
};

struct ProcPidCgroup {
  std::vector<CgroupMembership> memberships;  // in file order

  // The path in the unified hierarchy (the "0::" line), if there is one.
  std::optional<std::string> UnifiedPath() const;
  // Whether any v1 hierarchy (id != 0) is listed: a v1-only or hybrid host.
  bool HasV1Hierarchies() const;
};

Result<ProcPidCgroup> ParseProcPidCgroup(std::string_view text,
                                         std::string_view source = "/proc/PID/cgroup");

}  // namespace modelwatch
