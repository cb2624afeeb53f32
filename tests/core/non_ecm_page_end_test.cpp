// A non-ECM page whose data stops before RTC (the carrier lost mid-page):
// spandsp 0.0.6's T.4 receiver holds the row in hand until an EOL that never
// comes, so keep_row_before_missing_rtc must commit it. The data is HylaFAX's
// page (fixtures/t4/), cut short.
#include <gtest/gtest.h>

#include <optional>

#include "core/non_ecm_page_end.hpp"
#include "tests/support/t4_page_data.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::decode_t4_page;
using test::fixture;
using test::read_bytes;
using test::t4_rows_before_rtc;

constexpr int kWidth = 1728;

TEST(NonEcmPageEnd, KeepsTheRowInHandOfAPageCutShort) {
    const auto sent = read_bytes(fixture("t4/hylafax-class1-mr-page.bin"));
    // Mid-page, and mid-row: the last row the data starts is not whole.
    const std::vector<std::uint8_t> cut(sent.begin(), sent.begin() + 8001);
    const auto implied = t4_rows_before_rtc(cut, true);
    ASSERT_FALSE(implied.rtc);
    ASSERT_GT(implied.rows, 100);

    test::TempDir dir;
    std::optional<int> kept;
    const auto decoded =
        decode_t4_page(cut, true, kWidth, dir.path() / "scratch.tif",
                       [&](t4_rx_state_t* rx) { kept = keep_row_before_missing_rtc(rx); });
    ASSERT_TRUE(kept) << "a page without RTC was taken for a whole one";
    EXPECT_EQ(*kept, implied.rows);
    EXPECT_EQ(static_cast<int>(decoded.page.height), implied.rows)
        << "the row in hand when the data stopped was lost";
}

TEST(NonEcmPageEnd, LeavesAPageThatEndedWithRtc) {
    const auto sent = read_bytes(fixture("t4/hylafax-class1-mr-page.bin"));
    test::TempDir dir;
    std::optional<int> kept = 0;
    const auto decoded =
        decode_t4_page(sent, true, kWidth, dir.path() / "scratch.tif",
                       [&](t4_rx_state_t* rx) { kept = keep_row_before_missing_rtc(rx); });
    EXPECT_TRUE(decoded.ended);
    EXPECT_FALSE(kept);
    EXPECT_EQ(decoded.page.height, 2291u);
}

}  // namespace
}  // namespace faxemu
