// The daemon configuration: the example file, every default, every error with its exact
// FILE:LINE:COL place, tokens from the environment, relative paths, and the fuzz seeds.
#include "modelwatch/server/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config_values.h"

namespace modelwatch::server {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::StartsWith;

constexpr microseconds Days(int64_t n) { return n * kDay; }

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup& NoEnv() {
  static const EnvLookup* env = new EnvLookup(FakeEnv({}));
  return *env;
}

Config ParseOk(const std::string& yaml, const std::string& base_dir = "/etc/mw",
               const EnvLookup& env = NoEnv()) {
  Result<Config> config = ParseConfig(yaml, "config.yaml", env, base_dir);
  EXPECT_TRUE(config.ok()) << config.status().ToString() << "\n--- for:\n" << yaml;
  if (!config.ok()) return Config();
  return *std::move(config);
}

// The whole message of a failed parse (which must be kInvalidArgument).
std::string ParseError(const std::string& yaml, const EnvLookup& env = NoEnv()) {
  Result<Config> config = ParseConfig(yaml, "config.yaml", env, "/etc/mw");
  EXPECT_FALSE(config.ok()) << "parsed without error:\n" << yaml;
  if (config.ok()) return "";
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << config.status().ToString();
  return config.status().message();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The example file and DefaultConfig.

TEST(ConfigTest, ExampleFileParsesWithItsValues) {
  const std::string dir = std::string(MW_SOURCE_DIR) + "/config";
  const EnvLookup env = FakeEnv({{"MODELWATCH_INGEST_TOKEN", "ingest-0123456789abcdef"},
                                 {"MODELWATCH_LABELS_TOKEN", "labels-0123456789abcdef"},
                                 {"MODELWATCH_READ_TOKEN", "read-0123456789abcdef"},
                                 {"MODELWATCH_ADMIN_TOKEN", "admin-0123456789abcdef"}});
  Result<Config> loaded = LoadConfig(dir + "/modelwatch.example.yaml", env);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Config& c = *loaded;
  EXPECT_EQ(c.source, dir + "/modelwatch.example.yaml");

  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8686);
  EXPECT_EQ(c.server.io_threads, 0);
  EXPECT_EQ(c.server.read_timeout, seconds(30));
  EXPECT_EQ(c.server.idle_timeout, seconds(60));
  EXPECT_EQ(c.server.shutdown_grace, seconds(10));

  EXPECT_EQ(c.storage.backend, StorageBackend::kSqlite);
  EXPECT_EQ(c.storage.path,
            std::filesystem::path(dir + "/data/modelwatch.db").lexically_normal().string());
  EXPECT_EQ(c.storage.sync, StorageSync::kFull);
  EXPECT_EQ(c.storage.retention.predictions, Days(30));
  EXPECT_EQ(c.storage.retention.windows, Days(400));
  EXPECT_EQ(c.storage.retention.labels, Days(7));

  EXPECT_EQ(c.resources.interval, seconds(5));
  EXPECT_EQ(c.resources.gpu, GpuMode::kAuto);
  ASSERT_EQ(c.resources.targets.size(), 2u);
  EXPECT_EQ(c.resources.targets[0].spec.ToString(), "match '^/opt/tritonserver/bin/tritonserver'");
  EXPECT_EQ(c.resources.targets[1].spec.ToString(), "pidfile /run/scorer.pid");

  ASSERT_TRUE(c.auth.enabled());
  ASSERT_EQ(c.auth.tokens.size(), 4u);
  EXPECT_EQ(c.auth.tokens[0].name, "fraud-scorer");
  EXPECT_EQ(c.auth.tokens[0].token, "ingest-0123456789abcdef");
  EXPECT_THAT(c.auth.tokens[0].scopes, ElementsAre(Scope::kIngest));
  EXPECT_THAT(c.auth.tokens[1].scopes, ElementsAre(Scope::kIngest, Scope::kRead));
  EXPECT_EQ(c.auth.tokens[3].name, "ops");
  EXPECT_TRUE(c.auth.tokens[3].HasScope(Scope::kAdmin));
  EXPECT_FALSE(c.auth.tokens[3].HasScope(Scope::kIngest));

  EXPECT_EQ(c.limits.max_body_bytes, 16u << 20);
  EXPECT_EQ(c.limits.max_records_per_batch, 10000u);
  EXPECT_EQ(c.limits.max_models, 20u);
  EXPECT_EQ(c.limits.max_pending_predictions, 2000000u);
  EXPECT_EQ(c.limits.max_versions_per_model, 20u);  // not in the file: default

  ASSERT_EQ(c.models.size(), 2u);
  const ModelConfig& fraud = c.models[0];
  EXPECT_EQ(fraud.name, "fraud");
  EXPECT_EQ(fraud.task, Task::kBinary);
  EXPECT_EQ(fraud.positive_label, "1");
  EXPECT_THAT(fraud.classes, ElementsAre("0", "1"));
  EXPECT_THAT(fraud.features, ElementsAre(Pair("account_age_days", ColumnType::kNumeric),
                                          Pair("amount", ColumnType::kNumeric),
                                          Pair("card_present", ColumnType::kBoolean),
                                          Pair("country", ColumnType::kCategorical),
                                          Pair("merchant_category", ColumnType::kCategorical)));
  EXPECT_EQ(fraud.infer_schema_events, 100u);
  EXPECT_THAT(fraud.windows, ElementsAre(minutes(5), hours(1), Days(1)));
  EXPECT_EQ(fraud.allowed_lateness, minutes(10));
  EXPECT_EQ(fraud.label_ttl, Days(14));
  EXPECT_THAT(fraud.segment_by, ElementsAre("region"));
  EXPECT_EQ(fraud.reference.kind, ReferenceConfig::Kind::kProfile);
  EXPECT_EQ(
      fraud.reference.path,
      std::filesystem::path(dir + "/references/fraud-2026-10.mwprof").lexically_normal().string());
  EXPECT_EQ(fraud.drift.all.method, DriftMethod::kAuto);
  EXPECT_FALSE(fraud.drift.all.threshold.has_value());
  EXPECT_EQ(fraud.drift.drift_share, 0.5);
  EXPECT_EQ(fraud.drift.correction, PValueCorrection::kBenjaminiHochberg);
  ASSERT_EQ(fraud.drift.per_column.size(), 2u);
  EXPECT_EQ(fraud.drift.per_column.at("amount").method, DriftMethod::kWasserstein);
  EXPECT_EQ(fraud.drift.per_column.at("amount").threshold, 0.15);
  EXPECT_EQ(fraud.drift.per_column.at("country").method, DriftMethod::kPsi);
  EXPECT_EQ(fraud.drift.per_column.at("country").threshold, 0.2);
  EXPECT_FALSE(fraud.kserve.has_value());

  const ModelConfig& housing = c.models[1];
  EXPECT_EQ(housing.name, "housing-price");
  EXPECT_EQ(housing.task, Task::kRegression);
  EXPECT_TRUE(housing.features.empty());
  EXPECT_THAT(housing.windows, ElementsAre(hours(1), Days(1)));
  EXPECT_EQ(housing.allowed_lateness, minutes(5));
  EXPECT_EQ(housing.label_ttl, Days(30));
  EXPECT_EQ(housing.reference.kind, ReferenceConfig::Kind::kFirstEvents);
  EXPECT_EQ(housing.reference.first_events, 5000u);
  EXPECT_EQ(housing.drift.all.method, DriftMethod::kKs);
  EXPECT_EQ(housing.drift.all.threshold, 0.01);
  ASSERT_TRUE(housing.kserve.has_value());
  EXPECT_THAT(housing.kserve->inputs,
              ElementsAre("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup",
                          "Latitude", "Longitude"));
  EXPECT_EQ(housing.kserve->input_name, "input-0");
  EXPECT_EQ(housing.kserve->output_name, "output-0");
  EXPECT_EQ(housing.kserve->output, KServeOutput::kScore);

  ASSERT_TRUE(c.defaults.has_value());
  EXPECT_EQ(c.defaults->task, Task::kBinary);
  EXPECT_THAT(c.defaults->windows, ElementsAre(minutes(5), hours(1)));
  EXPECT_EQ(c.defaults->reference.kind, ReferenceConfig::Kind::kFirstEvents);
  EXPECT_EQ(c.defaults->reference.first_events, 1000u);
}

TEST(ConfigTest, DefaultConfigHasEveryDocumentedDefault) {
  const Config c = DefaultConfig();
  EXPECT_EQ(c.source, "");
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8686);
  EXPECT_EQ(c.server.io_threads, 0);
  EXPECT_EQ(c.server.read_timeout, seconds(30));
  EXPECT_EQ(c.server.idle_timeout, seconds(60));
  EXPECT_EQ(c.server.shutdown_grace, seconds(10));
  EXPECT_EQ(c.storage.backend, StorageBackend::kSqlite);
  EXPECT_EQ(c.storage.path, "modelwatch.db");
  EXPECT_EQ(c.storage.sync, StorageSync::kFull);
  EXPECT_EQ(c.storage.retention.predictions, Days(30));
  EXPECT_EQ(c.storage.retention.windows, Days(400));
  EXPECT_EQ(c.storage.retention.labels, Days(7));
  EXPECT_FALSE(c.auth.enabled());
  EXPECT_EQ(c.limits.max_body_bytes, 16u * 1024 * 1024);
  EXPECT_EQ(c.limits.max_records_per_batch, 10000u);
  EXPECT_EQ(c.limits.max_models, 100u);
  EXPECT_EQ(c.limits.max_versions_per_model, 20u);
  EXPECT_EQ(c.limits.max_features_per_model, 500u);
  EXPECT_EQ(c.limits.max_label_values, 1000u);
  EXPECT_EQ(c.limits.max_segments_per_model, 100u);
  EXPECT_EQ(c.limits.max_pending_predictions, 1000000u);
  EXPECT_EQ(c.limits.ingest_queue_batches, 64u);
  EXPECT_TRUE(c.models.empty());
  EXPECT_FALSE(c.defaults.has_value());
  Result<ModelConfig> undeclared = c.ModelFor("fraud");
  ASSERT_FALSE(undeclared.ok());
  EXPECT_EQ(undeclared.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(undeclared.status().message(),
            "model 'fraud' is not declared in the configuration (and defaults.task is not set)");
}

TEST(ConfigTest, EmptyFileAndEmptySectionsAreTheDefaults) {
  for (const std::string yaml :
       {"", "# only a comment\n", "---\n", "server:\nstorage:\nauth:\nlimits:\nmodels:\n",
        "server: {}\nstorage: {retention: {}}\nauth: {tokens: []}\nlimits: {}\nmodels: {}\n"}) {
    const Config c = ParseOk(yaml, "/etc/mw");
    EXPECT_EQ(c.source, "config.yaml");
    EXPECT_EQ(c.server.port, 8686);
    EXPECT_EQ(c.storage.path, "/etc/mw/modelwatch.db") << yaml;  // beside the config file
    EXPECT_EQ(c.storage.retention.windows, Days(400));
    EXPECT_FALSE(c.auth.enabled());
    EXPECT_EQ(c.limits.ingest_queue_batches, 64u);
    EXPECT_TRUE(c.models.empty());
    EXPECT_FALSE(c.defaults.has_value());
  }
}

TEST(ConfigTest, ModelKeysHaveTheirDefaults) {
  const Config c = ParseOk("models:\n  m:\n    task: binary\n");
  ASSERT_EQ(c.models.size(), 1u);
  const ModelConfig& m = c.models[0];
  EXPECT_EQ(m.name, "m");
  EXPECT_EQ(m.positive_label, "1");
  EXPECT_TRUE(m.classes.empty());
  EXPECT_TRUE(m.features.empty());
  EXPECT_EQ(m.infer_schema_events, 100u);
  EXPECT_THAT(m.windows, ElementsAre(minutes(5), hours(1)));
  EXPECT_EQ(m.allowed_lateness, minutes(5));
  EXPECT_EQ(m.label_ttl, Days(7));
  EXPECT_TRUE(m.segment_by.empty());
  EXPECT_EQ(m.reference.kind, ReferenceConfig::Kind::kNone);
  EXPECT_EQ(m.drift.all.method, DriftMethod::kAuto);
  EXPECT_FALSE(m.drift.all.threshold.has_value());
  EXPECT_EQ(m.drift.drift_share, 0.5);
  EXPECT_EQ(m.drift.correction, PValueCorrection::kNone);
  EXPECT_TRUE(m.drift.per_column.empty());
  EXPECT_FALSE(m.kserve.has_value());
}

TEST(ConfigTest, EveryKeyCanBeSet) {
  const Config c = ParseOk(R"(server:
  listen: "[::1]:9000"
  io_threads: 4
  read_timeout: 1.5s
  idle_timeout: 2m
  shutdown_grace: 0s
storage:
  path: /var/lib/mw/db.sqlite
  sync: normal
  retention: {predictions: 60d, windows: 2h, labels: 1d}
limits:
  max_body_bytes: 1GB
  max_records_per_batch: 5
  max_models: 3
  max_versions_per_model: 4
  max_features_per_model: 6
  max_label_values: 7
  max_segments_per_model: 8
  max_pending_predictions: 9
  ingest_queue_batches: 10
models:
  digits:
    task: multiclass
    classes: [zero, one, "2"]
    infer_schema_events: 50
    windows: [30s, 1h]
    allowed_lateness: 0s
    label_ttl: 12h
    segment_by: [region, tier]
    reference: {file: ref/digits.csv}
    drift:
      method: js
      threshold: 0.2
      drift_share: 1
      correction: bonferroni
      columns:
        pixel_1: {threshold: 0.3}
        pixel_2: {method: chi2}
    kserve: {inputs: [pixel_1, pixel_2], output: class}
)");
  EXPECT_EQ(c.server.host, "::1");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.server.io_threads, 4);
  EXPECT_EQ(c.server.read_timeout, milliseconds(1500));
  EXPECT_EQ(c.server.idle_timeout, minutes(2));
  EXPECT_EQ(c.server.shutdown_grace, microseconds(0));
  EXPECT_EQ(c.storage.path, "/var/lib/mw/db.sqlite");
  EXPECT_EQ(c.storage.sync, StorageSync::kNormal);
  EXPECT_EQ(c.storage.retention.predictions, Days(60));
  EXPECT_EQ(c.storage.retention.windows, hours(2));
  EXPECT_EQ(c.storage.retention.labels, Days(1));
  EXPECT_EQ(c.limits.max_body_bytes, 1000000000u);
  EXPECT_EQ(c.limits.max_records_per_batch, 5u);
  EXPECT_EQ(c.limits.max_models, 3u);
  EXPECT_EQ(c.limits.max_versions_per_model, 4u);
  EXPECT_EQ(c.limits.max_features_per_model, 6u);
  EXPECT_EQ(c.limits.max_label_values, 7u);
  EXPECT_EQ(c.limits.max_segments_per_model, 8u);
  EXPECT_EQ(c.limits.max_pending_predictions, 9u);
  EXPECT_EQ(c.limits.ingest_queue_batches, 10u);
  ASSERT_EQ(c.models.size(), 1u);
  const ModelConfig& m = c.models[0];
  EXPECT_EQ(m.task, Task::kMulticlass);
  EXPECT_THAT(m.classes, ElementsAre("zero", "one", "2"));
  EXPECT_EQ(m.infer_schema_events, 50u);
  EXPECT_THAT(m.windows, ElementsAre(seconds(30), hours(1)));
  EXPECT_EQ(m.allowed_lateness, microseconds(0));
  EXPECT_EQ(m.label_ttl, hours(12));
  EXPECT_THAT(m.segment_by, ElementsAre("region", "tier"));
  EXPECT_EQ(m.reference.kind, ReferenceConfig::Kind::kFile);
  EXPECT_EQ(m.reference.path, "/etc/mw/ref/digits.csv");
  EXPECT_EQ(m.drift.all.method, DriftMethod::kJensenShannon);
  EXPECT_EQ(m.drift.all.threshold, 0.2);
  EXPECT_EQ(m.drift.drift_share, 1.0);
  EXPECT_EQ(m.drift.correction, PValueCorrection::kBonferroni);
  // A column that sets only a threshold keeps the model's method; one that sets a method gets
  // that method's own default threshold, not the model's (which belongs to another method).
  EXPECT_EQ(m.drift.per_column.at("pixel_1").method, DriftMethod::kJensenShannon);
  EXPECT_EQ(m.drift.per_column.at("pixel_1").threshold, 0.3);
  EXPECT_EQ(m.drift.per_column.at("pixel_2").method, DriftMethod::kChiSquare);
  EXPECT_FALSE(m.drift.per_column.at("pixel_2").threshold.has_value());
  ASSERT_TRUE(m.kserve.has_value());
  EXPECT_THAT(m.kserve->inputs, ElementsAre("pixel_1", "pixel_2"));
  EXPECT_EQ(m.kserve->input_name, "");
  EXPECT_EQ(m.kserve->output, KServeOutput::kClass);
}

