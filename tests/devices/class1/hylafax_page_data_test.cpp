// Issue 12, item 4: non-ECM pages from HylaFAX arrived one row short and faxd said
// "completed". The exact data HylaFAX sent (fixtures/t4/, see the README there)
// settles where the row went: the rows the data itself implies (counted EOL by
// EOL up to RTC, no decoder) against the rows spandsp's receiver makes of it, fed
// as faxd's Class 1 receiver feeds it, and both against the document sent.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/image_compare.hpp"
#include "tests/support/t4_page_data.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::decode_t4_page;
using test::fixture;
using test::read_bytes;
using test::t4_rows_before_rtc;

constexpr int kWidth = 1728;

bool rows_equal(const BilevelPage& a, std::uint32_t row_a, const BilevelPage& b,
                std::uint32_t row_b) {
    const std::size_t stride = a.stride();
    return std::equal(a.bits.begin() + static_cast<long>(row_a * stride),
                      a.bits.begin() + static_cast<long>((row_a + 1) * stride),
                      b.bits.begin() + static_cast<long>(row_b * stride));
}

TEST(HylafaxPageData, SpandspDecodesEveryRowTheSentDataHolds) {
    const auto sent = read_bytes(fixture("t4/hylafax-class1-mr-page.bin"));
    ASSERT_EQ(sent.size(), 17504u);
    const auto implied = t4_rows_before_rtc(sent, true);
    ASSERT_TRUE(implied.rtc);
    EXPECT_EQ(implied.rows, 2291);

    test::TempDir dir;
    const auto decoded = decode_t4_page(sent, true, kWidth, dir.path() / "scratch.tif");
    EXPECT_TRUE(decoded.ended) << "t4_rx saw no RTC";
    EXPECT_EQ(decoded.bad_rows, 0);
    EXPECT_EQ(static_cast<int>(decoded.page.height), implied.rows)
        << "spandsp's receiver makes a different number of rows than the data holds";
}

// The document had 2292 rows and faxq's prepared strip still has them all; what
// faxsend put on the line lacks the last one: HylaFAX 6.0.7 drops it, so no
// receiver can have it. (The page is valid T.4 of 2291 rows: nothing tells a
// receiver a row is missing.)
TEST(HylafaxPageData, HylafaxSendsTheDocumentLessItsLastRow) {
    const BilevelPage doc = read_bilevel_pages(fixture("documents/letter-fine-mh.tif")).at(0);
    ASSERT_EQ(doc.height, 2292u);

    const auto prepared = read_bytes(fixture("t4/hylafax-prepared-mr-strip.bin"));
    const auto in_file = t4_rows_before_rtc(prepared, true);
    EXPECT_FALSE(in_file.rtc) << "TIFF-F data has no RTC";
    EXPECT_EQ(in_file.rows, 2292);

    const auto sent = read_bytes(fixture("t4/hylafax-class1-mr-page.bin"));
    // faxsend keeps all but the prepared strip's last byte (the last row's EOL
    // ends there, with its only code) and puts RTC after it.
    const std::size_t kept = prepared.size() - 1;
    ASSERT_GT(sent.size(), kept);
    EXPECT_TRUE(
        std::equal(prepared.begin(), prepared.begin() + static_cast<long>(kept), sent.begin()));

    test::TempDir dir;
    const auto decoded = decode_t4_page(sent, true, kWidth, dir.path() / "scratch.tif");
    ASSERT_EQ(decoded.page.height, doc.height - 1);
    for (std::uint32_t r = 0; r < decoded.page.height; ++r)
        ASSERT_TRUE(rows_equal(decoded.page, r, doc, r)) << "row " << r;
}

}  // namespace
}  // namespace faxemu
