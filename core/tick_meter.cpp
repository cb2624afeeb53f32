#include "core/tick_meter.hpp"

#include <algorithm>
#include <utility>

namespace faxemu {

namespace {

void count(TickCounts& c, std::chrono::microseconds late) {
    ++c.ticks;
    if (late > TickMeter::kLate) ++c.late_5ms;
    if (late > TickMeter::kVeryLate) ++c.late_20ms;
    c.worst = std::max(c.worst, late);
}

}  // namespace

void TickMeter::tick(Time planned, Time actual) {
    const auto late =
        std::max(std::chrono::duration_cast<std::chrono::microseconds>(actual - planned),
                 std::chrono::microseconds{0});
    count(total_, late);
    count(interval_, late);
}

TickCounts TickMeter::take_interval() {
    return std::exchange(interval_, TickCounts{});
}

ThreadCpuClock ThreadCpuClock::of_this_thread() {
    clockid_t id{};
    if (pthread_getcpuclockid(pthread_self(), &id) != 0) id = CLOCK_THREAD_CPUTIME_ID;
    return ThreadCpuClock(id);
}

double ThreadCpuClock::seconds() const {
    timespec ts{};
    if (clock_gettime(id_, &ts) != 0) return 0;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace faxemu
