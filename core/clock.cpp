#include "core/clock.hpp"

namespace faxemu {

SystemClock::SystemClock()
    : anchor_(std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now())),
      steady_anchor_(std::chrono::steady_clock::now()) {}

TimePoint SystemClock::now() const {
    return anchor_ +
           std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - steady_anchor_);
}

}  // namespace faxemu
