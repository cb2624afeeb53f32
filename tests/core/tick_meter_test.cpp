#include "core/tick_meter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>

namespace faxemu {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
const TickMeter::Time t0{std::chrono::seconds(100)};

TEST(TickMeter, CountsTicksLateByMoreThan5AndMoreThan20Ms) {
    TickMeter m;
    m.tick(t0, t0);                                      // on time
    m.tick(t0, t0 - milliseconds(3));                    // early: on time
    m.tick(t0, t0 + milliseconds(5));                    // exactly 5 ms: not more than 5
    m.tick(t0, t0 + milliseconds(5) + microseconds(1));  // late
    m.tick(t0, t0 + milliseconds(20));                   // late, not more than 20
    m.tick(t0, t0 + milliseconds(21));                   // very late
    m.tick(t0, t0 + milliseconds(130));                  // very late, the worst
    const TickCounts& c = m.total();
    EXPECT_EQ(c.ticks, 7);
    EXPECT_EQ(c.late_5ms, 4);
    EXPECT_EQ(c.late_20ms, 2);
    EXPECT_EQ(c.worst, milliseconds(130));
}

TEST(TickMeter, AnIntervalStartsAfreshWhileTheTotalGoesOn) {
    TickMeter m;
    m.tick(t0, t0 + milliseconds(30));
    m.tick(t0, t0);
    const TickCounts first = m.take_interval();
    EXPECT_EQ(first.ticks, 2);
    EXPECT_EQ(first.late_20ms, 1);
    EXPECT_EQ(first.worst, milliseconds(30));
    m.tick(t0, t0 + milliseconds(6));
    const TickCounts second = m.take_interval();
    EXPECT_EQ(second.ticks, 1);
    EXPECT_EQ(second.late_5ms, 1);
    EXPECT_EQ(second.late_20ms, 0);
    EXPECT_EQ(second.worst, milliseconds(6));
    EXPECT_EQ(m.take_interval().ticks, 0);
    EXPECT_EQ(m.total().ticks, 3);
    EXPECT_EQ(m.total().late_5ms, 2);
    EXPECT_EQ(m.total().worst, milliseconds(30));
}

TEST(TickMeter, NoLateTickMeansNoWorst) {
    TickMeter m;
    m.tick(t0, t0 - milliseconds(10));
    EXPECT_EQ(m.total().worst, microseconds(0));
    EXPECT_EQ(m.total().late_5ms, 0);
}

// Another thread reads a busy thread's CPU time, and it grows while it works.
TEST(ThreadCpuClock, ReadsAnotherThreadsCpuTimeAsItWorks) {
    std::atomic<bool> done{false};
    std::optional<ThreadCpuClock> clock;
    std::atomic<bool> ready{false};
    std::thread busy([&] {
        clock.emplace(ThreadCpuClock::of_this_thread());
        ready = true;
        volatile std::uint64_t x = 0;
        while (!done) x = x + 1;
    });
    while (!ready) std::this_thread::yield();
    const double start = clock->seconds();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (clock->seconds() < start + 0.05 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    const double later = clock->seconds();
    done = true;
    busy.join();
    EXPECT_GE(later, start + 0.05);
}

}  // namespace
}  // namespace faxemu
