// A fake libnvidia-ml for tests: implements only the NVML entry points GpuProbe uses, with the
// C ABI of NVIDIA's nvml.h (types re-declared below as the header spells them), and behaviour
// chosen by the test through the exported fake_nvml_* control functions.
//
// Built twice (tests/fake_nvml/CMakeLists.txt):
//   libnvidia-ml-fake.so          every entry point, like a current driver (R535+);
//   libnvidia-ml-fake-minimal.so  (FAKE_NVML_MINIMAL) like an old or stripped library: no
//     nvmlInit_v2 (only nvmlInit), no nvmlDeviceGetPowerUsage, no ECC, no event API, no
//     nvmlSystemGetDriverVersion, no nvmlDeviceGetMemoryInfo_v2, and only the unversioned
//     nvmlDeviceGetComputeRunningProcesses with the 16-byte nvmlProcessInfo_v1_t.
//
// Scenarios (fake_nvml_set_scenario; the library starts in "normal"):
//   normal               two devices with fixed values (kDevices below)
//   init_fails           nvmlInit returns NVML_ERROR_DRIVER_NOT_LOADED
//   no_devices           NVML works, zero devices
//   ecc_not_supported    ECC and event registration return NVML_ERROR_NOT_SUPPORTED
//   power_no_permission  nvmlDeviceGetPowerUsage returns NVML_ERROR_NO_PERMISSION
//   many_processes       device 0 runs 100 processes (pids 2000..2099, (i+1) MiB each): more
//                        than fits a 64-entry buffer; device 1 reports pid 1001 with
//                        NVML_VALUE_NOT_AVAILABLE memory
//   handle_no_permission nvmlDeviceGetHandleByIndex_v2(1) returns NVML_ERROR_NO_PERMISSION
//   memory_v2_mismatch   nvmlDeviceGetMemoryInfo_v2 returns NVML_ERROR_ARGUMENT_VERSION_MISMATCH
//                        (a library wanting another struct version)
// Plus, at any time: fake_nvml_lose_device(i) (every later call on device i returns
// NVML_ERROR_GPU_IS_LOST) and fake_nvml_queue_xid(i, xid).
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