TEST(ConfigTest, KServeOutputDefaultsByTask) {
  const Config c = ParseOk(R"(models:
  b: {task: binary, kserve: {inputs: [x]}}
  c: {task: multiclass, kserve: {inputs: [x]}}
  r: {task: regression, kserve: {inputs: [x]}}
)");
  ASSERT_EQ(c.models.size(), 3u);
  EXPECT_EQ(c.models[0].kserve->output, KServeOutput::kProbabilities);
  EXPECT_EQ(c.models[1].kserve->output, KServeOutput::kProbabilities);
  EXPECT_EQ(c.models[2].kserve->output, KServeOutput::kScore);
}

TEST(ConfigTest, LabelsAreKeptAsCanonicalText) {
  const Config c = ParseOk(R"(models:
  a: {task: binary, positive_label: 1.0}
  b: {task: binary, positive_label: "1.0"}
  c: {task: binary, positive_label: fraud, classes: [legit, fraud]}
  d: {task: binary, positive_label: True, classes: [false, true]}
  e: {task: multiclass, classes: [1e2, 2.50, "007"]}
)");
  ASSERT_EQ(c.models.size(), 5u);
  EXPECT_EQ(c.models[0].positive_label, "1");    // a number, as events compare it
  EXPECT_EQ(c.models[1].positive_label, "1.0");  // quoted: a string
  EXPECT_EQ(c.models[2].positive_label, "fraud");
  EXPECT_THAT(c.models[2].classes, ElementsAre("legit", "fraud"));
  EXPECT_EQ(c.models[3].positive_label, "true");
  EXPECT_THAT(c.models[3].classes, ElementsAre("false", "true"));
  EXPECT_THAT(c.models[4].classes, ElementsAre("100", "2.5", "007"));
}

