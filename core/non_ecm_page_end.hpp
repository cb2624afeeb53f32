// A non-ECM page that spandsp 0.0.6 received without its RTC. Its T.4 receiver
// commits a row only when the next EOL arrives and t4_rx_end_page does not flush
// the row in hand; when the carrier drops mid-page, T.30 logs "Page did not end
// cleanly" and still reports T30_ERR_OK. This is where faxemu notices such a page
// (so it is not reported complete) and keeps the row spandsp would drop.
#pragma once

#include <optional>

struct t30_state_s;
struct t4_state_s;  // spandsp's t4_rx_state_t

namespace faxemu {

// If `t30` is receiving a non-ECM page whose data stopped before RTC, commits
// the row being decoded (by feeding its EOL) and returns the rows the page now
// has; nullopt when no page is pending, or the pending one ended with RTC.
// Call it when the post-page command arrives, before T.30 ends the page.
std::optional<int> end_page_cut_short(t30_state_s* t30);

// The T.4 part of it: if the MH/MR page `rx` is decoding has begun and not
// ended with RTC, commits the row in hand and returns the rows the page has.
std::optional<int> keep_row_before_missing_rtc(t4_state_s* rx);

}  // namespace faxemu
