#include "modelwatch/monitor/monitor.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "modelwatch/monitor/windowing.h"

namespace modelwatch::monitor {
namespace {

bool InSegment(const PredictionEvent& e, std::string_view segment) {
  if (segment.empty()) return true;
  for (const auto& [key, value] : e.segment) {
    if (segment.size() == key.size() + 1 + value.size() && segment.starts_with(key) &&
        segment[key.size()] == '=' && segment.ends_with(value)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Monitor::Monitor(store::Store& store, std::vector<ModelSettings> models) : store_(store) {
  for (ModelSettings& m : models) {
    std::string name = m.name;
    models_.emplace(std::move(name), Model{std::move(m)});
  }
  store_.SetCommitListener(this);
}

Monitor::~Monitor() { store_.SetCommitListener(nullptr); }

void Monitor::AddModel(const ModelSettings& settings) {
  std::lock_guard<std::mutex> lock(mu_);
  models_.emplace(settings.name, Model{settings});
}

bool Monitor::HasModel(const std::string& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  return models_.count(model) > 0;
}

int64_t Monitor::watermark_us(const std::string& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = models_.find(model);
  return it == models_.end() ? INT64_MIN : it->second.watermark_us;
}

size_t Monitor::states_in_memory() const {
  std::lock_guard<std::mutex> lock(mu_);
  return windows_.size();
}

size_t Monitor::queued_late_changes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [key, late] : late_) {
    n += late.changes.size() + (late.added ? late.added->predictions() : 0);
  }
  return n;
}

WindowDriftSpec Monitor::DriftSpec(const ModelSettings& settings) {
  WindowDriftSpec drift;
  drift.reference = settings.reference;
  drift.options = settings.drift;
  if (drift.reference == nullptr && settings.reference_first_events > 0) {
    drift.note = "drift: waiting for the first " + std::to_string(settings.reference_first_events) +
                 " events (the reference)";
  }
  return drift;
}

WindowState Monitor::NewState(const Model& m) {
  WindowState state(m.settings.quality);
  if (m.settings.reference != nullptr) state.StartDrift(*m.settings.reference);
  return state;
}

void Monitor::WindowsOf(const Model& m, const PredictionEvent& e,
                        std::vector<std::string>* segments, std::vector<KeyView>* keys) {
  const ModelSettings& s = m.settings;
  segments->clear();
  for (const std::string& key : s.segment_keys) {
    for (const auto& [k, v] : e.segment) {
      if (k == key) segments->push_back(k + "=" + v);
    }
  }
  auto add_series = [&](std::string_view version, std::string_view segment) {
    for (int64_t width : s.window_widths_us) {
      keys->push_back({s.name, version, segment, width, WindowStart(e.ts_us, width)});
    }
    keys->push_back({s.name, version, segment, 0, 0});  // the cumulative view
  };
  auto add_version = [&](std::string_view version) {
    add_series(version, "");
    for (const std::string& segment : *segments) add_series(version, segment);
  };
  add_version(e.version);
  if (!e.version.empty()) add_version("");
}

template <typename K>
bool Monitor::Closed(const Model& m, const K& key) {
  return key.width_us > 0 &&
         WindowClosed(key.start_us, key.width_us, m.settings.allowed_lateness_us, m.watermark_us);
}

void Monitor::ApplyToWindow(Model& m, const KeyView& key, const PredictionEvent& e,
                            int64_t received_us, int64_t label_received_us,
                            const store::PreviousLabel* previous,
                            const store::StoredPrediction* stored) {
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    if (Closed(m, key)) {
      if (legacy_replay_ && legacy_closed_.find(key) != legacy_closed_.end()) return;
      if (!legacy_replay_) {
        // Written and dropped from memory: Evaluate applies the change to the stored state.
        auto found = late_.find(key);
        if (found == late_.end()) found = late_.emplace(WindowKey(key), Late()).first;
        Late& late = found->second;
        if (previous == nullptr) {
          if (late.added == nullptr) late.added = std::make_unique<WindowState>(NewState(m));
          late.added->AddPrediction(e, received_us, label_received_us);
        } else {
          late.changes.push_back({*stored, *previous});
        }
        return;
      }
    }
    it = windows_.emplace(WindowKey(key), std::make_unique<Window>(NewState(m))).first;
  }
  Window& w = *it->second;
  ++w.changes;
  if (previous == nullptr) {
    w.state.AddPrediction(e, received_us, label_received_us);
  } else {
    w.state.ReviseLabel(*stored, *previous);
  }
}

void Monitor::Apply(Model& m, const PredictionEvent& e, int64_t received_us,
                    int64_t label_received_us, const store::PreviousLabel* previous,
                    const store::StoredPrediction* stored) {
  thread_local std::vector<std::string> segments;
  thread_local std::vector<KeyView> keys;
  keys.clear();
  WindowsOf(m, e, &segments, &keys);
  for (const KeyView& key : keys) {
    ApplyToWindow(m, key, e, received_us, label_received_us, previous, stored);
  }
}

void Monitor::OnPredictionsCommitted(std::span<const PredictionEvent> events, int64_t received_us,
                                     const store::PredictionAppendResult& result) {
  std::lock_guard<std::mutex> lock(mu_);
  // Predictions that found their waiting label are applied with it.
  std::unordered_map<int64_t, const store::StoredPrediction*> joined;
  for (const store::StoredPrediction& p : result.joined_on_arrival) joined.emplace(p.rowid, &p);
  Model* model = nullptr;
  for (size_t i = 0; i < events.size() && i < result.rowids.size(); ++i) {
    const int64_t rowid = result.rowids[i];
    if (rowid == 0) continue;  // a duplicate: the stored one was applied when it came
    applied_.prediction_rowid = std::max(applied_.prediction_rowid, rowid);
    const PredictionEvent& e = events[i];
    if (model == nullptr || model->settings.name != e.model) {
      auto it = models_.find(e.model);
      model = it == models_.end() ? nullptr : &it->second;
      if (model == nullptr) continue;
    }
    auto found = joined.empty() ? joined.end() : joined.find(rowid);
    if (found != joined.end()) {
      const store::StoredPrediction& p = *found->second;
      Apply(*model, p.event, p.received_us, p.label_received_us, nullptr, &p);
    } else {
      Apply(*model, e, received_us, e.label.is_null() ? 0 : received_us, nullptr, nullptr);
    }
    model->watermark_us = std::max(model->watermark_us, e.ts_us);
  }
}

void Monitor::OnLabelsCommitted(const store::LabelAppendResult& result) {
  std::lock_guard<std::mutex> lock(mu_);
  applied_.label_seq = std::max(applied_.label_seq, result.journal_seq);
  for (size_t i = 0; i < result.joined.size() && i < result.previous.size(); ++i) {
    const store::StoredPrediction& p = result.joined[i];
    auto it = models_.find(p.event.model);
    if (it == models_.end()) continue;
    Apply(it->second, p.event, p.received_us, p.label_received_us, &result.previous[i], &p);
  }
}

Status Monitor::Recover() {
  std::lock_guard<std::mutex> serial(evaluate_mu_);
  MW_ASSIGN_OR_RETURN(std::optional<store::MonitorCheckpoint> checkpoint, store_.Checkpoint());
  MW_ASSIGN_OR_RETURN(std::vector<store::ModelRecord> registry, store_.Models());
  std::vector<std::string> names;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const store::ModelRecord& r : registry) {
      auto it = models_.find(r.model);
      if (it != models_.end()) {
        it->second.watermark_us = std::max(it->second.watermark_us, r.last_seen_us);
      }
    }
    for (const auto& [name, model] : models_) names.push_back(name);
    applied_ = checkpoint.value_or(store::MonitorCheckpoint{});
    legacy_replay_ = !checkpoint.has_value();
    legacy_closed_.clear();
  }
  // The windows the store holds: with a checkpoint, the open ones' states; without, the keys of
  // the closed ones (kept as they are).
  for (const std::string& name : names) {
    store::WindowQuery query;
    query.model = name;
    query.with_state = checkpoint.has_value();
    query.limit = SIZE_MAX;
    MW_ASSIGN_OR_RETURN(std::vector<store::WindowRecord> stored, store_.Windows(query));
    std::lock_guard<std::mutex> lock(mu_);
    Model& m = models_.at(name);
    for (store::WindowRecord& r : stored) {
      WindowKey key{r.model, r.version, r.segment, r.width_s * 1'000'000, r.start_us};
      if (!checkpoint) {
        if (r.closed) legacy_closed_.insert(std::move(key));
        continue;
      }
      if (r.closed || r.state.empty()) continue;
      Result<WindowState> state = WindowState::Deserialize(r.state, m.settings.quality);
      if (!state.ok()) {
        return state.status().WithPrefix("window " + r.model + "/" + r.version + "/" + r.segment +
                                         "/" + std::to_string(r.width_s) + "s/" +
                                         std::to_string(r.start_us));
      }
      auto window = std::make_unique<Window>(std::move(*state));
      window->written_changes = window->changes;  // as stored
      windows_[key] = std::move(window);
    }
  }
  // Label changes after the checkpoint; a prediction's label as of the checkpoint is the
  // previous label of its first later change.
  const store::MonitorCheckpoint from = checkpoint.value_or(store::MonitorCheckpoint{});
  std::vector<store::JournaledLabel> changes;
  MW_RETURN_IF_ERROR(store_.LabelJournalAfter(from.label_seq, [&](const store::JournaledLabel& c) {
    changes.push_back(c);
    return true;
  }));
  std::unordered_map<int64_t, const store::PreviousLabel*> label_then;
  for (const store::JournaledLabel& c : changes) {
    label_then.try_emplace(c.prediction.rowid, &c.previous);
  }
  std::lock_guard<std::mutex> lock(mu_);
  Status replayed = store_.ScanPredictionsAfter(
      from.prediction_rowid, [&](const store::StoredPrediction& stored) {
        applied_.prediction_rowid = std::max(applied_.prediction_rowid, stored.rowid);
        auto it = models_.find(stored.event.model);
        if (it == models_.end()) return true;
        auto then = label_then.find(stored.rowid);
        if (then == label_then.end()) {
          Apply(it->second, stored.event, stored.received_us, stored.label_received_us, nullptr,
                &stored);
        } else {
          store::StoredPrediction p = stored;
          p.event.label = then->second->label;
          p.label_received_us = then->second->label_received_us;
          Apply(it->second, p.event, p.received_us, p.label_received_us, nullptr, &p);
        }
        it->second.watermark_us = std::max(it->second.watermark_us, stored.event.ts_us);
        return true;
      });
  if (!replayed.ok()) return replayed;
  for (const store::JournaledLabel& c : changes) {
    applied_.label_seq = std::max(applied_.label_seq, c.seq);
    auto it = models_.find(c.prediction.event.model);
    if (it == models_.end()) continue;
    Apply(it->second, c.prediction.event, c.prediction.received_us, c.prediction.label_received_us,
          &c.previous, &c.prediction);
  }
  legacy_replay_ = false;
  legacy_closed_.clear();
  return Status::Ok();
}

