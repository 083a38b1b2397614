// libFuzzer target for ParseConfig (the YAML configuration of `modelwatch serve --config`).
// Corpus: fuzz/corpus/config/ (the example configuration, every section and key, and files with
// syntax errors, duplicate and unknown keys, anchors, deep nesting and bad values).
//
// Input: the bytes are the YAML text. The environment holds MODELWATCH_INGEST_TOKEN (long
// enough), MODELWATCH_SHORT (too short) and nothing else.
// Checks: ParseConfig never crashes or throws and fails only with kInvalidArgument, a non-empty
// message of at most kMaxConfigErrors + 1 lines each naming the source, that never contains
// the token secret from the environment; parsing is deterministic; an accepted configuration
// keeps its invariants (valid distinct model names, windows present and whole seconds, drift
// thresholds positive, tokens of at least 16 characters with at least one scope, relative
// paths resolved under the base).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "modelwatch/server/config.h"

namespace modelwatch::fuzz {
namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

// The name rule of docs/config.md, checked independently of the parser.
bool IsName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

constexpr const char* kSecret = "fuzz-secret-0123456789";

std::optional<std::string> FuzzEnv(const std::string& name) {
  if (name == "MODELWATCH_INGEST_TOKEN") return std::string(kSecret);
  if (name == "MODELWATCH_SHORT") return std::string("short");
  return std::nullopt;
}

void CheckModel(const server::ModelConfig& model) {
  Check(!model.windows.empty());
  for (std::chrono::microseconds w : model.windows) {
    Check(w.count() > 0 && w.count() % 1000000 == 0);
  }
  Check(model.label_ttl.count() > 0);
  Check(model.allowed_lateness.count() >= 0);
  Check(model.infer_schema_events >= 1);
  for (const auto& [name, type] : model.features) Check(IsName(name));
  if (model.drift.all.threshold) Check(*model.drift.all.threshold > 0);
  for (const auto& [name, column] : model.drift.per_column) {
    Check(IsName(name));
    if (column.threshold) Check(*column.threshold > 0);
  }
  Check(model.drift.drift_share > 0 && model.drift.drift_share <= 1);
  if (model.reference.kind == server::ReferenceConfig::Kind::kProfile ||
      model.reference.kind == server::ReferenceConfig::Kind::kFile) {
    Check(!model.reference.path.empty() && model.reference.path[0] == '/');
  }
  if (model.kserve) Check(!model.kserve->inputs.empty());
}

}  // namespace
}  // namespace modelwatch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelwatch;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const server::EnvLookup env = fuzz::FuzzEnv;
  Result<server::Config> config = server::ParseConfig(text, "fuzz.yaml", env, "/base");
  Result<server::Config> again = server::ParseConfig(text, "fuzz.yaml", env, "/base");
  fuzz::Check(config.ok() == again.ok());
  if (!config.ok()) {
    const Status status = config.status();  // status() returns a copy: keep it alive
    const std::string& message = status.message();
    fuzz::Check(status.code() == StatusCode::kInvalidArgument);
    fuzz::Check(!message.empty());
    fuzz::Check(message == again.status().message());
    // The secret from the environment is never echoed (unless the input itself holds it).
    if (text.find(fuzz::kSecret) == std::string_view::npos) {
      fuzz::Check(message.find(fuzz::kSecret) == std::string::npos);
    }
    size_t lines = 0;
    for (size_t start = 0; start <= message.size();) {
      size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      fuzz::Check(message.compare(start, 9, "fuzz.yaml") == 0);
      ++lines;
      start = end + 1;
    }
    fuzz::Check(lines <= server::kMaxConfigErrors + 1);
    return 0;
  }
  fuzz::Check(config->models.size() == again->models.size());
  fuzz::Check(config->models.size() <= config->limits.max_models);
  fuzz::Check(config->storage.path == ":memory:" || config->storage.path[0] == '/');
  std::set<std::string> names;
  for (const server::ModelConfig& model : config->models) {
    fuzz::Check(fuzz::IsName(model.name));
    fuzz::Check(names.insert(model.name).second);
    fuzz::CheckModel(model);
    fuzz::Check(config->ModelFor(model.name).ok());
  }
  if (config->defaults) fuzz::CheckModel(*config->defaults);
  std::set<std::string> secrets;
  for (const server::AuthToken& token : config->auth.tokens) {
    fuzz::Check(fuzz::IsName(token.name));
    fuzz::Check(token.token.size() >= 16);
    fuzz::Check(!token.scopes.empty());
    fuzz::Check(secrets.insert(token.token).second);
  }
  return 0;
}
