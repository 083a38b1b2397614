#include "modelwatch/env/fake_env.h"

#include <set>
#include <utility>

namespace modelwatch::env {
namespace {

class FakeLibrary : public Library {
 public:
  FakeLibrary(std::string name, std::map<std::string, void*> symbols)
      : name_(std::move(name)), symbols_(std::move(symbols)) {}
  Result<void*> Symbol(const std::string& symbol) override {
    const auto it = symbols_.find(symbol);
    if (it == symbols_.end()) return NotFoundError(name_ + ": symbol " + symbol + " not found");
    return it->second;
  }

 private:
  std::string name_;
  std::map<std::string, void*> symbols_;
};

// "/a/b/" -> "/a/b"; "/" stays.
std::string Normalize(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

void FakeEnv::SetFile(const std::string& path, std::string content) {
  std::lock_guard lock(mutex_);
  files_[Normalize(path)] = std::move(content);
}

void FakeEnv::RemoveFile(const std::string& path) {
  std::lock_guard lock(mutex_);
  files_.erase(Normalize(path));
  links_.erase(Normalize(path));
}

void FakeEnv::SetLink(const std::string& path, std::string target) {
  std::lock_guard lock(mutex_);
  links_[Normalize(path)] = std::move(target);
}

void FakeEnv::Mount(const std::string& prefix, const std::string& directory) {
  std::lock_guard lock(mutex_);
  mounts_[Normalize(prefix)] = Normalize(directory);
}

void FakeEnv::Unmount(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  mounts_.erase(Normalize(prefix));
}

void FakeEnv::InjectError(const std::string& path, Status status) {
  std::lock_guard lock(mutex_);
  errors_[Normalize(path)] = std::move(status);
}

void FakeEnv::ClearError(const std::string& path) {
  std::lock_guard lock(mutex_);
  errors_.erase(Normalize(path));
}

void FakeEnv::AdvanceMicros(int64_t micros) {
  std::lock_guard lock(mutex_);
  elapsed_micros_ += micros;
}

void FakeEnv::AddLibrary(const std::string& name, std::map<std::string, void*> symbols) {
  std::lock_guard lock(mutex_);
  libraries_[name] = std::move(symbols);
}

void FakeEnv::AllowRealLibraries() {
  std::lock_guard lock(mutex_);
  real_libraries_ = true;
}

void FakeEnv::SetClockTicksPerSecond(int64_t ticks) {
  std::lock_guard lock(mutex_);
  ticks_ = ticks;
}

void FakeEnv::SetPageSizeBytes(int64_t bytes) {
  std::lock_guard lock(mutex_);
  page_size_ = bytes;
}

void FakeEnv::SetOnlineCpus(int cpus) {
  std::lock_guard lock(mutex_);
  cpus_ = cpus;
}

std::string FakeEnv::MountedPath(const std::string& path) const {
  const std::string* best_prefix = nullptr;
  const std::string* best_directory = nullptr;
  for (const auto& [prefix, directory] : mounts_) {
    const bool matches =
        prefix == "/" ? path.starts_with('/')
                      : path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/');
    if (matches && (best_prefix == nullptr || prefix.size() > best_prefix->size())) {
      best_prefix = &prefix;
      best_directory = &directory;
    }
  }
  if (best_prefix == nullptr) return "";
  if (*best_prefix == "/") return *best_directory + path;
  return *best_directory + path.substr(best_prefix->size());
}

Result<std::string> FakeEnv::ReadFile(const std::string& raw_path, size_t max_bytes) {
  const std::string path = Normalize(raw_path);
  std::string mounted;
  {
    std::lock_guard lock(mutex_);
    ++read_count_;
    if (const auto it = errors_.find(path); it != errors_.end()) return it->second;
    if (const auto it = files_.find(path); it != files_.end()) {
      if (it->second.size() > max_bytes) {
        return ResourceExhaustedError("read " + path + ": longer than " +
                                      std::to_string(max_bytes) + " bytes");
      }
      return it->second;
    }
    mounted = MountedPath(path);
  }
  if (mounted.empty()) return NotFoundError("open " + path + ": No such file or directory");
  Result<std::string> content = Env::Default().ReadFile(mounted, max_bytes);
  if (!content.ok() && content.status().code() == StatusCode::kNotFound) {
    return NotFoundError("open " + path + ": No such file or directory");
  }
  return content;
}

Result<std::vector<std::string>> FakeEnv::ListDirectory(const std::string& raw_path) {
  const std::string path = Normalize(raw_path);
  std::set<std::string> names;
  bool found = false;
  std::string mounted;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = errors_.find(path); it != errors_.end()) return it->second;
    const std::string dir_prefix = path == "/" ? "/" : path + "/";
    for (const auto* map : {&files_, &links_}) {
      for (auto it = map->lower_bound(dir_prefix);
           it != map->end() && it->first.starts_with(dir_prefix); ++it) {
        const std::string rest = it->first.substr(dir_prefix.size());
        names.insert(rest.substr(0, rest.find('/')));
        found = true;
      }
    }
    mounted = MountedPath(path);
  }
  if (!mounted.empty()) {
    Result<std::vector<std::string>> listed = Env::Default().ListDirectory(mounted);
    if (listed.ok()) {
      found = true;
      names.insert(listed->begin(), listed->end());
    } else if (listed.status().code() != StatusCode::kNotFound) {
      return listed.status();
    }
  }
  if (!found) return NotFoundError("opendir " + path + ": No such file or directory");
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::string> FakeEnv::ReadLink(const std::string& raw_path) {
  const std::string path = Normalize(raw_path);
  std::string mounted;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = errors_.find(path); it != errors_.end()) return it->second;
    if (const auto it = links_.find(path); it != links_.end()) return it->second;
    mounted = MountedPath(path);
  }
  if (mounted.empty()) return NotFoundError("readlink " + path + ": No such file or directory");
  return Env::Default().ReadLink(mounted);
}

