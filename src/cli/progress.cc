#include "progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace modelwatch::cli {

ProgressBar::ProgressBar(std::ostream& out, bool enabled)
    : out_(out), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

bool ProgressBar::IsTerminal(const std::ostream& out) {
  return &out == &std::cerr && isatty(STDERR_FILENO) == 1;
}

void ProgressBar::Update(uint64_t bytes_read, uint64_t total_bytes, uint64_t rows) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double percent =
      total_bytes > 0 ? 100.0 * static_cast<double>(bytes_read) / static_cast<double>(total_bytes)
                      : 0.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(percent / 100.0 * kWidth);
  char line[160];
  std::snprintf(line, sizeof(line), "\r[%-*.*s] %5.1f%%  %llu rows  %.1fM rows/s ", kWidth, filled,
                "##############################", percent, static_cast<unsigned long long>(rows),
                seconds > 0 ? static_cast<double>(rows) / seconds / 1e6 : 0.0);
  out_ << line << std::flush;
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (!enabled_ || !drawn_) return;
  out_ << "\r\x1b[2K" << std::flush;
  drawn_ = false;
}

}  // namespace modelwatch::cli
