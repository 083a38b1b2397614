// The kind of model being monitored or evaluated. One type for every layer: the metrics CLI,
// the daemon's configuration and the monitor's windows all say "binary", "multiclass" or
// "regression" and mean the same thing.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace modelwatch {

enum class Task { kBinary, kMulticlass, kRegression };

// "binary", "multiclass", "regression".
std::string_view TaskName(Task task);

// The task named `name` (as TaskName spells it), or nullopt.
std::optional<Task> TaskFromName(std::string_view name);

}  // namespace modelwatch
