// The JSON form of a ResourceSample: one line of `modelwatch watch --format jsonl` (a contract,
// documented field by field in docs/cli.md). Keys are snake_case with units in their names;
// a reading that is absent (a rate before two readings, an unreadable file, a GPU function the
// driver lacks) is null, never a made-up 0; a part that was not asked for is left out.
//
//   {"ts":"2026-11-25T10:00:01.000Z",
//    "host":{"cpu_percent":..,"cpu_count":..,"cpu":{"user":..,..},"load1":..,"load5":..,
//            "load15":..,"memory_used_percent":..,"memory_total_bytes":..,..,"pressure":{..}|null},
//    "target":{"name":"pid 42","status":"ok"|"<why it is down>","restarts":..,"matches":..},
//    "process":{"pid":..,"cpu_percent":..,"rss_bytes":..,"threads":..,"open_fds":..,..},
//    "cgroup":{"path":..,"cpu_usage_percent":..,"memory_current_bytes":..,..},
//    "gpu_status":"ok"|"no NVML ...","gpus":[{"index":0,"name":..,"utilization_gpu_percent":..}]}
//
// Thread safety: pure function.
#pragma once

#include <string>

#include "modelwatch/probes/resource_sampler.h"

namespace modelwatch::probes {

// One compact JSON object, without a trailing newline.
std::string ResourceSampleJson(const ResourceSample& sample);

}  // namespace modelwatch::probes
