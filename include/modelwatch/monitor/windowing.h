// Tumbling event-time windows with allowed lateness (DESIGN.md §4).
//
// A window of width W covers [start, start + W) with start a multiple of W since the Unix epoch
// (so 5-minute windows start at :00, :05, ...; 1-day windows at 00:00 UTC). The watermark of a
// model is the latest event time it has seen; a window closes once the watermark reaches
// start + W + allowed lateness. Events for a closed window are still stored and the window is
// evaluated again (counted as late); nothing accepted is dropped.
// Thread safety: pure functions.
#pragma once

#include <cstdint>

namespace modelwatch::monitor {

// Start of the window of width `width_us` (> 0) that holds `ts_us` (floor, also before 1970).
constexpr int64_t WindowStart(int64_t ts_us, int64_t width_us) {
  const int64_t q = ts_us / width_us;
  return (ts_us % width_us < 0 ? q - 1 : q) * width_us;
}

// True once the window starting at `start_us` is final for this watermark.
constexpr bool WindowClosed(int64_t start_us, int64_t width_us, int64_t lateness_us,
                            int64_t watermark_us) {
  return watermark_us >= start_us + width_us + lateness_us;
}

}  // namespace modelwatch::monitor
