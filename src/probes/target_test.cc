#include "modelwatch/probes/target.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "internal/probe_test_util.h"
#include "modelwatch/env/fake_env.h"

namespace modelwatch::probes {
namespace {

using testing::AddProcess;
using testing::Fixture;
using testing::RemoveProcess;

// argv joined with NULs, as in /proc/PID/cmdline.
std::string Cmdline(std::initializer_list<std::string> argv) {
  std::string out;
  for (const std::string& arg : argv) {
    out += arg;
    out += '\0';
  }
  return out;
}

TargetSpec Spec(Result<TargetSpec> spec) {
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return *spec;
}

// A process table: a pre-fork server (master 100, worker 101), a shell wrapper, modelwatch itself
// (4242, whose command line contains the regex), a zombie and a kernel thread.
void AddServerTable(env::FakeEnv& env) {
  env.SetLink("/proc/self", "4242");
  AddProcess(env, 2, "kthreadd", "", 1);
  AddProcess(env, 50, "bash", Cmdline({"-bash"}), 200);
  AddProcess(env, 90, "serve.py", Cmdline({"python3", "serve.py", "--port", "8080"}), 300, 'Z');
  AddProcess(env, 100, "python3", Cmdline({"python3", "serve.py", "--port", "8080"}), 500);
  AddProcess(env, 101, "python3", Cmdline({"python3", "serve.py", "--port", "8080"}), 600);
  AddProcess(env, 4242, "modelwatch",
             Cmdline({"modelwatch", "watch", "--match", "serve\\.py --port 8080"}), 700);
  env.SetLink("/proc/100/exe", "/usr/bin/python3.11");
  env.SetLink("/proc/101/exe", "/usr/bin/python3.11");
}

TEST(TargetSpecTest, ValidatesAndDescribes) {
  EXPECT_EQ(Spec(TargetSpec::Pid(12)).ToString(), "pid 12");
  EXPECT_EQ(Spec(TargetSpec::PidFile("/run/m.pid")).ToString(), "pidfile /run/m.pid");
  EXPECT_EQ(Spec(TargetSpec::CommandLine("serve\\.py")).ToString(), "match 'serve\\.py'");
  EXPECT_EQ(Spec(TargetSpec::Executable("python3")).ToString(), "exe python3");
  EXPECT_EQ(Spec(TargetSpec::Cgroup("/m.service")).ToString(), "cgroup /m.service");
  EXPECT_FALSE(Spec(TargetSpec::Cgroup("/m.service")).is_process());
  EXPECT_EQ(TargetSpec::Pid(0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TargetSpec::PidFile("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TargetSpec::Executable("bin/python").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TargetSpec::Cgroup("").status().code(), StatusCode::kInvalidArgument);
  const Result<TargetSpec> bad = TargetSpec::CommandLine("serve(");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("serve("), std::string::npos);
  EXPECT_EQ(TargetSpec::CommandLine("").status().code(), StatusCode::kInvalidArgument);
}

TEST(TargetSpecTest, MatchingRules) {
  const TargetSpec match = Spec(TargetSpec::CommandLine("^python3? serve\\.py"));
  EXPECT_TRUE(match.Matches("python3 serve.py --port 8080", "python3", ""));
  EXPECT_TRUE(match.Matches("python serve.py", "python", ""));
  EXPECT_FALSE(match.Matches("sh -c python3 serve.py", "sh", ""));  // anchored
  const TargetSpec exe = Spec(TargetSpec::Executable("python3"));
  EXPECT_TRUE(exe.Matches("python3 serve.py", "python3", "python3.11"));  // by argv[0]
  EXPECT_TRUE(exe.Matches("/opt/x serve.py", "x", "python3"));            // by executable
  EXPECT_FALSE(exe.Matches("python3.11 serve.py", "python3.11", "python3.11"));
  EXPECT_FALSE(Spec(TargetSpec::Pid(3)).Matches("anything", "anything", "anything"));
}

TEST(ResolveTargetTest, RegexPicksTheOldestRealMatch) {
  env::FakeEnv env;
  AddServerTable(env);
  const Result<ResolvedProcess> found =
      ResolveTarget(env, Spec(TargetSpec::CommandLine("serve\\.py --port 8080")));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  // 90 is older but a zombie; 4242 is modelwatch itself; 100 is older than 101.
  EXPECT_EQ(found->pid, 100);
  EXPECT_EQ(found->start_ticks, 500u);
  EXPECT_EQ(found->matches, 2);
  const Result<ResolvedProcess> none =
      ResolveTarget(env, Spec(TargetSpec::CommandLine("no-such-server")));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(none.status().message(), "match 'no-such-server': no process matches");
}

TEST(ResolveTargetTest, ExecutableByArgv0OrExe) {
  env::FakeEnv env;
  AddServerTable(env);
  const Result<ResolvedProcess> by_argv0 =
      ResolveTarget(env, Spec(TargetSpec::Executable("python3")));
  ASSERT_TRUE(by_argv0.ok()) << by_argv0.status().ToString();
  EXPECT_EQ(by_argv0->pid, 100);
  EXPECT_EQ(by_argv0->matches, 2);  // the zombie 90 is skipped
  const Result<ResolvedProcess> by_exe =
      ResolveTarget(env, Spec(TargetSpec::Executable("python3.11")));
  ASSERT_TRUE(by_exe.ok());
  EXPECT_EQ(by_exe->pid, 100);
  EXPECT_EQ(ResolveTarget(env, Spec(TargetSpec::Executable("serve.py"))).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ResolveTarget(env, Spec(TargetSpec::Executable("kthreadd"))).status().code(),
            StatusCode::kNotFound);  // kernel threads have no command line
}

TEST(ResolveTargetTest, PidAndPidFile) {
  env::FakeEnv env;
  AddServerTable(env);
  EXPECT_EQ(ResolveTarget(env, Spec(TargetSpec::Pid(101)))->start_ticks, 600u);
  EXPECT_EQ(ResolveTarget(env, Spec(TargetSpec::Pid(90))).status().code(),
            StatusCode::kNotFound);  // zombie
  EXPECT_EQ(ResolveTarget(env, Spec(TargetSpec::Pid(77))).status().code(), StatusCode::kNotFound);
  env.SetFile("/run/server.pid", "  101\n");
  EXPECT_EQ(ResolveTarget(env, Spec(TargetSpec::PidFile("/run/server.pid")))->pid, 101);
  env.SetFile("/run/bad.pid", "abc\n");
  const Result<ResolvedProcess> bad = ResolveTarget(env, Spec(TargetSpec::PidFile("/run/bad.pid")));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("/run/bad.pid"), std::string::npos);
  EXPECT_EQ(ResolveTarget(env, Spec(TargetSpec::PidFile("/run/none.pid"))).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ResolveTarget(env, Spec(TargetSpec::Cgroup("/x"))).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(TargetSamplerTest, FollowsARestartToANewPid) {
  env::FakeEnv env;
  env.SetLink("/proc/self", "4242");
  AddProcess(env, 100, "server", Cmdline({"/srv/model-server", "--port", "80"}), 500, 'S', 10, 5);
  TargetSampler target(env, Spec(TargetSpec::CommandLine("model-server")));
  const Result<TargetSample> first = target.Sample();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->target, "match 'model-server'");
  ASSERT_TRUE(first->process.has_value());
  EXPECT_EQ(first->process->pid, 100);
  EXPECT_EQ(first->restarts, 0);
  EXPECT_EQ(first->matches, 1);
  EXPECT_FALSE(first->process->cpu_percent.has_value());
  // No /proc/100/cgroup in this table: the process sample stands, the cgroup says why not.
  EXPECT_FALSE(first->cgroup.has_value());
  EXPECT_EQ(first->cgroup_status.code(), StatusCode::kNotFound);

  env.AdvanceMicros(1'000'000);
  AddProcess(env, 100, "server", Cmdline({"/srv/model-server", "--port", "80"}), 500, 'S', 60, 5);
  const Result<TargetSample> busy = target.Sample();
  ASSERT_TRUE(busy.ok());
  EXPECT_DOUBLE_EQ(*busy->process->cpu_percent, 50.0);  // 50 ticks in 1 s

  // The server exits: the target is down (NotFound) for two samples, then comes back as 300.
  RemoveProcess(env, 100);
  env.AdvanceMicros(1'000'000);
  const Result<TargetSample> down = target.Sample();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(target.Sample().status().code(), StatusCode::kNotFound);
  AddProcess(env, 300, "server", Cmdline({"/srv/model-server", "--port", "80"}), 9000);
  const Result<TargetSample> back = target.Sample();
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->process->pid, 300);
  EXPECT_EQ(back->restarts, 1);                          // one restart, however long it was down
  EXPECT_FALSE(back->process->cpu_percent.has_value());  // a new process: no rate yet
  env.AdvanceMicros(1'000'000);
  const Result<TargetSample> steady = target.Sample();
  ASSERT_TRUE(steady.ok());
  EXPECT_EQ(steady->restarts, 1);
  EXPECT_TRUE(steady->process->cpu_percent.has_value());
  EXPECT_EQ(target.restarts(), 1);
}

TEST(TargetSamplerTest, SamePidWithANewStartTimeIsARestart) {
  env::FakeEnv env;
  env.SetFile("/run/server.pid", "7\n");
  AddProcess(env, 7, "server", Cmdline({"server"}), 100);
  TargetSampler target(env, Spec(TargetSpec::PidFile("/run/server.pid")));
  ASSERT_TRUE(target.Sample().ok());
  // A restarted container's server gets pid 7 again.
  AddProcess(env, 7, "server", Cmdline({"server"}), 4000);
  const Result<TargetSample> s = target.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->process->pid, 7);
  EXPECT_EQ(s->restarts, 1);
  EXPECT_DOUBLE_EQ(s->process->start_time_unix_seconds, 1000.0 + 40.0);
  // Same process again: no restart.
  const Result<TargetSample> again = target.Sample();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->restarts, 1);
}

TEST(TargetSamplerTest, PidfileRewrittenOnRestart) {
  env::FakeEnv env;
  env.SetFile("/run/server.pid", "7\n");
  AddProcess(env, 7, "server", Cmdline({"server"}), 100);
  TargetSampler target(env, Spec(TargetSpec::PidFile("/run/server.pid")));
  ASSERT_TRUE(target.Sample().ok());
  RemoveProcess(env, 7);
  AddProcess(env, 8, "server", Cmdline({"server"}), 200);
  env.SetFile("/run/server.pid", "8\n");
  const Result<TargetSample> s = target.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->process->pid, 8);
  EXPECT_EQ(s->restarts, 1);
}