TEST(ConfigTest, DefaultsApplyToUndeclaredModelsOnly) {
  const Config c = ParseOk(R"(defaults:
  task: regression
  windows: [1m]
models:
  fraud: {task: binary}
)");
  ASSERT_TRUE(c.defaults.has_value());
  Result<ModelConfig> fraud = c.ModelFor("fraud");
  ASSERT_TRUE(fraud.ok());
  EXPECT_EQ(fraud->task, Task::kBinary);
  EXPECT_THAT(fraud->windows, ElementsAre(minutes(5), hours(1)));  // not the defaults' windows
  Result<ModelConfig> other = c.ModelFor("new-model");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->name, "new-model");
  EXPECT_EQ(other->task, Task::kRegression);
  EXPECT_THAT(other->windows, ElementsAre(minutes(1)));
  EXPECT_EQ(c.FindModel("new-model"), nullptr);
  ASSERT_NE(c.FindModel("fraud"), nullptr);

  // Without defaults.task, a defaults block is validated but undeclared models are rejected.
  const Config no_task = ParseOk("defaults:\n  windows: [1m]\n");
  EXPECT_FALSE(no_task.defaults.has_value());
  EXPECT_EQ(no_task.ModelFor("x").status().code(), StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Tokens and the environment.

TEST(ConfigTest, TokensComeFromTheFileOrTheEnvironment) {
  int lookups = 0;
  const EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
    ++lookups;
    if (name == "MW_TOKEN") return std::string("from-the-environment-1234");
    return std::nullopt;
  };
  const Config c = ParseOk(R"(auth:
  tokens:
    - {name: ci, token: "literal-token-0123456789", scopes: [ingest]}
    - {name: env, token_env: MW_TOKEN, scopes: [read, admin]}
)",
                           "", env);
  EXPECT_EQ(lookups, 1);
  ASSERT_EQ(c.auth.tokens.size(), 2u);
  EXPECT_EQ(c.auth.tokens[0].token, "literal-token-0123456789");
  EXPECT_EQ(c.auth.tokens[1].name, "env");
  EXPECT_EQ(c.auth.tokens[1].token, "from-the-environment-1234");
  EXPECT_THAT(c.auth.tokens[1].scopes, ElementsAre(Scope::kRead, Scope::kAdmin));
}

