// Times as people read them on paper (cover pages, page headers): faxd's local
// time zone, to the minute.
#pragma once

#include <string>

#include "core/clock.hpp"

namespace faxemu {

// "2026-12-07 14:05" for `t` in the local time zone.
std::string local_time_text(TimePoint t);

}  // namespace faxemu