Status Monitor::EnsureReference(ModelSettings* settings) {
  if (settings->reference != nullptr || settings->reference_first_events == 0) return Status();
  std::vector<PredictionEvent> first;
  first.reserve(settings->reference_first_events);
  MW_RETURN_IF_ERROR(store_.ScanPredictions(
      settings->name, std::nullopt, INT64_MIN, INT64_MAX, [&](const store::StoredPrediction& p) {
        first.push_back(p.event);
        return first.size() < settings->reference_first_events;
      }));
  if (first.size() < settings->reference_first_events) return Status();
  std::set<std::string> features;
  for (const PredictionEvent& e : first) {
    for (const Feature& f : e.features) features.insert(f.name);
  }
  std::vector<std::string> columns(features.begin(), features.end());
  columns.emplace_back(kPredictionColumn);
  columns.emplace_back(kLabelColumn);
  MW_ASSIGN_OR_RETURN(DatasetProfile reference, DatasetProfile::Create(columns, {}));
  std::vector<ClassifiedValue> row(columns.size());
  for (const PredictionEvent& e : first) {
    for (size_t i = 0; i < columns.size(); ++i) {
      const EventValue* v = i + 2 == columns.size()   ? &e.prediction
                            : i + 1 == columns.size() ? &e.label
                                                      : nullptr;
      if (v == nullptr) {
        for (const Feature& f : e.features) {
          if (f.name == columns[i]) v = &f.value;
        }
      }
      row[i] = v == nullptr ? ClassifiedValue{} : ClassifiedEventValue(*v);
    }
    reference.UpdateClassifiedRow(row);
  }
  settings->reference = std::make_shared<const DatasetProfile>(std::move(reference));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = models_.find(settings->name);
  if (it != models_.end()) it->second.settings.reference = settings->reference;
  return Status();
}

