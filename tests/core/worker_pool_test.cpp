// The worker pool: tasks run off the caller's thread, several at once, and
// stop() ends long tasks through their stop token.
#include "core/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

namespace faxemu {
namespace {

using namespace std::chrono_literals;

TEST(WorkerPool, RunsTasksOffTheCallersThreadSeveralAtOnce) {
    WorkerPool pool(2);
    EXPECT_EQ(pool.size(), 2u);
    std::mutex m;
    std::condition_variable cv;
    int started = 0;
    bool release = false;
    std::promise<std::thread::id> first, second;
    auto task = [&](std::promise<std::thread::id>& where) {
        return [&](std::stop_token) {
            where.set_value(std::this_thread::get_id());
            std::unique_lock lock(m);
            ++started;
            cv.notify_all();
            // Both tasks must be running at once for either to finish.
            cv.wait_for(lock, 10s, [&] { return started == 2 || release; });
        };
    };
    pool.post(task(first));
    pool.post(task(second));
    auto a = first.get_future();
    auto b = second.get_future();
    ASSERT_EQ(a.wait_for(10s), std::future_status::ready);
    ASSERT_EQ(b.wait_for(10s), std::future_status::ready);
    EXPECT_NE(a.get(), std::this_thread::get_id());
    EXPECT_NE(b.get(), std::this_thread::get_id());
    std::unique_lock lock(m);
    EXPECT_TRUE(cv.wait_for(lock, 10s, [&] { return started == 2; }));
}

TEST(WorkerPool, StopEndsARunningTaskAndDropsQueuedOnes) {
    WorkerPool pool(1);
    std::promise<void> running;
    std::atomic<bool> saw_stop{false};
    std::atomic<bool> queued_ran{false};
    pool.post([&](std::stop_token stop) {
        running.set_value();
        const auto end = std::chrono::steady_clock::now() + 30s;
        while (!stop.stop_requested() && std::chrono::steady_clock::now() < end)
            std::this_thread::yield();
        saw_stop = stop.stop_requested();
    });
    pool.post([&](std::stop_token) { queued_ran = true; });
    ASSERT_EQ(running.get_future().wait_for(10s), std::future_status::ready);
    EXPECT_EQ(pool.pending(), 2u);
    const auto before = std::chrono::steady_clock::now();
    pool.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, 10s);
    EXPECT_TRUE(saw_stop);
    EXPECT_FALSE(queued_ran);
    pool.post([&](std::stop_token) { queued_ran = true; });  // ignored after stop
    EXPECT_FALSE(queued_ran);
    EXPECT_EQ(pool.pending(), 0u);
}

TEST(WorkerPool, AThrowingTaskDoesNotKillItsWorker) {
    WorkerPool pool(1);
    pool.post([](std::stop_token) { throw std::runtime_error("boom"); });
    std::promise<void> after;
    pool.post([&](std::stop_token) { after.set_value(); });
    EXPECT_EQ(after.get_future().wait_for(10s), std::future_status::ready);
}

}  // namespace
}  // namespace faxemu
