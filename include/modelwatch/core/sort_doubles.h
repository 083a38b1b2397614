// Sorting of plain double samples, the step every exact two-sample test starts with.
//
// SortDoubles orders values ascending like std::sort with operator<, but in linear time for
// large inputs: an LSD radix sort over the order-preserving 64-bit image of each double, 11 bits
// per pass, skipping the passes whose digit is the same for every value (common: the sign and
// the top exponent bits of a sample). Already sorted input is detected in one scan and left as
// is. Small inputs use std::sort.
//
// Contract: values must not contain NaN (their place is unspecified; nothing else breaks).
// -0.0 sorts before +0.0 (std::sort leaves them in either order, as they compare equal).
// Allocates a scratch buffer of values.size() doubles for large inputs. Thread-compatible: no
// shared state.
#pragma once

#include <span>
#include <vector>

namespace modelwatch {

void SortDoubles(std::span<double> values);

// `values` in ascending order without copying when they already are: returns `values` itself if
// sorted, else a sorted copy held in *storage (which must outlive the returned span).
std::span<const double> SortedView(std::span<const double> values, std::vector<double>* storage);

}  // namespace modelwatch