extern "C" {

// ---- The NVML ABI, as nvml.h declares it. ----
typedef int nvmlReturn_t;
enum : int {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NO_PERMISSION = 4,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_TIMEOUT = 10,
  NVML_ERROR_GPU_IS_LOST = 15,
  NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
  NVML_ERROR_UNKNOWN = 999,
};
typedef struct nvmlDevice_st* nvmlDevice_t;
typedef struct nvmlEventSet_st* nvmlEventSet_t;
typedef struct nvmlUtilization_st {
  unsigned int gpu;
  unsigned int memory;
} nvmlUtilization_t;
typedef struct nvmlMemory_st {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_t;
typedef struct nvmlMemory_v2_st {
  unsigned int version;
  unsigned long long total;
  unsigned long long reserved;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_v2_t;
#define NVML_STRUCT_VERSION(data, ver) \
  (unsigned int)(sizeof(nvml##data##_v##ver##_t) | (ver << 24U))
#define nvmlMemory_v2 NVML_STRUCT_VERSION(Memory, 2)
typedef struct nvmlProcessInfo_v1_st {
  unsigned int pid;
  unsigned long long usedGpuMemory;
} nvmlProcessInfo_v1_t;
typedef struct nvmlProcessInfo_v2_st {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
} nvmlProcessInfo_t;
typedef struct nvmlEventData_st {
  nvmlDevice_t device;
  unsigned long long eventType;
  unsigned long long eventData;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
} nvmlEventData_t;
#define NVML_VALUE_NOT_AVAILABLE_ULL (~0ULL)
#define nvmlEventTypeXidCriticalError 0x0000000000000008ULL
enum { NVML_TEMPERATURE_GPU = 0 };
enum { NVML_CLOCK_SM = 1 };
enum { NVML_MEMORY_ERROR_TYPE_CORRECTED = 0, NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1 };
enum { NVML_VOLATILE_ECC = 0 };

}  // extern "C"

namespace {

struct Process {
  unsigned int pid;
  unsigned long long used;
};

struct FakeDevice {
  const char* name;
  const char* uuid;
  unsigned int util_gpu, util_memory;
  // memory_used excludes memory_reserved (the v2 view); the v1 call reports their sum.
  unsigned long long memory_total, memory_reserved, memory_used;
  unsigned int temperature_c;
  unsigned int power_mw;
  unsigned int sm_clock_mhz;
  unsigned long long ecc_corrected, ecc_uncorrected;
  std::vector<Process> processes;
  bool lost;
  bool xid_registered;
};

struct EventSet {
  std::deque<nvmlEventData_t> queue;
};

constexpr unsigned long long kGiB = 1ULL << 30;
constexpr unsigned long long kMiB = 1ULL << 20;

std::vector<FakeDevice> NormalDevices() {
  return {
      {"NVIDIA H100 80GB HBM3",
       "GPU-5c4f8a9e-0d1b-4e2f-9a3c-6b7d8e9f0a1b",
       37,
       12,
       85520809984ULL,
       480 * kMiB,
       3 * kGiB,
       61,
       215123,
       1755,
       3,
       0,
       {{1001, 1536 * kMiB}, {1002, 512 * kMiB}, {4242, 7 * kGiB}},
       false,
       false},
      {"NVIDIA A100-SXM4-40GB",
       "GPU-0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9",
       81,
       44,
       40 * kGiB,
       400 * kMiB,
       20 * kGiB,
       74,
       402500,
       1410,
       0,
       1,
       {{1003, 2 * kGiB}, {5555, 1 * kGiB}},
       false,
       false},
  };
}

struct State {
  std::mutex mu;
  std::string scenario = "normal";
  std::vector<FakeDevice> devices = NormalDevices();
  int init_refcount = 0;
  int init_calls = 0;
  int shutdown_calls = 0;
  int live_event_sets = 0;
  unsigned int max_wait_timeout = 0;
  std::string last_process_api;
  EventSet* event_set = nullptr;  // the fake supports one live set at a time
  ~State() { delete event_set; }
};

State& state() {
  // Destroyed when the library is unloaded (the last dlclose): a reload starts afresh.
  static State s;
  return s;
}

// The device behind a handle (handles are 1-based indices cast to pointers), or null.
FakeDevice* Lookup(State& s, nvmlDevice_t device) {
  auto i = reinterpret_cast<uintptr_t>(device);
  if (i == 0 || i > s.devices.size()) return nullptr;
  return &s.devices[i - 1];
}

// Common checks of every device call; NVML_SUCCESS when the call may proceed.
nvmlReturn_t Check(State& s, nvmlDevice_t device, const void* out, FakeDevice** d) {
  if (s.init_refcount == 0) return NVML_ERROR_UNINITIALIZED;
  *d = Lookup(s, device);
  if (*d == nullptr || out == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  if ((*d)->lost) return NVML_ERROR_GPU_IS_LOST;
  return NVML_SUCCESS;
}

nvmlReturn_t CopyString(const char* value, char* buffer, unsigned int length) {
  if (std::strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  std::memcpy(buffer, value, std::strlen(value) + 1);
  return NVML_SUCCESS;
}

template <typename Info>
nvmlReturn_t RunningProcesses(nvmlDevice_t device, unsigned int* count, Info* infos,
                              const char* api) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  s.last_process_api = api;
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, count, &d); r != NVML_SUCCESS) return r;
  const auto n = static_cast<unsigned int>(d->processes.size());
  if (*count < n) {
    *count = n;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  if (n > 0 && infos == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  for (unsigned int i = 0; i < n; ++i) {
    Info info{};
    info.pid = d->processes[i].pid;
    info.usedGpuMemory = d->processes[i].used;
    if constexpr (sizeof(Info) == sizeof(nvmlProcessInfo_t)) {
      info.gpuInstanceId = 0xFFFFFFFFu;
      info.computeInstanceId = 0xFFFFFFFFu;
    }
    infos[i] = info;
  }
  *count = n;
  return NVML_SUCCESS;
}

}  // namespace

#define FAKE_EXPORT extern "C" __attribute__((visibility("default")))

// ---- Control functions for the tests. ----

FAKE_EXPORT void fake_nvml_set_scenario(const char* name) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  s.scenario = name;
  s.devices = NormalDevices();
  s.max_wait_timeout = 0;
  s.last_process_api.clear();
  s.init_calls = 0;
  s.shutdown_calls = 0;
  if (s.scenario == "no_devices") s.devices.clear();
  if (s.scenario == "many_processes") {
    s.devices[0].processes.clear();
    for (unsigned int i = 0; i < 100; ++i)
      s.devices[0].processes.push_back({2000 + i, (i + 1) * kMiB});
    s.devices[1].processes = {{1001, NVML_VALUE_NOT_AVAILABLE_ULL}};
  }
}

FAKE_EXPORT void fake_nvml_lose_device(unsigned int index) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (index < s.devices.size()) s.devices[index].lost = true;
}

// Queues an Xid event for device `index` if it registered for Xid events; returns whether it
// did (a real driver drops events nobody registered for).
FAKE_EXPORT int fake_nvml_queue_xid(unsigned int index, unsigned long long xid) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.event_set == nullptr || index >= s.devices.size() || !s.devices[index].xid_registered) {
    return 0;
  }
  nvmlEventData_t data{};
  data.device = reinterpret_cast<nvmlDevice_t>(static_cast<uintptr_t>(index + 1));
  data.eventType = nvmlEventTypeXidCriticalError;
  data.eventData = xid;
  data.gpuInstanceId = 0xFFFFFFFFu;
  data.computeInstanceId = 0xFFFFFFFFu;
  s.event_set->queue.push_back(data);
  return 1;
}

FAKE_EXPORT int fake_nvml_init_calls() { return state().init_calls; }
FAKE_EXPORT int fake_nvml_shutdown_calls() { return state().shutdown_calls; }
FAKE_EXPORT int fake_nvml_init_refcount() { return state().init_refcount; }
FAKE_EXPORT int fake_nvml_live_event_sets() { return state().live_event_sets; }
FAKE_EXPORT unsigned int fake_nvml_max_wait_timeout() { return state().max_wait_timeout; }
// "v3", "v2" or "v1": the nvmlDeviceGetComputeRunningProcesses entry point last called.
FAKE_EXPORT const char* fake_nvml_last_process_api() { return state().last_process_api.c_str(); }

// ---- NVML entry points. ----

namespace {
nvmlReturn_t Init() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  ++s.init_calls;
  if (s.scenario == "init_fails") return NVML_ERROR_DRIVER_NOT_LOADED;
  ++s.init_refcount;
  return NVML_SUCCESS;
}
}  // namespace

