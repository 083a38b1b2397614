// SchemaRegistry: the feature schema each model's events are checked against (docs/config.md,
// `features` and `infer_schema_events`).
//
// A model with declared `features` is checked against them from its first event. A model
// without them is in inference: its first batches are accepted and observed until at least
// `infer_schema_events` events have been seen (whole batches: the batch that reaches the count
// is observed entirely), then the schema is fixed and stored (store meta key
// "inferred_schema:<model>"), so it stays fixed across restarts. Each feature's inferred type:
//   numeric      every non-null value seen was a number;
//   boolean      every non-null value was true/false;
//   categorical  anything else (strings, or a mix), and features seen only as null.
// After that, as for a declared schema: a feature not in the schema, or a value of the wrong
// type, rejects the batch with the record and the feature named ("record 3: feature 'age'
// must be numeric (inferred for model 'fraud' from its first 100 events)"; "record 4: feature
// 'zip' is not in the inferred features of model 'fraud' from its first 100 events"); null is
// always allowed. While a model is still in inference, an unfinished count restarts after a restart
// of the daemon (only fixed schemas are stored).
//
// Thread safety: every method may be called from any thread (one mutex). The store must
// outlive the registry.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "modelwatch/core/column_profile.h"
#include "modelwatch/core/event.h"
#include "modelwatch/core/status.h"
#include "modelwatch/server/config.h"
#include "modelwatch/store/store.h"

namespace modelwatch::server {

struct ModelSchema {
  enum class Source { kDeclared, kInferred, kInferring };
  Source source = Source::kInferring;
  std::map<std::string, ColumnType, std::less<>> features;  // empty while inferring
  uint64_t events_seen = 0;                                 // kInferring: events observed so far
  uint64_t infer_events = 0;                                // the model's infer_schema_events
};
std::string_view SchemaSourceName(ModelSchema::Source source);  // "declared", ...

class SchemaRegistry {
 public:
  // Loads the schemas fixed by earlier runs. Errors: the store's; kDataLoss for a stored schema
  // that cannot be read.
  static Result<std::unique_ptr<SchemaRegistry>> Open(store::Store& store);

  // Checks `events` (one batch of `model`) against its schema, or observes them while the
  // schema is inferred; fixes and stores the schema when the count is reached. kInvalidArgument
  // naming the record (1-based) and the feature; the store's error when the fixed schema cannot
  // be stored (the batch is then refused and inference continues).
  Status Check(const ModelConfig& model, std::span<const PredictionEvent> events);

  // The schema of `model` as Check sees it now.
  ModelSchema SchemaOf(const ModelConfig& model) const;

 private:
  struct Inference {
    uint64_t events = 0;
    // Per feature: which kinds of non-null values were seen.
    struct Kinds {
      bool number = false, boolean = false, other = false;
    };
    std::map<std::string, Kinds, std::less<>> features;
  };

  explicit SchemaRegistry(store::Store& store) : store_(store) {}

  store::Store& store_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, ColumnType, std::less<>>, std::less<>>
      inferred_;                                               // guarded by mu_
  std::map<std::string, Inference, std::less<>> in_progress_;  // guarded by mu_
};

// Serialized form of a schema: {"amount":"numeric","country":"categorical"}.
std::string SchemaJson(const std::map<std::string, ColumnType, std::less<>>& features);

}  // namespace modelwatch::server
