// WalSync: makes commits durable outside the write lock, one fdatasync for many commits.
//
// With synchronous=FULL, SQLite fsyncs the write-ahead log inside COMMIT, while the store's
// write lock is held: on a disk whose fsync takes 4 ms no other call can write for that long,
// and every call pays a sync of its own. FULL adds exactly one thing to NORMAL in WAL mode: a
// sync of the WAL file after the commit's frames are written (sqlite3WalFrames). So the store
// commits with synchronous=NORMAL and, after releasing the write lock, calls WaitDurable: the
// frames of every commit that returned before an fdatasync of the WAL started are on stable
// storage when it returns (fsync applies to the file, whichever descriptor names it). While one
// thread syncs, the next one commits; callers that committed meanwhile share the next sync
// (group commit without changing what a call is: still one transaction).
//
// Ordering: the WAL is appended to in commit order and replayed as a prefix, so a durable commit
// implies every earlier one is durable too.
//
// Failure: an fdatasync that fails (EIO, ENOSPC) poisons the object: the kernel may have dropped
// the dirty pages, so a later successful sync would prove nothing. Every later WaitDurable and
// Healthy() return the same kUnavailable error until the process restarts (SQLite's recovery
// then rebuilds the state from what is on disk).
//
// Thread safety: all methods may be called from any thread. Committed() must be called in
// commit order (under the store's write lock).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "modelwatch/core/status.h"

namespace modelwatch::store::internal {

class WalSync {
 public:
  // Syncs `wal_path` (opened on first use, reopened when the file was replaced).
  explicit WalSync(std::string wal_path);
  // Calls `sync` instead (tests): returns 0 or an errno value.
  explicit WalSync(std::function<int()> sync);
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  // A commit returned: its sequence number (1, 2, ...), for WaitDurable.
  uint64_t Committed();
  // Returns once commit `seq` is on stable storage, or the error that poisoned the object.
  Status WaitDurable(uint64_t seq);
  // OK unless a sync failed.
  Status Healthy();
  // Number of fdatasync calls so far (tests, diagnostics).
  uint64_t syncs();

 private:
  int SyncWalFile();  // 0 or an errno value

  const std::string wal_path_;
  const std::function<int()> sync_;
  int fd_ = -1;  // used only by the thread that syncs (at most one at a time)

  std::mutex mu_;
  std::condition_variable synced_cv_;
  uint64_t committed_ = 0;  // guarded by mu_
  uint64_t durable_ = 0;    // every commit up to this one is durable
  bool syncing_ = false;    // a thread is in fdatasync
  uint64_t syncs_ = 0;
  Status failed_;
};

}  // namespace modelwatch::store::internal
