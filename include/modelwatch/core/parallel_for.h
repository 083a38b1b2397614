// The seam through which core computations use the caller's threads (core starts none).
#pragma once

#include <cstddef>
#include <functional>

namespace modelwatch {

// Runs body(begin, end) over a partition of [0, n) into contiguous chunks, possibly on several of
// the caller's threads at once, and returns when all are done. An empty ParallelFor runs
// body(0, n) on the calling thread.
using ParallelFor =
    std::function<void(size_t n, const std::function<void(size_t begin, size_t end)>& body)>;

// Calls parallel_for, or body(0, n) directly when it is empty.
inline void RunParallelFor(const ParallelFor& parallel_for, size_t n,
                           const std::function<void(size_t begin, size_t end)>& body) {
  if (parallel_for) {
    parallel_for(n, body);
  } else {
    body(0, n);
  }
}

}  // namespace modelwatch