TEST(ConfigTest, TokenErrorsNameThePlaceButNeverTheSecret) {
  std::string m = ParseError(R"(auth:
  tokens:
    - {name: ci, token: short-secret, scopes: [ingest]}
)");
  EXPECT_EQ(m,
            "config.yaml:3:25: auth.tokens[0].token: the token is 12 characters long (expected "
            "at least 16; e.g. `openssl rand -hex 32`)");
  EXPECT_THAT(m, Not(HasSubstr("short-secret")));

  m = ParseError(R"(auth:
  tokens:
    - name: ci
      token_env: MW_MISSING
      scopes: [ingest]
)");
  EXPECT_EQ(m,
            "config.yaml:4:18: auth.tokens[0].token_env: environment variable MW_MISSING is "
            "not set");

  m = ParseError(R"(auth:
  tokens:
    - {name: ci, token_env: MW_SHORT, scopes: [ingest]}
)",
                 FakeEnv({{"MW_SHORT", "tiny secret"}}));
  EXPECT_EQ(m,
            "config.yaml:3:29: auth.tokens[0].token_env: the value of MW_SHORT is 11 "
            "characters long (expected at least 16; e.g. `openssl rand -hex 32`)");
  EXPECT_THAT(m, Not(HasSubstr("tiny")));

  m = ParseError(R"(auth:
  tokens:
    - {name: ci, token: "with space 0123456789", scopes: [ingest]}
)");
  EXPECT_EQ(m,
            "config.yaml:3:25: auth.tokens[0].token: the token contains spaces, control or "
            "non-ASCII characters (expected printable ASCII)");

  m = ParseError(R"(auth:
  tokens:
    - {name: a, token: 0123456789abcdef, token_env: X, scopes: [read]}
)");
  EXPECT_EQ(m,
            "config.yaml:3:53: auth.tokens[0].token_env: give either token or token_env, not "
            "both");

  m = ParseError(R"(auth:
  tokens:
    - {name: a, scopes: [read]}
)");
  EXPECT_EQ(m,
            "config.yaml:3:7: auth.tokens[0]: missing key 'token' or 'token_env' (expected "
            "one of them)");

  m = ParseError(R"(auth:
  tokens:
    - {name: a, token: 0123456789abcdef}
)");
  EXPECT_EQ(m,
            "config.yaml:3:7: auth.tokens[0]: missing required key 'scopes' (expected a list "
            "of ingest, read, admin)");

  m = ParseError(R"(auth:
  tokens:
    - {name: a, token: 0123456789abcdef, scopes: [read, write]}
)");
  EXPECT_EQ(m,
            "config.yaml:3:57: auth.tokens[0].scopes[1]: 'write' is not a scope (expected one "
            "of ingest, read, admin)");

  m = ParseError(R"(auth:
  tokens:
    - {name: a, token: 0123456789abcdef, scopes: []}
)");
  EXPECT_EQ(m,
            "config.yaml:3:50: auth.tokens[0].scopes: no scopes (expected a list of ingest, "
            "read, admin)");

  m = ParseError(R"(auth:
  tokens:
    - {name: a, token: 0123456789abcdef, scopes: [read]}
    - {name: b, token: 0123456789abcdef, scopes: [read]}
    - {name: a, token: 0123456789abcdeX, scopes: [read]}
)");
  EXPECT_THAT(Lines(m),
              ElementsAre("config.yaml:4:7: auth.tokens[1]: token 'b' has the same secret as "
                          "auth.tokens[0] (expected distinct tokens)",
                          "config.yaml:5:7: auth.tokens[2]: duplicate token name 'a' (also "
                          "auth.tokens[0])"));
  EXPECT_THAT(m, Not(HasSubstr("0123456789abcdef")));
}

// ---------------------------------------------------------------------------------------------
// Relative paths.

TEST(ConfigTest, RelativePathsAreResolvedAgainstTheBaseDirectory) {
  const std::string yaml = R"(storage: {path: data/../db/mw.db}
models:
  a: {task: binary, reference: {profile: refs/a.mwprof}}
  b: {task: binary, reference: {file: /abs/b.csv}}
)";
  Config c = ParseOk(yaml, "/srv/mw");
  EXPECT_EQ(c.storage.path, "/srv/mw/db/mw.db");
  EXPECT_EQ(c.models[0].reference.path, "/srv/mw/refs/a.mwprof");
  EXPECT_EQ(c.models[1].reference.path, "/abs/b.csv");

  c = ParseOk(yaml, "");  // no base: left relative (to the working directory)
  EXPECT_EQ(c.storage.path, "db/mw.db");
  EXPECT_EQ(c.models[0].reference.path, "refs/a.mwprof");

  c = ParseOk("storage: {path: \":memory:\"}\n", "/srv/mw");
  EXPECT_EQ(c.storage.path, ":memory:");
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mw_config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "etc");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ConfigFileTest, LoadConfigResolvesAgainstTheFilesDirectory) {
  const std::string path = (dir_ / "etc" / "mw.yaml").string();
  std::ofstream(path) << "storage:\n  path: ../var/mw.db\nmodels:\n  m: {task: binary, "
                         "reference: {profile: ref.mwprof}}\n";
  Result<Config> c = LoadConfig(path, NoEnv());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, path);
  EXPECT_EQ(c->storage.path, (dir_ / "var" / "mw.db").string());
  EXPECT_EQ(c->models[0].reference.path, (dir_ / "etc" / "ref.mwprof").string());

  // Relative config path: still resolved against the file's absolute directory.
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  c = LoadConfig("etc/mw.yaml", NoEnv());
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->storage.path, (dir_ / "var" / "mw.db").string());
}

TEST_F(ConfigFileTest, LoadConfigErrors) {
  Result<Config> c = LoadConfig((dir_ / "missing.yaml").string(), NoEnv());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(), (dir_ / "missing.yaml").string() +
                                      ": cannot open the configuration file: No such file or "
                                      "directory");

  c = LoadConfig(dir_.string(), NoEnv());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("is a directory"));

  const std::string path = (dir_ / "bad.yaml").string();
  std::ofstream(path) << "server:\n  listen: 8686\n";
  c = LoadConfig(path, NoEnv());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message(),
            path +
                ":2:11: server.listen: '8686' has no port (expected host:port, e.g. "
                "127.0.0.1:8686 or [::1]:8686)");
}

// ---------------------------------------------------------------------------------------------
// Errors, each with its exact place.

TEST(ConfigErrorTest, YamlSyntaxErrorsGiveYamlCppsPlace) {
  EXPECT_EQ(ParseError("models:\n  fraud: [1\n  other: 2\n"),
            "config.yaml:3:8: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(ParseError("server:\n\tlisten: x\n"),
            "config.yaml:2:8: YAML syntax error: illegal map value");
  EXPECT_EQ(ParseError("a: *nothing\n"),
            "config.yaml:1:4: YAML syntax error: the referenced anchor is not defined");
  EXPECT_EQ(ParseError("server: {}\n---\nserver: {}\n"),
            "config.yaml:2:1: a second YAML document (expected one document)");
  // yaml-cpp places its depth error where its scanner stands (here the end of the line).
  EXPECT_THAT(ParseError("a: " + std::string(600, '[') + std::string(600, ']') + "\n"),
              ::testing::MatchesRegex("config\\.yaml:1:[0-9]+: the document is nested too "
                                      "deeply \\(yaml-cpp allows fewer than 500 levels\\)"));
  // yaml-cpp 0.7 reads a stray top-level ',' as an endless series of empty documents.
  EXPECT_EQ(ParseError(",\nserver: {io_threads: 1}\n"),
            "config.yaml:1:1: YAML syntax error: content that yaml-cpp cannot read (e.g. a stray "
            "',' outside brackets)");
  EXPECT_EQ(ParseError("x: \"\\q\"\n"),
            "config.yaml:1:7: YAML syntax error: unknown escape character: q");
  EXPECT_EQ(ParseError("- server\n"),
            "config.yaml:1:1: expected a mapping of sections (server, storage, auth, limits, "
            "resources, models, defaults), got a list");
}

