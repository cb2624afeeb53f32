#include "core/non_ecm_page_end.hpp"

// The T.4 decoder's progress through a page is only in spandsp's private state.
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <spandsp.h>

namespace faxemu {
namespace {

// From spandsp 0.0.6's t30.c and t4_rx.c, where they are not exported.
constexpr int kOperationT4Rx = 1;   // OPERATION_IN_PROGRESS_T4_RX
constexpr int kEolsEndingPage = 6;  // EOLS_TO_END_ANY_RX_PAGE: RTC (or EOFB) was seen
constexpr int kEolBits = 12;        // T.4 4.1.2: EOL is 000000000001

void put_bits(t4_rx_state_t* rx, int bit, int n) {
    for (int i = 0; i < n; ++i) t4_rx_put_bit(rx, bit);
}

}  // namespace

std::optional<int> end_page_cut_short(t30_state_s* t30) {
    if (t30->error_correcting_mode || t30->operation_in_progress != kOperationT4Rx)
        return std::nullopt;
    return keep_row_before_missing_rtc(&t30->t4.rx);
}

std::optional<int> keep_row_before_missing_rtc(t4_state_s* rx) {
    if (rx->line_encoding == T4_COMPRESSION_ITU_T6) return std::nullopt;  // ECM only
    const int eols = rx->t4_t6_rx.consecutive_eols;
    // -1: no EOL yet (no page data, or the page was already ended and a new one
    // started); kEolsEndingPage: the page ended with its RTC.
    if (eols < 0 || eols >= kEolsEndingPage) return std::nullopt;
    // The row in hand is committed by the EOL after it (a short one counts as a
    // bad row). After the EOL a 2-D page has its tag bit (1: the next row is 1-D);
    // fill bits then let the decoder see the whole EOL.
    put_bits(rx, 0, kEolBits - 1);
    put_bits(rx, 1, 1);
    if (rx->line_encoding == T4_COMPRESSION_ITU_T4_2D) put_bits(rx, 1, 1);
    put_bits(rx, 0, kEolBits);
    return rx->image_length;
}

}  // namespace faxemu
