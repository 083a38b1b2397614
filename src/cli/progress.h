// A one-line progress bar on a terminal: percentage of bytes read, rows and rows/s, redrawn at
// most 10 times a second and cleared at the end. Disabled (every call a no-op) when the stream is
// not a terminal, so piped output and logs stay clean.
// Thread safety: not thread safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>

namespace modelwatch::cli {

class ProgressBar {
 public:
  // `enabled` is normally IsTerminal(stderr).
  ProgressBar(std::ostream& out, bool enabled);
  ~ProgressBar();

  void Update(uint64_t bytes_read, uint64_t total_bytes, uint64_t rows);
  // Erases the bar.
  void Finish();

  // True when `out` is std::cerr and file descriptor 2 is a terminal.
  static bool IsTerminal(const std::ostream& out);

 private:
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace modelwatch::cli
