// Test helper: the content of a file of the /proc fixture trees (tests/fixtures/proc/README.md).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace modelwatch::internal {

// tests/fixtures/proc/<relative>, e.g. "vm-cgroup-v1/1/proc/stat"; fails the test if unreadable.
inline std::string ReadProcFixture(const std::string& relative) {
  const std::string path = std::string(MW_SOURCE_DIR) + "/tests/fixtures/proc/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The cgroup v2 group of the capture script on the H100 machine.
inline constexpr const char* kH100Group =
    "sys/fs/cgroup/process_api/af093e3327390323610d963d5d13940a";

}  // namespace modelwatch::internal
