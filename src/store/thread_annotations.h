// Clang thread-safety annotations (-Wthread-safety) and an annotated mutex for the store. Under
// other compilers the macros expand to nothing. Modelled on leveldb's port/thread_annotations.h;
// private to src/store/ until another component needs it (then it belongs in a shared port/).
//
// libstdc++'s std::mutex carries no capability attributes, so the analysis cannot see it: code
// that wants its locking checked uses Mutex and MutexLock below.
#pragma once

#include <mutex>

#if defined(__clang__)
#define MW_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define MW_THREAD_ANNOTATION_(x)
#endif

#define MW_CAPABILITY(x) MW_THREAD_ANNOTATION_(capability(x))
#define MW_SCOPED_CAPABILITY MW_THREAD_ANNOTATION_(scoped_lockable)
#define MW_GUARDED_BY(x) MW_THREAD_ANNOTATION_(guarded_by(x))
#define MW_PT_GUARDED_BY(x) MW_THREAD_ANNOTATION_(pt_guarded_by(x))
#define MW_REQUIRES(...) MW_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define MW_ACQUIRE(...) MW_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define MW_RELEASE(...) MW_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define MW_EXCLUDES(...) MW_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))

namespace modelwatch::store::internal {

// A std::mutex the analysis knows about. Not recursive.
class MW_CAPABILITY("mutex") Mutex {
 public:
  void Lock() MW_ACQUIRE() { mu_.lock(); }
  void Unlock() MW_RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Holds a Mutex for the lifetime of the object.
class MW_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) MW_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() MW_RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace modelwatch::store::internal
