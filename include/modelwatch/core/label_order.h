// The canonical class set of a classification task, as scikit-learn 1.2 derives it.
//
// Class identity is by value (DESIGN.md §3): when every label text parses as a number the labels
// are numeric, "1" and "1.0" are the same class, classes sort numerically and are printed in
// their shortest form ("1", "2.5"). Otherwise labels are strings compared and sorted byte-wise
// (= Python's code-point order for UTF-8). This matches np.unique on the column pandas reads.
//
// With explicit labels (--labels a,b,c) the order is the one given; a raw label that matches none
// of them is an error (kInvalidArgument naming the label).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/label_interner.h"
#include "modelwatch/core/status.h"

namespace modelwatch {

struct LabelOrder {
  std::vector<std::string> labels;     // canonical texts, in class order
  std::vector<uint32_t> raw_to_class;  // raw interned id -> class index
  bool numeric = false;                // all labels numeric
};

// True when `text` is a number (what from_chars accepts, optionally with a leading '+', no
// surrounding spaces), and stores its value in *value.
bool ParseLabelNumber(std::string_view text, double* value);

// The canonical text of a numeric label: integers without a fraction ("1"), others in the
// shortest round-trip form ("0.1", "1e+300").
std::string CanonicalNumberText(double value);

// True when two label texts denote the same class (same text, or both numeric with equal value).
bool SameLabel(std::string_view a, std::string_view b);

// Builds the class order from every raw label seen. `explicit_labels` empty: sorted union.
Result<LabelOrder> CanonicalLabelOrder(const LabelInterner& raw,
                                       std::span<const std::string> explicit_labels);

}  // namespace modelwatch
