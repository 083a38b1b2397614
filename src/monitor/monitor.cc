#include "modelwatch/monitor/monitor.h"

#include <algorithm>
#include <optional>

#include "modelwatch/monitor/windowing.h"

namespace modelwatch::monitor {

Monitor::Monitor(store::Store& store, std::vector<ModelSettings> models) : store_(store) {
  for (ModelSettings& m : models) {
    std::string name = m.name;
    models_.emplace(std::move(name), std::move(m));
  }
}

void Monitor::AddModel(const ModelSettings& settings) {
  std::lock_guard<std::mutex> lock(mu_);
  models_.emplace(settings.name, settings);
}

bool Monitor::HasModel(const std::string& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  return models_.count(model) > 0;
}

void Monitor::Touch(const std::string& model, const std::string& version, int64_t ts_us) {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = models_.find(model);
  if (found == models_.end()) return;
  const ModelSettings* settings = &found->second;
  auto [it, inserted] = watermarks_.emplace(model, ts_us);
  if (!inserted) it->second = std::max(it->second, ts_us);
  for (int64_t width : settings->window_widths_us) {
    const int64_t start = WindowStart(ts_us, width);
    touched_.emplace(model, version, width, start);
    if (!version.empty()) touched_.emplace(model, "", width, start);
  }
}

void Monitor::Touch(const store::PredictionAppendResult&, std::span<const PredictionEvent> events) {
  // Duplicates touch their window too: harmless (the evaluation is the same).
  for (const PredictionEvent& e : events) Touch(e.model, e.version, e.ts_us);
}

void Monitor::Touch(const store::LabelAppendResult& joined) {
  for (const store::StoredPrediction& p : joined.joined) {
    Touch(p.event.model, p.event.version, p.event.ts_us);
  }
}

Status Monitor::Recover() {
  std::vector<std::string> names;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, settings] : models_) names.push_back(name);
  }
  for (const std::string& name : names) {
    store::WindowQuery query;
    query.model = name;
    MW_ASSIGN_OR_RETURN(std::vector<store::WindowRecord> windows, store_.Windows(query));
    std::lock_guard<std::mutex> lock(mu_);
    for (const store::WindowRecord& w : windows) {
      auto [it, inserted] = watermarks_.emplace(name, w.end_us - 1);
      if (!inserted) it->second = std::max(it->second, w.end_us - 1);
      if (!w.closed && w.segment.empty() && w.width_s > 0) {
        touched_.emplace(name, w.version, w.width_s * 1'000'000, w.start_us);
      }
    }
  }
  return Status();
}

int64_t Monitor::watermark_us(const std::string& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watermarks_.find(model);
  return it == watermarks_.end() ? INT64_MIN : it->second;
}

Status Monitor::EnsureReference(ModelSettings* settings, std::string* note) {
  if (settings->reference != nullptr || settings->reference_first_events == 0) return Status();
  std::vector<PredictionEvent> first;
  first.reserve(settings->reference_first_events);
  MW_RETURN_IF_ERROR(store_.ScanPredictions(
      settings->name, std::nullopt, INT64_MIN, INT64_MAX, [&](const store::StoredPrediction& p) {
        first.push_back(p.event);
        return first.size() < settings->reference_first_events;
      }));
  if (first.size() < settings->reference_first_events) {
    *note = "drift: the reference is the first " +
            std::to_string(settings->reference_first_events) + " events; " +
            std::to_string(first.size()) + " so far";
    return Status();
  }
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
  if (it != models_.end()) it->second.reference = settings->reference;
  return Status();
}

Result<store::WindowRecord> Monitor::EvaluateWindow(const WindowId& id,
                                                    const ModelSettings& settings,
                                                    int64_t watermark_us, int64_t now_us) {
  const auto& [model, version, width, start] = id;
  WindowDriftSpec drift;
  drift.reference = settings.reference;
  drift.options = settings.drift;
  if (drift.reference == nullptr && settings.reference_first_events > 0) {
    drift.note = "drift: waiting for the first " +
                 std::to_string(settings.reference_first_events) + " events (the reference)";
  }
  WindowQuality quality(settings.quality, std::move(drift));
  const std::optional<std::string> version_filter =
      version.empty() ? std::nullopt : std::optional<std::string>(version);
  MW_RETURN_IF_ERROR(store_.ScanPredictions(model, version_filter, start, start + width,
                                            [&](const store::StoredPrediction& p) {
                                              quality.Add(p);
                                              return true;
                                            }));
  store::WindowRecord record;
  record.model = model;
  record.version = version;
  record.width_s = width / 1'000'000;
  record.start_us = start;
  record.end_us = start + width;
  record.closed = WindowClosed(start, width, settings.allowed_lateness_us, watermark_us);
  record.summary = quality.SummaryJson();
  record.updated_us = now_us;
  return record;
}

Result<std::vector<store::WindowRecord>> Monitor::Evaluate(int64_t now_us) {
  std::set<WindowId> work;
  std::map<std::string, int64_t> watermarks;
  std::map<std::string, ModelSettings> models;
  {
    std::lock_guard<std::mutex> lock(mu_);
    work.swap(touched_);
    watermarks = watermarks_;
    models = models_;
  }
  std::vector<store::WindowRecord> records;
  std::set<WindowId> still_open;
  Status status;
  for (auto& [name, settings] : models) {
    std::string note;
    Status built = EnsureReference(&settings, &note);
    if (!built.ok()) status = built;
  }
  for (const WindowId& id : work) {
    auto settings = models.find(std::get<0>(id));
    if (settings == models.end()) continue;
    Result<store::WindowRecord> r =
        EvaluateWindow(id, settings->second, watermarks[std::get<0>(id)], now_us);
    if (!r.ok()) {
      status = r.status();
      still_open.insert(id);  // retried on the next call
      continue;
    }
    if (!r->closed) still_open.insert(id);
    records.push_back(std::move(*r));
  }
  if (!records.empty()) {
    Status put = store_.PutWindows(records);
    if (!put.ok()) {
      status = put;
      still_open.insert(work.begin(), work.end());
      records.clear();
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    touched_.insert(still_open.begin(), still_open.end());
  }
  if (!status.ok()) return status;
  return records;
}

}  // namespace modelwatch::monitor