Status Monitor::FillDriftProfiles() {
  // Under the mutex: start an empty profile, and note the newest prediction applied so far;
  // newer predictions reach the profile through the listener. Outside it: profile the
  // window's rows up to that one, then merge.
  struct Fill {
    WindowKey key;
    std::shared_ptr<const DatasetProfile> reference;
    QualitySpec quality;
    int64_t up_to_rowid;
  };
  std::vector<Fill> fills;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, window] : windows_) {
      const ModelSettings& s = models_.at(key.model).settings;
      if (s.reference == nullptr || window->state.HasDriftFor(*s.reference)) continue;
      window->state.StartDrift(*s.reference);
      ++window->changes;
      fills.push_back({key, s.reference, s.quality, applied_.prediction_rowid});
    }
  }
  Status status;
  for (const Fill& f : fills) {
    WindowState rows(f.quality);
    rows.StartDrift(*f.reference);
    const std::optional<std::string> version =
        f.key.version.empty() ? std::nullopt : std::optional<std::string>(f.key.version);
    const int64_t from = f.key.width_us == 0 ? INT64_MIN : f.key.start_us;
    const int64_t to = f.key.width_us == 0 ? INT64_MAX : f.key.start_us + f.key.width_us;
    Status scanned = store_.ScanPredictions(
        f.key.model, version, from, to, [&](const store::StoredPrediction& p) {
          if (p.rowid <= f.up_to_rowid && InSegment(p.event, f.key.segment)) rows.AddPrediction(p);
          return true;
        });
    std::lock_guard<std::mutex> lock(mu_);
    auto it = windows_.find(f.key);
    if (it == windows_.end()) continue;
    Window& w = *it->second;
    if (scanned.ok()) scanned = w.state.MergeDrift(rows);
    if (!scanned.ok()) {
      status = scanned;
      w.state.StartDrift(*f.reference);  // empty again; filled by the next call's scan
      continue;
    }
    ++w.changes;
  }
  return status;
}