TEST(ConfigErrorTest, UnknownKeysNameTheKeyAndTheAllowedOnes) {
  EXPECT_EQ(ParseError("server:\n  lisen: \"127.0.0.1:1\"\n"),
            "config.yaml:2:3: server.lisen: unknown key 'lisen'; did you mean 'listen'? "
            "(expected one of: listen, io_threads, read_timeout, idle_timeout, shutdown_grace)");
  EXPECT_EQ(ParseError("serve: {}\n"),
            "config.yaml:1:1: serve: unknown key 'serve'; did you mean 'server'? (expected one "
            "of: server, storage, auth, limits, resources, models, defaults)");
  EXPECT_EQ(ParseError("models:\n  m:\n    task: binary\n    colour: red\n"),
            "config.yaml:4:5: models.m.colour: unknown key 'colour' (expected one of: task, "
            "positive_label, classes, features, infer_schema_events, windows, allowed_lateness, "
            "label_ttl, segment_by, reference, drift, kserve)");
  EXPECT_EQ(ParseError("limits: {max_model: 5}\n"),
            "config.yaml:1:10: limits.max_model: unknown key 'max_model'; did you mean "
            "'max_models'? (expected one of: max_body_bytes, max_records_per_batch, max_models, "
            "max_versions_per_model, max_features_per_model, max_label_values, "
            "max_segments_per_model, max_pending_predictions, ingest_queue_batches)");
}

TEST(ConfigErrorTest, DuplicateKeysAndModels) {
  EXPECT_EQ(ParseError("server:\n  io_threads: 1\n  io_threads: 2\n"),
            "config.yaml:3:3: server.io_threads: duplicate key (first at line 2)");
  EXPECT_EQ(
      ParseError("server:\n  listen: \"127.0.0.1:1\"\nstorage: {}\nserver:\n  io_threads: 2\n"),
      "config.yaml:4:1: server: duplicate key (first at line 1)");
  EXPECT_EQ(ParseError("models:\n  fraud: {task: binary}\n  churn: {task: binary}\n"
                       "  fraud: {task: regression}\n"),
            "config.yaml:4:3: models.fraud: duplicate model name (first at line 2)");
  EXPECT_EQ(ParseError("models:\n  m:\n    task: binary\n    features: {a: numeric, a: boolean}\n"),
            "config.yaml:4:28: models.m.features.a: duplicate feature name (first at line 4)");
}

TEST(ConfigErrorTest, WrongTypes) {
  EXPECT_EQ(ParseError("server: [1, 2]\n"),
            "config.yaml:1:9: server: expected a mapping with the keys listen, io_threads, "
            "read_timeout, idle_timeout, shutdown_grace, got a list");
  EXPECT_EQ(ParseError("server:\n  io_threads: {a: 1}\n"),
            "config.yaml:2:15: server.io_threads: expected a whole number, got a mapping");
  EXPECT_EQ(ParseError("server:\n  io_threads: two\n"),
            "config.yaml:2:15: server.io_threads: 'two' is not a whole number (expected e.g. 100)");
  EXPECT_EQ(ParseError("server:\n  listen:\n"),
            "config.yaml:2:3: server.listen: expected host:port (e.g. 127.0.0.1:8686), got no "
            "value");
  EXPECT_EQ(ParseError("models:\n  m:\n    task: binary\n    windows: 5m\n"),
            "config.yaml:4:14: models.m.windows: expected a list, got text");
  EXPECT_EQ(ParseError("models: [a, b]\n"),
            "config.yaml:1:9: models: expected a mapping of model names, got a list");
  EXPECT_EQ(ParseError("models:\n  m:\n    task: binary\n    features: {a: float}\n"),
            "config.yaml:4:19: models.m.features.a: 'float' is not a feature type (expected one "
            "of numeric, categorical, boolean)");
}

TEST(ConfigErrorTest, OutOfRangeValues) {
  EXPECT_EQ(ParseError("server:\n  io_threads: 5000\n"),
            "config.yaml:2:15: server.io_threads: 5000 is out of range (expected 0 to 1024)");
  EXPECT_EQ(ParseError("server:\n  io_threads: -1\n"),
            "config.yaml:2:15: server.io_threads: '-1' is not a whole number (expected e.g. 100)");
  EXPECT_EQ(ParseError("server:\n  read_timeout: 2h\n"),
            "config.yaml:2:17: server.read_timeout: 2h is out of range (expected 100ms to 1h)");
  EXPECT_EQ(ParseError("server:\n  listen: \"[::1]:70000\"\n"),
            "config.yaml:2:11: server.listen: '70000' is not a port (expected 0 to 65535; 0 = "
            "any free port)");
  EXPECT_EQ(ParseError("server:\n  listen: \"::1:80\"\n"),
            "config.yaml:2:11: server.listen: '::1:80': an IPv6 address needs brackets (expected "
            "host:port, e.g. 127.0.0.1:8686 or [::1]:8686)");
  EXPECT_EQ(ParseError("limits:\n  max_body_bytes: 16XB\n"),
            "config.yaml:2:19: limits.max_body_bytes: '16XB' is not a size (expected a number "
            "and B, KiB, MiB, GiB, KB, MB or GB, e.g. 16MiB)");
  EXPECT_EQ(ParseError("limits:\n  max_body_bytes: 8GiB\n"),
            "config.yaml:2:19: limits.max_body_bytes: 8GiB is out of range (expected 1024 to "
            "4294967296 bytes, e.g. 1KiB to 4GiB)");
  EXPECT_EQ(ParseError("limits:\n  ingest_queue_batches: 0\n"),
            "config.yaml:2:25: limits.ingest_queue_batches: 0 is out of range (expected 1 to "
            "65536)");
  EXPECT_EQ(ParseError("storage:\n  retention: {predictions: 10m}\n"),
            "config.yaml:2:28: storage.retention.predictions: 10m is out of range (expected 1h "
            "to 3650d)");
}

TEST(ConfigErrorTest, StorageErrors) {
  EXPECT_EQ(ParseError("storage:\n  backend: postgres\n"),
            "config.yaml:2:12: storage.backend: 'postgres' is not supported in this build yet "
            "(expected sqlite)");
  EXPECT_EQ(ParseError("storage:\n  backend: mysql\n"),
            "config.yaml:2:12: storage.backend: 'mysql' is not a storage backend (expected "
            "sqlite)");
  EXPECT_EQ(ParseError("storage:\n  sync: off\n"),
            "config.yaml:2:9: storage.sync: 'off' is not a sync mode (expected one of full, "
            "normal)");
  EXPECT_EQ(ParseError("storage:\n  path: \"\"\n"),
            "config.yaml:2:9: storage.path: the path is empty (expected a file path, e.g. "
            "modelwatch.db)");
}

