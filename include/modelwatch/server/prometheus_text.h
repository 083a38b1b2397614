// Writer of the Prometheus text exposition format (version 0.0.4), which /metrics serves.
//
// Metrics are gathered at scrape time from the daemon's state (like node_exporter's collectors)
// rather than kept in a client-library registry: most of them are derived from window
// summaries, and a registry would hold a second copy of that state (docs/metrics.md).
//
// Usage: Family() once per metric name (writes # HELP and # TYPE), then Sample() for each series
// of it. Label values are escaped (backslash, double quote, newline); values are written in
// the shortest round-trip form, with NaN, +Inf and -Inf spelled as Prometheus expects.
// Contract: names must match [a-zA-Z_:][a-zA-Z0-9_:]* and label names [a-zA-Z_][a-zA-Z0-9_]*
// (callers use constants); a family's samples follow it without another family in between.
// Thread safety: not thread safe; one writer per scrape.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelwatch::server {

using PromLabels = std::vector<std::pair<std::string_view, std::string_view>>;

class PrometheusText {
 public:
  enum class Type { kCounter, kGauge, kSummary, kUntyped };

  void Family(std::string_view name, Type type, std::string_view help);
  // `name` is the family's name, or it plus a suffix (_sum, _count) for summaries.
  void Sample(std::string_view name, const PromLabels& labels, double value);

  const std::string& str() const { return out_; }

  // The content type of this format.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  std::string out_;
};

// Label value text with \\, \" and \n escaped.
std::string EscapePromLabelValue(std::string_view value);

}  // namespace modelwatch::server
