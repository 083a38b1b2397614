#include "modelwatch/probes/gpu_probe.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "internal/nvml_abi.h"

namespace modelwatch::probes {

namespace {

// Bounds the work of one Sample() however many Xid events a faulty GPU queues.
constexpr int kMaxEventsPerSample = 4096;
// Process-list buffer: initial capacity (elements) and retries on NVML_ERROR_INSUFFICIENT_SIZE
// (the list can grow between the size query and the read).
constexpr unsigned int kInitialProcessCapacity = 64;
constexpr int kProcessListAttempts = 4;

// Errors after which a device handle is dead: the GPU fell off the bus, was removed, or needs a
// reset before anything on it can be read again.
bool IsDeviceGone(nvml::Return r) {
  return r == nvml::kErrorGpuIsLost || r == nvml::kErrorNotFound || r == nvml::kErrorResetRequired;
}

// A NUL-terminated string from a fixed buffer NVML filled (terminated defensively).
std::string FromBuffer(const char* buffer, size_t size) {
  return std::string(buffer, strnlen(buffer, size));
}

}  // namespace

// Entry points resolved from the library; null when it does not export them.
struct GpuProbe::Api {
  nvml::InitFn init = nullptr;
  const char* init_name = "nvmlInit_v2";
  nvml::ShutdownFn shutdown = nullptr;
  nvml::ErrorStringFn error_string = nullptr;
  nvml::SystemGetDriverVersionFn get_driver_version = nullptr;
  nvml::DeviceGetCountFn get_count = nullptr;
  const char* get_count_name = "nvmlDeviceGetCount_v2";
  nvml::DeviceGetHandleByIndexFn get_handle = nullptr;
  const char* get_handle_name = "nvmlDeviceGetHandleByIndex_v2";
  nvml::DeviceGetStringFn get_name = nullptr;
  nvml::DeviceGetStringFn get_uuid = nullptr;
  nvml::DeviceGetUtilizationRatesFn get_utilization = nullptr;
  nvml::DeviceGetMemoryInfoFn get_memory = nullptr;
  nvml::DeviceGetMemoryInfoV2Fn get_memory_v2 = nullptr;
  nvml::DeviceGetTemperatureFn get_temperature = nullptr;
  nvml::DeviceGetPowerUsageFn get_power = nullptr;
  nvml::DeviceGetClockInfoFn get_clock = nullptr;
  nvml::DeviceGetTotalEccErrorsFn get_ecc = nullptr;
  nvml::DeviceGetComputeRunningProcessesFn get_processes = nullptr;
  const char* get_processes_name = "nvmlDeviceGetComputeRunningProcesses_v3";
  size_t process_info_size = sizeof(nvml::ProcessInfoV2);
  nvml::EventSetCreateFn event_set_create = nullptr;
  nvml::DeviceRegisterEventsFn register_events = nullptr;
  nvml::EventSetWaitFn event_set_wait = nullptr;
  nvml::EventSetFreeFn event_set_free = nullptr;
};

struct GpuProbe::DeviceState {
  uint32_t index = 0;
  nvml::Device handle = nullptr;
  std::optional<std::string> name;
  std::optional<std::string> uuid;
  bool lost = false;
  std::string lost_reason;
  bool xid_registered = false;
  uint64_t xid_errors = 0;
  std::optional<uint64_t> last_xid;
};

std::unique_ptr<GpuProbe> GpuProbe::Open(env::Env& env, GpuProbeOptions options) {
  std::unique_ptr<GpuProbe> probe(new GpuProbe(env, std::move(options)));
  probe->Initialize();
  return probe;
}

GpuProbe::GpuProbe(env::Env& env, GpuProbeOptions options)
    : env_(env), options_(std::move(options)), api_(std::make_unique<Api>()) {}

GpuProbe::~GpuProbe() {
  if (event_set_ != nullptr && api_->event_set_free != nullptr) {
    (void)api_->event_set_free(static_cast<nvml::EventSet>(event_set_));
  }
  if (initialized_) (void)api_->shutdown();
  // library_ (dlclose) is destroyed after api_, being declared before it.
}

size_t GpuProbe::device_count() const { return devices_.size(); }

std::string GpuProbe::ErrorString(int nvml_return) const {
  if (api_->error_string != nullptr) {
    const char* text = api_->error_string(nvml_return);
    if (text != nullptr && *text != '\0') return text;
  }
  return "NVML error " + std::to_string(nvml_return);
}

void GpuProbe::Initialize() {
  auto library = env_.OpenLibrary(options_.library);
  if (!library.ok()) {
    status_ = NotFoundError("no NVML: " + library.status().message());
    return;
  }
  library_ = std::move(library).value();

  // The first of `names` the library exports, cast to Fn; null when none is.
  auto resolve = [this]<typename Fn>(Fn& fn, std::initializer_list<const char*> names,
                                     const char** chosen = nullptr) {
    for (const char* name : names) {
      auto symbol = library_->Symbol(name);
      if (symbol.ok() && *symbol != nullptr) {
        fn = reinterpret_cast<Fn>(*symbol);
        if (chosen != nullptr) *chosen = name;
        return;
      }
    }
  };
  Api& api = *api_;
  // Prefer the _v2 entry points; the unversioned ones exist in every NVML (a _v1 of
  // nvmlDeviceGetCount/GetHandleByIndex skips devices the caller may not access).
  resolve(api.init, {"nvmlInit_v2", "nvmlInit"}, &api.init_name);
  resolve(api.shutdown, {"nvmlShutdown"});
  resolve(api.error_string, {"nvmlErrorString"});
  resolve(api.get_driver_version, {"nvmlSystemGetDriverVersion"});
  resolve(api.get_count, {"nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"}, &api.get_count_name);
  resolve(api.get_handle, {"nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"},
          &api.get_handle_name);
  resolve(api.get_name, {"nvmlDeviceGetName"});
  resolve(api.get_uuid, {"nvmlDeviceGetUUID"});
  resolve(api.get_utilization, {"nvmlDeviceGetUtilizationRates"});
  resolve(api.get_memory, {"nvmlDeviceGetMemoryInfo"});
  resolve(api.get_memory_v2, {"nvmlDeviceGetMemoryInfo_v2"});
  resolve(api.get_temperature, {"nvmlDeviceGetTemperature"});
  resolve(api.get_power, {"nvmlDeviceGetPowerUsage"});
  resolve(api.get_clock, {"nvmlDeviceGetClockInfo"});
  resolve(api.get_ecc, {"nvmlDeviceGetTotalEccErrors"});
  // _v3 (R510+) and _v2 (R470+) fill nvmlProcessInfo_v2_t (24 bytes); the unversioned v1 fills
  // nvmlProcessInfo_v1_t (16 bytes).
  resolve(api.get_processes,
          {"nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetComputeRunningProcesses_v2"},
          &api.get_processes_name);
  if (api.get_processes == nullptr) {
    resolve(api.get_processes, {"nvmlDeviceGetComputeRunningProcesses"}, &api.get_processes_name);
    api.process_info_size = sizeof(nvml::ProcessInfoV1);
  }
  resolve(api.event_set_create, {"nvmlEventSetCreate"});
  resolve(api.register_events, {"nvmlDeviceRegisterEvents"});
  resolve(api.event_set_wait, {"nvmlEventSetWait_v2", "nvmlEventSetWait"});
  resolve(api.event_set_free, {"nvmlEventSetFree"});

  if (api.init == nullptr || api.shutdown == nullptr || api.get_count == nullptr ||
      api.get_handle == nullptr) {
    status_ = UnavailableError(options_.library +
                               " is not a usable NVML: it lacks nvmlInit_v2, nvmlShutdown, "
                               "nvmlDeviceGetCount_v2 or nvmlDeviceGetHandleByIndex_v2");
    return;
  }
  nvml::Return r = api.init();
  if (r != nvml::kSuccess) {
    status_ = UnavailableError(std::string(api.init_name) + ": " + ErrorString(r));
    return;
  }
  initialized_ = true;

  if (api.get_driver_version != nullptr) {
    char version[nvml::kDriverVersionBufferSize] = {};
    if (api.get_driver_version(version, sizeof(version)) == nvml::kSuccess) {
      driver_version_ = FromBuffer(version, sizeof(version));
    }
  }

  unsigned int count = 0;
  r = api.get_count(&count);
  if (r != nvml::kSuccess) {
    status_ = UnavailableError(std::string(api.get_count_name) + ": " + ErrorString(r));
    return;
  }
  devices_.resize(count);
  for (unsigned int i = 0; i < count; ++i) {
    DeviceState& device = devices_[i];
    device.index = i;
    r = api.get_handle(i, &device.handle);
    if (r != nvml::kSuccess) {
      // E.g. NVML_ERROR_NO_PERMISSION for a device outside this container's cgroup: reported
      // as lost, since nothing on it can ever be read through this probe.
      device.lost = true;
      device.lost_reason = std::string(api.get_handle_name) + ": " + ErrorString(r);
      continue;
    }
    char buffer[std::max(nvml::kDeviceNameBufferSize, nvml::kDeviceUuidBufferSize)] = {};
    if (api.get_name != nullptr &&
        api.get_name(device.handle, buffer, nvml::kDeviceNameBufferSize) == nvml::kSuccess) {
      device.name = FromBuffer(buffer, sizeof(buffer));
    }
    std::memset(buffer, 0, sizeof(buffer));
    if (api.get_uuid != nullptr &&
        api.get_uuid(device.handle, buffer, nvml::kDeviceUuidBufferSize) == nvml::kSuccess) {
      device.uuid = FromBuffer(buffer, sizeof(buffer));
    }
  }

  if (options_.count_xid_errors && api.event_set_create != nullptr &&
      api.register_events != nullptr && api.event_set_wait != nullptr &&
      api.event_set_free != nullptr) {
    nvml::EventSet set = nullptr;
    if (api.event_set_create(&set) == nvml::kSuccess && set != nullptr) {
      bool any = false;
      for (DeviceState& device : devices_) {
        if (device.lost) continue;
        // NOT_SUPPORTED (pre-Fermi, some virtualized GPUs) or NO_PERMISSION: not counted.
        device.xid_registered = api.register_events(device.handle, nvml::kEventTypeXidCriticalError,
                                                    set) == nvml::kSuccess;
        any = any || device.xid_registered;
      }
      if (any) {
        event_set_ = set;
      } else {
        (void)api.event_set_free(set);
      }
    }
  }
  process_buffer_.resize(kInitialProcessCapacity * sizeof(nvml::ProcessInfoV2) / sizeof(uint64_t));
}

void GpuProbe::DrainXidEvents() {
  if (event_set_ == nullptr) return;
  auto set = static_cast<nvml::EventSet>(event_set_);
  for (int i = 0; i < kMaxEventsPerSample; ++i) {
    nvml::EventData data{};
    // Timeout 0: return at once; NVML_ERROR_TIMEOUT means the queue is empty. Any other error
    // (GPU_IS_LOST) also ends the drain: the device reads that follow find out which device.
    if (api_->event_set_wait(set, &data, 0) != nvml::kSuccess) return;
    if ((data.eventType & nvml::kEventTypeXidCriticalError) == 0) continue;
    for (DeviceState& device : devices_) {
      if (device.xid_registered && device.handle == data.device) {
        ++device.xid_errors;
        device.last_xid = data.eventData;
        break;
      }
    }
  }
}

bool GpuProbe::Succeeded(const char* function, int nvml_return, DeviceState& device,
                         GpuDeviceSample& out) const {
  if (nvml_return == nvml::kSuccess) return true;
  if (IsDeviceGone(nvml_return)) {
    device.lost = true;
    device.lost_reason = std::string(function) + ": " + ErrorString(nvml_return);
  } else if (nvml_return != nvml::kErrorNotSupported &&
             nvml_return != nvml::kErrorFunctionNotFound) {
    out.errors.push_back(std::string(function) + ": " + ErrorString(nvml_return));
  }
  return false;
}

GpuSample GpuProbe::Sample(std::span<const int> target_pids) {
  std::lock_guard<std::mutex> lock(mu_);
  GpuSample sample;
  sample.unix_micros = env_.NowUnixMicros();
  sample.status = status_;
  if (!status_.ok()) return sample;
  DrainXidEvents();
  sample.devices.resize(devices_.size());
  for (size_t i = 0; i < devices_.size(); ++i) {
    ReadDevice(devices_[i], target_pids, sample.devices[i]);
  }
  return sample;
}

void GpuProbe::ReadDevice(DeviceState& device, std::span<const int> target_pids,
                          GpuDeviceSample& out) {
  const Api& api = *api_;
  auto ok = [&](const char* function, nvml::Return r) {
    return Succeeded(function, r, device, out);
  };
  auto readable = [&](const void* function) { return !device.lost && function != nullptr; };

  if (readable(reinterpret_cast<const void*>(api.get_utilization))) {
    nvml::Utilization utilization{};
    if (ok("nvmlDeviceGetUtilizationRates", api.get_utilization(device.handle, &utilization))) {
      out.utilization_gpu_percent = utilization.gpu;
      out.utilization_memory_percent = utilization.memory;
    }
  }
  bool memory_done = false;
  if (readable(reinterpret_cast<const void*>(api.get_memory_v2))) {
    nvml::MemoryV2 memory{};
    memory.version = nvml::kMemoryV2Version;
    const nvml::Return r = api.get_memory_v2(device.handle, &memory);
    // A library that exports _v2 but wants another struct version: use the v1 call instead.
    if (r != nvml::kErrorArgumentVersionMismatch) {
      memory_done = true;
      if (ok("nvmlDeviceGetMemoryInfo_v2", r)) {
        out.memory_used_bytes = memory.used;
        out.memory_reserved_bytes = memory.reserved;
        out.memory_total_bytes = memory.total;
      }
    }
  }
  if (!memory_done && readable(reinterpret_cast<const void*>(api.get_memory))) {
    nvml::Memory memory{};
    if (ok("nvmlDeviceGetMemoryInfo", api.get_memory(device.handle, &memory))) {
      out.memory_used_bytes = memory.used;
      out.memory_total_bytes = memory.total;
    }
  }
  if (readable(reinterpret_cast<const void*>(api.get_temperature))) {
    unsigned int celsius = 0;
    if (ok("nvmlDeviceGetTemperature",
           api.get_temperature(device.handle, nvml::kTemperatureGpu, &celsius))) {
      out.temperature_celsius = celsius;
    }
  }
  if (readable(reinterpret_cast<const void*>(api.get_power))) {
    unsigned int milliwatts = 0;
    if (ok("nvmlDeviceGetPowerUsage", api.get_power(device.handle, &milliwatts))) {
      out.power_watts = milliwatts / 1000.0;
    }
  }
  if (readable(reinterpret_cast<const void*>(api.get_clock))) {
    unsigned int mhz = 0;
    if (ok("nvmlDeviceGetClockInfo", api.get_clock(device.handle, nvml::kClockSm, &mhz))) {
      out.sm_clock_mhz = mhz;
    }
  }
  if (readable(reinterpret_cast<const void*>(api.get_ecc))) {
    unsigned long long count = 0;
    if (ok("nvmlDeviceGetTotalEccErrors",
           api.get_ecc(device.handle, nvml::kMemoryErrorCorrected, nvml::kVolatileEcc, &count))) {
      out.ecc_corrected_volatile = count;
    }
  }
  if (readable(reinterpret_cast<const void*>(api.get_ecc))) {
    unsigned long long count = 0;
    if (ok("nvmlDeviceGetTotalEccErrors",
           api.get_ecc(device.handle, nvml::kMemoryErrorUncorrected, nvml::kVolatileEcc, &count))) {
      out.ecc_uncorrected_volatile = count;
    }
  }
  if (!target_pids.empty() && readable(reinterpret_cast<const void*>(api.get_processes))) {
    ReadTargetProcesses(device, target_pids, out);
  }

  // Identity and Xid counters are kept whatever happened; readings only for a live device (one
  // lost half-way through this sample keeps none of its partial readings).
  GpuDeviceSample result;
  if (!device.lost) result = std::move(out);
  result.index = device.index;
  result.name = device.name;
  result.uuid = device.uuid;
  result.lost = device.lost;
  result.lost_reason = device.lost_reason;
  if (device.xid_registered) {
    result.xid_errors = device.xid_errors;
    result.last_xid = device.last_xid;
  }
  if (device.lost) result.errors = std::move(out.errors);
  out = std::move(result);
}

void GpuProbe::ReadTargetProcesses(DeviceState& device, std::span<const int> target_pids,
                                   GpuDeviceSample& out) {
  const Api& api = *api_;
  const size_t element_size = api.process_info_size;
  unsigned int count = 0;
  nvml::Return r = nvml::kErrorInsufficientSize;
  for (int attempt = 0; attempt < kProcessListAttempts && r == nvml::kErrorInsufficientSize;
       ++attempt) {
    if (attempt > 0) {
      // NVML wrote the number of processes into `count`; leave room for a few new ones.
      const size_t words = ((count + 8) * element_size + sizeof(uint64_t) - 1) / sizeof(uint64_t);
      process_buffer_.resize(std::max(process_buffer_.size(), words));
    }
    count = static_cast<unsigned int>(process_buffer_.size() * sizeof(uint64_t) / element_size);
    r = api.get_processes(device.handle, &count, process_buffer_.data());
  }
  if (!Succeeded(api.get_processes_name, r, device, out)) return;

  const auto* bytes = reinterpret_cast<const unsigned char*>(process_buffer_.data());
  uint64_t total = 0;
  bool all_known = true;
  for (unsigned int i = 0; i < count; ++i) {
    // pid is at offset 0 and usedGpuMemory at offset 8 in both element layouts.
    unsigned int pid = 0;
    unsigned long long used = 0;
    std::memcpy(&pid, bytes + i * element_size, sizeof(pid));
    std::memcpy(&used, bytes + i * element_size + offsetof(nvml::ProcessInfoV2, usedGpuMemory),
                sizeof(used));
    if (std::find(target_pids.begin(), target_pids.end(), static_cast<int>(pid)) ==
        target_pids.end()) {
      continue;
    }
    GpuProcessMemory process;
    process.pid = static_cast<int>(pid);
    if (used == nvml::kValueNotAvailable) {
      all_known = false;
    } else {
      process.used_bytes = used;
      total += used;
    }
    out.target_processes.push_back(process);
  }
  if (all_known) out.target_memory_used_bytes = total;
}

}  // namespace modelwatch::probes
