// Comma-separated flag values ("a,b,c") of the CLI. Thread safety: pure function.
#pragma once

#include <string>
#include <vector>

namespace modelwatch::cli {

// "a,b,c" -> {"a", "b", "c"}; "a,,b" keeps the empty item; "" -> {}.
std::vector<std::string> SplitCommaList(const std::string& text);

}  // namespace modelwatch::cli
