// How late a paced loop's ticks run, and how much CPU its thread uses (issue
// 17, "the tick measured"): faxd's line threads pace 20 ms blocks to wall time,
// and a block started late is a line that falls behind real time. The meter is
// pure: its owner feeds each tick's planned and actual start.
#pragma once

#include <pthread.h>
#include <time.h>

#include <chrono>
#include <cstdint>

namespace faxemu {

// Ticks counted over some span, and how late they ran.
struct TickCounts {
    std::int64_t ticks = 0;
    std::int64_t late_5ms = 0;           // started more than 5 ms after planned
    std::int64_t late_20ms = 0;          // more than 20 ms (one whole block)
    std::chrono::microseconds worst{0};  // the latest tick's lateness; 0 when none was late
};

class TickMeter {
  public:
    using Time = std::chrono::steady_clock::time_point;
    static constexpr std::chrono::milliseconds kLate{5};
    static constexpr std::chrono::milliseconds kVeryLate{20};

    // One tick, planned for `planned`, started at `actual` (early counts as on time).
    void tick(Time planned, Time actual);
    // Since the meter was made.
    const TickCounts& total() const { return total_; }
    // Since the last call (or the meter's start), and starts a new span: for a log at intervals.
    TickCounts take_interval();

  private:
    TickCounts total_;
    TickCounts interval_;
};

// The CPU time of one thread, readable from any thread (pthread_getcpuclockid).
class ThreadCpuClock {
  public:
    // The calling thread's.
    static ThreadCpuClock of_this_thread();
    // CPU seconds the thread has used; 0 if it cannot be read.
    double seconds() const;

  private:
    explicit ThreadCpuClock(clockid_t id) : id_(id) {}
    clockid_t id_;
};

}  // namespace faxemu
