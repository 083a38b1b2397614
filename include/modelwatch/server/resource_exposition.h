// The resource part of GET /metrics: the latest ResourceMonitor round in the Prometheus text
// format, with names that follow the exporters SREs already chart, under the modelwatch_
// prefix (every name, its unit and its counterpart: docs/metrics.md):
//   host     modelwatch_node_*       as node_exporter (node_cpu_seconds_total{mode}, node_load1,
//                                    node_memory_MemAvailable_bytes -> ..._memory_available_bytes,
//                                    node_pressure_*_seconds_total)
//   targets  modelwatch_target_*{target}  as the client libraries' process_* metrics, plus
//                                    modelwatch_target_up and _restarts_total
//   cgroups  modelwatch_container_*{target}  as cAdvisor (container_cpu_usage_seconds_total,
//                                    container_memory_working_set_bytes, ...)
//   GPUs     modelwatch_gpu_*{gpu,uuid,model_name}  the fields of dcgm-exporter
//                                    (DCGM_FI_DEV_GPU_UTIL -> modelwatch_gpu_utilization_ratio)
//                                    in base units (bytes, hertz, ratios 0..1)
// Absent readings are left out, never exported as 0. Series are bounded: at most
// kMaxResourceTargets targets, a fixed set per target and per GPU.
// Thread safety: pure function of its input.
#pragma once

#include "modelwatch/server/prometheus_text.h"
#include "modelwatch/server/resource_monitor.h"

namespace modelwatch::server {

void WriteResourceMetrics(PrometheusText& t, const ResourceSnapshot& snapshot);

}  // namespace modelwatch::server
