#include "metrics_evaluation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>

#include "modelwatch/core/confusion_matrix.h"
#include "modelwatch/core/label_interner.h"
#include "modelwatch/core/label_order.h"
#include "modelwatch/core/number_format.h"
#include "parallel.h"

namespace modelwatch::cli {
namespace {

constexpr uint64_t kProgressEvery = 1 << 16;  // rows between progress callbacks

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

Status EmptyFieldError(const io::TableReader& r, size_t i, const std::string& column) {
  return InvalidArgumentError(r.WhereField(i) + ": column '" + column + "' is empty");
}

// The hot path of every numeric field: true when `text` is a finite number (a probability in
// [0, 1] when `probability`). The error is built by NumberError, out of line, only on failure.
inline bool ParseFiniteNumber(std::string_view text, bool probability, double* out) {
  if (!ParseDouble(text, out)) return false;
  return probability ? (*out >= 0.0 && *out <= 1.0) : std::isfinite(*out);
}

[[gnu::noinline, gnu::cold]] Status NumberError(const io::TableReader& r, size_t i,
                                                const std::string& column, bool probability) {
  const std::string_view text = r.field(i);  // a null field is empty
  if (text.empty()) return EmptyFieldError(r, i, column);
  double value = 0;
  if (!ParseDouble(text, &value) || !std::isfinite(value)) {
    return InvalidArgumentError(r.WhereField(i) + ": column '" + column + "': '" +
                                std::string(text) + "' is not a finite number");
  }
  (void)probability;  // the only other way to fail
  return InvalidArgumentError(r.WhereField(i) + ": column '" + column + "': probability " +
                              std::string(text) + " is outside [0, 1]");
}

Status ParseNumber(const io::TableReader& r, size_t i, const std::string& column, double* out) {
  if (ParseFiniteNumber(r.field(i), /*probability=*/false, out)) [[likely]]
    return Status::Ok();
  return NumberError(r, i, column, /*probability=*/false);
}

Status ParseProbability(const io::TableReader& r, size_t i, const std::string& column,
                        double* out) {
  if (ParseFiniteNumber(r.field(i), /*probability=*/true, out)) [[likely]]
    return Status::Ok();
  return NumberError(r, i, column, /*probability=*/true);
}

// Splitting pays for its threads only with at least 1 MiB per part.
bool ParallelWorthIt(const std::vector<uint64_t>& splits) {
  constexpr uint64_t kMinBytesPerPart = 1 << 20;
  return !splits.empty() && splits.front() >= kMinBytesPerPart;
}

// The score columns of a multiclass request: (class label, column name) pairs.
Result<std::vector<std::pair<std::string, std::string>>> MulticlassScoreColumns(
    const MetricsRequest& req, const io::TableReader& reader) {
  if (!req.score_prefix.empty()) {
    std::vector<std::pair<std::string, std::string>> cols;
    for (const auto& name : reader.column_names()) {
      if (name.size() > req.score_prefix.size() && name.starts_with(req.score_prefix)) {
        cols.emplace_back(name.substr(req.score_prefix.size()), name);
      }
    }
    if (cols.empty()) {
      return NotFoundError(reader.file_name() + ":1: no column starts with the score prefix '" +
                           req.score_prefix + "' (columns: " + Join(reader.column_names()) + ")");
    }
    return cols;
  }
  return req.score_cols;
}

// Ids of labels of at most 8 bytes, direct-mapped by their bytes in front of a LabelInterner: one
// hash and one compare per label in place of the interner's scan (a label column holds few
// distinct values, mostly short: "0", "1", "cat"). A slot that two labels share holds the last
// one inserted; a label not held is looked up in the interner.
class ShortLabelCache {
 public:
  static constexpr uint32_t kMiss = UINT32_MAX;

  uint32_t Find(std::string_view text) const {
    if (text.size() > 8) return kMiss;
    const uint64_t bytes = PackShortLabel(text);
    const Slot& slot = slots_[SlotOf(bytes, text.size())];
    return slot.bytes == bytes && slot.size == text.size() ? slot.id : kMiss;
  }

  void Insert(std::string_view text, uint32_t id) {
    if (text.size() > 8) return;
    const uint64_t bytes = PackShortLabel(text);
    slots_[SlotOf(bytes, text.size())] = Slot{bytes, text.size(), id};
  }