TEST(TargetSamplerTest, ProcessWithItsCgroupOnAV2Host) {
  env::FakeEnv env;
  env.Mount("/", Fixture("h100-cgroup-v2/1"));
  TargetSampler target(env, Spec(TargetSpec::Pid(testing::kH100Pid)));
  ASSERT_TRUE(target.Sample().ok());
  env.Mount("/", Fixture("h100-cgroup-v2/2"));
  env.AdvanceMicros(1'000'000);
  const Result<TargetSample> s = target.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(*s->process->cpu_percent, 22.0);
  ASSERT_TRUE(s->cgroup.has_value()) << s->cgroup_status.ToString();
  EXPECT_TRUE(s->cgroup_status.ok());
  EXPECT_EQ(s->cgroup->path, testing::kH100GroupPath);
  // The cgroup sampler was kept between samples: its rate exists.
  EXPECT_DOUBLE_EQ(*s->cgroup->cpu.usage_percent, 100.0 * (1542278 - 181647) / 1e6);
}

TEST(TargetSamplerTest, ProcessOnAV1HostSaysWhyThereIsNoCgroup) {
  env::FakeEnv env;
  env.Mount("/", Fixture("vm-cgroup-v1/1"));
  TargetSampler target(env, Spec(TargetSpec::Pid(testing::kVmPid)));
  const Result<TargetSample> s = target.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->process.has_value());
  EXPECT_FALSE(s->cgroup.has_value());
  EXPECT_EQ(s->cgroup_status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s->cgroup_status.message().rfind("unsupported: cgroup v1", 0), 0u);
}