TEST(ConfigErrorTest, DurationsInModels) {
  // The example of the brief, verbatim.
  EXPECT_EQ(ParseError(R"(models:
  fraud:
    task: binary
    windows:
      - 5m
      - 5x
)"),
            "config.yaml:6:9: models.fraud.windows[1]: '5x' is not a duration (e.g. 30s, 5m, 1h, "
            "7d)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, windows: [1500ms]}\n"),
            "config.yaml:2:31: models.m.windows[0]: 1500ms is not a whole number of seconds "
            "(expected a window width such as 30s, 5m, 1h)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, windows: [1h, 60m]}\n"),
            "config.yaml:2:35: models.m.windows[1]: duplicate window 1h (also windows[0])");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, windows: []}\n"),
            "config.yaml:2:30: models.m.windows: no windows (expected a list of widths, e.g. "
            "[5m, 1h])");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, allowed_lateness: 5}\n"),
            "config.yaml:2:39: models.m.allowed_lateness: '5' has no unit (expected ms, s, m, h "
            "or d, e.g. 5s)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, label_ttl: -1d}\n"),
            "config.yaml:2:32: models.m.label_ttl: '-1d' is negative (expected a duration >= 0, "
            "e.g. 0s)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, label_ttl: 60d}\n"),
            "config.yaml:2:32: models.m.label_ttl: label_ttl 60d is longer than "
            "storage.retention.predictions (30d): predictions would be deleted before their "
            "label could join");
  EXPECT_EQ(ParseError("storage: {retention: {windows: 2h}}\n"
                       "models:\n  m: {task: binary, windows: [1h, 1d]}\n"),
            "config.yaml:3:35: models.m.windows[1]: 1d is longer than storage.retention.windows "
            "(2h)");
}

TEST(ConfigErrorTest, ModelErrors) {
  EXPECT_EQ(ParseError("models:\n  fraud:\n    windows: [5m]\n"),
            "config.yaml:3:5: models.fraud: missing required key 'task' (expected binary, "
            "multiclass or regression)");
  EXPECT_EQ(ParseError("models:\n  fraud:\n"),
            "config.yaml:2:3: models.fraud: missing required key 'task' (expected binary, "
            "multiclass or regression)");
  EXPECT_EQ(ParseError("models:\n  fraud: {task: ranking}\n"),
            "config.yaml:2:17: models.fraud.task: 'ranking' is not a task (expected one of "
            "binary, multiclass, regression)");
  EXPECT_EQ(ParseError("models:\n  \"fraud model\": {task: binary}\n"),
            "config.yaml:2:3: models.'fraud model': 'fraud model' is not a valid model name "
            "(expected 1 to 128 characters from A-Z a-z 0-9 _ . : -)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, features: {a/b: numeric}}\n"),
            "config.yaml:2:32: models.m.features.'a/b': 'a/b' is not a valid feature name "
            "(expected 1 to 128 characters from A-Z a-z 0-9 _ . : -)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, segment_by: [region, region]}\n"),
            "config.yaml:2:42: models.m.segment_by[1]: duplicate segment key 'region' (also "
            "segment_by[0])");
  EXPECT_EQ(ParseError("models:\n  m: {task: regression, positive_label: 1}\n"),
            "config.yaml:2:41: models.m.positive_label: positive_label is only for binary models "
            "(this one is regression)");
  EXPECT_EQ(ParseError("models:\n  m: {task: regression, classes: [1, 2]}\n"),
            "config.yaml:2:34: models.m.classes: classes are not for regression models");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, classes: [a, b, c]}\n"),
            "config.yaml:2:30: models.m.classes: 3 classes given (expected both classes of a "
            "binary model, e.g. [0, 1])");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, classes: [no, yes]}\n"),
            "config.yaml:2:30: models.m.classes: positive_label '1' is not one of the classes "
            "(expected one of 'no', 'yes')");
  EXPECT_EQ(ParseError("models:\n  m: {task: multiclass, classes: [a, b, a]}\n"),
            "config.yaml:2:41: models.m.classes[2]: duplicate class 'a' (also classes[0])");
  EXPECT_EQ(ParseError("models:\n  m: {task: multiclass, classes: [[a]]}\n"),
            "config.yaml:2:35: models.m.classes[0]: expected a class (text or number), got a "
            "list");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, infer_schema_events: 0}\n"),
            "config.yaml:2:42: models.m.infer_schema_events: 0 is out of range (expected 1 to "
            "1000000)");
  EXPECT_EQ(ParseError("limits: {max_models: 1}\nmodels:\n  a: {task: binary}\n"
                       "  b: {task: binary}\n"),
            "config.yaml:3:3: models: 2 models declared, more than limits.max_models (1)");
  EXPECT_EQ(ParseError("limits: {max_features_per_model: 1}\n"
                       "models:\n  a: {task: binary, features: {x: numeric, y: numeric}}\n"),
            "config.yaml:3:31: models.a.features: 2 features, more than "
            "limits.max_features_per_model (1)");
}

TEST(ConfigErrorTest, ReferenceErrors) {
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, reference: {}}\n"),
            "config.yaml:2:32: models.m.reference: expected exactly one of profile, file, "
            "first_events");
  EXPECT_EQ(ParseError("models:\n  m:\n    task: binary\n    reference:\n      profile: a\n"
                       "      first_events: 10\n"),
            "config.yaml:6:21: models.m.reference.first_events: only one of profile, file, "
            "first_events may be given");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, reference: {first_events: 0}}\n"),
            "config.yaml:2:47: models.m.reference.first_events: 0 is out of range (expected 1 to "
            "10000000)");
}

TEST(ConfigErrorTest, DriftErrors) {
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, drift: {method: kl}}\n"),
            "config.yaml:2:37: models.m.drift.method: 'kl' is not a drift method (expected one "
            "of auto, ks, chi2, z, psi, js, wasserstein, hellinger, cvm)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, drift: {method: ks, threshold: 5}}\n"),
            "config.yaml:2:52: models.m.drift.threshold: 5 is not a p-value level for method ks "
            "(expected a value in (0, 1), e.g. 0.05)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, drift: {threshold: 0}}\n"),
            "config.yaml:2:40: models.m.drift.threshold: 0 is out of range (expected a "
            "threshold > 0)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, drift: {threshold: .nan}}\n"),
            "config.yaml:2:40: models.m.drift.threshold: '.nan' is not a number (expected a "
            "threshold > 0)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, drift: {drift_share: 0}}\n"),
            "config.yaml:2:42: models.m.drift.drift_share: 0 is out of range (expected a share "
            "in (0, 1])");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, drift: {correction: holm}}\n"),
            "config.yaml:2:41: models.m.drift.correction: 'holm' is not a p-value correction "
            "(expected one of none, bonferroni, bh)");
  EXPECT_EQ(
      ParseError("models:\n  m:\n    task: binary\n    drift:\n      method: psi\n"
                 "      threshold: 2\n      columns:\n        x: {method: cvm, threshold: 2}\n"),
      "config.yaml:8:37: models.m.drift.columns.x.threshold: 2 is not a p-value level for "
      "method cvm (expected a value in (0, 1), e.g. 0.05)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, drift: {columns: {x: ks}}}\n"),
            "config.yaml:2:42: models.m.drift.columns.x: expected a mapping with the keys "
            "method, threshold, got text");
}

