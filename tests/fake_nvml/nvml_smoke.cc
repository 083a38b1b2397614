// mw_nvml_smoke: samples every GPU through GpuProbe and the real Env, and prints one JSON object
// per device per sample (JSON lines), for checking the probe on a real NVIDIA machine against
// nvidia-smi. Not a test: it needs no GPU to run (it then prints the "no NVML" status).
// Output: a status line (with the time GpuProbe::Open took), then per sample one line per device
// and a line with the time Sample() took.
//
//   mw_nvml_smoke [--library PATH] [--pid N]... [--samples N] [--interval-ms N]
//
// Exit status: 0 when NVML is available, 1 when not (the status line says why), 2 on bad usage.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/env/env.h"
#include "modelwatch/probes/gpu_probe.h"

namespace {

using modelwatch::StatusCode;
using modelwatch::probes::GpuDeviceSample;
using modelwatch::probes::GpuProbe;
using modelwatch::probes::GpuProbeOptions;
using modelwatch::probes::GpuSample;

// Appends `value` as a JSON string, escaped per RFC 8259.
void AppendJsonString(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", u);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

// A minimal JSON-lines writer: keys are fixed snake_case names.
class Line {
 public:
  Line& Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendJsonString(out_, value);
    return *this;
  }
  Line& OptStr(std::string_view key, const std::optional<std::string>& value) {
    if (!value) return Null(key);
    return Str(key, *value);
  }
  template <typename T>
  Line& Num(std::string_view key, const std::optional<T>& value) {
    if (!value) return Null(key);
    return Num(key, *value);
  }
  Line& Num(std::string_view key, uint64_t value) {
    Key(key);
    out_ += std::to_string(value);
    return *this;
  }
  Line& Num(std::string_view key, int64_t value) {
    Key(key);
    out_ += std::to_string(value);
    return *this;
  }
  Line& Num(std::string_view key, uint32_t value) { return Num(key, uint64_t{value}); }
  Line& Num(std::string_view key, double value) {
    Key(key);
    if (!std::isfinite(value)) {
      out_ += "null";
      return *this;
    }
    char buffer[32];  // shortest form that reads back as the same double
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out_.append(buffer, result.ptr);
    return *this;
  }
  Line& Bool(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  Line& Null(std::string_view key) {
    Key(key);
    out_ += "null";
    return *this;
  }
  Line& Raw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }
  void Print() {
    out_ += "}\n";
    std::fputs(out_.c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  void Key(std::string_view key) {
    out_ += out_.size() == 1 ? "\"" : ",\"";
    out_ += key;
    out_ += "\":";
  }
  std::string out_ = "{";
};

std::string StatusName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kNotFound:
      return "no_nvml";
    default:
      return "unavailable";
  }
}

void PrintDevice(const GpuSample& sample, const GpuProbe& probe, const GpuDeviceSample& d) {
  Line line;
  line.Num("ts_unix_micros", sample.unix_micros)
      .OptStr("driver_version", probe.driver_version())
      .Num("index", d.index)
      .OptStr("name", d.name)
      .OptStr("uuid", d.uuid)
      .Bool("lost", d.lost);
  if (d.lost) line.Str("lost_reason", d.lost_reason);
  line.Num("utilization_gpu_percent", d.utilization_gpu_percent)
      .Num("utilization_memory_percent", d.utilization_memory_percent)
      .Num("memory_used_bytes", d.memory_used_bytes)
      .Num("memory_reserved_bytes", d.memory_reserved_bytes)
      .Num("memory_total_bytes", d.memory_total_bytes)
      .Num("temperature_celsius", d.temperature_celsius)
      .Num("power_watts", d.power_watts)
      .Num("sm_clock_mhz", d.sm_clock_mhz)
      .Num("target_memory_used_bytes", d.target_memory_used_bytes)
      .Num("ecc_corrected_volatile", d.ecc_corrected_volatile)
      .Num("ecc_uncorrected_volatile", d.ecc_uncorrected_volatile)
      .Num("xid_errors", d.xid_errors)
      .Num("last_xid", d.last_xid);
  std::string processes = "[";
  for (const auto& p : d.target_processes) {
    if (processes.size() > 1) processes += ',';
    processes += "{\"pid\":" + std::to_string(p.pid) +
                 ",\"used_bytes\":" + (p.used_bytes ? std::to_string(*p.used_bytes) : "null") + "}";
  }
  line.Raw("target_processes", processes + "]");
  std::string errors = "[";
  for (const std::string& e : d.errors) {
    if (errors.size() > 1) errors += ',';
    AppendJsonString(errors, e);
  }
  line.Raw("errors", errors + "]");
  line.Print();
}

int Usage(const char* message) {
  std::fprintf(stderr,
               "mw_nvml_smoke: %s\nusage: mw_nvml_smoke [--library PATH] [--pid N]... "
               "[--samples N] [--interval-ms N]\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  GpuProbeOptions options;
  std::vector<int> pids;
  long samples = 1;
  long interval_ms = 1000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage("missing value after an option (or unknown option)");
    const char* value = argv[++i];
    char* end = nullptr;
    if (arg == "--library") {
      options.library = value;
      continue;
    }
    const long number = std::strtol(value, &end, 10);
    if (end == value || *end != '\0' || number < 0) return Usage("expected a number");
    if (arg == "--pid") {
      pids.push_back(static_cast<int>(number));
    } else if (arg == "--samples") {
      samples = number;
    } else if (arg == "--interval-ms") {
      interval_ms = number;
    } else {
      return Usage("unknown option");
    }
  }

  modelwatch::env::Env& env = modelwatch::env::Env::Default();
  const int64_t open_start = env.NowMonotonicMicros();
  std::unique_ptr<GpuProbe> probe = GpuProbe::Open(env, options);
  const int64_t open_micros = env.NowMonotonicMicros() - open_start;
  if (!probe->available()) {
    Line()
        .Str("status", StatusName(probe->status().code()))
        .Str("message", probe->status().message())
        .Print();
    return 1;
  }
  Line()
      .Str("status", "ok")
      .OptStr("driver_version", probe->driver_version())
      .Num("device_count", uint64_t{probe->device_count()})
      .Num("open_micros", open_micros)
      .Print();
  for (long s = 0; s < samples; ++s) {
    if (s > 0) env.SleepForMicros(interval_ms * 1000);
    const int64_t start = env.NowMonotonicMicros();
    GpuSample sample = probe->Sample(pids);
    const int64_t sample_micros = env.NowMonotonicMicros() - start;
    for (const GpuDeviceSample& d : sample.devices) PrintDevice(sample, *probe, d);
    Line().Num("sample", int64_t{s}).Num("sample_micros", sample_micros).Print();
  }
  return 0;
}