store::WindowRecord Monitor::Record(const WindowKey& key, bool closed, int64_t watermark_us,
                                    std::string summary, int64_t now_us) const {
  store::WindowRecord r;
  r.model = key.model;
  r.version = key.version;
  r.segment = key.segment;
  r.width_s = key.width_us / 1'000'000;
  r.start_us = key.start_us;
  // The cumulative view ends just after the latest event time seen.
  r.end_us = key.width_us > 0 ? key.start_us + key.width_us
                              : (watermark_us == INT64_MIN ? 0 : watermark_us + 1);
  r.closed = closed;
  r.summary = std::move(summary);
  r.updated_us = now_us;
  return r;
}

Result<store::WindowRecord> Monitor::ReviseClosed(const WindowKey& key,
                                                  const ModelSettings& settings,
                                                  int64_t watermark_us, const Late& late,
                                                  int64_t now_us) {
  store::WindowQuery query;
  query.model = key.model;
  query.version = key.version;
  query.segment = key.segment;
  query.width_s = key.width_us / 1'000'000;
  query.from_us = key.start_us;
  query.to_us = key.start_us + 1;
  query.with_state = true;
  MW_ASSIGN_OR_RETURN(std::vector<store::WindowRecord> found, store_.Windows(query));
  std::optional<WindowState> state;
  if (found.empty()) {
    state.emplace(settings.quality);  // a window seen first through late events
    if (settings.reference != nullptr) state->StartDrift(*settings.reference);
  } else if (!found[0].state.empty()) {
    Result<WindowState> loaded = WindowState::Deserialize(found[0].state, settings.quality);
    if (loaded.ok()) state.emplace(std::move(*loaded));
  }
  const bool closed = true;
  if (state) {
    if (late.added != nullptr) MW_RETURN_IF_ERROR(state->Merge(*late.added));
    for (const LateChange& c : late.changes) state->ReviseLabel(c.prediction, c.previous);
  } else {
    // Written without a state (schema version 1) or with an unreadable one: rebuilt from the
    // window's rows, which already hold the late changes; it has a state from now on.
    state.emplace(settings.quality);
    if (settings.reference != nullptr) state->StartDrift(*settings.reference);
    const std::optional<std::string> version =
        key.version.empty() ? std::nullopt : std::optional<std::string>(key.version);
    MW_RETURN_IF_ERROR(store_.ScanPredictions(key.model, version, key.start_us,
                                              key.start_us + key.width_us,
                                              [&](const store::StoredPrediction& p) {
                                                if (InSegment(p.event, key.segment)) {
                                                  state->AddPrediction(p);
                                                }
                                                return true;
                                              }));
  }
  store::WindowRecord r =
      Record(key, closed, watermark_us, state->SummaryJson(DriftSpec(settings)), now_us);
  r.state = state->Serialize();
  return r;
}

