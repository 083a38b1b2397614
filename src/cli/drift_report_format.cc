#include "drift_report_format.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "modelwatch/core/number_format.h"
#include "modelwatch/core/timestamp.h"
#include "modelwatch/io/json_writer.h"

namespace modelwatch::cli {
namespace {

constexpr double kProfileQuantiles[] = {0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0};
constexpr size_t kProfileBins = 20;
constexpr size_t kTopValues = 10;

void WriteColumnProfile(io::JsonWriter& w, const ColumnProfile& c) {
  w.BeginObject();
  w.Key("type");
  w.String(ColumnTypeName(c.type()));
  w.Key("count");
  w.Uint(c.count());
  w.Key("missing");
  w.Uint(c.missing());
  w.Key("distinct");
  w.Double(c.DistinctCount());
  w.Key("distinct_exact");
  w.Bool(c.distinct_is_exact());
  w.Key("numbers");
  w.Uint(c.numbers());
  if (c.numbers() > 0) {
    w.Member("min", c.min());
    w.Member("max", c.max());
    w.Member("mean", c.mean());
    w.Member("std", std::sqrt(*c.variance()));
    w.Key("quantiles");
    w.BeginObject();
    for (double q : kProfileQuantiles) {
      w.Key(FormatDouble(q));
      w.Double(c.quantiles().Quantile(q));
    }
    w.EndObject();
    w.Key("quantile_rank_error");
    w.Double(c.quantiles().RankErrorBound(false));
    const ColumnHistogram h = NumericHistogram(c, *c.min(), *c.max(), kProfileBins);
    w.Key("histogram");
    w.BeginObject();
    w.Key("edges");
    w.BeginArray();
    for (double e : h.edges) w.Double(e);
    w.EndArray();
    w.Key("counts");
    w.BeginArray();
    for (double n : h.counts) w.Double(n);
    w.EndArray();
    w.EndObject();
  }
  const std::vector<CategoryCounts::Row> items = c.categories().Items();
  if (!items.empty()) {
    w.Key("top_values");
    w.BeginArray();
    for (size_t i = 0; i < items.size() && i < kTopValues; ++i) {
      w.BeginObject();
      w.Key("value");
      w.String(items[i].item);
      w.Key("count");
      w.Uint(items[i].estimate);
      w.Key("count_lower_bound");
      w.Uint(items[i].lower_bound);
      w.EndObject();
    }
    w.EndArray();
    w.Key("top_values_exact");
    w.Bool(c.categories().is_exact());
  }
  w.EndObject();
}

std::string Fixed(std::optional<double> v, int digits) {
  if (!v) return "-";
  std::ostringstream s;
  s << std::setprecision(digits) << std::fixed << *v;
  return s.str();
}

}  // namespace

ColumnHistogram NumericHistogram(const ColumnProfile& column, double lo, double hi, size_t bins) {
  ColumnHistogram h;
  if (!(hi > lo)) bins = 1;
  for (size_t i = 0; i <= bins; ++i) {
    h.edges.push_back(lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(bins));
  }
  h.edges.back() = hi;
  h.counts = column.BinCounts(h.edges);
  return h;
}

std::string ProfileJson(const DatasetProfile& p) {
  io::JsonWriter w(2);
  w.BeginObject();
  w.Key("format");
  w.String("modelwatch-profile");
  w.Key("version");
  w.Uint(DatasetProfile::kFormatVersion);
  w.Key("rows");
  w.Uint(p.rows());
  if (!p.time_column().empty()) {
    w.Key("time_column");
    w.String(p.time_column());
    w.Key("time_min");
    if (p.time_min()) {
      w.String(FormatTimestamp(*p.time_min()));
    } else {
      w.Null();
    }
    w.Key("time_max");
    if (p.time_max()) {
      w.String(FormatTimestamp(*p.time_max()));
    } else {
      w.Null();
    }
    w.Key("rows_without_time");
    w.Uint(p.rows_without_time());
  }
  w.Key("columns");
  w.BeginObject();
  for (const ColumnProfile& c : p.columns()) {
    w.Key(c.name());
    WriteColumnProfile(w, c);
  }
  w.EndObject();
  w.EndObject();
  return w.str() + "\n";
}

std::string DriftReportJson(const DriftReport& r) {
  io::JsonWriter w(2);
  w.BeginObject();
  w.Key("dataset_drift");
  w.Bool(r.dataset_drift);
  w.Key("drift_share");
  w.Double(r.drift_share);
  w.Key("drift_share_threshold");
  w.Double(r.drift_share_threshold);
  w.Key("n_drifted");
  w.Uint(r.n_drifted);
  w.Key("n_columns");
  w.Uint(r.n_columns);
  w.Key("n_reference");
  w.Uint(r.n_reference);
  w.Key("n_current");
  w.Uint(r.n_current);
  w.Key("correction");
  w.String(PValueCorrectionName(r.correction));
  w.Key("columns");
  w.BeginObject();
  for (const ColumnDrift& c : r.columns) {
    w.Key(c.name);
    w.BeginObject();
    w.Key("type");
    w.String(ColumnTypeName(c.type));
    w.Key("method");
    w.String(DriftMethodName(c.method));
    w.Key("statistic");
    w.Double(c.statistic);
    w.Member("p_value", c.p_value);
    if (r.correction != PValueCorrection::kNone) w.Member("p_value_uncorrected", c.raw_p_value);
    w.Key("threshold");
    w.Double(c.threshold);
    w.Key("drift");
    w.Bool(c.drift);
    w.Member("effect_size", c.effect_size);
    w.Key("n_reference");
    w.Uint(c.n_reference);
    w.Key("n_current");
    w.Uint(c.n_current);
    w.Key("missing_share_current");
    w.Double(c.missing_share_current);
    w.Key("exact");
    w.Bool(c.exact);
    if (c.error_bound) w.Member("error_bound", c.error_bound);
    if (!c.notes.empty()) {
      w.Key("notes");
      w.BeginArray();
      for (const std::string& n : c.notes) w.String(n);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return w.str() + "\n";
}

std::string DriftReportTable(const DriftReport& r) {
  std::ostringstream out;
  out << "dataset drift: " << (r.dataset_drift ? "YES" : "no") << "   " << r.n_drifted << " of "
      << r.n_columns << " columns drifted (share " << Fixed(r.drift_share, 3) << ", threshold "
      << Fixed(r.drift_share_threshold, 3) << ")   rows: reference " << r.n_reference
      << ", current " << r.n_current << "\n\n";
  size_t name_width = 6;
  for (const ColumnDrift& c : r.columns) name_width = std::max(name_width, c.name.size());
  out << std::left << std::setw(static_cast<int>(name_width) + 2) << "column" << std::setw(13)
      << "type" << std::setw(13) << "method" << std::right << std::setw(12) << "statistic"
      << std::setw(12) << "p_value" << std::setw(11) << "threshold" << std::setw(8) << "drift"
      << std::setw(10) << "effect" << std::setw(10) << "missing"
      << "\n";
  for (const ColumnDrift& c : r.columns) {
    out << std::left << std::setw(static_cast<int>(name_width) + 2) << c.name << std::setw(13)
        << ColumnTypeName(c.type) << std::setw(13) << DriftMethodName(c.method) << std::right
        << std::setw(12) << Fixed(c.statistic, 5) << std::setw(12)
        << (c.p_value ? FormatDouble(*c.p_value).substr(0, 10) : "-") << std::setw(11)
        << Fixed(c.threshold, 3) << std::setw(8) << (c.drift ? "DRIFT" : "no") << std::setw(10)
        << Fixed(c.effect_size, 4) << std::setw(10) << Fixed(c.missing_share_current, 4)
        << (c.exact ? "" : "  ~") << "\n";
  }
  bool any_approx = false;
  for (const ColumnDrift& c : r.columns) any_approx |= !c.exact;
  if (any_approx) out << "\n~ computed from a profile (approximate; see --format json)\n";
  return out.str();
}

}  // namespace modelwatch::cli
