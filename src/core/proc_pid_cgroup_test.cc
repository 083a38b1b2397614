#include "modelwatch/core/proc_pid_cgroup.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(ProcPidCgroupTest, ParsesCapturedV2) {
  const Result<ProcPidCgroup> cgroup =
      ParseProcPidCgroup(internal::ReadProcFixture("h100-cgroup-v2/1/proc/1756/cgroup"));
  ASSERT_TRUE(cgroup.ok()) << cgroup.status().ToString();
  ASSERT_EQ(cgroup->memberships.size(), 1u);
  EXPECT_EQ(cgroup->memberships[0].hierarchy_id, 0u);
  EXPECT_TRUE(cgroup->memberships[0].controllers.empty());
  EXPECT_EQ(cgroup->UnifiedPath(), "/process_api/af093e3327390323610d963d5d13940a");
  EXPECT_FALSE(cgroup->HasV1Hierarchies());
}

TEST(ProcPidCgroupTest, ParsesCapturedHybridV1) {
  const Result<ProcPidCgroup> cgroup =
      ParseProcPidCgroup(internal::ReadProcFixture("vm-cgroup-v1/1/proc/23346/cgroup"));
  ASSERT_TRUE(cgroup.ok()) << cgroup.status().ToString();
  ASSERT_EQ(cgroup->memberships.size(), 10u);
  EXPECT_EQ(cgroup->memberships[0].hierarchy_id, 9u);
  EXPECT_EQ(cgroup->memberships[0].controllers, std::vector<std::string>{"name=systemd"});
  EXPECT_EQ(cgroup->memberships[5].controllers, std::vector<std::string>{"memory"});
  EXPECT_EQ(cgroup->memberships[5].path, "/process_api/8d452db5ec9ccbcfbbb6cebfe4f2eef1");
  EXPECT_TRUE(cgroup->HasV1Hierarchies());
  EXPECT_EQ(cgroup->UnifiedPath(), "/");
}

TEST(ProcPidCgroupTest, CombinedControllersAndColonsInPath) {
  const Result<ProcPidCgroup> cgroup =
      ParseProcPidCgroup("3:cpu,cpuacct:/docker/a:b\n0::/x:y (deleted)\n");
  ASSERT_TRUE(cgroup.ok()) << cgroup.status().ToString();
  EXPECT_EQ(cgroup->memberships[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ(cgroup->memberships[0].path, "/docker/a:b");
  EXPECT_EQ(cgroup->UnifiedPath(), "/x:y (deleted)");
}

TEST(ProcPidCgroupTest, PureV1HasNoUnifiedPath) {
  const Result<ProcPidCgroup> cgroup = ParseProcPidCgroup("4:memory:/a\n1:cpu:/\n");
  ASSERT_TRUE(cgroup.ok());
  EXPECT_FALSE(cgroup->UnifiedPath().has_value());
  EXPECT_TRUE(cgroup->HasV1Hierarchies());
}

TEST(ProcPidCgroupTest, RejectsMalformedContent) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"0:/x\n", "c:1: expected 'id:controllers:path', got '0:/x'"},
      {"x::/\n", "c:1: hierarchy id 'x' is not an integer"},
      {"0::/\n0::relative\n", "c:2: cgroup path 'relative' does not start with '/'"},
  };
  for (const Case& c : cases) {
    const Result<ProcPidCgroup> cgroup = ParseProcPidCgroup(c.text, "c");
    ASSERT_FALSE(cgroup.ok()) << c.text;
    EXPECT_EQ(cgroup.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(cgroup.status().message().find(c.message), std::string::npos)
        << cgroup.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
