// Sorting of plain double samples, the step every exact two-sample test starts with.
//
// SortDoubles orders values ascending like std::sort with operator<, but in linear time for large
// inputs: a most-significant-digit-first radix sort over the order-preserving 64-bit image of each
// double. Each pass takes its digit from the highest bits in which the keys of its range still
// differ (so the sign and exponent bits that a sample shares cost nothing), guessed from a sample
// of the keys so that the scan which finds those bits also counts the keys by the digit (counted
// again in the rare case that the sample missed a higher varying bit). The first pass, over all
// values, takes 16 bits at most (one pass over memory with a wide digit, straight from the doubles
// into the scratch buffer as keys); the buckets it leaves fit in cache and are split again (13 bits
// at most, fewer for fewer keys) down to 32 keys; each run of consecutive small buckets is then
// finished by one insertion sort over the run (a key only moves within its bucket). Every pass
// counts and scatters the two halves of its range as two independent streams (the first half's keys
// of a bucket before the second's), which the scatter's chains of counter loads and stores
// otherwise serialize, and prefetches for writing the cache lines its buckets are about to fill
// (too many streams for the hardware prefetchers to follow). Measured on the 40 numeric columns of
// bench/data/drift_{ref,cur}_1m.csv on the 2-core EPYC VM, old and new alternated in one run on the
// shared, busy machine (load average 4-5): 1129 ms for the 40, best of 9 (median 1158 ms), against
// 1813 ms (median 1834 ms) for the version with one stream, 11-bit later digits, a separate scan
// for the varying bits and no prefetching: 0.62 of its time, about 20 ms per 1M-value column where
// that version took 32 ms on a quieter machine; 50 ms for the LSD radix sort before that (11-bit
// digits, 6 passes; its scatter into 2048 buckets of 4 KiB each ran out of TLB entries) and 105 ms
// for std::sort. Already sorted input is detected in one scan and left as is. Small inputs (< 256)
// use std::sort on the keys.
//
// Contract: values must not contain NaN (their place is unspecified; nothing else breaks).
// -0.0 sorts before +0.0 (std::sort leaves them in either order, as they compare equal), except
// in input that is already ascending by value, which is left as it is.
// Allocates a scratch buffer of values.size() doubles and at most about 1 MiB of counters.
// Thread-compatible: no shared state.
#pragma once

#include <span>
#include <vector>

namespace modelwatch {

void SortDoubles(std::span<double> values);

// `values` in ascending order without copying when they already are: returns `values` itself if
// sorted, else a sorted copy held in *storage (which must outlive the returned span).
std::span<const double> SortedView(std::span<const double> values, std::vector<double>* storage);

}  // namespace modelwatch
