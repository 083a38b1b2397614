#include "parallel.h"

#include <system_error>
#include <thread>
#include <vector>

namespace modelwatch::cli {

ParallelFor ThreadParallelFor(unsigned threads) {
  return [threads](size_t n, const std::function<void(size_t, size_t)>& body) {
    const size_t chunks = std::min<size_t>(n, threads > 1 ? threads : 1);
    if (chunks <= 1) {
      body(0, n);
      return;
    }
    auto bounds = [&](size_t c) { return n * c / chunks; };
    std::vector<std::thread> workers;
    std::vector<size_t> inline_chunks;
    for (size_t c = 1; c < chunks; ++c) {
      try {
        workers.emplace_back(body, bounds(c), bounds(c + 1));
      } catch (const std::system_error&) {
        inline_chunks.push_back(c);  // no thread to be had: run it here
      }
    }
    body(bounds(0), bounds(1));
    for (size_t c : inline_chunks) body(bounds(c), bounds(c + 1));
    for (auto& w : workers) w.join();
  };
}

}  // namespace modelwatch::cli