TEST(ConfigErrorTest, KServeErrors) {
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, kserve: {output: class}}\n"),
            "config.yaml:2:29: models.m.kserve: missing required key 'inputs' (expected the "
            "feature names in tensor column order)");
  EXPECT_EQ(ParseError("models:\n  m:\n    task: binary\n    features: {a: numeric}\n"
                       "    kserve: {inputs: [a, b]}\n"),
            "config.yaml:5:26: models.m.kserve.inputs[1]: 'b' is not a declared feature of this "
            "model (expected one of the keys of features)");
  EXPECT_EQ(ParseError("models:\n  m: {task: regression, kserve: {inputs: [a], output: class}}\n"),
            "config.yaml:2:55: models.m.kserve.output: 'class' does not fit a regression model "
            "(expected score)");
  EXPECT_EQ(ParseError("models:\n  m: {task: multiclass, kserve: {inputs: [a], output: score}}\n"),
            "config.yaml:2:55: models.m.kserve.output: 'score' does not fit a multiclass model "
            "(expected probabilities or class)");
  EXPECT_EQ(ParseError("models:\n  m: {task: binary, kserve: {inputs: [a, a]}}\n"),
            "config.yaml:2:42: models.m.kserve.inputs[1]: duplicate input 'a' (also inputs[0])");
}

TEST(ConfigErrorTest, EveryProblemIsReportedInFileOrder) {
  // limits are parsed before models whatever the file order; messages still come in file order.
  const std::string m = ParseError(R"(models:
  a: {task: nope}
  b: {task: binary, windows: [5x]}
server:
  io_threads: many
limits:
  max_models: 0
)");
  EXPECT_THAT(Lines(m), ElementsAre(StartsWith("config.yaml:2:13: models.a.task: "),
                                    StartsWith("config.yaml:3:31: models.b.windows[0]: "),
                                    StartsWith("config.yaml:5:15: server.io_threads: "),
                                    StartsWith("config.yaml:7:15: limits.max_models: ")));
}

TEST(ConfigErrorTest, AtMostTwentyProblemsAreShown) {
  std::string yaml = "models:\n";
  for (int i = 0; i < 30; ++i) yaml += "  m" + std::to_string(i) + ": {task: x}\n";
  const std::vector<std::string> lines = Lines(ParseError(yaml));
  ASSERT_EQ(lines.size(), kMaxConfigErrors + 1);
  EXPECT_THAT(lines[0], StartsWith("config.yaml:2:"));
  EXPECT_EQ(lines.back(), "config.yaml: ... and 10 more problems");
}

TEST(ConfigErrorTest, MessagesStayOnOneLineAndShort) {
  const std::string m =
      ParseError("models:\n  \"a\\nb\\u00e9" + std::string(200, 'x') + "\": {task: binary}\n");
  EXPECT_EQ(Lines(m).size(), 1u);
  EXPECT_THAT(m, HasSubstr("'a\\x0ab\\xc3\\xa9xxx"));
  EXPECT_LT(m.size(), 400u);
}

// ---------------------------------------------------------------------------------------------
// The scalar syntaxes.

TEST(ConfigValuesTest, Durations) {
  using internal::ParseDuration;
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("30s"), seconds(30));
  EXPECT_EQ(*ParseDuration("5m"), minutes(5));
  EXPECT_EQ(*ParseDuration("1h"), hours(1));
  EXPECT_EQ(*ParseDuration("7d"), Days(7));
  EXPECT_EQ(*ParseDuration("1.5h"), minutes(90));
  EXPECT_EQ(*ParseDuration("0.000001s"), microseconds(1));
  EXPECT_EQ(*ParseDuration("0s"), microseconds(0));
  EXPECT_EQ(*ParseDuration("106751991d"), Days(106751991));  // int64 microseconds
  for (const char* bad :
       {"", "5", "5x", "s", "5 s", " 5s", "5s ", "5.s", ".5s", "5S", "1h30m", "+5s", "-5s", "5e3s",
        "1.0000001s", "0.0000001s", "106751992d", "99999999999999999999s"}) {
    Result<microseconds> d = ParseDuration(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    }
  }
  EXPECT_EQ(ParseDuration("0.0000001s").status().message(),
            "'0.0000001s' has more than 6 decimals (e.g. 30s, 5m, 1h, 7d)");
}

TEST(ConfigValuesTest, FormatDurationReadsBack) {
  EXPECT_EQ(FormatDuration(microseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(microseconds(1500)), "1.5ms");
  EXPECT_EQ(FormatDuration(microseconds(1)), "0.001ms");
  EXPECT_EQ(FormatDuration(minutes(90)), "90m");
  EXPECT_EQ(FormatDuration(hours(48)), "2d");
  EXPECT_EQ(FormatDuration(seconds(-5)), "-5s");
  for (int64_t us : {int64_t{1}, int64_t{999}, int64_t{1001}, int64_t{123456789},
                     int64_t{86400000000}, int64_t{3600000001}}) {
    EXPECT_EQ(*internal::ParseDuration(FormatDuration(microseconds(us))), microseconds(us)) << us;
  }
}

TEST(ConfigValuesTest, Sizes) {
  using internal::ParseSize;
  EXPECT_EQ(*ParseSize("100"), 100u);
  EXPECT_EQ(*ParseSize("100B"), 100u);
  EXPECT_EQ(*ParseSize("1KiB"), 1024u);
  EXPECT_EQ(*ParseSize("16MiB"), 16u << 20);
  EXPECT_EQ(*ParseSize("1.5GiB"), 3u << 29);
  EXPECT_EQ(*ParseSize("2KB"), 2000u);
  EXPECT_EQ(*ParseSize("3MB"), 3000000u);
  EXPECT_EQ(*ParseSize("1GB"), 1000000000u);
  EXPECT_EQ(*ParseSize("0.5KB"), 500u);
  for (const char* bad : {"", "MiB", "16mib", "16 MiB", "1.5B", "16TiB", "-1", "0.0001KB",
                          "99999999999999999999", "20000000000GB"}) {
    EXPECT_FALSE(ParseSize(bad).ok()) << bad;
  }
}

TEST(ConfigValuesTest, HostPort) {
  using internal::ParseHostPort;
  Result<internal::HostPort> hp = ParseHostPort("127.0.0.1:8686");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 8686);
  hp = ParseHostPort("[::1]:8686");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::1");
  hp = ParseHostPort("[fe80::1%eth0]:1");
  EXPECT_FALSE(hp.ok());  // zone ids are not accepted
  hp = ParseHostPort("localhost:0");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "localhost");
  EXPECT_EQ(hp->port, 0);
  for (const char* bad :
       {"", "8686", ":8686", "host:", "host:-1", "host:65536", "host:0x10", "[::1]", "[::1]8686",
        "[]:1", "[::1:1", "::1:8686", "a b:1", "host:123456"}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
}