bool FakeEnv::Exists(const std::string& raw_path) {
  const std::string path = Normalize(raw_path);
  std::string mounted;
  {
    std::lock_guard lock(mutex_);
    if (errors_.contains(path)) return false;
    if (files_.contains(path) || links_.contains(path)) return true;
    const std::string dir_prefix = path == "/" ? "/" : path + "/";
    for (const auto* map : {&files_, &links_}) {
      const auto it = map->lower_bound(dir_prefix);
      if (it != map->end() && it->first.starts_with(dir_prefix)) return true;
    }
    mounted = MountedPath(path);
  }
  return !mounted.empty() && Env::Default().Exists(mounted);
}

int64_t FakeEnv::NowMonotonicMicros() {
  std::lock_guard lock(mutex_);
  return kStartMonotonicMicros + elapsed_micros_;
}

int64_t FakeEnv::NowUnixMicros() {
  std::lock_guard lock(mutex_);
  return kStartUnixMicros + elapsed_micros_;
}

void FakeEnv::SleepForMicros(int64_t micros) {
  if (micros > 0) AdvanceMicros(micros);
}

Result<std::unique_ptr<Library>> FakeEnv::OpenLibrary(const std::string& name) {
  {
    std::lock_guard lock(mutex_);
    if (const auto it = libraries_.find(name); it != libraries_.end()) {
      return std::unique_ptr<Library>(std::make_unique<FakeLibrary>(name, it->second));
    }
    if (!real_libraries_) return NotFoundError("dlopen " + name + ": no such library (FakeEnv)");
  }
  return Env::Default().OpenLibrary(name);
}

int64_t FakeEnv::ClockTicksPerSecond() {
  std::lock_guard lock(mutex_);
  return ticks_;
}

int64_t FakeEnv::PageSizeBytes() {
  std::lock_guard lock(mutex_);
  return page_size_;
}

int FakeEnv::OnlineCpus() {
  std::lock_guard lock(mutex_);
  return cpus_;
}

int FakeEnv::read_count() const {
  std::lock_guard lock(mutex_);
  return read_count_;
}

}  // namespace modelwatch::env
