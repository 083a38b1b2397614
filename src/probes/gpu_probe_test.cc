// GpuProbe against the fake libnvidia-ml (tests/fake_nvml/fake_nvml.cc), loaded through the real
// Env::Default().OpenLibrary, i.e. dlopen by absolute path, exactly as the real library would be.
#include "modelwatch/probes/gpu_probe.h"

#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace modelwatch::probes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr uint64_t kMiB = 1ULL << 20;
constexpr uint64_t kGiB = 1ULL << 30;

// The fake's control functions, resolved from the same loaded instance the probe uses (dlopen of
// the same path returns the same handle, so they share state).
class FakeNvml {
 public:
  explicit FakeNvml(const char* path) : handle_(dlopen(path, RTLD_NOW | RTLD_LOCAL)) {}
  ~FakeNvml() {
    if (handle_ != nullptr) dlclose(handle_);
  }
  bool loaded() const { return handle_ != nullptr; }

  void SetScenario(const char* name) {
    Call<void (*)(const char*)>("fake_nvml_set_scenario")(name);
  }
  void LoseDevice(unsigned index) { Call<void (*)(unsigned)>("fake_nvml_lose_device")(index); }
  bool QueueXid(unsigned index, unsigned long long xid) {
    return Call<int (*)(unsigned, unsigned long long)>("fake_nvml_queue_xid")(index, xid) != 0;
  }
  int InitCalls() { return Call<int (*)()>("fake_nvml_init_calls")(); }
  int ShutdownCalls() { return Call<int (*)()>("fake_nvml_shutdown_calls")(); }
  int InitRefcount() { return Call<int (*)()>("fake_nvml_init_refcount")(); }
  int LiveEventSets() { return Call<int (*)()>("fake_nvml_live_event_sets")(); }
  unsigned MaxWaitTimeout() { return Call<unsigned (*)()>("fake_nvml_max_wait_timeout")(); }
  std::string LastProcessApi() { return Call<const char* (*)()>("fake_nvml_last_process_api")(); }

 private:
  template <typename Fn>
  Fn Call(const char* name) {
    void* symbol = dlsym(handle_, name);
    EXPECT_NE(symbol, nullptr) << name;
    return reinterpret_cast<Fn>(symbol);
  }
  void* handle_;
};

class GpuProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fake_.loaded()) << dlerror();
    fake_.SetScenario("normal");
  }

  std::unique_ptr<GpuProbe> OpenFake(const char* library = MW_FAKE_NVML_PATH) {
    GpuProbeOptions options;
    options.library = library;
    return GpuProbe::Open(env::Env::Default(), options);
  }

  FakeNvml fake_{MW_FAKE_NVML_PATH};
};

