// cgroup v2 cgroup.controllers and cgroup.subtree_control: the space-separated names of the
// controllers available in (or enabled for the children of) a group, e.g.
// "cpuset cpu io memory hugetlb pids". An empty file is an empty list (no controllers: the
// group's cpu.stat has no throttling counters and it has no memory.* files).
// Errors: kInvalidArgument naming "<source>" when there is more than one line or a name is not
// lower-case letters, digits and '_'. Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch {

Result<std::vector<std::string>> ParseCgroupControllers(
    std::string_view text, std::string_view source = "cgroup.controllers");

}  // namespace modelwatch
