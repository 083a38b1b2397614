// Env::Default(): the Env over the real operating system (POSIX + Linux procfs).
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "modelwatch/env/env.h"

namespace modelwatch::env {
namespace {

// kNotFound for "does not exist" (ENOENT, ESRCH: the process exited, ENOTDIR: a path component
// is not a directory), kUnavailable for any other errno; the message names the path.
Status OsError(const std::string& what, const std::string& path, int error) {
  std::string message = what + " " + path + ": " + std::strerror(error);
  if (error == ENOENT || error == ESRCH || error == ENOTDIR) {
    return NotFoundError(std::move(message));
  }
  return UnavailableError(std::move(message));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class RealLibrary : public Library {
 public:
  RealLibrary(std::string name, void* handle) : name_(std::move(name)), handle_(handle) {}
  ~RealLibrary() override { dlclose(handle_); }

  Result<void*> Symbol(const std::string& symbol) override {
    dlerror();  // clear a stale error
    void* address = dlsym(handle_, symbol.c_str());
    if (const char* error = dlerror(); error != nullptr) {
      return NotFoundError(name_ + ": symbol " + symbol + ": " + error);
    }
    if (address == nullptr) return NotFoundError(name_ + ": symbol " + symbol + " is null");
    return address;
  }

 private:
  std::string name_;
  void* handle_;
};

int64_t ClockMicros(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

class RealEnv : public Env {
 public:
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) override {
    FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return OsError("open", path, errno);
    // procfs and sysfs report sizes of 0 or 4096 whatever the content: read until EOF.
    std::string content;
    char buffer[8192];
    for (;;) {
      const ssize_t n = read(fd.get(), buffer, sizeof(buffer));
      if (n < 0) {
        if (errno == EINTR) continue;
        return OsError("read", path, errno);
      }
      if (n == 0) break;
      if (content.size() + static_cast<size_t>(n) > max_bytes) {
        return ResourceExhaustedError("read " + path + ": longer than " +
                                      std::to_string(max_bytes) + " bytes");
      }
      content.append(buffer, static_cast<size_t>(n));
    }
    return content;
  }

  Result<std::vector<std::string>> ListDirectory(const std::string& path) override {
    DIR* dir = opendir(path.c_str());
    if (dir == nullptr) return OsError("opendir", path, errno);
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      const dirent* entry = readdir(dir);
      if (entry == nullptr) break;
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    const int error = errno;
    closedir(dir);
    if (error != 0) return OsError("readdir", path, error);
    return names;
  }

  Result<std::string> ReadLink(const std::string& path) override {
    std::string target(256, '\0');
    for (;;) {
      const ssize_t n = readlink(path.c_str(), target.data(), target.size());
      if (n < 0) return OsError("readlink", path, errno);
      if (static_cast<size_t>(n) < target.size()) {
        target.resize(static_cast<size_t>(n));
        return target;
      }
      if (target.size() >= (1u << 20)) {
        return ResourceExhaustedError("readlink " + path + ": target longer than 1 MiB");
      }
      target.resize(target.size() * 2);  // possibly truncated: retry with more room
    }
  }

  bool Exists(const std::string& path) override {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
  }

  int64_t NowMonotonicMicros() override { return ClockMicros(CLOCK_MONOTONIC); }
  int64_t NowUnixMicros() override { return ClockMicros(CLOCK_REALTIME); }

  void SleepForMicros(int64_t micros) override {
    if (micros <= 0) return;
    timespec request{static_cast<time_t>(micros / 1'000'000),
                     static_cast<long>((micros % 1'000'000) * 1000)};
    timespec remaining{};
    while (nanosleep(&request, &remaining) != 0 && errno == EINTR) request = remaining;
  }

  Result<std::unique_ptr<Library>> OpenLibrary(const std::string& name) override {
    void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* error = dlerror();
      return NotFoundError("dlopen " + name + ": " + (error != nullptr ? error : "failed"));
    }
    return std::unique_ptr<Library>(std::make_unique<RealLibrary>(name, handle));
  }

  int64_t ClockTicksPerSecond() override {
    static const int64_t ticks = sysconf(_SC_CLK_TCK);
    return ticks > 0 ? ticks : 100;
  }
  int64_t PageSizeBytes() override {
    static const int64_t page = sysconf(_SC_PAGESIZE);
    return page > 0 ? page : 4096;
  }
  int OnlineCpus() override {
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? static_cast<int>(cpus) : 1;
  }
};

}  // namespace

Env& Env::Default() {
  static Env* const env = new RealEnv();  // never destroyed: outlives every thread using it
  return *env;
}

}  // namespace modelwatch::env
