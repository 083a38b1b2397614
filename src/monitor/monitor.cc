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

Result<store::WindowRecord> Monitor::EvaluateWindow(const WindowId& id,
                                                    const ModelSettings& settings,
                                                    int64_t watermark_us, int64_t now_us) {
  const auto& [model, version, width, start] = id;
  WindowQuality quality(settings.quality);
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
