// Whether a T.30 call's image data is moving. A non-ECM page at 2400 bit/s, or a
// 64 KiB ECM block, runs for minutes without a single T.30 event; the port's call
// watchdog must see such a call as alive and a call stuck on a noisy line (the
// carrier detector held on, T.30's timers stopped) as dead. spandsp 0.0.6 keeps
// its T.4 and ECM progress only in private state, so it is read here.
#pragma once

#include <cstdint>

struct t30_state_s;

namespace faxemu {

// A figure that changes whenever image rows or bytes move in `t30`, either way:
// rows decoded and bytes of the image received, the position in the page being
// sent, ECM frames sent and received. Only changes mean anything; the value not.
std::uint64_t t30_image_progress(const t30_state_s* t30);

}  // namespace faxemu
