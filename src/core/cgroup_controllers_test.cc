#include "modelwatch/core/cgroup_controllers.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(CgroupControllersTest, ParsesCapturedRootAndGroup) {
  const Result<std::vector<std::string>> root = ParseCgroupControllers(
      internal::ReadProcFixture("h100-cgroup-v2/1/sys/fs/cgroup/cgroup.controllers"));
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(*root, (std::vector<std::string>{"cpuset", "cpu", "io", "memory", "hugetlb", "pids"}));
  const Result<std::vector<std::string>> group = ParseCgroupControllers(internal::ReadProcFixture(
      std::string("h100-cgroup-v2/1/") + internal::kH100Group + "/cgroup.controllers"));
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(*group, std::vector<std::string>{"memory"});
}

TEST(CgroupControllersTest, EmptyFileIsNoControllers) {
  const Result<std::vector<std::string>> none = ParseCgroupControllers("\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(CgroupControllersTest, RejectsMalformedContent) {
  for (const char* text : {"cpu\nmemory\n", "cpu Memory", "cpu,io", "cpu m\xc3\xa9m"}) {
    const Result<std::vector<std::string>> controllers = ParseCgroupControllers(text);
    ASSERT_FALSE(controllers.ok()) << text;
    EXPECT_EQ(controllers.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(controllers.status().message().rfind("cgroup.controllers:", 0), 0u);
  }
}

}  // namespace
}  // namespace modelwatch