#ifndef FAKE_NVML_MINIMAL
FAKE_EXPORT nvmlReturn_t nvmlInit_v2() { return Init(); }
#endif
FAKE_EXPORT nvmlReturn_t nvmlInit() { return Init(); }

FAKE_EXPORT nvmlReturn_t nvmlShutdown() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.init_refcount == 0) return NVML_ERROR_UNINITIALIZED;
  --s.init_refcount;
  ++s.shutdown_calls;
  return NVML_SUCCESS;
}

FAKE_EXPORT const char* nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case NVML_SUCCESS:
      return "Success";
    case NVML_ERROR_UNINITIALIZED:
      return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT:
      return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED:
      return "Not Supported";
    case NVML_ERROR_NO_PERMISSION:
      return "Insufficient Permissions";
    case NVML_ERROR_INSUFFICIENT_SIZE:
      return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED:
      return "Driver Not Loaded";
    case NVML_ERROR_TIMEOUT:
      return "Timeout";
    case NVML_ERROR_GPU_IS_LOST:
      return "GPU is lost";
    default:
      return "Unknown Error";
  }
}

#ifndef FAKE_NVML_MINIMAL
FAKE_EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.init_refcount == 0) return NVML_ERROR_UNINITIALIZED;
  if (version == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  return CopyString("550.54.15", version, length);
}
#endif

namespace {
nvmlReturn_t GetCount(unsigned int* count) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.init_refcount == 0) return NVML_ERROR_UNINITIALIZED;
  if (count == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  *count = static_cast<unsigned int>(s.devices.size());
  return NVML_SUCCESS;
}

nvmlReturn_t GetHandle(unsigned int index, nvmlDevice_t* device) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.init_refcount == 0) return NVML_ERROR_UNINITIALIZED;
  if (device == nullptr || index >= s.devices.size()) return NVML_ERROR_INVALID_ARGUMENT;
  if (s.scenario == "handle_no_permission" && index == 1) return NVML_ERROR_NO_PERMISSION;
  if (s.devices[index].lost) return NVML_ERROR_GPU_IS_LOST;
  *device = reinterpret_cast<nvmlDevice_t>(static_cast<uintptr_t>(index + 1));
  return NVML_SUCCESS;
}
}  // namespace

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* count) { return GetCount(count); }
FAKE_EXPORT nvmlReturn_t nvmlDeviceGetCount(unsigned int* count) { return GetCount(count); }
FAKE_EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
  return GetHandle(index, device);
}
FAKE_EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t* device) {
  return GetHandle(index, device);
}

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, name, &d); r != NVML_SUCCESS) return r;
  return CopyString(d->name, name, length);
}

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char* uuid, unsigned int length) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, uuid, &d); r != NVML_SUCCESS) return r;
  return CopyString(d->uuid, uuid, length);
}

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device,
                                                       nvmlUtilization_t* utilization) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, utilization, &d); r != NVML_SUCCESS) return r;
  utilization->gpu = d->util_gpu;
  utilization->memory = d->util_memory;
  return NVML_SUCCESS;
}

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t* memory) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, memory, &d); r != NVML_SUCCESS) return r;
  memory->total = d->memory_total;
  memory->used = d->memory_used + d->memory_reserved;
  memory->free = d->memory_total - memory->used;
  return NVML_SUCCESS;
}

