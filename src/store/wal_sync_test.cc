#include "wal_sync.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace modelwatch::store::internal {
namespace {

TEST(WalSyncTest, OneSyncMakesACommitDurableAndLaterWaitsForItAreFree) {
  std::atomic<int> calls{0};
  WalSync sync([&] {
    ++calls;
    return 0;
  });
  const uint64_t first = sync.Committed();
  EXPECT_EQ(first, 1u);
  ASSERT_TRUE(sync.WaitDurable(first).ok());
  EXPECT_EQ(calls.load(), 1);
  ASSERT_TRUE(sync.WaitDurable(first).ok());
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(sync.Committed(), 2u);
  ASSERT_TRUE(sync.WaitDurable(2).ok());
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(sync.syncs(), 2u);
}

TEST(WalSyncTest, CommitsThatReturnedBeforeASyncShareIt) {
  std::atomic<int> calls{0};
  WalSync sync([&] {
    ++calls;
    return 0;
  });
  constexpr int kThreads = 8;
  std::vector<uint64_t> seqs;
  for (int i = 0; i < kThreads; ++i) seqs.push_back(sync.Committed());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (uint64_t seq : seqs) {
    threads.emplace_back([&, seq] { ok += sync.WaitDurable(seq).ok(); });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(calls.load(), 1);  // the first sync covered all eight commits
}

TEST(WalSyncTest, ASyncThatStartedBeforeACommitDoesNotCoverIt) {
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls{0};
  WalSync sync([&] {
    if (++calls == 1) {
      entered.set_value();
      released.wait();
    }
    return 0;
  });
  const uint64_t first = sync.Committed();
  std::future<Status> first_done =
      std::async(std::launch::async, [&] { return sync.WaitDurable(first); });
  entered.get_future().wait();  // the first sync is in flight
  const uint64_t second = sync.Committed();
  std::future<Status> second_done =
      std::async(std::launch::async, [&] { return sync.WaitDurable(second); });
  release.set_value();
  EXPECT_TRUE(first_done.get().ok());
  EXPECT_TRUE(second_done.get().ok());
  EXPECT_EQ(calls.load(), 2);  // the second commit needed a sync of its own
}

TEST(WalSyncTest, AFailedSyncPoisonsEveryLaterWait) {
  std::atomic<int> calls{0};
  WalSync sync([&] {
    ++calls;
    return EIO;
  });
  const uint64_t seq = sync.Committed();
  const Status failed = sync.WaitDurable(seq);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.message().find("Input/output error"), std::string::npos) << failed.message();
  EXPECT_NE(failed.message().find("refuses writes until the daemon restarts"), std::string::npos);
  EXPECT_FALSE(sync.Healthy().ok());
  const Status later = sync.WaitDurable(sync.Committed());
  EXPECT_EQ(later.message(), failed.message());
  EXPECT_EQ(calls.load(), 1);  // no second sync: it could not prove anything
}

TEST(WalSyncTest, SyncsARealFileAndNamesAMissingOne) {
  char dir_template[] = "/tmp/mw_wal_sync_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string wal = dir + "/db-wal";
  std::FILE* f = std::fopen(wal.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("frames", f);
  std::fclose(f);
  {
    WalSync sync(wal);
    EXPECT_TRUE(sync.WaitDurable(sync.Committed()).ok());
    // The file replaced under the same name (another process's last close removed it and a
    // new one was created): the next sync opens the new one.
    ASSERT_EQ(std::remove(wal.c_str()), 0);
    f = std::fopen(wal.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
    EXPECT_TRUE(sync.WaitDurable(sync.Committed()).ok());
  }
  ASSERT_EQ(std::remove(wal.c_str()), 0);
  WalSync missing(wal);
  const Status status = missing.WaitDurable(missing.Committed());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find(wal), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("No such file"), std::string::npos) << status.message();
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace modelwatch::store::internal
