// GpuProbe: per-GPU readings from NVIDIA's management library (NVML), loaded at run time.
//
// modelwatch has no build or link dependency on NVML: the probe opens libnvidia-ml.so.1 through
// Env::OpenLibrary (dlopen) and resolves each entry point by name. A host without the library
// (no NVIDIA driver) gets one clean status, kNotFound "no NVML", and samples with no devices;
// nothing is logged. Field meanings, units and the NVML functions behind them: docs/probes-gpu.md.
//
// Absent vs zero: every reading is a std::optional. It is absent when the library lacks the
// function (an older driver), when NVML answers NVML_ERROR_NOT_SUPPORTED (e.g. ECC counts on a
// GPU without ECC, power on some consumer boards) or when the call fails otherwise (then
// GpuDeviceSample::errors says why). Absent never reads as 0.
//
// Devices are enumerated once, when the probe opens. A device that falls off the bus or
// disappears (NVML_ERROR_GPU_IS_LOST, _NOT_FOUND, _RESET_REQUIRED) is marked lost for the rest of
// the probe's life: it stays in every sample with its index, name and uuid, `lost` set and no
// readings, while the other devices keep being read.
//
// Xid errors are counted through NVML's event API (nvmlEventTypeXidCriticalError): each Sample()
// first drains the events queued since the previous one without waiting (timeout 0), so the
// count is a counter since the probe opened.
//
// Thread safety: Sample() may be called from any thread; calls are serialized by an internal
// mutex (NVML itself is thread-safe). The accessors of an open probe are immutable.
// Ownership: the probe owns its NVML initialization (nvmlInit_v2 on Open, nvmlShutdown when
// destroyed; NVML reference-counts them, so several probes may coexist) and the library handle.
// The Env passed to Open must outlive the probe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modelwatch/core/status.h"
#include "modelwatch/env/env.h"

namespace modelwatch::probes {

struct GpuProbeOptions {
  // Passed to Env::OpenLibrary; tests pass the absolute path of a fake library.
  std::string library = "libnvidia-ml.so.1";
  // Register for Xid events (needs nvmlEventSetCreate & co.; harmless where unsupported).
  bool count_xid_errors = true;
};

// GPU memory held by one of the target's processes on one device.
struct GpuProcessMemory {
  int pid = 0;
  // Absent when NVML reports NVML_VALUE_NOT_AVAILABLE for it.
  std::optional<uint64_t> used_bytes;
};

// One device at one sample. All readings are instantaneous except the counters noted.
struct GpuDeviceSample {
  uint32_t index = 0;               // NVML index (the order of nvidia-smi, not necessarily of CUDA)
  std::optional<std::string> name;  // "NVIDIA H100 80GB HBM3"; read once at open
  std::optional<std::string> uuid;  // "GPU-4b5f..."; read once at open
  // The device disappeared (in this sample or earlier); every reading below is absent except the
  // Xid counters.
  bool lost = false;
  std::string lost_reason;  // nvmlErrorString of the error that marked it lost

  std::optional<uint32_t> utilization_gpu_percent;     // time a kernel ran, 0..100
  std::optional<uint32_t> utilization_memory_percent;  // time memory was read/written, 0..100
  // Memory in use. With nvmlDeviceGetMemoryInfo_v2 (drivers R510+) it excludes the memory the
  // driver reserves, which is then memory_reserved_bytes (nvidia-smi's "memory.used"); with the
  // older nvmlDeviceGetMemoryInfo it includes it and memory_reserved_bytes is absent.
  std::optional<uint64_t> memory_used_bytes;
  std::optional<uint64_t> memory_reserved_bytes;
  std::optional<uint64_t> memory_total_bytes;
  std::optional<uint32_t> temperature_celsius;  // GPU die
  std::optional<double> power_watts;            // board draw (NVML reports milliwatts)
  std::optional<uint32_t> sm_clock_mhz;         // current SM clock

  // GPU memory held by the target pids on this device (sum over target_processes whose usage is
  // known). Absent when no pids were asked for or the process list cannot be read; 0 when none
  // of the target's processes uses this device.
  std::optional<uint64_t> target_memory_used_bytes;
  std::vector<GpuProcessMemory> target_processes;  // the target pids found on this device