#ifndef FAKE_NVML_MINIMAL
FAKE_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t* memory) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, memory, &d); r != NVML_SUCCESS) return r;
  if (memory->version != nvmlMemory_v2 || s.scenario == "memory_v2_mismatch") {
    return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  }
  memory->total = d->memory_total;
  memory->reserved = d->memory_reserved;
  memory->used = d->memory_used;
  memory->free = d->memory_total - d->memory_reserved - d->memory_used;
  return NVML_SUCCESS;
}
#endif

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor,
                                                  unsigned int* temp) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, temp, &d); r != NVML_SUCCESS) return r;
  if (sensor != NVML_TEMPERATURE_GPU) return NVML_ERROR_INVALID_ARGUMENT;
  *temp = d->temperature_c;
  return NVML_SUCCESS;
}

#ifndef FAKE_NVML_MINIMAL
FAKE_EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int* power) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, power, &d); r != NVML_SUCCESS) return r;
  if (s.scenario == "power_no_permission") return NVML_ERROR_NO_PERMISSION;
  *power = d->power_mw;
  return NVML_SUCCESS;
}
#endif

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, int type,
                                                unsigned int* clock) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, clock, &d); r != NVML_SUCCESS) return r;
  if (type != NVML_CLOCK_SM) return NVML_ERROR_INVALID_ARGUMENT;  // the probe asks for SM only
  *clock = d->sm_clock_mhz;
  return NVML_SUCCESS;
}

#ifndef FAKE_NVML_MINIMAL
FAKE_EXPORT nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t device, int error_type,
                                                     int counter_type,
                                                     unsigned long long* ecc_counts) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, ecc_counts, &d); r != NVML_SUCCESS) return r;
  if (s.scenario == "ecc_not_supported") return NVML_ERROR_NOT_SUPPORTED;
  if (counter_type != NVML_VOLATILE_ECC) return NVML_ERROR_INVALID_ARGUMENT;
  if (error_type == NVML_MEMORY_ERROR_TYPE_CORRECTED) {
    *ecc_counts = d->ecc_corrected;
  } else if (error_type == NVML_MEMORY_ERROR_TYPE_UNCORRECTED) {
    *ecc_counts = d->ecc_uncorrected;
  } else {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  return NVML_SUCCESS;
}

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device,
                                                                 unsigned int* count,
                                                                 nvmlProcessInfo_t* infos) {
  return RunningProcesses(device, count, infos, "v3");
}

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device,
                                                                 unsigned int* count,
                                                                 nvmlProcessInfo_t* infos) {
  return RunningProcesses(device, count, infos, "v2");
}
#endif

FAKE_EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device,
                                                              unsigned int* count,
                                                              nvmlProcessInfo_v1_t* infos) {
  return RunningProcesses(device, count, infos, "v1");
}

#ifndef FAKE_NVML_MINIMAL
FAKE_EXPORT nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t* set) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.init_refcount == 0) return NVML_ERROR_UNINITIALIZED;
  if (set == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  if (s.event_set != nullptr) return NVML_ERROR_UNKNOWN;  // one at a time is all tests need
  s.event_set = new EventSet;
  ++s.live_event_sets;
  *set = reinterpret_cast<nvmlEventSet_t>(s.event_set);
  return NVML_SUCCESS;
}

FAKE_EXPORT nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t device,
                                                  unsigned long long event_types,
                                                  nvmlEventSet_t set) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  FakeDevice* d = nullptr;
  if (nvmlReturn_t r = Check(s, device, set, &d); r != NVML_SUCCESS) return r;
  if (reinterpret_cast<EventSet*>(set) != s.event_set) return NVML_ERROR_INVALID_ARGUMENT;
  if (s.scenario == "ecc_not_supported") return NVML_ERROR_NOT_SUPPORTED;
  if (event_types & nvmlEventTypeXidCriticalError) d->xid_registered = true;
  return NVML_SUCCESS;
}

FAKE_EXPORT nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t* data,
                                             unsigned int timeoutms) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.init_refcount == 0) return NVML_ERROR_UNINITIALIZED;
  if (data == nullptr || reinterpret_cast<EventSet*>(set) != s.event_set || set == nullptr) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (timeoutms > s.max_wait_timeout) s.max_wait_timeout = timeoutms;
  if (s.event_set->queue.empty()) return NVML_ERROR_TIMEOUT;  // a fake never sleeps
  *data = s.event_set->queue.front();
  s.event_set->queue.pop_front();
  return NVML_SUCCESS;
}

FAKE_EXPORT nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (set == nullptr || reinterpret_cast<EventSet*>(set) != s.event_set) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  delete s.event_set;
  s.event_set = nullptr;
  --s.live_event_sets;
  for (FakeDevice& d : s.devices) d.xid_registered = false;
  return NVML_SUCCESS;
}
#endif  // FAKE_NVML_MINIMAL
