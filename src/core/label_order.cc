#include "modelwatch/core/label_order.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "modelwatch/core/number_format.h"

namespace modelwatch {
namespace {

std::string JoinLabels(std::span<const std::string> labels) {
  std::string out;
  for (const auto& l : labels) {
    if (!out.empty()) out += ", ";
    out += l;
  }
  return out;
}

// Numeric canonicalization: every raw text and explicit label is a number.
LabelOrder NumericOrder(const std::vector<double>& raw_values) {
  LabelOrder order;
  order.numeric = true;
  std::vector<double> unique = raw_values;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  for (double v : unique) order.labels.push_back(CanonicalNumberText(v));
  for (double v : raw_values) {
    auto it = std::lower_bound(unique.begin(), unique.end(), v);
    order.raw_to_class.push_back(static_cast<uint32_t>(it - unique.begin()));
  }
  return order;
}

LabelOrder StringOrder(const LabelInterner& raw) {
  LabelOrder order;
  std::vector<std::string> unique;
  for (uint32_t id = 0; id < raw.size(); ++id) unique.push_back(raw.text(id));
  std::sort(unique.begin(), unique.end());
  for (uint32_t id = 0; id < raw.size(); ++id) {
    auto it = std::lower_bound(unique.begin(), unique.end(), raw.text(id));
    order.raw_to_class.push_back(static_cast<uint32_t>(it - unique.begin()));
  }
  order.labels = std::move(unique);
  return order;
}

Result<LabelOrder> ExplicitOrder(const LabelInterner& raw,
                                 std::span<const std::string> explicit_labels, bool numeric) {
  LabelOrder order;
  order.numeric = numeric;
  for (size_t i = 0; i < explicit_labels.size(); ++i) {
    double v = 0;
    std::string text = numeric && ParseLabelNumber(explicit_labels[i], &v) ? CanonicalNumberText(v)
                                                                           : explicit_labels[i];
    for (size_t j = 0; j < i; ++j) {
      if (SameLabel(explicit_labels[j], explicit_labels[i])) {
        return InvalidArgumentError("label '" + explicit_labels[i] + "' is listed twice in labels");
      }
    }
    order.labels.push_back(std::move(text));
  }
  for (uint32_t id = 0; id < raw.size(); ++id) {
    auto it = std::find_if(explicit_labels.begin(), explicit_labels.end(),
                           [&](const std::string& l) { return SameLabel(l, raw.text(id)); });
    if (it == explicit_labels.end()) {
      return InvalidArgumentError("label '" + raw.text(id) + "' is not one of the given labels (" +
                                  JoinLabels(explicit_labels) + ")");
    }
    order.raw_to_class.push_back(static_cast<uint32_t>(it - explicit_labels.begin()));
  }
  return order;
}

}  // namespace

bool ParseLabelNumber(std::string_view text, double* value) { return ParseDouble(text, value); }

std::string CanonicalNumberText(double value) {
  if (value == 0) return "0";  // also -0
  if (std::trunc(value) == value && std::fabs(value) < 9007199254740992.0) {
    return std::to_string(static_cast<int64_t>(value));
  }
  return FormatDouble(value);
}

bool SameLabel(std::string_view a, std::string_view b) {
  if (a == b) return true;
  double x = 0, y = 0;
  return ParseLabelNumber(a, &x) && ParseLabelNumber(b, &y) && x == y;
}

Result<LabelOrder> CanonicalLabelOrder(const LabelInterner& raw,
                                       std::span<const std::string> explicit_labels) {
  bool numeric = true;
  std::vector<double> raw_values;
  raw_values.reserve(raw.size());
  for (uint32_t id = 0; id < raw.size() && numeric; ++id) {
    double v = 0;
    numeric = ParseLabelNumber(raw.text(id), &v);
    raw_values.push_back(v);
  }
  for (const auto& l : explicit_labels) {
    double v = 0;
    numeric = numeric && ParseLabelNumber(l, &v);
  }
  if (!explicit_labels.empty()) return ExplicitOrder(raw, explicit_labels, numeric);
  return numeric ? NumericOrder(raw_values) : StringOrder(raw);
}

}  // namespace modelwatch