Result<std::vector<store::WindowRecord>> Monitor::Evaluate(int64_t now_us) {
  std::lock_guard<std::mutex> serial(evaluate_mu_);
  Status status;
  std::vector<ModelSettings> pending;  // models whose first-events reference is not built yet
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, m] : models_) {
      if (m.settings.reference == nullptr && m.settings.reference_first_events > 0) {
        pending.push_back(m.settings);
      }
    }
  }
  for (ModelSettings& settings : pending) {
    Status built = EnsureReference(&settings);
    if (!built.ok()) status = built;
  }
  Status filled = FillDriftProfiles();
  if (!filled.ok()) status = filled;

  // The snapshot: copies of the states to write and the checkpoint they are consistent with.
  struct Snapshot {
    WindowKey key;
    WindowState state;
    uint64_t changes;
    bool closed;
    int64_t watermark_us;
  };
  std::vector<Snapshot> snapshot;
  std::map<WindowKey, Late, KeyLess> late;
  std::map<std::string, ModelSettings> settings;
  std::map<std::string, int64_t> watermarks;
  store::MonitorCheckpoint checkpoint;
  {
    std::lock_guard<std::mutex> lock(mu_);
    checkpoint = applied_;
    late.swap(late_);
    for (const auto& [name, m] : models_) {
      settings.emplace(name, m.settings);
      watermarks.emplace(name, m.watermark_us);
    }
    for (const auto& [key, window] : windows_) {
      const Model& m = models_.at(key.model);
      const bool closed = Closed(m, key);
      if (!closed && window->changes == window->written_changes) continue;
      snapshot.push_back({key, window->state, window->changes, closed, m.watermark_us});
    }
  }
  std::vector<store::WindowRecord> records;
  records.reserve(snapshot.size() + late.size());
  for (const Snapshot& s : snapshot) {
    const ModelSettings& model = settings.at(s.key.model);
    store::WindowRecord r =
        Record(s.key, s.closed, s.watermark_us, s.state.SummaryJson(DriftSpec(model)), now_us);
    r.state = s.state.Serialize();
    records.push_back(std::move(r));
  }
  bool revised = true;
  for (const auto& [key, changes] : late) {
    Result<store::WindowRecord> r =
        ReviseClosed(key, settings.at(key.model), watermarks.at(key.model), changes, now_us);
    if (!r.ok()) {
      status = r.status();
      revised = false;
      break;
    }
    records.push_back(std::move(*r));
  }
  Status put = status;
  if (revised) {
    // Nothing changed and nothing new applied: no write (the stored checkpoint is current).
    const bool idle = records.empty() && written_checkpoint_ && *written_checkpoint_ == checkpoint;
    put = idle ? Status::Ok() : store_.PutWindows(records, checkpoint);
    if (put.ok()) written_checkpoint_ = checkpoint;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!put.ok()) {
    // Nothing was written: the changes wait for the next call, before any newer one.
    for (auto& [key, earlier] : late) {
      Late& queue = late_[key];
      if (queue.added != nullptr && earlier.added != nullptr) {
        (void)earlier.added->Merge(*queue.added);  // the same model's states: cannot fail
      }
      if (earlier.added != nullptr) queue.added = std::move(earlier.added);
      queue.changes.insert(queue.changes.begin(), std::make_move_iterator(earlier.changes.begin()),
                           std::make_move_iterator(earlier.changes.end()));
    }
    return put;
  }
  for (const Snapshot& s : snapshot) {
    auto it = windows_.find(s.key);
    if (it == windows_.end()) continue;
    Window& w = *it->second;
    w.written_changes = s.changes;
    // A closed window leaves memory once written, unless it changed meanwhile.
    if (s.closed && w.changes == s.changes) windows_.erase(it);
  }
  if (!status.ok()) return status;
  return records;
}

}  // namespace modelwatch::monitor
