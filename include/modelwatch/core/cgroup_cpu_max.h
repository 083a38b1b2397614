// cgroup v2 cpu.max: the CFS bandwidth limit "$MAX $PERIOD" (cgroup-v2.rst), e.g.
// "200000 100000" (at most 200 ms of CPU per 100 ms period: 2 CPUs) or "max 100000" (no limit).
// Units: microseconds. LimitCpus() = quota / period, the number of CPUs the group may use
// (cAdvisor's container_spec_cpu_quota / container_spec_cpu_period).
// Errors: kInvalidArgument naming "<source>" when there are not one or two fields, the quota is
// neither "max" nor a positive integer, or the period is not a positive integer.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct CgroupCpuMax {
  std::optional<uint64_t> quota_usec;  // nullopt: "max", no limit
  uint64_t period_usec = 100000;       // the kernel's default when only "$MAX" was written

  // quota / period, or nullopt when unlimited.
  std::optional<double> LimitCpus() const;
};

Result<CgroupCpuMax> ParseCgroupCpuMax(std::string_view text, std::string_view source = "cpu.max");

}  // namespace modelwatch
