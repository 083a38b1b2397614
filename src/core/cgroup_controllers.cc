#include "modelwatch/core/cgroup_controllers.h"

#include "internal/proc_text.h"

namespace modelwatch {

Result<std::vector<std::string>> ParseCgroupControllers(std::string_view text,
                                                        std::string_view source) {
  const std::string_view trimmed = internal::Trim(text);
  if (trimmed.find('\n') != std::string_view::npos) {
    return internal::ContentError(source, 2, "expected one line");
  }
  std::vector<std::string> names;
  for (std::string_view field : internal::SplitFields(trimmed)) {
    for (char c : field) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        return internal::ContentError(source, 1,
                                      "controller name " + internal::Quote(field) +
                                          " is not lower-case letters, digits and '_'");
      }
    }
    names.emplace_back(field);
  }
  return names;
}

}  // namespace modelwatch
