#include "modelwatch/server/config.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include "config_values.h"
#include "modelwatch/core/label_order.h"
#include "modelwatch/core/number_format.h"

namespace modelwatch::server {

using std::chrono::microseconds;

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kIngest:
      return "ingest";
    case Scope::kRead:
      return "read";
    case Scope::kAdmin:
      return "admin";
  }
  return "?";
}

std::string_view KServeOutputName(KServeOutput output) {
  switch (output) {
    case KServeOutput::kProbabilities:
      return "probabilities";
    case KServeOutput::kClass:
      return "class";
    case KServeOutput::kScore:
      return "score";
  }
  return "?";
}

std::string_view GpuModeName(GpuMode mode) {
  switch (mode) {
    case GpuMode::kAuto:
      return "auto";
    case GpuMode::kOn:
      return "on";
    case GpuMode::kOff:
      return "off";
  }
  return "?";
}

bool AuthToken::HasScope(Scope scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

const ModelConfig* Config::FindModel(std::string_view name) const {
  for (const ModelConfig& model : models) {
    if (model.name == name) return &model;
  }
  return nullptr;
}

Result<ModelConfig> Config::ModelFor(std::string_view name) const {
  if (const ModelConfig* model = FindModel(name)) return *model;
  if (defaults.has_value()) {
    ModelConfig model = *defaults;
    model.name = std::string(name);
    return model;
  }
  return NotFoundError("model " + internal::Quote(name) +
                       " is not declared in the configuration (and defaults.task is not set)");
}

Config DefaultConfig() { return Config(); }

namespace {

using internal::Quote;

constexpr size_t kMaxCollectedErrors = 1000;  // beyond this only counted
constexpr uint64_t kMaxConfigBytes = uint64_t{16} << 20;
constexpr size_t kMaxWindows = 16;

constexpr microseconds Seconds(int64_t n) { return std::chrono::seconds(n); }
constexpr microseconds kMillisecond = std::chrono::milliseconds(1);

// One value of the document and where a problem with it is reported.
struct Item {
  YAML::Node node;
  YAML::Mark mark;   // the value's position; its key's when the value is empty
  std::string path;  // "models.fraud.windows[1]"
};

using Fields = std::map<std::string, Item, std::less<>>;

const Item* Get(const Fields& fields, std::string_view key) {
  auto it = fields.find(key);
  return it == fields.end() ? nullptr : &it->second;
}

std::string Join(std::initializer_list<std::string_view> names, std::string_view separator) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += separator;
    out += name;
  }
  return out;
}

std::string KindOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "text";
    default:
      return "no value";
  }
}

bool IsPValueMethod(DriftMethod method) {
  switch (method) {
    case DriftMethod::kAuto:  // picks a p-value test for small references
    case DriftMethod::kKs:
    case DriftMethod::kChiSquare:
    case DriftMethod::kZ:
    case DriftMethod::kCramerVonMises:
      return true;
    default:
      return false;
  }
}

std::string DriftMethodList() {
  std::string out;
  for (DriftMethod m :
       {DriftMethod::kAuto, DriftMethod::kKs, DriftMethod::kChiSquare, DriftMethod::kZ,
        DriftMethod::kPsi, DriftMethod::kJensenShannon, DriftMethod::kWasserstein,
        DriftMethod::kHellinger, DriftMethod::kCramerVonMises}) {
    if (!out.empty()) out += ", ";
    out += DriftMethodName(m);
  }
  return out;
}

bool IsEnvName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Records where each document starts (to count documents without building them).
struct DocumentStarts : YAML::EventHandler {
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

const char* const kNameRule = "expected 1 to 128 characters from A-Z a-z 0-9 _ . : -";

class Parser {
 public:
  Parser(const std::string& source, const EnvLookup& env, const std::string& base_dir)
      : source_(source), env_(env), base_dir_(base_dir) {}

  Result<Config> Parse(std::string_view text);

 private:
  struct Problem {
    int line;  // 0-based; -1 when unknown
    int column;
    std::string text;
  };

  // ---- Problems
  void Error(const YAML::Mark& mark, const std::string& path, const std::string& what) {
    if (problems_.size() >= kMaxCollectedErrors) {
      ++uncollected_;
      return;
    }
    std::string text = source_;
    if (!mark.is_null()) {
      text += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    text += ": ";
    if (!path.empty()) text += path + ": ";
    text += what;
    problems_.push_back({mark.is_null() ? -1 : mark.line, mark.column, std::move(text)});
  }
  void Error(const Item& item, const std::string& what) { Error(item.mark, item.path, what); }
  Status Finish();

  // ---- Structure
  static Item Child(const std::string& path, const YAML::Node& key, const YAML::Node& value) {
    return Item{value, value.IsNull() ? key.Mark() : value.Mark(), path};
  }
  // The entries of a mapping with fixed keys; unknown and duplicate keys are errors. An empty
  // value counts as an empty mapping. nullopt (error reported) when it is not a mapping.
  std::optional<Fields> ReadFields(const Item& item, std::initializer_list<std::string_view> keys);
  // Calls fn(key, value) for each entry of a mapping with free keys (names); duplicates are
  // errors. `what` names a key in messages ("model name").
  void ForEachEntry(const Item& item, std::string_view what,
                    const std::function<void(const std::string&, const Item&)>& fn);
  // Calls fn(element) for each element of a list (an empty value is an empty list). false
  // (error reported) when it is not a list.
  bool ForEachElement(const Item& item, const std::function<void(const Item&)>& fn);

  // ---- Scalars (nullopt: error reported)
  std::optional<std::string> Text(const Item& item, std::string_view expected);
  std::optional<std::string> Name(const Item& item, std::string_view what);
  std::optional<std::string> LabelText(const Item& item);
  std::optional<microseconds> Duration(const Item& item, microseconds min, microseconds max);
  std::optional<uint64_t> Unsigned(const Item& item, uint64_t min, uint64_t max);
  std::optional<uint64_t> Size(const Item& item, uint64_t min, uint64_t max);
  std::optional<double> Number(const Item& item, std::string_view expected);
  template <typename T>
  std::optional<T> Enum(const Item& item, std::string_view what,
                        std::initializer_list<std::pair<std::string_view, T>> names);

  // ---- Sections
  void ParseServer(const Item& item, ServerConfig* server);
  void ParseStorage(const Item& item, StorageConfig* storage);
  void ParseAuth(const Item& item, AuthConfig* auth);
  std::optional<AuthToken> ParseToken(const Item& item);
  void ParseLimits(const Item& item, LimitsConfig* limits);
  void ParseResources(const Item& item, ResourcesConfig* resources);
  std::optional<probes::TargetSpec> ParseTargetSpec(const Item& item);
  // nullopt when the model has errors; *has_task tells whether `task` was given.
  std::optional<ModelConfig> ParseModel(const Item& item, const std::string& name, bool is_defaults,
                                        bool* has_task);
  void ParseReference(const Item& item, ReferenceConfig* reference);
  void ParseDrift(const Item& item, DriftOptions* drift);
  std::optional<KServeConfig> ParseKServe(const Item& item, const ModelConfig& model,
                                          bool task_known);
  void CheckThreshold(const Item& item, DriftMethod method, double threshold);

  const std::string& source_;
  const EnvLookup& env_;
  const std::string& base_dir_;
  Config config_;  // sections parsed so far (limits and storage come before models)
  std::vector<Problem> problems_;
  size_t uncollected_ = 0;
};

Status Parser::Finish() {
  std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  std::string message;
  const size_t shown = std::min(problems_.size(), kMaxConfigErrors);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) message += "\n";
    message += problems_[i].text;
  }
  const size_t more = problems_.size() - shown + uncollected_;
  if (more > 0) {
    message += "\n" + source_ + ": ... and " + std::to_string(more) + " more problem" +
               (more == 1 ? "" : "s");
  }
  return InvalidArgumentError(std::move(message));
}

