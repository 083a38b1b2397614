#include "modelwatch/core/task.h"

namespace modelwatch {

std::string_view TaskName(Task task) {
  switch (task) {
    case Task::kBinary:
      return "binary";
    case Task::kMulticlass:
      return "multiclass";
    case Task::kRegression:
      return "regression";
  }
  return "binary";
}

std::optional<Task> TaskFromName(std::string_view name) {
  for (Task t : {Task::kBinary, Task::kMulticlass, Task::kRegression}) {
    if (name == TaskName(t)) return t;
  }
  return std::nullopt;
}

}  // namespace modelwatch
