#include "modelwatch/server/schema_registry.h"

#include <simdjson.h>

#include <utility>
#include <vector>

#include "modelwatch/io/json_writer.h"

namespace modelwatch::server {
namespace {

constexpr char kMetaPrefix[] = "inferred_schema:";

using Schema = std::map<std::string, ColumnType, std::less<>>;

std::string RecordPrefix(size_t i) { return "record " + std::to_string(i + 1) + ": "; }

std::optional<ColumnType> ColumnTypeFromName(std::string_view name) {
  for (ColumnType t : {ColumnType::kNumeric, ColumnType::kCategorical, ColumnType::kBoolean}) {
    if (ColumnTypeName(t) == name) return t;
  }
  return std::nullopt;
}

Result<Schema> ParseSchemaJson(const std::string& key, const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(text).get(object) != simdjson::SUCCESS) {
    return DataLossError("stored schema '" + key + "' is not a JSON object");
  }
  Schema schema;
  for (auto [name, value] : object) {
    std::string_view type_name;
    std::optional<ColumnType> type;
    if (value.get(type_name) == simdjson::SUCCESS) type = ColumnTypeFromName(type_name);
    if (!type) {
      return DataLossError("stored schema '" + key + "': feature '" + std::string(name) +
                           "' has no valid type");
    }
    schema.emplace(std::string(name), *type);
  }
  return schema;
}

// Whether `value` may be stored in a feature of type `type` (null always may).
bool Fits(ColumnType type, const EventValue& value) {
  switch (value.kind) {
    case EventValue::Kind::kNull:
      return true;
    case EventValue::Kind::kNumber:
      return type != ColumnType::kBoolean || value.number == 0 || value.number == 1;
    case EventValue::Kind::kBool:
      return type != ColumnType::kNumeric;
    default:
      return type == ColumnType::kCategorical;
  }
}

// `kind` is "declared" or "inferred"; `detail` ("" or " from its first 100 events") follows
// the model's name in messages.
Status CheckAgainst(const Schema& schema, std::string_view kind, const std::string& detail,
                    std::string_view model, std::span<const PredictionEvent> events) {
  // A feature named as the one at the same place in the previous event has its type: events of
  // one batch mostly send the same features in the same order, so most lookups are skipped.
  std::vector<ColumnType> types, previous_types;
  const std::vector<Feature>* previous = nullptr;
  for (size_t i = 0; i < events.size(); ++i) {
    const std::vector<Feature>& features = events[i].features;
    types.resize(features.size());
    for (size_t j = 0; j < features.size(); ++j) {
      const Feature& f = features[j];
      if (previous != nullptr && j < previous->size() && f.name == (*previous)[j].name) {
        types[j] = previous_types[j];
      } else {
        auto it = schema.find(f.name);
        if (it == schema.end()) {
          return InvalidArgumentError(RecordPrefix(i) + "feature '" + f.name + "' is not in the " +
                                      std::string(kind) + " features of model '" +
                                      std::string(model) + "'" + detail);
        }
        types[j] = it->second;
      }
      if (!Fits(types[j], f.value)) {
        return InvalidArgumentError(RecordPrefix(i) + "feature '" + f.name + "' must be " +
                                    std::string(ColumnTypeName(types[j])) + " (" +
                                    std::string(kind) + " for model '" + std::string(model) + "'" +
                                    detail + ")");
      }
    }
    std::swap(types, previous_types);
    previous = &features;
  }
  return Status();
}

}  // namespace

std::string_view SchemaSourceName(ModelSchema::Source source) {
  switch (source) {
    case ModelSchema::Source::kDeclared:
      return "declared";
    case ModelSchema::Source::kInferred:
      return "inferred";
    case ModelSchema::Source::kInferring:
      return "inferring";
  }
  return "?";
}

std::string SchemaJson(const Schema& features) {
  io::JsonWriter w;
  w.BeginObject();
  for (const auto& [name, type] : features) {
    w.Key(name);
    w.String(ColumnTypeName(type));
  }
  w.EndObject();
  return w.str();
}

Result<std::unique_ptr<SchemaRegistry>> SchemaRegistry::Open(store::Store& store) {
  std::unique_ptr<SchemaRegistry> registry(new SchemaRegistry(store));
  MW_ASSIGN_OR_RETURN(auto stored, store.MetaTexts(kMetaPrefix));
  for (const auto& [key, text] : stored) {
    MW_ASSIGN_OR_RETURN(Schema schema, ParseSchemaJson(key, text));
    registry->inferred_.emplace(key.substr(sizeof(kMetaPrefix) - 1), std::move(schema));
  }
  return registry;
}

Status SchemaRegistry::Check(const ModelConfig& model, std::span<const PredictionEvent> events) {
  if (!model.features.empty()) {
    return CheckAgainst(model.features, "declared", "", model.name, events);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = inferred_.find(model.name); it != inferred_.end()) {
    const std::string detail =
        " from its first " + std::to_string(model.infer_schema_events) + " events";
    return CheckAgainst(it->second, "inferred", detail, model.name, events);
  }
  // Observe a copy: the batch counts only if the schema (when it is fixed now) can be stored.
  Inference next = in_progress_[model.name];
  for (const PredictionEvent& e : events) {
    for (const Feature& f : e.features) {
      Inference::Kinds& kinds = next.features[f.name];
      switch (f.value.kind) {
        case EventValue::Kind::kNull:
          break;
        case EventValue::Kind::kNumber:
          kinds.number = true;
          break;
        case EventValue::Kind::kBool:
          kinds.boolean = true;
          break;
        default:
          kinds.other = true;
          break;
      }
    }
  }
  next.events += events.size();
  if (next.events < model.infer_schema_events) {
    in_progress_[model.name] = std::move(next);
    return Status();
  }
  Schema schema;
  for (const auto& [name, k] : next.features) {
    const bool only_numbers = k.number && !k.boolean && !k.other;
    const bool only_booleans = k.boolean && !k.number && !k.other;
    schema.emplace(name, only_numbers    ? ColumnType::kNumeric
                         : only_booleans ? ColumnType::kBoolean
                                         : ColumnType::kCategorical);
  }
  MW_RETURN_IF_ERROR(store_.PutMetaText(kMetaPrefix + model.name, SchemaJson(schema)));
  in_progress_.erase(model.name);
  inferred_.emplace(model.name, std::move(schema));
  return Status();
}

ModelSchema SchemaRegistry::SchemaOf(const ModelConfig& model) const {
  ModelSchema out;
  out.infer_events = model.infer_schema_events;
  if (!model.features.empty()) {
    out.source = ModelSchema::Source::kDeclared;
    out.features = model.features;
    return out;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = inferred_.find(model.name); it != inferred_.end()) {
    out.source = ModelSchema::Source::kInferred;
    out.features = it->second;
    return out;
  }
  out.source = ModelSchema::Source::kInferring;
  if (auto it = in_progress_.find(model.name); it != in_progress_.end()) {
    out.events_seen = it->second.events;
  }
  return out;
}

}  // namespace modelwatch::server
