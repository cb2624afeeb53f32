// Non-ECM phase C data (T.4 MH/MR as a Class 1 host sends it after +FTM's
// CONNECT: first bit on the line = least significant bit of each byte), read two
// independent ways, to check a received page against what its sender sent:
//  - t4_rows_before_rtc counts the rows the data itself implies (T.4 4.1.2: every
//    row starts with an EOL, the page ends with RTC, six EOLs in a row), with no
//    decoder at all;
//  - decode_t4_page runs spandsp 0.0.6's T.4 receiver over the bytes as
//    t30_non_ecm_put_chunk does in faxd's Class 1 receiver (t4_rx_put_chunk until
//    it sees the end of the page), giving the rows it produced.
#pragma once

#include <spandsp.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "core/image_compare.hpp"

namespace faxemu::test {

struct T4Rows {
    int rows = 0;          // EOLs before RTC: the rows the sender sent
    bool rtc = false;      // the data holds an RTC
    std::size_t eols = 0;  // every EOL, RTC's included
};

// EOL = at least 11 zero bits (fill allowed) then a 1; in MR (`two_d`) a tag bit
// follows each EOL. RTC = six EOLs with no row between them.
inline T4Rows t4_rows_before_rtc(const std::vector<std::uint8_t>& data, bool two_d) {
    T4Rows r;
    int zeros = 0;
    int run = 0;            // EOLs in a row, with no row data between them
    bool row_data = false;  // a code of a row since the last EOL
    bool skip_tag = false;
    for (std::uint8_t byte : data) {
        for (int i = 0; i < 8; ++i) {
            const int bit = (byte >> i) & 1;
            if (skip_tag) {
                skip_tag = false;
                continue;
            }
            if (bit == 0) {
                ++zeros;
                continue;
            }
            if (zeros >= 11) {
                ++r.eols;
                run = row_data ? 1 : run + 1;
                row_data = false;
                skip_tag = two_d;
                if (run == 6) {
                    r.rtc = true;
                    return r;
                }
            } else if (r.eols > 0) {  // before the first EOL: no row yet
                // Every MH/MR code holds a 1 (none is all fill), so a row is counted
                // at its first code.
                if (!row_data) ++r.rows;
                row_data = true;
            }
            zeros = 0;
        }
    }
    return r;
}

struct DecodedT4Page {
    BilevelPage page;
    bool ended = false;  // t4_rx saw the end of the page (RTC)
    int bad_rows = 0;
};

// spandsp's receiver over `data`, in chunks as the modem delivers them. `scratch`
// is the TIFF t4_rx_init insists on opening; the rows come by the row handler.
// `before_end` (if any) sees the receiver after the data, before the page ends.
inline DecodedT4Page decode_t4_page(
    const std::vector<std::uint8_t>& data, bool two_d, int width,
    const std::filesystem::path& scratch,
    const std::function<void(t4_rx_state_t*)>& before_end = nullptr) {
    DecodedT4Page out;
    out.page.width = static_cast<uint32_t>(width);
    t4_rx_state_t* rx = t4_rx_init(nullptr, scratch.c_str(), T4_COMPRESSION_ITU_T6);
    if (!rx) return out;
    t4_rx_set_rx_encoding(rx, two_d ? T4_COMPRESSION_ITU_T4_2D : T4_COMPRESSION_ITU_T4_1D);
    t4_rx_set_image_width(rx, width);
    t4_rx_set_row_write_handler(
        rx,
        [](void* user, const uint8_t* row, size_t len) -> int {
            auto* page = static_cast<BilevelPage*>(user);
            if (!row || len == 0) return 0;  // the end of the image
            const std::size_t stride = page->stride();
            page->bits.insert(page->bits.end(), row, row + std::min(len, stride));
            page->bits.resize(page->bits.size() + (len < stride ? stride - len : 0), 0);
            // spandsp may leave bits beyond the width set: BilevelPage keeps them 0.
            if (const unsigned extra = stride * 8 - page->width; extra > 0)
                page->bits.back() &= static_cast<uint8_t>(0xFF << extra);
            ++page->height;
            return 0;
        },
        &out.page);
    t4_rx_start_page(rx);
    constexpr std::size_t kChunk = 256;  // any size: the decoder keeps its state
    for (std::size_t at = 0; at < data.size() && !out.ended; at += kChunk) {
        const int n = static_cast<int>(std::min(kChunk, data.size() - at));
        out.ended = t4_rx_put_chunk(rx, data.data() + at, n) != 0;
    }
    if (before_end) before_end(rx);
    t4_rx_end_page(rx);
    t4_stats_t stats;
    t4_rx_get_transfer_statistics(rx, &stats);
    out.bad_rows = stats.bad_rows;
    t4_rx_free(rx);
    return out;
}

}  // namespace faxemu::test
