// Renders a MetricsReport as the stable JSON of docs/cli.md (contract) or as a human table.
// Thread safety: pure functions.
#pragma once

#include <string>

#include "metrics_evaluation.h"

namespace modelwatch::cli {

// Pretty-printed JSON, keys as documented in docs/cli.md; undefined values are null.
std::string MetricsReportJson(const MetricsReport& report);
// Aligned plain-text tables for a terminal.
std::string MetricsReportTable(const MetricsReport& report);

}  // namespace modelwatch::cli