std::optional<Fields> Parser::ReadFields(const Item& item,
                                         std::initializer_list<std::string_view> keys) {
  Fields fields;
  std::map<std::string, int, std::less<>> key_lines;  // where each key was first seen
  if (item.node.IsNull()) return fields;
  if (!item.node.IsMap()) {
    Error(item,
          "expected a mapping with the keys " + Join(keys, ", ") + ", got " + KindOf(item.node));
    return std::nullopt;
  }
  for (auto it = item.node.begin(); it != item.node.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    const std::string prefix = item.path.empty() ? "" : item.path + ".";
    if (!key.IsScalar()) {
      Error(key.Mark(), item.path, "a key must be text, got " + KindOf(key));
      continue;
    }
    const std::string& name = key.Scalar();
    const std::string path = prefix + name;
    if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
      std::string what = "unknown key " + Quote(name);
      std::string_view best;
      size_t best_distance = 3;  // suggest only close matches
      for (std::string_view candidate : keys) {
        const size_t d = internal::EditDistance(name, candidate);
        if (d < best_distance) {
          best = candidate;
          best_distance = d;
        }
      }
      if (!best.empty()) what += "; did you mean " + Quote(best) + "?";
      what += " (expected one of: " + Join(keys, ", ") + ")";
      Error(key.Mark(), prefix + (internal::IsValidConfigName(name) ? name : Quote(name)), what);
      continue;
    }
    auto [existing, inserted] = key_lines.try_emplace(name, key.Mark().line);
    if (!inserted) {
      Error(key.Mark(), path,
            "duplicate key (first at line " + std::to_string(existing->second + 1) + ")");
      continue;
    }
    fields.emplace(name, Child(path, key, value));
  }
  return fields;
}

void Parser::ForEachEntry(const Item& item, std::string_view what,
                          const std::function<void(const std::string&, const Item&)>& fn) {
  if (item.node.IsNull()) return;
  if (!item.node.IsMap()) {
    Error(item, "expected a mapping of " + std::string(what) + "s, got " + KindOf(item.node));
    return;
  }
  std::map<std::string, int, std::less<>> first_line;
  for (auto it = item.node.begin(); it != item.node.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      Error(key.Mark(), item.path, "a " + std::string(what) + " must be text, got " + KindOf(key));
      continue;
    }
    const std::string& name = key.Scalar();
    const std::string path =
        item.path + "." + (internal::IsValidConfigName(name) ? name : Quote(name));
    auto [existing, inserted] = first_line.try_emplace(name, key.Mark().line);
    if (!inserted) {
      Error(key.Mark(), path,
            "duplicate " + std::string(what) + " (first at line " +
                std::to_string(existing->second + 1) + ")");
      continue;
    }
    if (!internal::IsValidConfigName(name)) {
      Error(key.Mark(), path,
            Quote(name) + " is not a valid " + std::string(what) + " (" + kNameRule + ")");
      continue;
    }
    fn(name, Child(path, key, value));
  }
}

bool Parser::ForEachElement(const Item& item, const std::function<void(const Item&)>& fn) {
  if (item.node.IsNull()) return true;
  if (!item.node.IsSequence()) {
    Error(item, "expected a list, got " + KindOf(item.node));
    return false;
  }
  size_t index = 0;
  for (auto it = item.node.begin(); it != item.node.end(); ++it, ++index) {
    const YAML::Node element = *it;
    fn(Item{element, element.IsNull() ? item.mark : element.Mark(),
            item.path + "[" + std::to_string(index) + "]"});
  }
  return true;
}

std::optional<std::string> Parser::Text(const Item& item, std::string_view expected) {
  if (!item.node.IsScalar()) {
    Error(item, "expected " + std::string(expected) + ", got " + KindOf(item.node));
    return std::nullopt;
  }
  return item.node.Scalar();
}