  // Volatile ECC error counts (since the last driver reload), from nvmlDeviceGetTotalEccErrors.
  std::optional<uint64_t> ecc_corrected_volatile;
  std::optional<uint64_t> ecc_uncorrected_volatile;

  // Xid critical errors delivered by NVML's event API since the probe opened (a counter), and the
  // last Xid seen. Absent where events are unsupported. Kept for a lost device (Xid 79 is "fell
  // off the bus").
  std::optional<uint64_t> xid_errors;
  std::optional<uint64_t> last_xid;

  // Calls that failed for a reason other than NOT_SUPPORTED or a missing function, as
  // "<nvml function>: <nvmlErrorString>" (e.g. "nvmlDeviceGetPowerUsage: Insufficient
  // Permissions"). Empty normally.
  std::vector<std::string> errors;
};

struct GpuSample {
  int64_t unix_micros = 0;  // Env::NowUnixMicros() when the sample was taken
  // The probe's status (see GpuProbe::status()); devices is empty unless it is OK.
  Status status;
  std::vector<GpuDeviceSample> devices;
};

class GpuProbe {
 public:
  // Opens the library, initializes NVML and enumerates the devices. Never fails: the outcome is
  // status(). `env` must outlive the probe.
  static std::unique_ptr<GpuProbe> Open(env::Env& env, GpuProbeOptions options = {});

  GpuProbe(const GpuProbe&) = delete;
  GpuProbe& operator=(const GpuProbe&) = delete;
  ~GpuProbe();  // nvmlEventSetFree, nvmlShutdown, then dlclose

  // OK: NVML initialized (possibly with zero devices).
  // kNotFound: no NVML on this host (the library cannot be loaded): the "no NVML" status.
  // kUnavailable: the library loaded but is unusable: nvmlInit failed (message carries
  //   nvmlErrorString, e.g. "nvmlInit_v2: Driver Not Loaded"), an entry point every NVML has
  //   is missing, or the device count cannot be read.
  const Status& status() const { return status_; }
  bool available() const { return status_.ok(); }
  // The driver version ("550.54.15"), when NVML reports it.
  const std::optional<std::string>& driver_version() const { return driver_version_; }
  // Number of devices enumerated at open (lost ones included).
  size_t device_count() const;

  // Reads every device. `target_pids` are the target's processes (host pid namespace, as NVML
  // reports them); empty: no per-target memory. Cost: about a dozen NVML calls per device.
  GpuSample Sample(std::span<const int> target_pids = {});

 private:
  struct Api;  // resolved entry points (src/probes/gpu_probe.cc)
  struct DeviceState;

  GpuProbe(env::Env& env, GpuProbeOptions options);
  void Initialize();
  std::string ErrorString(int nvml_return) const;
  void DrainXidEvents();
  // True when `nvml_return` is NVML_SUCCESS. Otherwise the reading stays absent: silently for
  // NOT_SUPPORTED / FUNCTION_NOT_FOUND; a lost device is marked; anything else goes to
  // out.errors as "<function>: <nvmlErrorString>".
  bool Succeeded(const char* function, int nvml_return, DeviceState& device,
                 GpuDeviceSample& out) const;
  void ReadDevice(DeviceState& device, std::span<const int> target_pids, GpuDeviceSample& out);
  void ReadTargetProcesses(DeviceState& device, std::span<const int> target_pids,
                           GpuDeviceSample& out);

  env::Env& env_;
  const GpuProbeOptions options_;
  // Declared first so that it is destroyed last: the entry points in api_ point into it.
  std::unique_ptr<env::Library> library_;
  std::unique_ptr<Api> api_;
  Status status_;
  bool initialized_ = false;  // nvmlInit succeeded: nvmlShutdown is owed
  std::optional<std::string> driver_version_;

  std::mutex mu_;  // serializes Sample(); guards everything below
  std::vector<DeviceState> devices_;
  void* event_set_ = nullptr;             // nvmlEventSet_t, null when Xid events are not counted
  std::vector<uint64_t> process_buffer_;  // reused process-list buffer (8-byte aligned)
};

}  // namespace modelwatch::probes
