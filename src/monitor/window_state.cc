#include "modelwatch/monitor/window_state.h"

#include <algorithm>
#include <cmath>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/label_order.h"
#include "modelwatch/io/json_writer.h"
#include "summary_json.h"

namespace modelwatch::monitor {
namespace {

constexpr std::string_view kContext = "window state";

KllSketch QuantileSketch() { return KllSketch::Create(WindowState::kQuantileK).value(); }

ScoreOptions HistogramOptions() {
  ScoreOptions o;
  o.mode = ScoreMode::kHistogram;
  o.histogram_bins = WindowState::kScoreHistogramBins;
  return o;
}

void Bump(uint64_t& counter, int sign) {
  if (sign > 0) {
    ++counter;
  } else if (counter > 0) {
    --counter;
  }
}

bool AsNumber(const EventValue& v, double* out) {
  if (v.kind == EventValue::Kind::kNumber) {
    *out = v.number;
    return true;
  }
  return v.kind == EventValue::Kind::kString && ParseLabelNumber(v.text, out);
}

double LagSeconds(int64_t received_us, int64_t label_received_us) {
  return std::max<double>(0.0, static_cast<double>(label_received_us - received_us) / 1e6);
}

// A sketch (or profile) embedded as a length-prefixed frame.
template <typename T>
Result<T> ReadEmbedded(ByteReader& in, std::string_view what) {
  const size_t at = in.offset();
  MW_ASSIGN_OR_RETURN(std::string_view bytes, in.ReadString(what));
  Result<T> value = T::Deserialize(bytes);
  if (!value.ok()) {
    return in.Corrupt(at, std::string(what) + ": " + value.status().message());
  }
  return value;
}

Result<bool> ReadFlag(ByteReader& in, std::string_view what) {
  const size_t at = in.offset();
  MW_ASSIGN_OR_RETURN(const uint8_t flag, in.ReadU8(what));
  if (flag > 1) return in.Corrupt(at, std::string(what) + " is not 0 or 1");
  return flag == 1;
}

std::vector<std::string> ColumnNames(const DatasetProfile& profile) {
  std::vector<std::string> names;
  for (const ColumnProfile& c : profile.columns()) names.push_back(c.name());
  return names;
}

}  // namespace

std::optional<double> SketchQuantile(const KllSketch& sketch, double q) {
  if (sketch.empty()) return std::nullopt;
  if (sketch.is_estimation_mode()) return sketch.Quantile(q);
  // Every value is held: numpy's linear interpolation between the order statistics.
  const KllSortedView view = sketch.GetSortedView();
  const std::vector<uint64_t>& cumulative = view.cumulative_weights();
  auto at = [&](uint64_t index) {  // the index-th smallest value (0-based)
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), index);
    return view.items()[static_cast<size_t>(it - cumulative.begin())];
  };
  const double h = (static_cast<double>(view.n()) - 1.0) * q;
  const auto lo = static_cast<uint64_t>(std::floor(h));
  const double a = at(lo);
  if (lo + 1 >= view.n()) return a;
  return a + (at(lo + 1) - a) * (h - static_cast<double>(lo));
}

WindowState::WindowState(QualitySpec spec)
    : spec_(std::move(spec)),
      latency_(QuantileSketch()),
      lag_(QuantileSketch()),
      abs_errors_(QuantileSketch()) {}

WindowState::WindowState(const WindowState& other)
    : spec_(other.spec_),
      predictions_(other.predictions_),
      labelled_(other.labelled_),
      labelled_without_prediction_(other.labelled_without_prediction_),
      latency_count_(other.latency_count_),
      latency_sum_(other.latency_sum_),
      latency_(other.latency_),
      lag_count_(other.lag_count_),
      lag_sum_(other.lag_sum_),
      lag_(other.lag_),
      labels_(other.labels_),
      confusion_(other.confusion_),
      binary_scores_(other.binary_scores_),
      unscored_(other.unscored_),
      multiclass_scores_(other.multiclass_scores_),
      scores_mismatched_(other.scores_mismatched_),
      regression_(other.regression_),
      abs_errors_(other.abs_errors_),
      drift_(other.drift_ ? std::make_unique<Drift>(*other.drift_) : nullptr) {}

