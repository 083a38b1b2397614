// Helpers shared by the store's tests: a per-test temporary directory and event builders.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <utility>

#include "modelwatch/core/event.h"

namespace modelwatch::store::testing {

// A fresh directory under the system temp directory, named after the running test, removed
// with everything in it when destroyed.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "mw_store_";
    if (info != nullptr) name += std::string(info->test_suite_name()) + "_" + info->name() + "_";
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    name += std::to_string(getpid()) + "_" + std::to_string(counter++);
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A binary-classifier prediction with two features, a score and a segment.
inline PredictionEvent MakePrediction(std::string id, int64_t ts_us, std::string version = "v1",
                                      std::string model = "fraud") {
  PredictionEvent e;
  e.model = std::move(model);
  e.version = std::move(version);
  e.id = std::move(id);
  e.ts_us = ts_us;
  e.features = {{"amount", EventValue::Number(129.5)}, {"country", EventValue::String("DE")}};
  e.prediction = EventValue::Number(1);
  e.score = 0.91;
  e.latency_ms = 12.4;
  e.segment = {{"region", "eu"}};
  return e;
}

inline LabelEvent MakeLabel(std::string id, EventValue label, int64_t ts_us = 0,
                            std::string model = "fraud") {
  return LabelEvent{std::move(model), std::move(id), std::move(label), ts_us};
}

}  // namespace modelwatch::store::testing
