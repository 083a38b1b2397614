// The slice of the NVML C ABI (libnvidia-ml.so.1) that GpuProbe uses, declared here so that
// modelwatch has no build dependency on NVIDIA's nvml.h: the library is opened at run time and
// every function is resolved by name.
//
// Source: NVIDIA's nvml.h (NVML API version 12, CUDA 12.x) and the NVML API Reference
// (https://docs.nvidia.com/deploy/nvml-api/). Only types, constants and function-pointer
// signatures are declared; the values and layouts below are those of the header and are stable
// across driver releases (NVIDIA versions an entry point, e.g. _v2, when it changes one).
//
// Private to src/probes.
#pragma once

#include <cstddef>

namespace modelwatch::probes::nvml {

// nvmlReturn_t is a C enum: an int on every ABI NVML ships for.
using Return = int;
inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorUninitialized = 1;
inline constexpr Return kErrorInvalidArgument = 2;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorNoPermission = 4;
inline constexpr Return kErrorNotFound = 6;
inline constexpr Return kErrorInsufficientSize = 7;
inline constexpr Return kErrorDriverNotLoaded = 9;
inline constexpr Return kErrorTimeout = 10;
inline constexpr Return kErrorFunctionNotFound = 13;
inline constexpr Return kErrorGpuIsLost = 15;
inline constexpr Return kErrorResetRequired = 16;
inline constexpr Return kErrorArgumentVersionMismatch = 25;
inline constexpr Return kErrorUnknown = 999;

// Opaque handles (pointers to incomplete structs in nvml.h).
using Device = struct nvmlDevice_st*;
using EventSet = struct nvmlEventSet_st*;

// nvmlUtilization_t: percent of the last sample period (1/6 s to 1 s, by product) during which
// a kernel ran (gpu) / device memory was read or written (memory).
struct Utilization {
  unsigned int gpu;
  unsigned int memory;
};
static_assert(sizeof(Utilization) == 8);

// nvmlMemory_t (v1, as taken by nvmlDeviceGetMemoryInfo): bytes; used includes the memory the
// driver and firmware reserve.
struct Memory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
static_assert(sizeof(Memory) == 24);

// nvmlMemory_v2_t (nvmlDeviceGetMemoryInfo_v2, R510+): used excludes reserved, as nvidia-smi
// shows it. `version` must be nvmlMemory_v2 = NVML_STRUCT_VERSION(Memory, 2).
struct MemoryV2 {
  unsigned int version;
  unsigned long long total;
  unsigned long long reserved;
  unsigned long long free;
  unsigned long long used;
};
static_assert(sizeof(MemoryV2) == 40);
inline constexpr unsigned int kMemoryV2Version =
    static_cast<unsigned int>(sizeof(MemoryV2)) | (2U << 24);  // 0x02000028

// nvmlProcessInfo_v1_t: the element type of the unversioned
// nvmlDeviceGetComputeRunningProcesses (drivers before R470).
struct ProcessInfoV1 {
  unsigned int pid;
  unsigned long long usedGpuMemory;  // kValueNotAvailable when unknown
};
static_assert(sizeof(ProcessInfoV1) == 16);

// nvmlProcessInfo_v2_t == nvmlProcessInfo_t: the element type of both
// nvmlDeviceGetComputeRunningProcesses_v2 and _v3 (the _v3 entry point changed the semantics of
// the MIG instance ids, not the layout).
struct ProcessInfoV2 {
  unsigned int pid;
  unsigned long long usedGpuMemory;  // kValueNotAvailable when unknown
  unsigned int gpuInstanceId;        // 0xFFFFFFFF without MIG
  unsigned int computeInstanceId;    // 0xFFFFFFFF without MIG
};
static_assert(sizeof(ProcessInfoV2) == 24);
static_assert(offsetof(ProcessInfoV2, usedGpuMemory) == 8);

// NVML_VALUE_NOT_AVAILABLE as stored in an unsigned long long field.
inline constexpr unsigned long long kValueNotAvailable = ~0ULL;

// nvmlEventData_t as filled by nvmlEventSetWait_v2 (the 24-byte v1 layout of nvmlEventSetWait
// is a prefix of it).
struct EventData {
  Device device;
  unsigned long long eventType;
  unsigned long long eventData;  // the Xid for nvmlEventTypeXidCriticalError (999: unknown Xid)
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
};
static_assert(sizeof(EventData) == 32);

inline constexpr unsigned long long kEventTypeXidCriticalError = 0x0000000000000008ULL;

// Enumerations passed by value (C enums: int).
inline constexpr int kTemperatureGpu = 0;          // nvmlTemperatureSensors_t NVML_TEMPERATURE_GPU
inline constexpr int kClockSm = 1;                 // nvmlClockType_t NVML_CLOCK_SM
inline constexpr int kMemoryErrorCorrected = 0;    // nvmlMemoryErrorType_t
inline constexpr int kMemoryErrorUncorrected = 1;  //
inline constexpr int kVolatileEcc = 0;             // nvmlEccCounterType_t NVML_VOLATILE_ECC

// Buffer sizes nvml.h guarantees large enough.
inline constexpr unsigned int kDeviceNameBufferSize = 96;     // NVML_DEVICE_NAME_V2_BUFFER_SIZE
inline constexpr unsigned int kDeviceUuidBufferSize = 96;     // NVML_DEVICE_UUID_V2_BUFFER_SIZE
inline constexpr unsigned int kDriverVersionBufferSize = 80;  // NVML_SYSTEM_DRIVER_VERSION_...

// Function-pointer types, one per entry point used (names as exported by the library).
using InitFn = Return (*)();                                         // nvmlInit_v2, nvmlInit
using ShutdownFn = Return (*)();                                     // nvmlShutdown
using ErrorStringFn = const char* (*)(Return);                       // nvmlErrorString
using SystemGetDriverVersionFn = Return (*)(char*, unsigned int);    // nvmlSystemGetDriverVersion
using DeviceGetCountFn = Return (*)(unsigned int*);                  // nvmlDeviceGetCount_v2
using DeviceGetHandleByIndexFn = Return (*)(unsigned int, Device*);  // ..._v2
using DeviceGetStringFn = Return (*)(Device, char*, unsigned int);   // GetName, GetUUID
using DeviceGetUtilizationRatesFn = Return (*)(Device, Utilization*);
using DeviceGetMemoryInfoFn = Return (*)(Device, Memory*);
using DeviceGetMemoryInfoV2Fn = Return (*)(Device, MemoryV2*);
using DeviceGetTemperatureFn = Return (*)(Device, int, unsigned int*);
using DeviceGetPowerUsageFn = Return (*)(Device, unsigned int*);      // milliwatts
using DeviceGetClockInfoFn = Return (*)(Device, int, unsigned int*);  // MHz
using DeviceGetTotalEccErrorsFn = Return (*)(Device, int, int, unsigned long long*);
// The element type depends on the entry point (ProcessInfoV1 or ProcessInfoV2).
using DeviceGetComputeRunningProcessesFn = Return (*)(Device, unsigned int*, void*);
using EventSetCreateFn = Return (*)(EventSet*);
using DeviceRegisterEventsFn = Return (*)(Device, unsigned long long, EventSet);
using EventSetWaitFn = Return (*)(EventSet, EventData*, unsigned int);
using EventSetFreeFn = Return (*)(EventSet);

}  // namespace modelwatch::probes::nvml
