// The self-contained HTML report of `modelwatch report` and `drift --format html`: summary,
// per-column drift table, per-column charts of the reference and current distributions (inline
// SVG), and the quality metrics when labels were given. One file, no scripts, fonts or images
// from elsewhere: it opens offline. Thread safety: pure function.
#pragma once

#include <string>

#include "modelwatch/io/dataset_input.h"
#include "metrics_evaluation.h"
#include "modelwatch/core/drift.h"

namespace modelwatch::cli {

struct ReportInput {
  const io::LoadedDataset* reference = nullptr;
  const io::LoadedDataset* current = nullptr;
  const DriftReport* drift = nullptr;
  const MetricsReport* metrics = nullptr;  // optional
};

std::string ReportHtml(const ReportInput& input);

// `text` with &, <, >, " and ' escaped for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace modelwatch::cli
