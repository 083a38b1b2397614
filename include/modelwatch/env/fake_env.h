// FakeEnv: an Env for tests (the leveldb helpers/memenv idea). Files come from three places,
// consulted in this order for every path:
//   1. injected errors (InjectError): the path fails with the given Status for ReadFile,
//      ListDirectory and ReadLink, and does not Exist;
//   2. in-memory files and links (SetFile, SetLink); their parent directories exist implicitly
//      and ListDirectory shows them;
//   3. fixture directories mounted at a path prefix (Mount("/", ".../fixtures/proc/vm/1") maps
//      "/proc/stat" to ".../vm/1/proc/stat"); the longest matching prefix wins.
// A path found in none of them is kNotFound, as on the real system. ListDirectory merges 2 and 3.
// The clocks are manual: they start at fixed values and move only by AdvanceMicros or
// SleepForMicros (which advances both). OpenLibrary serves in-memory libraries (AddLibrary) or,
// after AllowRealLibraries(), the real dlopen (to load a fake .so built by the tests).
// Thread safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "modelwatch/env/env.h"

namespace modelwatch::env {

class FakeEnv : public Env {
 public:
  static constexpr int64_t kStartMonotonicMicros = 1'000'000'000;     // 1000 s after boot
  static constexpr int64_t kStartUnixMicros = 1'764'000'000'000'000;  // 2025-11-24T16:00:00Z

  FakeEnv() = default;

  // --- Set-up (tests) ---
  void SetFile(const std::string& path, std::string content);
  void RemoveFile(const std::string& path);
  void SetLink(const std::string& path, std::string target);
  // Serves the files under `directory` (a real directory) at `prefix` ("/" or "/sys/fs/cgroup").
  // Mounting the same prefix again replaces the directory.
  void Mount(const std::string& prefix, const std::string& directory);
  void Unmount(const std::string& prefix);
  // Every access to `path` fails with `status` (not OK) until ClearError(path).
  void InjectError(const std::string& path, Status status);
  void ClearError(const std::string& path);
  void AdvanceMicros(int64_t micros);
  // An in-memory library for OpenLibrary(name) with the given exported symbols.
  void AddLibrary(const std::string& name, std::map<std::string, void*> symbols);
  // OpenLibrary of a name not added with AddLibrary uses the real dlopen instead of kNotFound.
  void AllowRealLibraries();
  void SetClockTicksPerSecond(int64_t ticks);  // default 100
  void SetPageSizeBytes(int64_t bytes);        // default 4096
  void SetOnlineCpus(int cpus);                // default 2

  // --- Env ---
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes = 4 << 20) override;
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override;
  Result<std::string> ReadLink(const std::string& path) override;
  bool Exists(const std::string& path) override;
  int64_t NowMonotonicMicros() override;
  int64_t NowUnixMicros() override;
  void SleepForMicros(int64_t micros) override;
  Result<std::unique_ptr<Library>> OpenLibrary(const std::string& name) override;
  int64_t ClockTicksPerSecond() override;
  int64_t PageSizeBytes() override;
  int OnlineCpus() override;

  // Number of ReadFile calls so far (tests check that a sampler reads what it should).
  int read_count() const;

 private:
  // The real path serving `path` through the longest matching mount, or "" when none matches.
  std::string MountedPath(const std::string& path) const;  // requires mutex_

  mutable std::mutex mutex_;
  std::map<std::string, std::string> files_;
  std::map<std::string, std::string> links_;
  std::map<std::string, std::string> mounts_;  // prefix -> directory
  std::map<std::string, Status> errors_;
  std::map<std::string, std::map<std::string, void*>> libraries_;
  bool real_libraries_ = false;
  int64_t elapsed_micros_ = 0;
  int read_count_ = 0;
  int64_t ticks_ = 100;
  int64_t page_size_ = 4096;
  int cpus_ = 2;
};

}  // namespace modelwatch::env