 private:
  static constexpr int kSlotBits = 6;
  struct Slot {
    uint64_t bytes = 0;
    size_t size = SIZE_MAX;  // no label
    uint32_t id = 0;
  };

  static size_t SlotOf(uint64_t bytes, size_t size) {
    return static_cast<size_t>(((bytes + size) * 0x9E3779B97F4A7C15ull) >> (64 - kSlotBits));
  }

  std::array<Slot, size_t{1} << kSlotBits> slots_{};
};

// Streams classification rows into a confusion matrix and, when requested, score accumulators.
class ClassificationEvaluator {
 public:
  ClassificationEvaluator(const MetricsRequest& req,
                          std::vector<std::pair<std::string, std::string>> score_columns)
      : req_(req), score_columns_(std::move(score_columns)) {
    if (req.task == Task::kBinary && !req.score_col.empty()) {
      binary_scores_.emplace(req.scores);
    }
    if (req.task == Task::kMulticlass && !score_columns_.empty()) {
      std::vector<std::string> classes;
      for (const auto& [label, column] : score_columns_) classes.push_back(label);
      multiclass_scores_.emplace(std::move(classes), req.scores);
      row_scores_.resize(score_columns_.size());
    }
  }

  // Selected column layout: 0 label, 1 prediction, then score columns.
  std::vector<std::string> SelectedColumns() const {
    std::vector<std::string> cols = {req_.label_col, req_.pred_col};
    if (binary_scores_) cols.push_back(req_.score_col);
    for (const auto& [label, column] : score_columns_) cols.push_back(column);
    return cols;
  }

  Status Row(const io::TableReader& r) {
    const std::string_view truth_text = r.field(0), pred_text = r.field(1);  // null is empty
    if (truth_text.empty()) return EmptyFieldError(r, 0, req_.label_col);
    if (pred_text.empty()) return EmptyFieldError(r, 1, req_.pred_col);
    const uint32_t truth = Intern(r, 0, truth_text);
    const uint32_t pred = Intern(r, 1, pred_text);
    if (truth == kBadLabel || pred == kBadLabel) return pending_error_;
    confusion_.Update(truth, pred);
    if (binary_scores_) {
      double p = 0;
      MW_RETURN_IF_ERROR(ParseProbability(r, 2, req_.score_col, &p));
      binary_scores_->Update(label_info_[truth].positive, p);
    } else if (multiclass_scores_) {
      MW_RETURN_IF_ERROR(MulticlassRowScores(r, truth));
    }
    return Status::Ok();
  }

  // Adds the rows that an evaluator of another part of the same file has seen. Labels are
  // matched by text; LabelsValid() then re-checks what needs the whole file.
  // `other` is consumed: its stored scores are moved, not copied.
  void Merge(ClassificationEvaluator&& other) {
    std::vector<uint32_t> id_map(other.interner_.size());
    for (uint32_t id = 0; id < id_map.size(); ++id) {
      const size_t before = interner_.size();
      id_map[id] = interner_.Intern(other.interner_.text(id));
      if (interner_.size() != before) RecordNewLabel(id_map[id]);
    }
    for (uint32_t t = 0; t < id_map.size(); ++t) {
      for (uint32_t p = 0; p < id_map.size(); ++p) {
        if (uint64_t c = other.confusion_.count(t, p)) confusion_.Add(id_map[t], id_map[p], c);
      }
    }
    // Same request, so the options match and Merge cannot fail.
    if (binary_scores_) (void)binary_scores_->Merge(std::move(*other.binary_scores_));
    if (multiclass_scores_) (void)multiclass_scores_->Merge(std::move(*other.multiclass_scores_));
  }

  // The whole-file label rules that Row() checks as labels appear.
  bool LabelsValid() const {
    for (uint32_t id = 0; id < interner_.size(); ++id) {
      if (!IsAllowedLabel(interner_.text(id))) return false;
    }
    return req_.task != Task::kBinary || (classes_.size() <= 2 && HasPositiveClassIfComplete());
  }

