#include "wal_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace modelwatch::store::internal {

WalSync::WalSync(std::string wal_path) : wal_path_(std::move(wal_path)) {}

WalSync::WalSync(std::function<int()> sync) : sync_(std::move(sync)) {}

WalSync::~WalSync() {
  if (fd_ >= 0) ::close(fd_);
}

uint64_t WalSync::Committed() {
  std::lock_guard<std::mutex> lock(mu_);
  return ++committed_;
}

Status WalSync::Healthy() {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

uint64_t WalSync::syncs() {
  std::lock_guard<std::mutex> lock(mu_);
  return syncs_;
}

Status WalSync::WaitDurable(uint64_t seq) {
  std::unique_lock<std::mutex> lock(mu_);
  while (durable_ < seq && failed_.ok()) {
    if (syncing_) {
      // The sync in flight may have started before this commit: wait for it, then look again.
      synced_cv_.wait(lock);
      continue;
    }
    // Every commit numbered up to `target` has returned, so its frames are in the file.
    const uint64_t target = committed_;
    syncing_ = true;
    lock.unlock();
    const int error = SyncWalFile();
    lock.lock();
    syncing_ = false;
    ++syncs_;
    if (error == 0) {
      durable_ = std::max(durable_, target);
    } else {
      failed_ = UnavailableError("fdatasync of the write-ahead log '" + wal_path_ +
                                 "' failed: " + std::strerror(error) +
                                 "; the store refuses writes until the daemon restarts");
    }
    synced_cv_.notify_all();
  }
  return durable_ >= seq ? Status::Ok() : failed_;
}

int WalSync::SyncWalFile() {
  if (sync_) return sync_();
  // The WAL is not deleted while the store's connections are open, but another process's last
  // close may remove it: a descriptor of an unlinked file would sync nothing that matters.
  struct stat st;
  if (fd_ >= 0 && (::fstat(fd_, &st) != 0 || st.st_nlink == 0)) {
    ::close(fd_);
    fd_ = -1;
  }
  if (fd_ < 0) {
    fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return errno;
  }
  return ::fdatasync(fd_) == 0 ? 0 : errno;
}

}  // namespace modelwatch::store::internal
