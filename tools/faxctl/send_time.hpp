// When `faxctl send --at` and `job alter --at` mean, as people write it in
// their local time: "14:30" (today), "2026-12-08 09:00[:30]", "+2h",
// "now + 30 min". A time that has passed, or that the clock change makes
// ambiguous or skips, is refused with what to write instead: a fax sent an
// hour early or late is worse than a question.
#pragma once

#include <chrono>
#include <string>

namespace faxemu::faxctl {

using SystemTime = std::chrono::system_clock::time_point;

// The time `text` names, read in the process's local time zone (TZ) at `now`.
// Throws std::invalid_argument saying what is wrong and what to write.
SystemTime parse_send_time(const std::string& text, SystemTime now);

// "2026-12-08T08:00:00Z": the control protocol's form of a time.
std::string protocol_time(SystemTime t);

}  // namespace faxemu::faxctl