  // `parallel_for` may rank the classes' scores in parallel.
  Result<MetricsReport> Finish(const ParallelFor& parallel_for = nullptr) {
    MW_ASSIGN_OR_RETURN(LabelOrder order, CanonicalLabelOrder(interner_, req_.labels));
    MetricsReport report;
    report.task = req_.task;
    report.labels = order.labels;
    const uint32_t k = static_cast<uint32_t>(order.labels.size());
    report.confusion = confusion_.Remap(order.raw_to_class, k);
    ClassificationOptions options = req_.classification;
    options.binary = req_.task == Task::kBinary;
    options.positive_class = -1;
    for (uint32_t c = 0; c < k; ++c) {
      if (options.binary && SameLabel(order.labels[c], req_.positive_label)) {
        options.positive_class = c;
      }
    }
    report.classification = ComputeClassificationMetrics(report.confusion, report.labels, options);
    report.n = report.classification->n;
    report.score_mode = req_.scores.mode;
    if (binary_scores_) report.binary_scores = binary_scores_->Finish(parallel_for);
    if (multiclass_scores_) report.multiclass_scores = multiclass_scores_->Finish(parallel_for);
    return report;
  }

 private:
  static constexpr uint32_t kBadLabel = UINT32_MAX;

  struct LabelInfo {
    bool positive = false;      // binary: same class as the positive label
    int32_t score_column = -1;  // multiclass: index of this label's score column
  };

  // The id of the label at field i of the current row: from the cache (inline, every row), else
  // from the interner (out of line).
  [[gnu::always_inline]] uint32_t Intern(const io::TableReader& r, size_t i,
                                         std::string_view text) {
    const uint32_t cached = label_cache_.Find(text);
    if (cached != ShortLabelCache::kMiss) [[likely]]
      return cached;
    return InternUncached(r, i, text);
  }

  [[gnu::noinline]] uint32_t InternUncached(const io::TableReader& r, size_t i,
                                            std::string_view text) {
    const size_t before = interner_.size();
    const uint32_t id = interner_.Intern(text);
    if (interner_.size() != before) [[unlikely]] {
      pending_error_ = OnNewLabel(r, i, id);
      if (!pending_error_.ok()) return kBadLabel;
    }
    label_cache_.Insert(text, id);
    return id;
  }

  // Records what rows need to know about a label seen for the first time; true when it is a new
  // class (not equal by value to a label seen before).
  bool RecordNewLabel(uint32_t id) {
    const std::string& text = interner_.text(id);
    LabelInfo info;
    info.positive = SameLabel(text, req_.positive_label);
    for (size_t j = 0; j < score_columns_.size(); ++j) {
      if (SameLabel(score_columns_[j].first, text)) info.score_column = static_cast<int32_t>(j);
    }
    label_info_.push_back(info);
    const bool known = std::any_of(classes_.begin(), classes_.end(),
                                   [&](const std::string& c) { return SameLabel(c, text); });
    if (!known) classes_.push_back(text);
    return !known;
  }

  // Records a label seen for the first time at field i of the current row and checks it there.
  Status OnNewLabel(const io::TableReader& r, size_t i, uint32_t id) {
    const std::string& text = interner_.text(id);
    const std::string& column = i == 0 ? req_.label_col : req_.pred_col;
    if (!IsAllowedLabel(text)) {
      return InvalidArgumentError(r.WhereField(i) + ": column '" + column + "': label '" + text +
                                  "' is not one of --labels (" + Join(req_.labels) + ")");
    }
    if (!RecordNewLabel(id) || req_.task != Task::kBinary) return Status::Ok();
    if (classes_.size() > 2) {
      return InvalidArgumentError(r.WhereField(i) + ": column '" + column +
                                  "': a binary task has two labels, but found a third: '" + text +
                                  "' (after " + classes_[0] + ", " + classes_[1] +
                                  "); use --task multiclass");
    }
    if (!HasPositiveClassIfComplete()) {
      return InvalidArgumentError(r.WhereField(i) + ": the positive label '" + req_.positive_label +
                                  "' is not one of the labels (" + Join(classes_) +
                                  "); choose it with --positive-label");
    }
    return Status::Ok();
  }

  bool IsAllowedLabel(const std::string& text) const {
    return req_.labels.empty() ||
           std::any_of(req_.labels.begin(), req_.labels.end(),
                       [&](const std::string& l) { return SameLabel(l, text); });
  }

  // Binary: once two classes are seen, one of them must be the positive label.
  bool HasPositiveClassIfComplete() const {
    return classes_.size() < 2 ||
           std::any_of(classes_.begin(), classes_.end(),
                       [&](const std::string& c) { return SameLabel(c, req_.positive_label); });
  }

