#include "modelwatch/server/cardinality_guard.h"

#include <bit>
#include <cstdint>
#include <string_view>

namespace modelwatch::server {
namespace {

// Adds `name` to `added` unless `known` has it; kResourceExhausted when known + added would
// pass `limit`.
Status Count(const std::set<std::string, std::less<>>& known, std::set<std::string>* added,
             const std::string& name, uint64_t limit, std::string_view what,
             std::string_view limit_key, const std::string& model) {
  if (known.count(name) || added->count(name)) return Status();
  if (known.size() + added->size() + 1 > limit) {
    return ResourceExhaustedError("model '" + model + "': " + std::string(what) + " '" + name +
                                  "' would be number " +
                                  std::to_string(known.size() + added->size() + 1) +
                                  ", more than limits." + std::string(limit_key) + " (" +
                                  std::to_string(limit) + ")");
  }
  added->insert(name);
  return Status();
}

void Merge(std::set<std::string, std::less<>>& into, const std::set<std::string>& added) {
  into.insert(added.begin(), added.end());
}

// Whether a and b are the same class for certain (then they have the same CanonicalText); false
// may also mean "not sure" (numbers compare by their bits: 0.0 and -0.0 are checked apart).
bool SameClassValue(const EventValue& a, const EventValue& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case EventValue::Kind::kNull:
      return true;
    case EventValue::Kind::kNumber:
      return std::bit_cast<uint64_t>(a.number) == std::bit_cast<uint64_t>(b.number);
    case EventValue::Kind::kBool:
      return a.boolean == b.boolean;
    case EventValue::Kind::kString:
      return a.text == b.text;
  }
  return false;
}

}  // namespace

void CardinalityGuard::Preload(const std::string& model, const std::string& version) {
  std::lock_guard<std::mutex> lock(mu_);
  models_[model].versions.insert(version);
}

size_t CardinalityGuard::models() const {
  std::lock_guard<std::mutex> lock(mu_);
  return models_.size();
}

Status CardinalityGuard::CheckModel(const std::string& model) const {
  if (models_.count(model) || models_.size() < limits_.max_models) return Status();
  return ResourceExhaustedError("model '" + model + "' would be model number " +
                                std::to_string(models_.size() + 1) +
                                ", more than limits.max_models (" +
                                std::to_string(limits_.max_models) + ")");
}

Status CardinalityGuard::Admit(const std::string& model, std::span<const PredictionEvent> events,
                               bool classification) {
  std::lock_guard<std::mutex> lock(mu_);
  MW_RETURN_IF_ERROR(CheckModel(model));
  static const Names kEmpty;
  auto it = models_.find(model);
  const Names& known = it == models_.end() ? kEmpty : it->second;
  std::set<std::string> versions, features, segments, classes;
  // A name equal to the one at the same place in the previous event was counted then: events of
  // one batch mostly repeat their version, feature names and segments in the same order, so most
  // lookups (and the class texts' allocations) are skipped.
  const PredictionEvent* previous = nullptr;
  for (const PredictionEvent& e : events) {
    if (previous == nullptr || e.version != previous->version) {
      MW_RETURN_IF_ERROR(Count(known.versions, &versions, e.version,
                               limits_.max_versions_per_model, "version",
                               "max_versions_per_model", model));
    }
    for (size_t i = 0; i < e.features.size(); ++i) {
      const std::string& name = e.features[i].name;
      if (previous != nullptr && i < previous->features.size() &&
          name == previous->features[i].name) {
        continue;
      }
      MW_RETURN_IF_ERROR(Count(known.features, &features, name, limits_.max_features_per_model,
                               "feature", "max_features_per_model", model));
    }
    for (size_t i = 0; i < e.segment.size(); ++i) {
      if (previous != nullptr && i < previous->segment.size() &&
          e.segment[i] == previous->segment[i]) {
        continue;
      }
      const auto& [key, value] = e.segment[i];
      MW_RETURN_IF_ERROR(Count(known.segments, &segments, key + "=" + value,
                               limits_.max_segments_per_model, "segment", "max_segments_per_model",
                               model));
    }
    if (classification) {
      for (const EventValue* v : {&e.prediction, &e.label}) {
        if (v->is_null()) continue;
        if (previous != nullptr && (SameClassValue(*v, previous->prediction) ||
                                    SameClassValue(*v, previous->label))) {
          continue;
        }
        MW_RETURN_IF_ERROR(Count(known.classes, &classes, v->CanonicalText(),
                                 limits_.max_label_values, "class", "max_label_values", model));
      }
    }
    previous = &e;
  }
  Names& names = models_[model];
  Merge(names.versions, versions);
  Merge(names.features, features);
  Merge(names.segments, segments);
  Merge(names.classes, classes);
  return Status();
}

Status CardinalityGuard::AdmitLabels(const std::string& model, std::span<const LabelEvent> labels,
                                     bool classification) {
  std::lock_guard<std::mutex> lock(mu_);
  MW_RETURN_IF_ERROR(CheckModel(model));
  if (!classification) return Status();
  static const Names kEmpty;
  auto it = models_.find(model);
  const Names& known = it == models_.end() ? kEmpty : it->second;
  std::set<std::string> classes;
  for (const LabelEvent& l : labels) {
    MW_RETURN_IF_ERROR(Count(known.classes, &classes, l.label.CanonicalText(),
                             limits_.max_label_values, "class", "max_label_values", model));
  }
  Merge(models_[model].classes, classes);
  return Status();
}

}  // namespace modelwatch::server