TEST(TargetSamplerTest, CgroupTarget) {
  env::FakeEnv env;
  env.Mount("/", Fixture("cgroup-v2-limits/1"));
  TargetSampler target(env, Spec(TargetSpec::Cgroup(testing::kH100GroupPath)));
  const Result<TargetSample> s = target.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->process.has_value());
  ASSERT_TRUE(s->cgroup.has_value());
  EXPECT_EQ(s->cgroup->memory->max_bytes, 536870912u);

  env::FakeEnv v1;
  v1.Mount("/", Fixture("vm-cgroup-v1/1"));
  TargetSampler v1_target(v1, Spec(TargetSpec::Cgroup("/process_api")));
  EXPECT_EQ(v1_target.Sample().status().code(), StatusCode::kFailedPrecondition);
}

TEST(TargetSamplerTest, RealOwnProcessByPid) {
  TargetSampler target(env::Env::Default(), Spec(TargetSpec::Pid(getpid())));
  const Result<TargetSample> s = target.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->process->pid, getpid());
  EXPECT_TRUE(s->cgroup.has_value() || s->cgroup_status.code() == StatusCode::kFailedPrecondition)
      << s->cgroup_status.ToString();
}

TEST(TargetSamplerTest, RealRegexNeverMatchesItself) {
  // The regex is in no process's command line but ours (gtest's --gtest_filter may hold it, and
  // our own process is excluded anyway).
  TargetSampler target(env::Env::Default(),
                       Spec(TargetSpec::CommandLine("modelwatch-no-such-server-[0-9]{6}")));
  EXPECT_EQ(target.Sample().status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace modelwatch::probes