  Status MulticlassRowScores(const io::TableReader& r, uint32_t truth) {
    double sum = 0;
    for (size_t j = 0; j < row_scores_.size(); ++j) {
      if (!ParseFiniteNumber(r.field(2 + j), /*probability=*/true, &row_scores_[j])) [[unlikely]] {
        return NumberError(r, 2 + j, score_columns_[j].second, /*probability=*/true);
      }
      sum += row_scores_[j];
    }
    // np.allclose(1, sum), the check scikit-learn's roc_auc_score makes.
    if (std::fabs(sum - 1.0) > 1e-8 + 1e-5 * std::fabs(sum)) {
      return InvalidArgumentError(r.Where() + ": class probabilities sum to " + FormatDouble(sum) +
                                  ", not 1");
    }
    const int32_t column = label_info_[truth].score_column;
    if (column < 0) {
      std::vector<std::string> classes;
      for (const auto& [label, col] : score_columns_) classes.push_back(label);
      return InvalidArgumentError(r.WhereField(0) + ": label '" + interner_.text(truth) +
                                  "' has no score column (classes with scores: " + Join(classes) +
                                  ")");
    }
    multiclass_scores_->Update(static_cast<uint32_t>(column), row_scores_);
    return Status::Ok();
  }

  const MetricsRequest& req_;
  std::vector<std::pair<std::string, std::string>> score_columns_;
  LabelInterner interner_;
  ShortLabelCache label_cache_;  // ids of interner_, for the labels of rows
  ConfusionMatrix confusion_;
  std::vector<LabelInfo> label_info_;  // by raw label id
  std::vector<std::string> classes_;   // distinct classes by value, in order of first sight
  std::optional<BinaryScoreAccumulator> binary_scores_;
  std::optional<MulticlassScoreAccumulator> multiclass_scores_;
  std::vector<double> row_scores_;
  Status pending_error_;
};

// Streams regression rows into one accumulator; the same shape as ClassificationEvaluator.
class RegressionEvaluator {
 public:
  explicit RegressionEvaluator(const MetricsRequest& req)
      : req_(req), acc_(req.regression_median) {}

  std::vector<std::string> SelectedColumns() const { return {req_.label_col, req_.pred_col}; }

  Status Row(const io::TableReader& r) {
    double truth = 0, pred = 0;
    MW_RETURN_IF_ERROR(ParseNumber(r, 0, req_.label_col, &truth));
    MW_RETURN_IF_ERROR(ParseNumber(r, 1, req_.pred_col, &pred));
    acc_.Update(truth, pred);
    return Status::Ok();
  }

  void Merge(RegressionEvaluator&& other) { acc_.Merge(other.acc_); }
  bool LabelsValid() const { return true; }

  Result<MetricsReport> Finish(const ParallelFor& = nullptr) {
    MetricsReport report;
    report.task = Task::kRegression;
    report.regression = acc_.Finish();
    report.n = report.regression->n;
    return report;
  }