TEST(ConfigValuesTest, Names) {
  EXPECT_TRUE(internal::IsValidConfigName("fraud"));
  EXPECT_TRUE(internal::IsValidConfigName("Fraud_v2.1:eu-west"));
  EXPECT_TRUE(internal::IsValidConfigName(std::string(128, 'a')));
  EXPECT_FALSE(internal::IsValidConfigName(std::string(129, 'a')));
  EXPECT_FALSE(internal::IsValidConfigName(""));
  EXPECT_FALSE(internal::IsValidConfigName("a b"));
  EXPECT_FALSE(internal::IsValidConfigName("a/b"));
  EXPECT_FALSE(internal::IsValidConfigName("\xc3\xa9"));
  EXPECT_EQ(internal::EditDistance("lisen", "listen"), 1u);
  EXPECT_EQ(internal::EditDistance("", "abc"), 3u);
}

// ---------------------------------------------------------------------------------------------
// The fuzz seeds (fuzz/corpus/config): every one parses or fails cleanly, with each message
// line naming the source, and parsing is deterministic.

TEST(ConfigFuzzCorpusTest, SeedsParseOrFailCleanly) {
  const std::filesystem::path corpus = std::filesystem::path(MW_SOURCE_DIR) / "fuzz/corpus/config";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 10u);
  size_t parsed = 0;
  const EnvLookup env = FakeEnv({{"MODELWATCH_INGEST_TOKEN", "ingest-0123456789abcdef"},
                                 {"MODELWATCH_LABELS_TOKEN", "labels-0123456789abcdef"},
                                 {"MODELWATCH_READ_TOKEN", "read-0123456789abcdef"},
                                 {"MODELWATCH_ADMIN_TOKEN", "admin-0123456789abcdef"}});
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<Config> a = ParseConfig(text, "seed.yaml", env, "/base");
    Result<Config> b = ParseConfig(text, "seed.yaml", env, "/base");
    ASSERT_EQ(a.ok(), b.ok()) << file;
    if (a.ok()) {
      ++parsed;
      EXPECT_EQ(a->models.size(), b->models.size());
      for (const ModelConfig& m : a->models) {
        EXPECT_TRUE(internal::IsValidConfigName(m.name)) << file;
        EXPECT_FALSE(m.windows.empty()) << file;
      }
      continue;
    }
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument) << file;
    EXPECT_EQ(a.status().message(), b.status().message()) << file;
    for (const std::string& line : Lines(a.status().message())) {
      EXPECT_THAT(line, StartsWith("seed.yaml")) << file;
    }
  }
  EXPECT_GE(parsed, 3u);  // the seeds include valid configurations
}

}  // namespace
}  // namespace modelwatch::server

namespace modelwatch::server {
namespace {

TEST(ConfigResourcesTest, DefaultsSampleTheHostEveryFiveSeconds) {
  const Config c = ParseOk("");
  EXPECT_TRUE(c.resources.enabled);
  EXPECT_EQ(c.resources.interval, std::chrono::seconds(5));
  EXPECT_EQ(c.resources.gpu, GpuMode::kAuto);
  EXPECT_EQ(c.resources.nvml_library, "libnvidia-ml.so.1");
  EXPECT_EQ(c.resources.retention, 7 * kDay);
  EXPECT_TRUE(c.resources.targets.empty());
}

TEST(ConfigResourcesTest, EveryKindOfTarget) {
  const Config c = ParseOk(R"(resources:
  interval: 10s
  gpu: off
  nvml_library: lib/nvml.so
  retention: 30d
  targets:
    triton: {match: "^/opt/tritonserver/bin/tritonserver"}
    scorer: {pid: 4242}
    torchserve: {pidfile: run/ts.pid}
    llama: {exe: llama-server}
    onnx: {cgroup: /system.slice/onnx.service}
)");
  EXPECT_EQ(c.resources.interval, std::chrono::seconds(10));
  EXPECT_EQ(c.resources.gpu, GpuMode::kOff);
  EXPECT_EQ(c.resources.nvml_library, "/etc/mw/lib/nvml.so");
  EXPECT_EQ(c.resources.retention, 30 * kDay);
  ASSERT_EQ(c.resources.targets.size(), 5u);
  EXPECT_EQ(c.resources.targets[0].name, "triton");
  EXPECT_EQ(c.resources.targets[0].spec.ToString(), "match '^/opt/tritonserver/bin/tritonserver'");
  EXPECT_EQ(c.resources.targets[1].spec.ToString(), "pid 4242");
  EXPECT_EQ(c.resources.targets[2].spec.ToString(), "pidfile /etc/mw/run/ts.pid");
  EXPECT_EQ(c.resources.targets[3].spec.ToString(), "exe llama-server");
  EXPECT_EQ(c.resources.targets[4].spec.ToString(), "cgroup /system.slice/onnx.service");
  EXPECT_EQ(ParseOk("resources: {gpu: on, enabled: false}").resources.gpu, GpuMode::kOn);
  EXPECT_FALSE(ParseOk("resources: {enabled: false}").resources.enabled);
}

TEST(ConfigResourcesTest, ErrorsNameTheTargetAndTheKey) {
  EXPECT_EQ(ParseError("resources:\n  targets:\n    a: {pid: 1, match: x}\n"),
            "config.yaml:3:8: resources.targets.a: expected exactly one of pid, pidfile, match, "
            "exe, cgroup (got 2)");
  EXPECT_EQ(ParseError("resources:\n  targets:\n    a: {}\n"),
            "config.yaml:3:8: resources.targets.a: expected exactly one of pid, pidfile, match, "
            "exe, cgroup (got 0)");
  EXPECT_THAT(ParseError("resources:\n  targets:\n    a: {match: \"serve(\"}\n"),
              HasSubstr("config.yaml:3:16: resources.targets.a.match: command-line regex "
                        "'serve(':"));
  EXPECT_EQ(ParseError("resources:\n  targets:\n    host: {pid: 1}\n"),
            "config.yaml:3:11: resources.targets.host: 'host' is reserved for the host's own "
            "series (choose another name)");
  EXPECT_THAT(
      ParseError("resources:\n  targets:\n    a: {pid: 0}\n"),
      HasSubstr(
          "config.yaml:3:14: resources.targets.a.pid: 0 is out of range (expected 1 to 4194304)"));
  EXPECT_THAT(ParseError("resources:\n  targets:\n    a: {exe: bin/python}\n"),
              HasSubstr("config.yaml:3:14: resources.targets.a.exe: executable name 'bin/python' "
                        "must be a file name"));
  EXPECT_THAT(ParseError("resources:\n  targets:\n    \"a b\": {pid: 1}\n"),
              HasSubstr("resources.targets"));
  EXPECT_EQ(ParseError("resources: {interval: 500ms}\n"),
            "config.yaml:1:23: resources.interval: 500ms is out of range (expected 1s to 1h)");
  EXPECT_THAT(ParseError("resources: {gpu: maybe}\n"),
              HasSubstr("resources.gpu: 'maybe' is not a GPU mode"));
  EXPECT_THAT(ParseError("resources: {target: {}}\n"),
              HasSubstr("resources.target: unknown key 'target'; did you mean 'targets'?"));
  std::string many = "resources:\n  targets:\n";
  for (size_t i = 0; i <= kMaxResourceTargets; ++i) {
    many += "    t" + std::to_string(i) + ": {pid: " + std::to_string(i + 1) + "}\n";
  }
  EXPECT_THAT(ParseError(many), HasSubstr("65 targets declared, more than 64"));
}

}  // namespace
}  // namespace modelwatch::server
