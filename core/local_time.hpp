// Times as people read them: on paper (cover pages, page headers) in faxd's
// local time zone, to the minute; on a terminal (faxctl) to the second with
// the zone named. Also read back faxd's ISO 8601 UTC times ("...Z"), which is
// how the control protocol carries them. faxctl builds this file into itself
// (it links only core's client library), so it needs nothing but the C library.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace faxemu {

// "2026-12-07 14:05" for `t` in the local time zone.
std::string local_time_text(TimePoint t);

// "2026-12-07 14:05:09 CET" in the local time zone, or "2026-12-07 13:05:09
// UTC" when `utc`.
std::string time_with_zone(TimePoint t, bool utc);

// "2026-12-07T13:05:09Z" (or with fractional seconds) as a TimePoint; nullopt
// for anything else, the empty string included.
std::optional<TimePoint> parse_iso_utc(std::string_view text);

}  // namespace faxemu