 private:
  const MetricsRequest& req_;
  RegressionAccumulator acc_;
};

// Selects the evaluator's columns and runs it over every row of `reader`.
template <typename Evaluator>
Status RunRows(io::TableReader& reader, Evaluator& evaluator, const ProgressCallback& progress) {
  MW_RETURN_IF_ERROR(reader.Select(evaluator.SelectedColumns()));
  uint64_t rows = 0;
  while (reader.Next()) {
    MW_RETURN_IF_ERROR(evaluator.Row(reader));
    if (++rows % kProgressEvery == 0 && progress) {
      progress(reader.bytes_read(), reader.total_bytes(), rows);
    }
  }
  MW_RETURN_IF_ERROR(reader.status());
  if (progress) progress(reader.bytes_read(), reader.total_bytes(), rows);
  return Status::Ok();
}

Result<ClassificationEvaluator> MakeClassificationEvaluator(const MetricsRequest& req,
                                                            const io::TableReader& reader) {
  std::vector<std::pair<std::string, std::string>> score_columns;
  if (req.task == Task::kMulticlass) {
    MW_ASSIGN_OR_RETURN(score_columns, MulticlassScoreColumns(req, reader));
  }
  return ClassificationEvaluator(req, std::move(score_columns));
}

Result<RegressionEvaluator> MakeRegressionEvaluator(const MetricsRequest& req,
                                                    const io::TableReader&) {
  return RegressionEvaluator(req);
}

// Evaluates the parts of the file between `splits` on one thread each and merges them. Any error,
// a part that did not end where the next began (a split inside a quoted field), or labels that
// break a whole-file rule make it fail; the caller then reads the file sequentially, which
// reports the exact first problem.
template <typename Evaluator, typename Make>
Result<MetricsReport> EvaluateParts(const MetricsRequest& req, Make make,
                                    const std::vector<uint64_t>& splits,
                                    const ProgressCallback& progress) {
  std::vector<uint64_t> bounds = {0};
  bounds.insert(bounds.end(), splits.begin(), splits.end());
  bounds.push_back(UINT64_MAX);
  const size_t parts = bounds.size() - 1;
  std::vector<std::optional<Evaluator>> evaluators(parts);
  std::vector<Status> statuses(parts);
  std::vector<uint64_t> ends(parts, 0);
  auto run_part = [&](size_t i) {
    io::TableReader::Options options;
    options.range_begin = bounds[i];
    options.range_end = bounds[i + 1];
    Result<std::unique_ptr<io::TableReader>> reader =
        io::TableReader::Open(req.input, req.input_format, options);
    if (!reader.ok()) {
      statuses[i] = reader.status();
      return;
    }
    Result<Evaluator> evaluator = make(req, **reader);
    if (!evaluator.ok()) {
      statuses[i] = evaluator.status();
      return;
    }
    evaluators[i].emplace(std::move(evaluator).value());
    // Part 0 stands for the whole file in the progress bar.
    ProgressCallback part_progress;
    if (i == 0 && progress) {
      part_progress = [&](uint64_t read, uint64_t total, uint64_t rows) {
        progress(std::min(read * parts, total), total, rows * parts);
      };
    }
    statuses[i] = RunRows(**reader, *evaluators[i], part_progress);
    ends[i] = (*reader)->offset();
  };
  ThreadParallelFor(static_cast<unsigned>(parts))(parts, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) run_part(i);
  });
  for (size_t i = 0; i < parts; ++i) {
    MW_RETURN_IF_ERROR(statuses[i]);
    if (i + 1 < parts && ends[i] != bounds[i + 1]) {
      return FailedPreconditionError("a split point is not a row start");
    }
  }
  for (size_t i = 1; i < parts; ++i) evaluators[0]->Merge(std::move(*evaluators[i]));
  if (!evaluators[0]->LabelsValid()) return FailedPreconditionError("labels break a file rule");
  return evaluators[0]->Finish(ThreadParallelFor(static_cast<unsigned>(parts)));
}

// The file in parallel parts when it is large enough and threads allow, else (or when the
// parallel run fails) in one sequential pass.
template <typename Evaluator, typename Make>
Result<MetricsReport> EvaluateFile(const MetricsRequest& req, Make make,
                                   const ProgressCallback& progress) {
  const unsigned threads =
      req.threads > 0 ? static_cast<unsigned>(req.threads) : std::thread::hardware_concurrency();
  if (threads > 1) {
    Result<std::vector<uint64_t>> splits = io::TableReader::SplitPoints(req.input, threads);
    if (splits.ok() && ParallelWorthIt(*splits)) {
      Result<MetricsReport> report = EvaluateParts<Evaluator>(req, make, *splits, progress);
      if (report.ok()) return report;
    }
  }
  MW_ASSIGN_OR_RETURN(std::unique_ptr<io::TableReader> reader,
                      io::TableReader::Open(req.input, req.input_format));
  MW_ASSIGN_OR_RETURN(Evaluator evaluator, make(req, *reader));
  MW_RETURN_IF_ERROR(RunRows(*reader, evaluator, progress));
  return evaluator.Finish(ThreadParallelFor(threads));
}

}  // namespace

std::vector<std::string> AllWarnings(const MetricsReport& report) {
  std::vector<std::string> all;
  auto add = [&](const std::vector<std::string>& w) { all.insert(all.end(), w.begin(), w.end()); };
  if (report.classification) add(report.classification->warnings);
  if (report.binary_scores) add(report.binary_scores->warnings);
  if (report.multiclass_scores) add(report.multiclass_scores->warnings);
  if (report.regression) add(report.regression->warnings);
  return all;
}

Result<MetricsReport> EvaluateMetrics(const MetricsRequest& request,
                                      const ProgressCallback& progress) {
  return request.task == Task::kRegression
             ? EvaluateFile<RegressionEvaluator>(request, MakeRegressionEvaluator, progress)
             : EvaluateFile<ClassificationEvaluator>(request, MakeClassificationEvaluator,
                                                     progress);
}

}  // namespace modelwatch::cli
