#include "modelwatch/core/cgroup_value.h"

#include "internal/proc_text.h"

namespace modelwatch {

Result<uint64_t> ParseCgroupValue(std::string_view text, std::string_view source) {
  uint64_t value = 0;
  if (!internal::ParseU64(internal::Trim(text), &value)) {
    return internal::ContentError(source, 1,
                                  "expected one unsigned integer, got " + internal::Quote(text));
  }
  return value;
}

Result<std::optional<uint64_t>> ParseCgroupLimit(std::string_view text, std::string_view source) {
  const std::string_view trimmed = internal::Trim(text);
  if (trimmed == "max") return std::optional<uint64_t>();
  uint64_t value = 0;
  if (!internal::ParseU64(trimmed, &value)) {
    return internal::ContentError(
        source, 1, "expected an unsigned integer or 'max', got " + internal::Quote(text));
  }
  return std::optional<uint64_t>(value);
}

}  // namespace modelwatch