// The fake's device 0 (an H100) in the "normal" scenario.
void ExpectDevice0Readings(const GpuDeviceSample& d) {
  EXPECT_EQ(d.index, 0u);
  EXPECT_EQ(d.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(d.uuid, "GPU-5c4f8a9e-0d1b-4e2f-9a3c-6b7d8e9f0a1b");
  EXPECT_FALSE(d.lost);
  EXPECT_EQ(d.utilization_gpu_percent, 37u);
  EXPECT_EQ(d.utilization_memory_percent, 12u);
  EXPECT_EQ(d.memory_total_bytes, 85520809984ULL);
  EXPECT_EQ(d.temperature_celsius, 61u);
  EXPECT_EQ(d.sm_clock_mhz, 1755u);
  EXPECT_THAT(d.errors, IsEmpty());
}

TEST_F(GpuProbeTest, ReadsEveryFieldOfTwoDevices) {
  auto probe = OpenFake();
  ASSERT_TRUE(probe->status().ok()) << probe->status().ToString();
  EXPECT_TRUE(probe->available());
  EXPECT_EQ(probe->driver_version(), "550.54.15");
  EXPECT_EQ(probe->device_count(), 2u);

  const std::vector<int> pids = {1001, 1003, 4242, 999999};
  GpuSample sample = probe->Sample(pids);
  ASSERT_TRUE(sample.status.ok());
  EXPECT_GT(sample.unix_micros, 1'600'000'000'000'000);  // after 2020: a real wall clock
  ASSERT_EQ(sample.devices.size(), 2u);

  const GpuDeviceSample& d0 = sample.devices[0];
  ExpectDevice0Readings(d0);
  // nvmlDeviceGetMemoryInfo_v2: used without the driver's reservation, as nvidia-smi shows it.
  EXPECT_EQ(d0.memory_used_bytes, 3 * kGiB);
  EXPECT_EQ(d0.memory_reserved_bytes, 480 * kMiB);
  ASSERT_TRUE(d0.power_watts.has_value());
  EXPECT_DOUBLE_EQ(*d0.power_watts, 215.123);  // 215123 mW
  EXPECT_EQ(d0.ecc_corrected_volatile, 3u);
  EXPECT_EQ(d0.ecc_uncorrected_volatile, 0u);  // supported and zero: present, not absent
  ASSERT_EQ(d0.target_processes.size(), 2u);   // 1002 is not a target
  EXPECT_EQ(d0.target_processes[0].pid, 1001);
  EXPECT_EQ(d0.target_processes[0].used_bytes, 1536 * kMiB);
  EXPECT_EQ(d0.target_processes[1].pid, 4242);
  EXPECT_EQ(d0.target_processes[1].used_bytes, 7 * kGiB);
  EXPECT_EQ(d0.target_memory_used_bytes, 1536 * kMiB + 7 * kGiB);
  EXPECT_EQ(d0.xid_errors, 0u);  // events supported, none yet
  EXPECT_FALSE(d0.last_xid.has_value());

  const GpuDeviceSample& d1 = sample.devices[1];
  EXPECT_EQ(d1.index, 1u);
  EXPECT_EQ(d1.name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(d1.uuid, "GPU-0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9");
  EXPECT_EQ(d1.utilization_gpu_percent, 81u);
  EXPECT_EQ(d1.utilization_memory_percent, 44u);
  EXPECT_EQ(d1.memory_total_bytes, 40 * kGiB);
  EXPECT_EQ(d1.memory_used_bytes, 20 * kGiB);
  EXPECT_EQ(d1.memory_reserved_bytes, 400 * kMiB);
  EXPECT_EQ(d1.temperature_celsius, 74u);
  ASSERT_TRUE(d1.power_watts.has_value());
  EXPECT_DOUBLE_EQ(*d1.power_watts, 402.5);
  EXPECT_EQ(d1.sm_clock_mhz, 1410u);
  EXPECT_EQ(d1.ecc_corrected_volatile, 0u);
  EXPECT_EQ(d1.ecc_uncorrected_volatile, 1u);
  ASSERT_EQ(d1.target_processes.size(), 1u);
  EXPECT_EQ(d1.target_processes[0].pid, 1003);
  EXPECT_EQ(d1.target_memory_used_bytes, 2 * kGiB);
  EXPECT_EQ(d1.xid_errors, 0u);
  EXPECT_THAT(d1.errors, IsEmpty());

  // The newest process-list entry point, with the 24-byte nvmlProcessInfo_t.
  EXPECT_EQ(fake_.LastProcessApi(), "v3");
  // Xid events are drained without ever blocking the sampler.
  EXPECT_EQ(fake_.MaxWaitTimeout(), 0u);
}

TEST_F(GpuProbeTest, TargetMemoryIsAbsentWithoutPidsAndZeroWhenTargetIsNotOnDevice) {
  auto probe = OpenFake();
  GpuSample without = probe->Sample();
  ASSERT_EQ(without.devices.size(), 2u);
  EXPECT_FALSE(without.devices[0].target_memory_used_bytes.has_value());
  EXPECT_THAT(without.devices[0].target_processes, IsEmpty());

  const std::vector<int> pids = {1002};
  GpuSample with = probe->Sample(pids);
  EXPECT_EQ(with.devices[0].target_memory_used_bytes, 512 * kMiB);
  EXPECT_EQ(with.devices[1].target_memory_used_bytes, 0u);  // read, and the target is not there
  EXPECT_THAT(with.devices[1].target_processes, IsEmpty());
}

TEST_F(GpuProbeTest, AbsentLibraryIsTheCleanNoNvmlStatus) {
  auto probe = OpenFake("/nonexistent/dir/libnvidia-ml.so.1");
  EXPECT_EQ(probe->status().code(), StatusCode::kNotFound);
  EXPECT_THAT(probe->status().message(), StartsWith("no NVML: "));
  EXPECT_THAT(probe->status().message(), HasSubstr("/nonexistent/dir/libnvidia-ml.so.1"));
  EXPECT_FALSE(probe->available());
  EXPECT_EQ(probe->device_count(), 0u);
  EXPECT_FALSE(probe->driver_version().has_value());
  for (int i = 0; i < 3; ++i) {  // every sample says the same, without devices
    GpuSample sample = probe->Sample(std::vector<int>{1});
    EXPECT_EQ(sample.status.code(), StatusCode::kNotFound);
    EXPECT_THAT(sample.devices, IsEmpty());
  }
}

TEST_F(GpuProbeTest, LibraryThatIsNotNvmlIsUnavailable) {
  auto probe = OpenFake("libm.so.6");  // loads fine, exports no nvml* symbol
  EXPECT_EQ(probe->status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(probe->status().message(), HasSubstr("is not a usable NVML"));
  EXPECT_THAT(probe->Sample().devices, IsEmpty());
}

TEST_F(GpuProbeTest, InitFailureCarriesNvmlErrorStringAndOwesNoShutdown) {
  fake_.SetScenario("init_fails");
  {
    auto probe = OpenFake();
    EXPECT_EQ(probe->status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(probe->status().message(), "nvmlInit_v2: Driver Not Loaded");
    GpuSample sample = probe->Sample();
    EXPECT_EQ(sample.status.code(), StatusCode::kUnavailable);
    EXPECT_THAT(sample.devices, IsEmpty());
  }
  EXPECT_EQ(fake_.InitCalls(), 1);
  EXPECT_EQ(fake_.ShutdownCalls(), 0);
}

TEST_F(GpuProbeTest, DestructionShutsNvmlDownAndFreesTheEventSet) {
  {
    auto probe = OpenFake();
    ASSERT_TRUE(probe->available());
    EXPECT_EQ(fake_.InitRefcount(), 1);
    EXPECT_EQ(fake_.LiveEventSets(), 1);
    (void)probe->Sample();
  }
  EXPECT_EQ(fake_.InitCalls(), 1);
  EXPECT_EQ(fake_.ShutdownCalls(), 1);
  EXPECT_EQ(fake_.InitRefcount(), 0);
  EXPECT_EQ(fake_.LiveEventSets(), 0);
}

TEST_F(GpuProbeTest, NotSupportedLeavesFieldsAbsentNotZeroAndReportsNoError) {
  fake_.SetScenario("ecc_not_supported");  // ECC counts and event registration: NOT_SUPPORTED
  auto probe = OpenFake();
  GpuSample sample = probe->Sample();
  ASSERT_EQ(sample.devices.size(), 2u);
  for (const GpuDeviceSample& d : sample.devices) {
    EXPECT_FALSE(d.ecc_corrected_volatile.has_value());
    EXPECT_FALSE(d.ecc_uncorrected_volatile.has_value());
    EXPECT_FALSE(d.xid_errors.has_value());
    EXPECT_THAT(d.errors, IsEmpty());
    EXPECT_FALSE(d.lost);
  }
  ExpectDevice0Readings(sample.devices[0]);
  EXPECT_EQ(fake_.LiveEventSets(), 0);  // no device registered: the set was freed at once
}

TEST_F(GpuProbeTest, OtherErrorsLeaveTheFieldAbsentAndSayWhy) {
  fake_.SetScenario("power_no_permission");
  auto probe = OpenFake();
  GpuSample sample = probe->Sample();
  ASSERT_EQ(sample.devices.size(), 2u);
  for (const GpuDeviceSample& d : sample.devices) {
    EXPECT_FALSE(d.power_watts.has_value());
    EXPECT_THAT(d.errors, ElementsAre("nvmlDeviceGetPowerUsage: Insufficient Permissions"));
    EXPECT_TRUE(d.temperature_celsius.has_value());
  }
}

TEST_F(GpuProbeTest, DeviceThatDisappearsIsMarkedLostAndTheProbeKeepsGoing) {
  auto probe = OpenFake();
  GpuSample first = probe->Sample();
  ASSERT_EQ(first.devices.size(), 2u);
  EXPECT_FALSE(first.devices[1].lost);
  EXPECT_EQ(first.devices[1].temperature_celsius, 74u);

  ASSERT_TRUE(fake_.QueueXid(1, 79));  // "GPU has fallen off the bus"
  fake_.LoseDevice(1);
  for (int i = 0; i < 2; ++i) {
    GpuSample sample = probe->Sample(std::vector<int>{1003});
    ASSERT_TRUE(sample.status.ok());
    ASSERT_EQ(sample.devices.size(), 2u);
    ExpectDevice0Readings(sample.devices[0]);
    const GpuDeviceSample& d1 = sample.devices[1];
    EXPECT_TRUE(d1.lost);
    EXPECT_EQ(d1.lost_reason, "nvmlDeviceGetUtilizationRates: GPU is lost");
    EXPECT_EQ(d1.index, 1u);
    EXPECT_EQ(d1.name, "NVIDIA A100-SXM4-40GB");  // identity kept, readings dropped
    EXPECT_EQ(d1.uuid, "GPU-0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9");
    EXPECT_FALSE(d1.utilization_gpu_percent.has_value());
    EXPECT_FALSE(d1.memory_used_bytes.has_value());
    EXPECT_FALSE(d1.memory_reserved_bytes.has_value());
    EXPECT_FALSE(d1.temperature_celsius.has_value());
    EXPECT_FALSE(d1.power_watts.has_value());
    EXPECT_FALSE(d1.sm_clock_mhz.has_value());
    EXPECT_FALSE(d1.ecc_corrected_volatile.has_value());
    EXPECT_FALSE(d1.target_memory_used_bytes.has_value());
    EXPECT_THAT(d1.errors, IsEmpty());
    EXPECT_EQ(d1.xid_errors, 1u);  // the Xid that announced the loss is kept
    EXPECT_EQ(d1.last_xid, 79u);
  }
}

TEST_F(GpuProbeTest, CountsXidEventsPerDeviceAcrossSamples) {
  auto probe = OpenFake();
  ASSERT_TRUE(fake_.QueueXid(0, 48));
  ASSERT_TRUE(fake_.QueueXid(1, 13));
  ASSERT_TRUE(fake_.QueueXid(0, 63));
  GpuSample first = probe->Sample();
  EXPECT_EQ(first.devices[0].xid_errors, 2u);
  EXPECT_EQ(first.devices[0].last_xid, 63u);
  EXPECT_EQ(first.devices[1].xid_errors, 1u);
  EXPECT_EQ(first.devices[1].last_xid, 13u);

  GpuSample second = probe->Sample();  // nothing new: a counter, not a per-sample count
  EXPECT_EQ(second.devices[0].xid_errors, 2u);
  EXPECT_EQ(second.devices[1].xid_errors, 1u);

  ASSERT_TRUE(fake_.QueueXid(1, 31));
  GpuSample third = probe->Sample();
  EXPECT_EQ(third.devices[0].xid_errors, 2u);
  EXPECT_EQ(third.devices[1].xid_errors, 2u);
  EXPECT_EQ(third.devices[1].last_xid, 31u);
  EXPECT_EQ(fake_.MaxWaitTimeout(), 0u);
}

TEST_F(GpuProbeTest, XidCountingCanBeTurnedOff) {
  GpuProbeOptions options;
  options.library = MW_FAKE_NVML_PATH;
  options.count_xid_errors = false;
  auto probe = GpuProbe::Open(env::Env::Default(), options);
  EXPECT_EQ(fake_.LiveEventSets(), 0);
  EXPECT_FALSE(fake_.QueueXid(0, 48));  // nobody registered
  GpuSample sample = probe->Sample();
  EXPECT_FALSE(sample.devices[0].xid_errors.has_value());
  EXPECT_TRUE(sample.devices[0].temperature_celsius.has_value());
}

TEST_F(GpuProbeTest, MissingSymbolsLeaveFieldsAbsentAndOlderEntryPointsAreUsed) {
  FakeNvml minimal(MW_FAKE_NVML_MINIMAL_PATH);
  ASSERT_TRUE(minimal.loaded()) << dlerror();
  minimal.SetScenario("normal");
  auto probe = OpenFake(MW_FAKE_NVML_MINIMAL_PATH);
  // nvmlInit_v2 is missing: the unversioned nvmlInit initializes.
  ASSERT_TRUE(probe->status().ok()) << probe->status().ToString();
  EXPECT_FALSE(probe->driver_version().has_value());  // nvmlSystemGetDriverVersion missing
  const std::vector<int> pids = {1001, 4242, 1003};
  GpuSample sample = probe->Sample(pids);
  ASSERT_EQ(sample.devices.size(), 2u);
  const GpuDeviceSample& d0 = sample.devices[0];
  ExpectDevice0Readings(d0);
  // The v1 nvmlDeviceGetMemoryInfo: used includes the reservation, which is not reported apart.
  EXPECT_EQ(d0.memory_used_bytes, 3 * kGiB + 480 * kMiB);
  EXPECT_FALSE(d0.memory_reserved_bytes.has_value());
  EXPECT_FALSE(d0.power_watts.has_value());             // nvmlDeviceGetPowerUsage missing
  EXPECT_FALSE(d0.ecc_corrected_volatile.has_value());  // nvmlDeviceGetTotalEccErrors missing
  EXPECT_FALSE(d0.ecc_uncorrected_volatile.has_value());
  EXPECT_FALSE(d0.xid_errors.has_value());  // no event API
  // The process list came from the unversioned entry point with the 16-byte v1 layout.
  EXPECT_EQ(minimal.LastProcessApi(), "v1");
  ASSERT_EQ(d0.target_processes.size(), 2u);
  EXPECT_EQ(d0.target_processes[0].pid, 1001);
  EXPECT_EQ(d0.target_processes[0].used_bytes, 1536 * kMiB);
  EXPECT_EQ(d0.target_processes[1].pid, 4242);
  EXPECT_EQ(d0.target_memory_used_bytes, 1536 * kMiB + 7 * kGiB);
  EXPECT_EQ(sample.devices[1].target_memory_used_bytes, 2 * kGiB);
}

TEST_F(GpuProbeTest, LongProcessListsAreReadWholeAndUnknownUsageIsAbsent) {
  fake_.SetScenario("many_processes");  // 100 processes on device 0: more than the first buffer
  auto probe = OpenFake();
  const std::vector<int> pids = {2000, 2063, 2099, 1001};
  GpuSample sample = probe->Sample(pids);
  const GpuDeviceSample& d0 = sample.devices[0];
  ASSERT_EQ(d0.target_processes.size(), 3u);
  EXPECT_EQ(d0.target_processes[2].pid, 2099);
  EXPECT_EQ(d0.target_processes[2].used_bytes, 100 * kMiB);
  EXPECT_EQ(d0.target_memory_used_bytes, (1 + 64 + 100) * kMiB);
  EXPECT_THAT(d0.errors, IsEmpty());
  // Device 1 runs pid 1001 but NVML cannot say how much it holds (NVML_VALUE_NOT_AVAILABLE).
  const GpuDeviceSample& d1 = sample.devices[1];
  ASSERT_EQ(d1.target_processes.size(), 1u);
  EXPECT_EQ(d1.target_processes[0].pid, 1001);
  EXPECT_FALSE(d1.target_processes[0].used_bytes.has_value());
  EXPECT_FALSE(d1.target_memory_used_bytes.has_value());
}

TEST_F(GpuProbeTest, MemoryFallsBackToV1WhenTheV2StructVersionIsRefused) {
  fake_.SetScenario("memory_v2_mismatch");
  auto probe = OpenFake();
  GpuSample sample = probe->Sample();
  const GpuDeviceSample& d0 = sample.devices[0];
  EXPECT_EQ(d0.memory_used_bytes, 3 * kGiB + 480 * kMiB);  // v1: reservation included
  EXPECT_FALSE(d0.memory_reserved_bytes.has_value());
  EXPECT_EQ(d0.memory_total_bytes, 85520809984ULL);
  EXPECT_THAT(d0.errors, IsEmpty());
}

TEST_F(GpuProbeTest, NoDevicesIsOkAndEmpty) {
  fake_.SetScenario("no_devices");
  auto probe = OpenFake();
  EXPECT_TRUE(probe->status().ok());
  EXPECT_EQ(probe->device_count(), 0u);
  GpuSample sample = probe->Sample();
  EXPECT_TRUE(sample.status.ok());
  EXPECT_THAT(sample.devices, IsEmpty());
}

TEST_F(GpuProbeTest, DeviceWithoutAHandleIsReportedLostAndOthersAreRead) {
  fake_.SetScenario("handle_no_permission");
  auto probe = OpenFake();
  ASSERT_TRUE(probe->status().ok());
  GpuSample sample = probe->Sample();
  ASSERT_EQ(sample.devices.size(), 2u);
  ExpectDevice0Readings(sample.devices[0]);
  EXPECT_TRUE(sample.devices[1].lost);
  EXPECT_EQ(sample.devices[1].lost_reason,
            "nvmlDeviceGetHandleByIndex_v2: Insufficient Permissions");
  EXPECT_FALSE(sample.devices[1].name.has_value());
  EXPECT_FALSE(sample.devices[1].utilization_gpu_percent.has_value());
}

TEST_F(GpuProbeTest, SampleMayBeCalledFromSeveralThreads) {
  auto probe = OpenFake();
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::vector<int> pids = {1001};
      for (int i = 0; i < 200; ++i) {
        GpuSample s = probe->Sample(pids);
        if (s.devices.size() != 2 || s.devices[0].target_memory_used_bytes != 1536 * kMiB ||
            s.devices[1].temperature_celsius != 74u) {
          ++bad[t];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(bad, ElementsAre(0, 0, 0, 0));
}

}  // namespace
}  // namespace modelwatch::probes
