// The injectable clock. Every timer in faxemu (ring cadence, T.30 line time,
// retry delays, driver timeouts) reads a Clock so tests run on virtual time:
// deterministic and faster than real time.
#pragma once

#include <chrono>

namespace faxemu {

using Duration = std::chrono::microseconds;
// Wall-clock time (UTC) at microsecond precision; what StartTime and friends report.
using TimePoint = std::chrono::sys_time<Duration>;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

// Real time. Anchored once to the system clock and advanced by the steady clock,
// so intervals never jump when the wall clock is set.
class SystemClock final : public Clock {
  public:
    SystemClock();
    TimePoint now() const override;

  private:
    TimePoint anchor_;
    std::chrono::steady_clock::time_point steady_anchor_;
};

// Time that moves only when told to.
class VirtualClock final : public Clock {
  public:
    explicit VirtualClock(TimePoint start = TimePoint{std::chrono::seconds{1'700'000'000}})
        : now_(start) {}
    TimePoint now() const override { return now_; }
    void advance(Duration d) { now_ += d; }

  private:
    TimePoint now_;
};

}  // namespace faxemu
