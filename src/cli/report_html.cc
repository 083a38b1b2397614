#include "report_html.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "drift_report_format.h"
#include "metrics_report_format.h"
#include "modelwatch/core/number_format.h"
#include "modelwatch/core/timestamp.h"

namespace modelwatch::cli {
namespace {

constexpr size_t kChartBins = 24;
constexpr size_t kChartCategories = 12;
constexpr int kChartWidth = 420;
constexpr int kChartHeight = 150;

constexpr std::string_view kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1f2328;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.muted{color:#656d76}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:140px}
.card b{display:block;font-size:20px}.bad{color:#cf222e}.good{color:#1a7f37}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:4px 10px;border-bottom:1px solid #eaeef2;text-align:right}
th:first-child,td:first-child,td.l,th.l{text-align:left}tr.drift td{background:#fff5f5}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:16px}
.col{border:1px solid #d0d7de;border-radius:6px;padding:8px 10px}.col h3{font-size:14px;margin:0 0 4px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
pre{background:#f6f8fa;padding:10px;overflow:auto;font-size:12px}
)";

std::string Num(double v, int digits = 4) {
  if (!std::isfinite(v)) return "-";
  std::ostringstream s;
  s.precision(digits);
  s << v;
  return s.str();
}

std::string Num(std::optional<double> v, int digits = 4) { return v ? Num(*v, digits) : "-"; }

// Two series of bars (reference blue, current orange) as shares of their totals.
std::string BarsSvg(const std::vector<std::string>& labels, const std::vector<double>& ref,
                    const std::vector<double>& cur, bool numeric_axis) {
  double ref_total = 0, cur_total = 0;
  for (double x : ref) ref_total += x;
  for (double x : cur) cur_total += x;
  double top = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    top = std::max(top, ref_total > 0 ? ref[i] / ref_total : 0.0);
    top = std::max(top, cur_total > 0 ? cur[i] / cur_total : 0.0);
  }
  if (top <= 0) top = 1;
  const size_t n = std::max<size_t>(1, ref.size());
  const double slot = static_cast<double>(kChartWidth - 10) / static_cast<double>(n);
  const double bar = std::max(1.0, slot / 2 - 1);
  const int plot = kChartHeight - 30;
  std::ostringstream svg;
  svg << "<svg width=\"" << kChartWidth << "\" height=\"" << kChartHeight
      << "\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">";
  for (size_t i = 0; i < ref.size(); ++i) {
    const double x = 5 + slot * static_cast<double>(i);
    const double hr = ref_total > 0 ? ref[i] / ref_total / top * plot : 0;
    const double hc = cur_total > 0 ? cur[i] / cur_total / top * plot : 0;
    svg << "<rect x=\"" << Num(x, 6) << "\" y=\"" << Num(plot - hr + 4, 6) << "\" width=\""
        << Num(bar, 4) << "\" height=\"" << Num(hr, 6) << "\" fill=\"#0969da\"><title>"
        << HtmlEscape(labels[i]) << ": reference " << Num(ref_total > 0 ? ref[i] / ref_total : 0)
        << "</title></rect>";
    svg << "<rect x=\"" << Num(x + bar + 1, 6) << "\" y=\"" << Num(plot - hc + 4, 6)
        << "\" width=\"" << Num(bar, 4) << "\" height=\"" << Num(hc, 6)
        << "\" fill=\"#fb8500\"><title>" << HtmlEscape(labels[i]) << ": current "
        << Num(cur_total > 0 ? cur[i] / cur_total : 0) << "</title></rect>";
  }
  svg << "<line x1=\"4\" y1=\"" << plot + 4 << "\" x2=\"" << kChartWidth - 4 << "\" y2=\""
      << plot + 4 << "\" stroke=\"#8c959f\"/>";
  if (!labels.empty()) {
    const std::string first = numeric_axis ? labels.front() : "";
    const std::string last = numeric_axis ? labels.back() : "";
    svg << "<text x=\"4\" y=\"" << kChartHeight - 8 << "\" font-size=\"11\" fill=\"#656d76\">"
        << HtmlEscape(first) << "</text><text x=\"" << kChartWidth - 4 << "\" y=\""
        << kChartHeight - 8 << "\" font-size=\"11\" fill=\"#656d76\" text-anchor=\"end\">"
        << HtmlEscape(last) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

std::string NumericChart(const ColumnProfile& ref, const ColumnProfile& cur) {
  const double lo = std::min(*ref.min(), *cur.min());
  const double hi = std::max(*ref.max(), *cur.max());
  const ColumnHistogram a = NumericHistogram(ref, lo, hi, kChartBins);
  const ColumnHistogram b = NumericHistogram(cur, lo, hi, kChartBins);
  std::vector<std::string> labels;
  for (size_t i = 0; i + 1 < a.edges.size(); ++i) {
    labels.push_back("[" + Num(a.edges[i]) + ", " + Num(a.edges[i + 1]) + ")");
  }
  if (!labels.empty()) {  // the axis shows the range ends
    labels.front() = Num(lo);
    labels.back() = Num(hi);
  }
  return BarsSvg(labels, a.counts, b.counts, true);
}

std::map<std::string, double> Frequencies(const ColumnProfile& c) {
  std::map<std::string, double> f;
  if (std::optional<std::map<std::string, uint64_t>> exact = c.ExactValueCounts()) {
    for (const auto& [k, n] : *exact) f[k] = static_cast<double>(n);
    return f;
  }
  for (const CategoryCounts::Row& row : c.categories().Items()) {
    f[row.item] = static_cast<double>(row.estimate);
  }
  return f;
}

std::string CategoricalChart(const ColumnProfile& ref, const ColumnProfile& cur) {
  const std::map<std::string, double> a = Frequencies(ref), b = Frequencies(cur);
  std::vector<std::pair<double, std::string>> order;
  std::map<std::string, double> both;
  for (const auto& [k, n] : a) both[k] += n;
  for (const auto& [k, n] : b) both[k] += n;
  for (const auto& [k, n] : both) order.emplace_back(-n, k);
  std::sort(order.begin(), order.end());
  if (order.size() > kChartCategories) order.resize(kChartCategories);
  std::vector<std::string> labels;
  std::vector<double> ra, cb;
  for (const auto& [neg, k] : order) {
    labels.push_back(k);
    ra.push_back(a.count(k) ? a.at(k) : 0.0);
    cb.push_back(b.count(k) ? b.at(k) : 0.0);
  }
  std::string svg = BarsSvg(labels, ra, cb, false);
  std::string names = "<div class=\"muted\" style=\"font-size:11px\">";
  for (size_t i = 0; i < labels.size(); ++i) {
    names += (i ? " · " : "") + HtmlEscape(labels[i].substr(0, 24));
  }
  return svg + names + (both.size() > kChartCategories ? " · …" : "") + "</div>";
}

void Summary(std::ostringstream& h, const DriftReport& r) {
  h << "<div class=\"cards\">";
  h << "<div class=\"card\">dataset drift<b class=\"" << (r.dataset_drift ? "bad" : "good") << "\">"
    << (r.dataset_drift ? "detected" : "not detected") << "</b></div>";
  h << "<div class=\"card\">drifted columns<b>" << r.n_drifted << " / " << r.n_columns
    << "</b><span class=\"muted\">share " << Num(r.drift_share, 3) << ", threshold "
    << Num(r.drift_share_threshold, 3) << "</span></div>";
  h << "<div class=\"card\">reference rows<b>" << r.n_reference << "</b></div>";
  h << "<div class=\"card\">current rows<b>" << r.n_current << "</b></div>";
  h << "</div>";
}

void DriftTable(std::ostringstream& h, const DriftReport& r) {
  h << "<table><tr><th class=\"l\">column</th><th class=\"l\">type</th><th class=\"l\">method"
       "</th><th>statistic</th><th>p-value</th><th>threshold</th><th>drift</th><th>effect size"
       "</th><th>missing (current)</th><th>exact</th></tr>";
  for (const ColumnDrift& c : r.columns) {
    h << "<tr" << (c.drift ? " class=\"drift\"" : "") << "><td>" << HtmlEscape(c.name)
      << "</td><td class=\"l\">" << ColumnTypeName(c.type) << "</td><td class=\"l\">"
      << DriftMethodName(c.method) << "</td><td>" << Num(c.statistic) << "</td><td>"
      << Num(c.p_value) << "</td><td>" << Num(c.threshold) << "</td><td class=\""
      << (c.drift ? "bad\">drift" : "good\">no") << "</td><td>" << Num(c.effect_size) << "</td><td>"
      << Num(c.missing_share_current, 3) << "</td><td>" << (c.exact ? "yes" : "estimate")
      << "</td></tr>";
  }
  h << "</table>";
}

void Charts(std::ostringstream& h, const ReportInput& in) {
  h << "<p class=\"legend\"><span style=\"background:#0969da\"></span>reference"
       "<span style=\"background:#fb8500\"></span>current (share of values per bin)</p>";
  h << "<div class=\"grid\">";
  for (const ColumnDrift& c : in.drift->columns) {
    const ColumnProfile* ref = in.reference->profile.Find(c.name);
    const ColumnProfile* cur = in.current->profile.Find(c.name);
    if (ref == nullptr || cur == nullptr) continue;
    h << "<div class=\"col\"><h3>" << HtmlEscape(c.name) << " <span class=\""
      << (c.drift ? "bad" : "muted") << "\">" << (c.drift ? "drift" : "no drift") << " · "
      << DriftMethodName(c.method) << " " << Num(c.statistic) << "</span></h3>";
    const bool numeric = c.type == ColumnType::kNumeric && ref->numbers() > 0 &&
                         cur->numbers() > 0 && ref->DistinctCount() > 5;
    h << (numeric ? NumericChart(*ref, *cur) : CategoricalChart(*ref, *cur));
    if (ref->numbers() > 0 && cur->numbers() > 0) {
      h << "<div class=\"muted\" style=\"font-size:12px\">mean " << Num(ref->mean()) << " → "
        << Num(cur->mean()) << " · std " << Num(std::sqrt(*ref->variance())) << " → "
        << Num(std::sqrt(*cur->variance())) << "</div>";
    }
    h << "</div>";
  }
  h << "</div>";
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ReportHtml(const ReportInput& in) {
  std::ostringstream h;
  h << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>modelwatch "
       "report</title><style>"
    << kStyle << "</style></head><body>";
  h << "<h1>modelwatch report</h1><div class=\"muted\">reference <b>"
    << HtmlEscape(in.reference->path) << "</b>" << (in.reference->from_profile ? " (profile)" : "")
    << " · current <b>" << HtmlEscape(in.current->path) << "</b>"
    << (in.current->from_profile ? " (profile)" : "") << "</div>";
  Summary(h, *in.drift);
  h << "<h2>Drift by column</h2>";
  DriftTable(h, *in.drift);
  h << "<p class=\"muted\">Methods and defaults: docs/drift.md. p-value methods drift when p &lt; "
       "threshold; distances when the statistic ≥ threshold. Effect size: normalized "
       "Wasserstein distance (numeric) or Jensen–Shannon distance (categorical).</p>";
  h << "<h2>Distributions</h2>";
  Charts(h, in);
  if (in.metrics != nullptr) {
    h << "<h2>Model quality (current data)</h2><pre>" << HtmlEscape(MetricsReportTable(*in.metrics))
      << "</pre>";
  }
  h << "<p class=\"muted\">Generated by modelwatch. This file is self-contained.</p>";
  h << "</body></html>\n";
  return h.str();
}

}  // namespace modelwatch::cli