WindowState& WindowState::operator=(const WindowState& other) {
  if (this != &other) {
    WindowState copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void WindowState::StartDrift(const DatasetProfile& reference) {
  const int label_column = internal::LabelColumnIndex(reference);
  Result<DatasetProfile> features = DatasetProfile::Create(ColumnNames(reference), {});
  Result<DatasetProfile> labels = DatasetProfile::Create(
      {label_column >= 0 ? reference.columns()[label_column].name() : std::string(kLabelColumn)},
      {});
  if (!features.ok() || !labels.ok()) {  // only for duplicate names, which a profile cannot have
    drift_.reset();
    return;
  }
  drift_ = std::make_unique<Drift>(Drift{std::move(*features), std::move(*labels), label_column});
}

bool WindowState::HasDriftFor(const DatasetProfile& reference) const {
  if (drift_ == nullptr) return false;
  const std::vector<ColumnProfile>& mine = drift_->features.columns();
  const std::vector<ColumnProfile>& theirs = reference.columns();
  if (mine.size() != theirs.size()) return false;
  for (size_t i = 0; i < mine.size(); ++i) {
    if (mine[i].name() != theirs[i].name()) return false;
  }
  return true;
}

void WindowState::AddPrediction(const PredictionEvent& e, int64_t received_us,
                                int64_t label_received_us) {
  ++predictions_;
  if (e.latency_ms) {
    ++latency_count_;
    latency_sum_.Add(*e.latency_ms);
    latency_.Update(*e.latency_ms);
  }
  if (drift_ != nullptr) {
    const std::vector<ColumnProfile>& columns = drift_->features.columns();
    std::vector<ClassifiedValue> row(columns.size());
    for (size_t i = 0; i < columns.size(); ++i) {
      const EventValue* value = internal::ColumnValue(e, columns[i].name(), /*with_label=*/false);
      if (value != nullptr) row[i] = ClassifiedEventValue(*value);
    }
    drift_->features.UpdateClassifiedRow(row);
  }
  if (!e.label.is_null()) ApplyLabel(e, e.label, received_us, label_received_us, +1);
}

void WindowState::ReviseLabel(const store::StoredPrediction& p,
                              const store::PreviousLabel& previous) {
  if (!previous.label.is_null()) {
    ApplyLabel(p.event, previous.label, p.received_us, previous.label_received_us, -1);
  }
  if (!p.event.label.is_null()) {
    ApplyLabel(p.event, p.event.label, p.received_us, p.label_received_us, +1);
  }
}

void WindowState::ApplyLabel(const PredictionEvent& e, const EventValue& label, int64_t received_us,
                             int64_t label_received_us, int sign) {
  Bump(labelled_, sign);
  if (label_received_us > 0) {
    const double lag = LagSeconds(received_us, label_received_us);
    Bump(lag_count_, sign);
    lag_sum_.Add(sign > 0 ? lag : -lag);
    if (sign > 0) lag_.Update(lag);
  }
  if (drift_ != nullptr && sign > 0) {
    const ClassifiedValue value[] = {ClassifiedEventValue(label)};
    drift_->labels.UpdateClassifiedRow(value);
  }
  if (e.prediction.is_null()) {
    Bump(labelled_without_prediction_, sign);
    return;
  }
  if (spec_.task == Task::kRegression) {
    double truth = 0, prediction = 0;
    if (!AsNumber(label, &truth) || !AsNumber(e.prediction, &prediction)) {
      Bump(labelled_without_prediction_, sign);
      return;
    }
    if (sign > 0) {
      regression_.Update(truth, prediction);
      abs_errors_.Update(std::fabs(truth - prediction));
    } else {
      regression_.Remove(truth, prediction);
    }
    return;
  }
  const std::string label_text = label.CanonicalText();
  const uint32_t t = labels_.Intern(label_text);
  const uint32_t q = labels_.Intern(e.prediction.CanonicalText());
  if (sign > 0) {
    ++confusion_[{t, q}];
  } else {
    auto it = confusion_.find({t, q});
    if (it != confusion_.end() && --it->second == 0) confusion_.erase(it);
  }
  ApplyScores(e, label_text, sign);
}

void WindowState::ApplyScores(const PredictionEvent& e, const std::string& label_text, int sign) {
  if (spec_.task == Task::kBinary) {
    if (!e.score) {
      Bump(unscored_, sign);
      return;
    }
    const bool positive = SameLabel(label_text, spec_.positive_label);
    if (sign > 0) {
      if (!binary_scores_) binary_scores_.emplace(HistogramOptions());
      binary_scores_->Update(positive, *e.score);
    } else if (binary_scores_) {
      binary_scores_->Remove(positive, *e.score);
    }
    return;
  }
  if (e.scores.empty()) return;  // not scored: left out, as in WindowQuality
  if (!multiclass_scores_) {
    if (sign < 0) return;
    std::vector<std::string> classes = spec_.classes;
    if (classes.empty()) {
      LabelInterner names;
      for (const auto& [name, p] : e.scores) names.Intern(name);
      Result<LabelOrder> order = CanonicalLabelOrder(names, {});
      if (!order.ok()) return;
      classes = std::move(order->labels);
    }
    multiclass_scores_.emplace(std::move(classes), HistogramOptions());
  }
  const uint32_t num = multiclass_scores_->num_classes();
  // The row's probabilities in class order, and the index of its label.
  std::vector<double> p(num);
  uint32_t found = 0;
  uint32_t truth = num;
  const std::vector<std::string>& classes = multiclass_scores_->class_names();
  for (uint32_t c = 0; c < num; ++c) {
    for (const auto& [name, value] : e.scores) {
      if (SameLabel(name, classes[c])) {
        p[c] = value;
        ++found;
        break;
      }
    }
    if (truth == num && SameLabel(classes[c], label_text)) truth = c;
  }
  if (found != num || truth == num) {
    Bump(scores_mismatched_, sign);
    return;
  }
  if (sign > 0) {
    multiclass_scores_->Update(truth, p);
  } else {
    multiclass_scores_->Remove(truth, p);
  }
}

Status WindowState::MergeDrift(const WindowState& other) {
  if (other.drift_ == nullptr) return Status::Ok();
  if (drift_ == nullptr) {
    return InvalidArgumentError("WindowState::MergeDrift: this state has no drift profile");
  }
  MW_RETURN_IF_ERROR(drift_->features.Merge(other.drift_->features));
  return drift_->labels.Merge(other.drift_->labels);
}

Status WindowState::Merge(const WindowState& other) {
  if (other.spec_.task != spec_.task) {
    return InvalidArgumentError("WindowState::Merge: the tasks differ");
  }
  // Drift profiles merge when both states profile the same columns; otherwise this state keeps
  // its own (or none), as documented.
  if (drift_ != nullptr && other.drift_ != nullptr &&
      ColumnNames(drift_->features) == ColumnNames(other.drift_->features)) {
    MW_RETURN_IF_ERROR(MergeDrift(other));
  }
  predictions_ += other.predictions_;
  labelled_ += other.labelled_;
  labelled_without_prediction_ += other.labelled_without_prediction_;
  latency_count_ += other.latency_count_;
  latency_sum_.Merge(other.latency_sum_);
  latency_.Merge(other.latency_);
  lag_count_ += other.lag_count_;
  lag_sum_.Merge(other.lag_sum_);
  lag_.Merge(other.lag_);
  for (const auto& [cell, count] : other.confusion_) {
    const uint32_t t = labels_.Intern(other.labels_.text(cell.first));
    const uint32_t q = labels_.Intern(other.labels_.text(cell.second));
    confusion_[{t, q}] += count;
  }
  if (other.binary_scores_) {
    if (binary_scores_) {
      MW_RETURN_IF_ERROR(binary_scores_->Merge(*other.binary_scores_));
    } else {
      binary_scores_ = other.binary_scores_;
    }
  }
  unscored_ += other.unscored_;
  scores_mismatched_ += other.scores_mismatched_;
  if (other.multiclass_scores_) {
    if (!multiclass_scores_) {
      multiclass_scores_ = other.multiclass_scores_;
    } else if (multiclass_scores_->class_names() == other.multiclass_scores_->class_names()) {
      MW_RETURN_IF_ERROR(multiclass_scores_->Merge(*other.multiclass_scores_));
    } else {
      // Rows scored over another class set do not fit this one's.
      MulticlassScoreMetrics m = other.multiclass_scores_->Finish();
      scores_mismatched_ += m.n;
    }
  }
  regression_.Merge(other.regression_);
  abs_errors_.Merge(other.abs_errors_);
  return Status::Ok();
}

std::string WindowState::SummaryJson(const WindowDriftSpec& drift) const {
  io::JsonWriter w;
  std::vector<std::string> warnings;
  w.BeginObject();
  internal::WriteCounts(w, predictions_, labelled_);
  internal::QuantileSummary lag{
      lag_count_,
      lag_sum_.value(),
      {{"p50", SketchQuantile(lag_, 0.5)}, {"p95", SketchQuantile(lag_, 0.95)}},
      lag_.RankErrorBound(false)};
  internal::WriteQuantiles(w, "label_lag_seconds", lag);
  internal::QuantileSummary latency{latency_count_,
                                    latency_sum_.value(),
                                    {{"p50", SketchQuantile(latency_, 0.5)},
                                     {"p95", SketchQuantile(latency_, 0.95)},
                                     {"p99", SketchQuantile(latency_, 0.99)}},
                                    latency_.RankErrorBound(false)};
  internal::WriteQuantiles(w, "latency_ms", latency);
  w.Key("labelled_without_prediction");
  w.Uint(labelled_without_prediction_);
  w.Key("quality");
  const bool regression = spec_.task == Task::kRegression;
  if (regression ? regression_.count() == 0 : confusion_.empty()) {
    w.Null();
    warnings.push_back("no labelled predictions in this window: quality is undefined");
  } else if (regression) {
    RegressionMetrics m = regression_.Finish();
    m.median_ae = SketchQuantile(abs_errors_, 0.5);
    internal::WriteRegression(w, m, abs_errors_.RankErrorBound(false), &warnings);
  } else {
    // Only the labels that still have counts (a revised label may leave none).
    LabelInterner live;
    std::vector<std::tuple<uint32_t, uint32_t, uint64_t>> cells;
    cells.reserve(confusion_.size());
    for (const auto& [cell, count] : confusion_) {
      const uint32_t t = live.Intern(labels_.text(cell.first));
      cells.emplace_back(t, live.Intern(labels_.text(cell.second)), count);
    }
    internal::WriteClassification(
        w, spec_, std::move(live), cells, [&](const LabelOrder&) { WriteScores(w, &warnings); },
        &warnings);
  }
  std::vector<const ColumnProfile*> current;
  if (drift_ != nullptr) {
    for (const ColumnProfile& c : drift_->features.columns()) current.push_back(&c);
    if (drift_->label_column >= 0) current[drift_->label_column] = &drift_->labels.columns()[0];
  }
  WindowDriftSpec spec = drift;
  if (drift_ == nullptr && spec.reference != nullptr && spec.note.empty()) {
    spec.note =
        "drift: this window has no drift profile (it was written before the reference "
        "was ready)";
  }
  const bool profiled =
      drift_ != nullptr && drift.reference != nullptr && HasDriftFor(*drift.reference);
  internal::WriteDrift(w, spec, profiled, current, drift_ ? drift_->features.rows() : 0, &warnings);
  w.Key("warnings");
  w.BeginArray();
  for (const std::string& s : warnings) w.String(s);
  w.EndArray();
  w.EndObject();
  return w.str();
}

void WindowState::WriteScores(io::JsonWriter& w, std::vector<std::string>* warnings) const {
  if (spec_.task == Task::kBinary) {
    if (!binary_scores_ || binary_scores_->count() == 0) {
      w.Null();
      return;
    }
    if (unscored_ > 0) warnings->push_back("scores: some labelled predictions have no score");
    internal::WriteBinaryScores(w, binary_scores_->Finish(), warnings);
    return;
  }
  if (scores_mismatched_ > 0) {
    warnings->push_back(
        "scores: a labelled prediction lacks a probability for some class (or "
        "its label is not one of the scored classes); score metrics are left "
        "out");
    w.Null();
    return;
  }
  if (!multiclass_scores_) {
    w.Null();
    return;
  }
  const MulticlassScoreMetrics m = multiclass_scores_->Finish();
  if (m.n == 0) {
    w.Null();
    return;
  }
  internal::WriteMulticlassScores(w, m, warnings);
}

std::string WindowState::Serialize() const {
  ByteWriter out;
  out.PutU8(static_cast<uint8_t>(spec_.task));
  out.PutVarint(predictions_);
  out.PutVarint(labelled_);
  out.PutVarint(labelled_without_prediction_);
  out.PutVarint(latency_count_);
  out.PutDouble(latency_sum_.sum());
  out.PutDouble(latency_sum_.compensation());
  out.PutString(latency_.Serialize());
  out.PutVarint(lag_count_);
  out.PutDouble(lag_sum_.sum());
  out.PutDouble(lag_sum_.compensation());
  out.PutString(lag_.Serialize());
  out.PutVarint(labels_.size());
  for (uint32_t i = 0; i < labels_.size(); ++i) out.PutString(labels_.text(i));
  out.PutVarint(confusion_.size());
  for (const auto& [cell, count] : confusion_) {
    out.PutVarint(cell.first);
    out.PutVarint(cell.second);
    out.PutVarint(count);
  }
  out.PutU8(binary_scores_ ? 1 : 0);
  if (binary_scores_) binary_scores_->EncodeTo(out);
  out.PutVarint(unscored_);
  out.PutU8(multiclass_scores_ ? 1 : 0);
  if (multiclass_scores_) multiclass_scores_->EncodeTo(out);
  out.PutVarint(scores_mismatched_);
  regression_.EncodeTo(out);
  out.PutString(abs_errors_.Serialize());
  out.PutU8(drift_ ? 1 : 0);
  if (drift_) {
    out.PutString(drift_->features.Serialize());
    out.PutString(drift_->labels.Serialize());
  }
  return WriteFrame(FormatFamily::kWindowState, kFormatVersion, out.bytes());
}

Result<WindowState> WindowState::Deserialize(std::string_view bytes, QualitySpec spec) {
  MW_ASSIGN_OR_RETURN(OpenedFrame frame,
                      OpenFrame(bytes, FormatFamily::kWindowState, kFormatVersion, kContext));
  ByteReader in = frame.PayloadReader(kContext);
  const size_t task_at = in.offset();
  MW_ASSIGN_OR_RETURN(const uint8_t task, in.ReadU8("task"));
  if (task != static_cast<uint8_t>(spec.task)) {
    return in.Corrupt(task_at,
                      "the state is of a " +
                          std::string(TaskName(static_cast<Task>(std::min<uint8_t>(task, 2)))) +
                          " model; the model is " + std::string(TaskName(spec.task)));
  }
  WindowState s(std::move(spec));
  MW_ASSIGN_OR_RETURN(s.predictions_, in.ReadVarint("predictions"));
  MW_ASSIGN_OR_RETURN(s.labelled_, in.ReadVarint("labelled"));
  MW_ASSIGN_OR_RETURN(s.labelled_without_prediction_, in.ReadVarint("labelled without prediction"));
  MW_ASSIGN_OR_RETURN(s.latency_count_, in.ReadVarint("latency count"));
  MW_ASSIGN_OR_RETURN(const double latency_sum, in.ReadDouble("latency sum"));
  MW_ASSIGN_OR_RETURN(const double latency_comp, in.ReadDouble("latency sum"));
  s.latency_sum_ = CompensatedSum::FromParts(latency_sum, latency_comp);
  MW_ASSIGN_OR_RETURN(s.latency_, ReadEmbedded<KllSketch>(in, "latency sketch"));
  MW_ASSIGN_OR_RETURN(s.lag_count_, in.ReadVarint("label lag count"));
  MW_ASSIGN_OR_RETURN(const double lag_sum, in.ReadDouble("label lag sum"));
  MW_ASSIGN_OR_RETURN(const double lag_comp, in.ReadDouble("label lag sum"));
  s.lag_sum_ = CompensatedSum::FromParts(lag_sum, lag_comp);
  MW_ASSIGN_OR_RETURN(s.lag_, ReadEmbedded<KllSketch>(in, "label lag sketch"));
  MW_ASSIGN_OR_RETURN(const uint64_t labels, in.ReadCount("label count", UINT32_MAX, 1));
  for (uint64_t i = 0; i < labels; ++i) {
    const size_t at = in.offset();
    MW_ASSIGN_OR_RETURN(std::string_view text, in.ReadString("label"));
    if (s.labels_.Intern(text) != i) return in.Corrupt(at, "duplicate label");
  }
  MW_ASSIGN_OR_RETURN(const uint64_t cells, in.ReadCount("confusion cells", UINT32_MAX, 3));
  for (uint64_t i = 0; i < cells; ++i) {
    const size_t at = in.offset();
    MW_ASSIGN_OR_RETURN(const uint64_t t, in.ReadVarint("confusion label"));
    MW_ASSIGN_OR_RETURN(const uint64_t q, in.ReadVarint("confusion prediction"));
    MW_ASSIGN_OR_RETURN(const uint64_t count, in.ReadVarint("confusion count"));
    if (t >= labels || q >= labels || count == 0 ||
        !s.confusion_.emplace(std::pair<uint32_t, uint32_t>(t, q), count).second) {
      return in.Corrupt(at, "confusion cell out of range, empty or repeated");
    }
  }
  MW_ASSIGN_OR_RETURN(const bool has_binary, ReadFlag(in, "binary scores flag"));
  if (has_binary) {
    MW_ASSIGN_OR_RETURN(BinaryScoreAccumulator acc, BinaryScoreAccumulator::DecodeFrom(in));
    s.binary_scores_ = std::move(acc);
  }
  MW_ASSIGN_OR_RETURN(s.unscored_, in.ReadVarint("unscored rows"));
  MW_ASSIGN_OR_RETURN(const bool has_multiclass, ReadFlag(in, "multiclass scores flag"));
  if (has_multiclass) {
    MW_ASSIGN_OR_RETURN(MulticlassScoreAccumulator acc, MulticlassScoreAccumulator::DecodeFrom(in));
    s.multiclass_scores_ = std::move(acc);
  }
  MW_ASSIGN_OR_RETURN(s.scores_mismatched_, in.ReadVarint("mismatched score rows"));
  MW_ASSIGN_OR_RETURN(s.regression_, RegressionAccumulator::DecodeFrom(in));
  MW_ASSIGN_OR_RETURN(s.abs_errors_, ReadEmbedded<KllSketch>(in, "absolute error sketch"));
  MW_ASSIGN_OR_RETURN(const bool has_drift, ReadFlag(in, "drift flag"));
  if (has_drift) {
    const size_t at = in.offset();
    MW_ASSIGN_OR_RETURN(DatasetProfile features, ReadEmbedded<DatasetProfile>(in, "drift profile"));
    MW_ASSIGN_OR_RETURN(DatasetProfile label_profile,
                        ReadEmbedded<DatasetProfile>(in, "label drift profile"));
    if (label_profile.columns().size() != 1) {
      return in.Corrupt(at, "the label drift profile must have one column");
    }
    const int label_column = internal::LabelColumnIndex(features);
    s.drift_ =
        std::make_unique<Drift>(Drift{std::move(features), std::move(label_profile), label_column});
  }
  MW_RETURN_IF_ERROR(in.ExpectEnd());
  return s;
}

}  // namespace modelwatch::monitor
