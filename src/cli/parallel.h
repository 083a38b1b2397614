// A ParallelFor (core/parallel_for.h) on plain threads, for the CLI's parallel evaluation.
// Thread safety: the returned function may be called from one thread at a time.
#pragma once

#include "modelwatch/core/score_metrics.h"

namespace modelwatch::cli {

// Splits [0, n) into at most `threads` contiguous chunks of nearly equal size and runs body on
// each, chunk 0 on the calling thread; returns when all are done. A chunk whose thread cannot be
// started runs on the calling thread. threads <= 1 runs body(0, n) inline.
ParallelFor ThreadParallelFor(unsigned threads);

}  // namespace modelwatch::cli