std::optional<std::string> Parser::Name(const Item& item, std::string_view what) {
  std::optional<std::string> text = Text(item, "a " + std::string(what));
  if (!text) return std::nullopt;
  if (!internal::IsValidConfigName(*text)) {
    Error(item, Quote(*text) + " is not a valid " + std::string(what) + " (" + kNameRule + ")");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> Parser::LabelText(const Item& item) {
  std::optional<std::string> text = Text(item, "a class (text or number)");
  if (!text) return std::nullopt;
  if (text->empty()) {
    Error(item, "a class cannot be empty");
    return std::nullopt;
  }
  if (item.node.Tag() == "?") {  // plain: numbers and booleans are canonical, as in events
    double number = 0;
    if (ParseDouble(*text, &number)) return CanonicalNumberText(number);
    if (*text == "true" || *text == "True" || *text == "TRUE") return std::string("true");
    if (*text == "false" || *text == "False" || *text == "FALSE") return std::string("false");
  }
  return text;
}

std::optional<microseconds> Parser::Duration(const Item& item, microseconds min, microseconds max) {
  std::optional<std::string> text = Text(item, "a duration (e.g. 500ms, 30s, 5m, 1h, 7d)");
  if (!text) return std::nullopt;
  Result<microseconds> d = internal::ParseDuration(*text);
  if (!d.ok()) {
    Error(item, d.status().message());
    return std::nullopt;
  }
  if (*d < min || *d > max) {
    Error(item, FormatDuration(*d) + " is out of range (expected " + FormatDuration(min) + " to " +
                    FormatDuration(max) + ")");
    return std::nullopt;
  }
  return *d;
}

std::optional<uint64_t> Parser::Unsigned(const Item& item, uint64_t min, uint64_t max) {
  std::optional<std::string> text = Text(item, "a whole number");
  if (!text) return std::nullopt;
  Result<uint64_t> n = internal::ParseUnsigned(*text);
  if (!n.ok()) {
    Error(item, n.status().message());
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    Error(item, *text + " is out of range (expected " + std::to_string(min) + " to " +
                    std::to_string(max) + ")");
    return std::nullopt;
  }
  return *n;
}

std::optional<uint64_t> Parser::Size(const Item& item, uint64_t min, uint64_t max) {
  std::optional<std::string> text = Text(item, "a size (e.g. 16MiB)");
  if (!text) return std::nullopt;
  Result<uint64_t> n = internal::ParseSize(*text);
  if (!n.ok()) {
    Error(item, n.status().message());
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    Error(item, *text + " is out of range (expected " + std::to_string(min) + " to " +
                    std::to_string(max) + " bytes, e.g. 1KiB to 4GiB)");
    return std::nullopt;
  }
  return *n;
}

std::optional<double> Parser::Number(const Item& item, std::string_view expected) {
  std::optional<std::string> text = Text(item, expected);
  if (!text) return std::nullopt;
  double value = 0;
  if (!ParseDouble(*text, &value) || !std::isfinite(value)) {
    Error(item, Quote(*text) + " is not a number (expected " + std::string(expected) + ")");
    return std::nullopt;
  }
  return value;
}

template <typename T>
std::optional<T> Parser::Enum(const Item& item, std::string_view what,
                              std::initializer_list<std::pair<std::string_view, T>> names) {
  std::string list;
  for (const auto& [name, value] : names) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  std::optional<std::string> text = Text(item, "one of " + list);
  if (!text) return std::nullopt;
  for (const auto& [name, value] : names) {
    if (name == *text) return value;
  }
  Error(item, Quote(*text) + " is not " + std::string(what) + " (expected one of " + list + ")");
  return std::nullopt;
}

void Parser::ParseServer(const Item& item, ServerConfig* server) {
  std::optional<Fields> f =
      ReadFields(item, {"listen", "io_threads", "read_timeout", "idle_timeout", "shutdown_grace"});
  if (!f) return;
  if (const Item* v = Get(*f, "listen")) {
    if (std::optional<std::string> text = Text(*v, "host:port (e.g. 127.0.0.1:8686)")) {
      Result<internal::HostPort> hp = internal::ParseHostPort(*text);
      if (hp.ok()) {
        server->host = hp->host;
        server->port = hp->port;
      } else {
        Error(*v, hp.status().message());
      }
    }
  }
  if (const Item* v = Get(*f, "io_threads")) {
    if (auto n = Unsigned(*v, 0, 1024)) server->io_threads = static_cast<int>(*n);
  }
  if (const Item* v = Get(*f, "read_timeout")) {
    if (auto d = Duration(*v, 100 * kMillisecond, std::chrono::hours(1))) server->read_timeout = *d;
  }
  if (const Item* v = Get(*f, "idle_timeout")) {
    if (auto d = Duration(*v, 100 * kMillisecond, kDay)) server->idle_timeout = *d;
  }
  if (const Item* v = Get(*f, "shutdown_grace")) {
    if (auto d = Duration(*v, microseconds(0), std::chrono::hours(1))) server->shutdown_grace = *d;
  }
}

void Parser::ParseStorage(const Item& item, StorageConfig* storage) {
  std::optional<Fields> f = ReadFields(item, {"backend", "path", "sync", "retention"});
  if (!f) return;
  if (const Item* v = Get(*f, "backend")) {
    if (std::optional<std::string> text = Text(*v, "sqlite")) {
      if (*text == "postgres" || *text == "postgresql") {
        Error(*v, Quote(*text) + " is not supported in this build yet (expected sqlite)");
      } else if (*text != "sqlite") {
        Error(*v, Quote(*text) + " is not a storage backend (expected sqlite)");
      }
    }
  }
  if (const Item* v = Get(*f, "path")) {
    if (std::optional<std::string> text = Text(*v, "a file path")) {
      if (text->empty()) {
        Error(*v, "the path is empty (expected a file path, e.g. modelwatch.db)");
      } else if (text->find('\0') != std::string::npos) {
        Error(*v, "the path contains a NUL byte");
      } else {
        storage->path = *text == ":memory:" ? *text : internal::ResolvePath(base_dir_, *text);
      }
    }
  }
  if (const Item* v = Get(*f, "sync")) {
    if (auto sync = Enum<StorageSync>(
            *v, "a sync mode", {{"full", StorageSync::kFull}, {"normal", StorageSync::kNormal}})) {
      storage->sync = *sync;
    }
  }
  if (const Item* v = Get(*f, "retention")) {
    std::optional<Fields> r = ReadFields(*v, {"predictions", "windows", "labels"});
    if (!r) return;
    const microseconds min = std::chrono::hours(1), max = 3650 * kDay;
    if (const Item* d = Get(*r, "predictions")) {
      if (auto x = Duration(*d, min, max)) storage->retention.predictions = *x;
    }
    if (const Item* d = Get(*r, "windows")) {
      if (auto x = Duration(*d, min, max)) storage->retention.windows = *x;
    }
    if (const Item* d = Get(*r, "labels")) {
      if (auto x = Duration(*d, min, max)) storage->retention.labels = *x;
    }
  }
}

void Parser::ParseResources(const Item& item, ResourcesConfig* resources) {
  std::optional<Fields> f =
      ReadFields(item, {"enabled", "interval", "gpu", "nvml_library", "retention", "targets"});
  if (!f) return;
  if (const Item* v = Get(*f, "enabled")) {
    if (auto on = Enum<bool>(*v, "a boolean", {{"true", true}, {"false", false}})) {
      resources->enabled = *on;
    }
  }
  if (const Item* v = Get(*f, "interval")) {
    if (auto d = Duration(*v, std::chrono::seconds(1), std::chrono::hours(1))) {
      resources->interval = *d;
    }
  }
  if (const Item* v = Get(*f, "gpu")) {
    if (auto mode = Enum<GpuMode>(
            *v, "a GPU mode",
            {{"auto", GpuMode::kAuto}, {"on", GpuMode::kOn}, {"off", GpuMode::kOff}})) {
      resources->gpu = *mode;
    }
  }
  if (const Item* v = Get(*f, "nvml_library")) {
    if (std::optional<std::string> text = Text(*v, "a library name or path")) {
      if (text->empty() || text->find('\0') != std::string::npos) {
        Error(*v, "expected a library name or path (e.g. libnvidia-ml.so.1)");
      } else {
        // A bare name is searched by dlopen; a path with a '/' is relative to the config file.
        resources->nvml_library =
            text->find('/') == std::string::npos ? *text : internal::ResolvePath(base_dir_, *text);
      }
    }
  }
  if (const Item* v = Get(*f, "retention")) {
    if (auto d = Duration(*v, std::chrono::hours(1), 3650 * kDay)) resources->retention = *d;
  }
  if (const Item* v = Get(*f, "targets")) {
    ForEachEntry(*v, "target name", [&](const std::string& name, const Item& target) {
      if (name == "host") {
        Error(target, "'host' is reserved for the host's own series (choose another name)");
        return;
      }
      if (auto spec = ParseTargetSpec(target)) {
        resources->targets.push_back({name, std::move(*spec)});
      }
    });
    const size_t declared = v->node.IsMap() ? v->node.size() : 0;
    if (declared > kMaxResourceTargets) {
      Error(*v, std::to_string(declared) + " targets declared, more than " +
                    std::to_string(kMaxResourceTargets));
    }
  }
}

std::optional<probes::TargetSpec> Parser::ParseTargetSpec(const Item& item) {
  std::optional<Fields> f = ReadFields(item, {"pid", "pidfile", "match", "exe", "cgroup"});
  if (!f) return std::nullopt;
  if (f->size() != 1) {
    Error(item, "expected exactly one of pid, pidfile, match, exe, cgroup (got " +
                    std::to_string(f->size()) + ")");
    return std::nullopt;
  }
  const auto& [key, value] = *f->begin();
  Result<probes::TargetSpec> spec = InvalidArgumentError("");
  if (key == "pid") {
    std::optional<uint64_t> pid = Unsigned(value, 1, 4194304);  // PID_MAX_LIMIT
    if (!pid) return std::nullopt;
    spec = probes::TargetSpec::Pid(static_cast<int64_t>(*pid));
  } else {
    std::optional<std::string> text = Text(value, "text");
    if (!text) return std::nullopt;
    if (key == "pidfile") {
      spec = probes::TargetSpec::PidFile(internal::ResolvePath(base_dir_, *text));
    } else if (key == "match") {
      spec = probes::TargetSpec::CommandLine(*text);
    } else if (key == "exe") {
      spec = probes::TargetSpec::Executable(*text);
    } else {
      spec = probes::TargetSpec::Cgroup(*text);
    }
  }
  if (!spec.ok()) {
    Error(value, spec.status().message());
    return std::nullopt;
  }
  return std::move(*spec);
}

void Parser::ParseAuth(const Item& item, AuthConfig* auth) {
  std::optional<Fields> f = ReadFields(item, {"tokens"});
  if (!f) return;
  const Item* tokens = Get(*f, "tokens");
  if (tokens == nullptr) return;
  std::map<std::string, size_t, std::less<>> names;   // -> index
  std::map<std::string, size_t, std::less<>> values;  // secret -> index
  ForEachElement(*tokens, [&](const Item& element) {
    std::optional<AuthToken> token = ParseToken(element);
    if (!token) return;
    const size_t index = auth->tokens.size();
    if (auto [it, inserted] = names.try_emplace(token->name, index); !inserted) {
      Error(element, "duplicate token name " + Quote(token->name) + " (also auth.tokens[" +
                         std::to_string(it->second) + "])");
      return;
    }
    if (auto [it, inserted] = values.try_emplace(token->token, index); !inserted) {
      Error(element, "token " + Quote(token->name) + " has the same secret as auth.tokens[" +
                         std::to_string(it->second) + "] (expected distinct tokens)");
      return;
    }
    auth->tokens.push_back(std::move(*token));
  });
}

std::optional<AuthToken> Parser::ParseToken(const Item& item) {
  std::optional<Fields> f = ReadFields(item, {"name", "token", "token_env", "scopes"});
  if (!f) return std::nullopt;
  AuthToken token;
  bool ok = true;
  if (const Item* v = Get(*f, "name")) {
    if (auto name = Name(*v, "token name")) {
      token.name = *name;
    } else {
      ok = false;
    }
  } else {
    Error(item, "missing required key 'name' (expected name, token or token_env, scopes)");
    ok = false;
  }
  const Item* secret = Get(*f, "token");
  const Item* env = Get(*f, "token_env");
  // The secret is never shown: messages give its length only.
  auto check_secret = [&](const Item& at, const std::string& value, const std::string& what) {
    if (value.size() < 16) {
      Error(at, what + " is " + std::to_string(value.size()) +
                    " characters long (expected at least 16; e.g. `openssl rand -hex 32`)");
      return false;
    }
    if (!std::all_of(value.begin(), value.end(), [](char c) { return c > 0x20 && c < 0x7F; })) {
      Error(at, what +
                    " contains spaces, control or non-ASCII characters (expected printable "
                    "ASCII)");
      return false;
    }
    return true;
  };
  if (secret != nullptr && env != nullptr) {
    Error(*env, "give either token or token_env, not both");
    ok = false;
  } else if (secret != nullptr) {
    if (std::optional<std::string> text = Text(*secret, "the token text")) {
      if (check_secret(*secret, *text, "the token")) {
        token.token = *text;
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
  } else if (env != nullptr) {
    std::optional<std::string> var = Text(*env, "the name of an environment variable");
    if (var && !IsEnvName(*var)) {
      Error(*env, Quote(*var) +
                      " is not an environment variable name (expected e.g. "
                      "MODELWATCH_INGEST_TOKEN)");
      var.reset();
    }
    if (var) {
      std::optional<std::string> value = env_ ? env_(*var) : std::nullopt;
      if (!value) {
        Error(*env, "environment variable " + *var + " is not set");
        ok = false;
      } else if (check_secret(*env, *value, "the value of " + *var)) {
        token.token = *value;
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    Error(item, "missing key 'token' or 'token_env' (expected one of them)");
    ok = false;
  }
  if (const Item* v = Get(*f, "scopes")) {
    if (!ForEachElement(*v, [&](const Item& element) {
          auto scope = Enum<Scope>(
              element, "a scope",
              {{"ingest", Scope::kIngest}, {"read", Scope::kRead}, {"admin", Scope::kAdmin}});
          if (!scope) {
            ok = false;
          } else if (token.HasScope(*scope)) {
            Error(element, "duplicate scope " + Quote(ScopeName(*scope)));
            ok = false;
          } else {
            token.scopes.push_back(*scope);
          }
        })) {
      ok = false;
    }
    if (ok && token.scopes.empty()) {
      Error(*v, "no scopes (expected a list of ingest, read, admin)");
      ok = false;
    }
  } else {
    Error(item, "missing required key 'scopes' (expected a list of ingest, read, admin)");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return token;
}

void Parser::ParseLimits(const Item& item, LimitsConfig* limits) {
  std::optional<Fields> f = ReadFields(
      item, {"max_body_bytes", "max_records_per_batch", "max_models", "max_versions_per_model",
             "max_features_per_model", "max_label_values", "max_segments_per_model",
             "max_pending_predictions", "ingest_queue_batches"});
  if (!f) return;
  if (const Item* v = Get(*f, "max_body_bytes")) {
    if (auto n = Size(*v, 1024, uint64_t{4} << 30)) limits->max_body_bytes = *n;
  }
  struct Limit {
    std::string_view key;
    uint64_t min, max;
    uint64_t* out;
  };
  const Limit kLimits[] = {
      {"max_records_per_batch", 1, 10000000, &limits->max_records_per_batch},
      {"max_models", 1, 100000, &limits->max_models},
      {"max_versions_per_model", 1, 10000, &limits->max_versions_per_model},
      {"max_features_per_model", 1, 100000, &limits->max_features_per_model},
      {"max_label_values", 2, 1000000, &limits->max_label_values},
      {"max_segments_per_model", 1, 1000000, &limits->max_segments_per_model},
      {"max_pending_predictions", 1, 1000000000, &limits->max_pending_predictions},
      {"ingest_queue_batches", 1, 65536, &limits->ingest_queue_batches},
  };
  for (const Limit& limit : kLimits) {
    if (const Item* v = Get(*f, limit.key)) {
      if (auto n = Unsigned(*v, limit.min, limit.max)) *limit.out = *n;
    }
  }
}

void Parser::CheckThreshold(const Item& item, DriftMethod method, double threshold) {
  if (!(threshold > 0)) {
    Error(item, FormatDouble(threshold) + " is out of range (expected a threshold > 0)");
  } else if (IsPValueMethod(method) && threshold >= 1) {
    Error(item, FormatDouble(threshold) + " is not a p-value level for method " +
                    std::string(DriftMethodName(method)) +
                    " (expected a value in (0, 1), e.g. 0.05)");
  }
}

void Parser::ParseDrift(const Item& item, DriftOptions* drift) {
  std::optional<Fields> f =
      ReadFields(item, {"method", "threshold", "drift_share", "correction", "columns"});
  if (!f) return;
  auto method_of = [&](const Item& v) -> std::optional<DriftMethod> {
    std::optional<std::string> text = Text(v, "a drift method");
    if (!text) return std::nullopt;
    Result<DriftMethod> m = ParseDriftMethod(*text);
    if (!m.ok()) {
      Error(v, Quote(*text) + " is not a drift method (expected one of " + DriftMethodList() + ")");
      return std::nullopt;
    }
    return *m;
  };
  if (const Item* v = Get(*f, "method")) {
    if (auto m = method_of(*v)) drift->all.method = *m;
  }
  if (const Item* v = Get(*f, "threshold")) {
    if (auto t = Number(*v, "a threshold > 0")) {
      CheckThreshold(*v, drift->all.method, *t);
      drift->all.threshold = *t;
    }
  }
  if (const Item* v = Get(*f, "drift_share")) {
    if (auto share = Number(*v, "a share in (0, 1]")) {
      if (*share > 0 && *share <= 1) {
        drift->drift_share = *share;
      } else {
        Error(*v, FormatDouble(*share) + " is out of range (expected a share in (0, 1])");
      }
    }
  }
  if (const Item* v = Get(*f, "correction")) {
    if (auto c = Enum<PValueCorrection>(*v, "a p-value correction",
                                        {{"none", PValueCorrection::kNone},
                                         {"bonferroni", PValueCorrection::kBonferroni},
                                         {"bh", PValueCorrection::kBenjaminiHochberg}})) {
      drift->correction = *c;
    }
  }
  if (const Item* v = Get(*f, "columns")) {
    ForEachEntry(*v, "column name", [&](const std::string& name, const Item& column) {
      std::optional<Fields> cf = ReadFields(column, {"method", "threshold"});
      if (!cf) return;
      ColumnDriftOptions options = drift->all;  // both inherited unless the column sets them
      if (const Item* m = Get(*cf, "method")) {
        std::optional<DriftMethod> method = method_of(*m);
        if (!method) return;
        options.method = *method;
        options.threshold.reset();  // the method's own default, not another method's level
      }
      if (const Item* t = Get(*cf, "threshold")) {
        std::optional<double> threshold = Number(*t, "a threshold > 0");
        if (!threshold) return;
        CheckThreshold(*t, options.method, *threshold);
        options.threshold = *threshold;
      }
      drift->per_column[name] = options;
    });
  }
}

void Parser::ParseReference(const Item& item, ReferenceConfig* reference) {
  std::optional<Fields> f = ReadFields(item, {"profile", "file", "first_events"});
  if (!f) return;
  if (f->empty()) {
    Error(item, "expected exactly one of profile, file, first_events");
    return;
  }
  if (f->size() > 1) {
    // Report at the later key, the one to remove.
    const Item* later = nullptr;
    for (const auto& [key, value] : *f) {
      if (later == nullptr || value.mark.pos > later->mark.pos) later = &value;
    }
    Error(*later, "only one of profile, file, first_events may be given");
    return;
  }
  const auto& [key, value] = *f->begin();
  if (key == "first_events") {
    if (auto n = Unsigned(value, 1, 10000000)) {
      reference->kind = ReferenceConfig::Kind::kFirstEvents;
      reference->first_events = *n;
    }
    return;
  }
  std::optional<std::string> path = Text(value, "a file path");
  if (!path) return;
  if (path->empty() || path->find('\0') != std::string::npos) {
    Error(value, "expected a file path");
    return;
  }
  reference->kind =
      key == "profile" ? ReferenceConfig::Kind::kProfile : ReferenceConfig::Kind::kFile;
  reference->path = internal::ResolvePath(base_dir_, *path);
}

std::optional<KServeConfig> Parser::ParseKServe(const Item& item, const ModelConfig& model,
                                                bool task_known) {
  std::optional<Fields> f = ReadFields(item, {"inputs", "input_name", "output_name", "output"});
  if (!f) return std::nullopt;
  KServeConfig kserve;
  kserve.output =
      model.task == Task::kRegression ? KServeOutput::kScore : KServeOutput::kProbabilities;
  bool ok = true;
  if (const Item* v = Get(*f, "inputs")) {
    std::map<std::string, size_t, std::less<>> seen;
    if (!ForEachElement(*v, [&](const Item& element) {
          std::optional<std::string> name = Name(element, "feature name");
          if (!name) {
            ok = false;
            return;
          }
          if (auto [it, inserted] = seen.try_emplace(*name, kserve.inputs.size()); !inserted) {
            Error(element, "duplicate input " + Quote(*name) + " (also inputs[" +
                               std::to_string(it->second) + "])");
            ok = false;
            return;
          }
          if (!model.features.empty() && !model.features.contains(*name)) {
            Error(element, Quote(*name) +
                               " is not a declared feature of this model (expected one "
                               "of the keys of features)");
            ok = false;
            return;
          }
          kserve.inputs.push_back(*name);
        })) {
      ok = false;
    }
    if (ok && kserve.inputs.empty()) {
      Error(*v, "no inputs (expected the feature names in tensor column order)");
      ok = false;
    } else if (kserve.inputs.size() > config_.limits.max_features_per_model) {
      Error(*v, std::to_string(kserve.inputs.size()) +
                    " inputs, more than limits.max_features_per_model (" +
                    std::to_string(config_.limits.max_features_per_model) + ")");
      ok = false;
    }
  } else {
    Error(item,
          "missing required key 'inputs' (expected the feature names in tensor column "
          "order)");
    ok = false;
  }
  for (std::string_view key : {"input_name", "output_name"}) {
    if (const Item* v = Get(*f, key)) {
      std::optional<std::string> text = Text(*v, "a tensor name");
      if (text && (text->empty() || !std::all_of(text->begin(), text->end(),
                                                 [](char c) { return c > 0x20 && c < 0x7F; }))) {
        Error(*v, "expected a tensor name (printable ASCII, no spaces)");
        text.reset();
      }
      if (!text) {
        ok = false;
      } else {
        (key == "input_name" ? kserve.input_name : kserve.output_name) = *text;
      }
    }
  }
  if (const Item* v = Get(*f, "output")) {
    auto output = Enum<KServeOutput>(*v, "a KServe output kind",
                                     {{"probabilities", KServeOutput::kProbabilities},
                                      {"class", KServeOutput::kClass},
                                      {"score", KServeOutput::kScore}});
    if (!output) {
      ok = false;
    } else {
      kserve.output = *output;
      const bool fits = !task_known || model.task == Task::kBinary ||
                        (model.task == Task::kMulticlass && *output != KServeOutput::kScore) ||
                        (model.task == Task::kRegression && *output == KServeOutput::kScore);
      if (!fits) {
        Error(*v, Quote(KServeOutputName(*output)) + " does not fit a " +
                      std::string(TaskName(model.task)) + " model (expected " +
                      (model.task == Task::kRegression ? "score" : "probabilities or class") + ")");
        ok = false;
      }
    }
  }
  if (!ok) return std::nullopt;
  return kserve;
}

std::optional<ModelConfig> Parser::ParseModel(const Item& item, const std::string& name,
                                              bool is_defaults, bool* has_task) {
  *has_task = false;
  std::optional<Fields> f = ReadFields(
      item, {"task", "positive_label", "classes", "features", "infer_schema_events", "windows",
             "allowed_lateness", "label_ttl", "segment_by", "reference", "drift", "kserve"});
  if (!f) return std::nullopt;
  const size_t errors_before = problems_.size() + uncollected_;
  const LimitsConfig& limits = config_.limits;
  ModelConfig model;
  model.name = name;

  bool task_known = false;
  if (const Item* v = Get(*f, "task")) {
    if (auto task = Enum<Task>(*v, "a task",
                               {{"binary", Task::kBinary},
                                {"multiclass", Task::kMulticlass},
                                {"regression", Task::kRegression}})) {
      model.task = *task;
      task_known = true;
      *has_task = true;
    }
  } else if (!is_defaults) {
    Error(item, "missing required key 'task' (expected binary, multiclass or regression)");
  }

  const Item* positive = Get(*f, "positive_label");
  if (positive != nullptr) {
    if (auto label = LabelText(*positive)) model.positive_label = *label;
    if (task_known && model.task != Task::kBinary) {
      Error(*positive, "positive_label is only for binary models (this one is " +
                           std::string(TaskName(model.task)) + ")");
    }
  }

  if (const Item* v = Get(*f, "classes")) {
    std::map<std::string, size_t, std::less<>> seen;
    bool ok = true;
    if (!ForEachElement(*v, [&](const Item& element) {
          std::optional<std::string> label = LabelText(element);
          if (!label) {
            ok = false;
            return;
          }
          if (auto [it, inserted] = seen.try_emplace(*label, model.classes.size()); !inserted) {
            Error(element, "duplicate class " + Quote(*label) + " (also classes[" +
                               std::to_string(it->second) + "])");
            ok = false;
            return;
          }
          model.classes.push_back(*label);
        })) {
      ok = false;
    }
    if (ok && task_known) {
      const size_t n = model.classes.size();
      if (model.task == Task::kRegression) {
        Error(*v, "classes are not for regression models");
      } else if (model.task == Task::kBinary && n != 2) {
        Error(*v, std::to_string(n) +
                      " classes given (expected both classes of a binary "
                      "model, e.g. [0, 1])");
      } else if (model.task == Task::kBinary && !seen.contains(model.positive_label)) {
        Error(positive != nullptr ? *positive : *v,
              "positive_label " + Quote(model.positive_label) +
                  " is not one of the classes (expected one of " + Quote(model.classes[0]) + ", " +
                  Quote(model.classes[1]) + ")");
      } else if (model.task == Task::kMulticlass && n < 2) {
        Error(*v, std::to_string(n) + " classes given (expected at least 2)");
      } else if (n > limits.max_label_values) {
        Error(*v, std::to_string(n) + " classes, more than limits.max_label_values (" +
                      std::to_string(limits.max_label_values) + ")");
      }
    }
  }

  if (const Item* v = Get(*f, "features")) {
    ForEachEntry(*v, "feature name", [&](const std::string& feature, const Item& type) {
      if (auto t = Enum<ColumnType>(type, "a feature type",
                                    {{"numeric", ColumnType::kNumeric},
                                     {"categorical", ColumnType::kCategorical},
                                     {"boolean", ColumnType::kBoolean}})) {
        model.features.emplace(feature, *t);
      }
    });
    if (model.features.size() > limits.max_features_per_model) {
      Error(*v, std::to_string(model.features.size()) +
                    " features, more than limits.max_features_per_model (" +
                    std::to_string(limits.max_features_per_model) + ")");
    }
  }

  if (const Item* v = Get(*f, "infer_schema_events")) {
    if (auto n = Unsigned(*v, 1, 1000000)) model.infer_schema_events = *n;
  }

  if (const Item* v = Get(*f, "windows")) {
    std::vector<microseconds> windows;
    std::map<microseconds, size_t> seen;
    bool ok = true;
    if (!ForEachElement(*v, [&](const Item& element) {
          std::optional<microseconds> width = Duration(element, Seconds(1), 366 * kDay);
          if (!width) {
            ok = false;
            return;
          }
          if (*width % Seconds(1) != microseconds(0)) {
            Error(element, FormatDuration(*width) +
                               " is not a whole number of seconds (expected a "
                               "window width such as 30s, 5m, 1h)");
            ok = false;
            return;
          }
          if (auto [it, inserted] = seen.try_emplace(*width, windows.size()); !inserted) {
            Error(element, "duplicate window " + FormatDuration(*width) + " (also windows[" +
                               std::to_string(it->second) + "])");
            ok = false;
            return;
          }
          if (*width > config_.storage.retention.windows) {
            Error(element, FormatDuration(*width) + " is longer than storage.retention.windows (" +
                               FormatDuration(config_.storage.retention.windows) + ")");
            ok = false;
            return;
          }
          windows.push_back(*width);
        })) {
      ok = false;
    }
    if (ok && windows.empty()) {
      Error(*v, "no windows (expected a list of widths, e.g. [5m, 1h])");
    } else if (windows.size() > kMaxWindows) {
      Error(*v, std::to_string(windows.size()) + " windows (expected at most " +
                    std::to_string(kMaxWindows) + ")");
    } else if (ok) {
      model.windows = std::move(windows);
    }
  }

  if (const Item* v = Get(*f, "allowed_lateness")) {
    if (auto d = Duration(*v, microseconds(0), 30 * kDay)) model.allowed_lateness = *d;
  }
  const Item* label_ttl = Get(*f, "label_ttl");
  if (label_ttl != nullptr) {
    if (auto d = Duration(*label_ttl, Seconds(1), 3650 * kDay)) model.label_ttl = *d;
  }
  if (model.label_ttl > config_.storage.retention.predictions) {
    Error(label_ttl != nullptr ? *label_ttl : item,
          "label_ttl " + FormatDuration(model.label_ttl) +
              " is longer than storage.retention.predictions (" +
              FormatDuration(config_.storage.retention.predictions) +
              "): predictions would be deleted before their label could join");
  }

  if (const Item* v = Get(*f, "segment_by")) {
    std::map<std::string, size_t, std::less<>> seen;
    ForEachElement(*v, [&](const Item& element) {
      std::optional<std::string> key = Name(element, "segment key");
      if (!key) return;
      if (auto [it, inserted] = seen.try_emplace(*key, model.segment_by.size()); !inserted) {
        Error(element, "duplicate segment key " + Quote(*key) + " (also segment_by[" +
                           std::to_string(it->second) + "])");
        return;
      }
      model.segment_by.push_back(*key);
    });
  }

  if (const Item* v = Get(*f, "reference")) ParseReference(*v, &model.reference);
  if (const Item* v = Get(*f, "drift")) ParseDrift(*v, &model.drift);
  if (const Item* v = Get(*f, "kserve")) model.kserve = ParseKServe(*v, model, task_known);

  if (problems_.size() + uncollected_ != errors_before) return std::nullopt;
  return model;
}

Result<Config> Parser::Parse(std::string_view text) {
  config_.source = source_;
  config_.storage.path = internal::ResolvePath(base_dir_, config_.storage.path);
  YAML::Node document;
  try {
    // The document structure first: yaml-cpp 0.7's LoadAll loops forever on some malformed
    // input (e.g. a stray ',' at the top level), returning one empty document after another
    // from the same place, and Load then silently returns an empty document.
    const std::string owned(text);
    std::istringstream in(owned);
    YAML::Parser parser(in);
    DocumentStarts starts;
    if (parser.HandleNextDocument(starts) && parser.HandleNextDocument(starts)) {
      if (starts.marks.size() == 2 && starts.marks[1].pos > starts.marks[0].pos) {
        Error(starts.marks[1], "", "a second YAML document (expected one document)");
      } else {
        Error(starts.marks.empty() ? YAML::Mark() : starts.marks[0], "",
              "YAML syntax error: content that yaml-cpp cannot read (e.g. a stray ',' outside "
              "brackets)");
      }
      return Finish();
    }
    document = YAML::Load(owned);
  } catch (const YAML::DeepRecursion& e) {
    Error(e.mark, "", "the document is nested too deeply (yaml-cpp allows fewer than 500 levels)");
    return Finish();
  } catch (const YAML::Exception& e) {
    Error(e.mark, "", "YAML syntax error: " + internal::Escape(e.msg));
    return Finish();
  }
  if (!document.IsDefined() || document.IsNull()) return config_;

  const Item root{document, document.Mark(), ""};
  if (!root.node.IsMap()) {
    Error(root,
          "expected a mapping of sections (server, storage, auth, limits, resources, "
          "models, defaults), got " +
              KindOf(root.node));
    return Finish();
  }
  std::optional<Fields> f =
      ReadFields(root, {"server", "storage", "auth", "limits", "resources", "models", "defaults"});
  // Sections in dependency order (models are checked against limits and storage); problems
  // are sorted by position at the end.
  if (const Item* v = Get(*f, "server")) ParseServer(*v, &config_.server);
  if (const Item* v = Get(*f, "storage")) ParseStorage(*v, &config_.storage);
  if (const Item* v = Get(*f, "auth")) ParseAuth(*v, &config_.auth);
  if (const Item* v = Get(*f, "limits")) ParseLimits(*v, &config_.limits);
  if (const Item* v = Get(*f, "resources")) ParseResources(*v, &config_.resources);
  if (const Item* v = Get(*f, "defaults")) {
    bool has_task = false;
    std::optional<ModelConfig> defaults = ParseModel(*v, "", /*is_defaults=*/true, &has_task);
    if (defaults && has_task) config_.defaults = std::move(defaults);
  }
  if (const Item* v = Get(*f, "models")) {
    ForEachEntry(*v, "model name", [&](const std::string& name, const Item& model) {
      bool has_task = false;
      if (auto parsed = ParseModel(model, name, /*is_defaults=*/false, &has_task)) {
        config_.models.push_back(std::move(*parsed));
      }
    });
    const size_t declared = v->node.IsMap() ? v->node.size() : 0;
    if (declared > config_.limits.max_models) {
      Error(*v, std::to_string(declared) + " models declared, more than limits.max_models (" +
                    std::to_string(config_.limits.max_models) + ")");
    }
  }
  if (!problems_.empty() || uncollected_ > 0) return Finish();
  return std::move(config_);
}

}  // namespace

Result<Config> ParseConfig(std::string_view yaml_text, const std::string& source_name,
                           const EnvLookup& env, const std::string& base_dir) {
  try {
    Parser parser(source_name, env, base_dir);
    return parser.Parse(yaml_text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws only on malformed input, handled above; kept as a safety net.
    return InvalidArgumentError(source_name + ": YAML error: " + internal::Escape(e.msg));
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError(source_name + ": out of memory reading the configuration");
  } catch (const std::exception& e) {
    return InternalError(source_name +
                         ": reading the configuration failed: " + internal::Escape(e.what()));
  }
}

Result<Config> LoadConfig(const std::string& path, const EnvLookup& env) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) {
    return InvalidArgumentError(path + ": is a directory (expected a YAML configuration file)");
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int e = errno;
    std::string message = path + ": cannot open the configuration file: " + std::strerror(e);
    if (e == ENOENT) return NotFoundError(std::move(message));
    return UnavailableError(std::move(message));
  }
  std::string text;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    text.append(buffer, n);
    if (text.size() > kMaxConfigBytes) {
      std::fclose(file);
      return InvalidArgumentError(path + ": the configuration file is larger than 16 MiB");
    }
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return UnavailableError(path + ": cannot read the configuration file");
  fs::path absolute = fs::absolute(path, error);
  const std::string base_dir = error ? std::string() : absolute.parent_path().string();
  return ParseConfig(text, path, env, base_dir);
}

}  // namespace modelwatch::server
