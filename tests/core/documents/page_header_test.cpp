#include "core/documents/page_header.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <tiffio.h>
#include <time.h>

#include <algorithm>

#include "tests/support/ocr.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::fixture;

// 2023-11-14 22:13:20 UTC.
const TimePoint kAttempt{std::chrono::seconds{1'700'000'000}};

class PageHeaderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // The header shows faxd's local time; the tests' is UTC.
        setenv("TZ", "UTC", 1);
        tzset();
    }
    test::TempDir tmp_;
};

PageHeader header() {
    return {kAttempt, "+1 555 1001", "Alice Example"};
}

bool band_has_ink(const BilevelPage& p, uint32_t rows) {
    return std::any_of(p.bits.begin(), p.bits.begin() + rows * p.stride(),
                       [](uint8_t v) { return v != 0; });
}

bool rows_equal(const BilevelPage& a, const BilevelPage& b, uint32_t from, uint32_t to) {
    return std::equal(a.bits.begin() + from * a.stride(), a.bits.begin() + to * a.stride(),
                      b.bits.begin() + from * b.stride());
}

// Black pixels of rows [0, rows) in columns [x0, x1).
size_t ink_in(const BilevelPage& p, uint32_t rows, uint32_t x0, uint32_t x1) {
    size_t n = 0;
    for (uint32_t y = 0; y < rows; ++y)
        for (uint32_t x = x0; x < x1; ++x) n += p.black(x, y);
    return n;
}

TEST_F(PageHeaderTest, BandIsFiveMillimetresAtEveryResolution) {
    EXPECT_EQ(page_header_rows(98), 19u);   // standard: 3.85 lines/mm
    EXPECT_EQ(page_header_rows(196), 39u);  // fine
    EXPECT_EQ(page_header_rows(391), 77u);  // superfine
    EXPECT_EQ(page_header_rows(0), 39u);    // unknown: read as fine
}

TEST_F(PageHeaderTest, TextNamesTheAttemptTheSenderAndThePage) {
    const PageHeaderText t = page_header_text(header(), 2, 3);
    EXPECT_EQ(t.left, "2023-11-14 22:13   From +1 555 1001   Alice Example");
    EXPECT_EQ(t.right, "page 2 of 3");
    EXPECT_EQ(page_header_text({kAttempt, "", ""}, 1, 1).left, "2023-11-14 22:13");
}

// The stamp replaces the band and nothing else, at each resolution.
TEST_F(PageHeaderTest, StampReplacesTheTopRowsOnly) {
    for (const char* res : {"std", "fine"}) {
        SCOPED_TRACE(res);
        const auto pages =
            read_bilevel_pages(fixture(std::string("documents/letter-") + res + "-mmr.tif"));
        const BilevelPage& original = pages[0];
        BilevelPage page = original;
        const uint32_t rows = page_header_rows(page.y_dpi);
        // Ink in the band that the header must clear.
        for (uint32_t y = 0; y < rows; ++y) page.set(1000, y, true);
        stamp_page_header(page, page_header_text(header(), 1, 3));
        EXPECT_EQ(page.height, original.height);
        EXPECT_EQ(page.width, original.width);
        EXPECT_TRUE(rows_equal(page, original, rows, page.height));
        EXPECT_TRUE(band_has_ink(page, rows));
        // Ink at both ends (left text, right "page N of M"), none in the margins.
        const uint32_t margin = 40;  // 5 mm at 204 dpi; the header keeps 6 mm
        EXPECT_GT(ink_in(page, rows, margin, page.width / 3), 0u);
        EXPECT_GT(ink_in(page, rows, page.width - page.width / 8, page.width - margin), 0u);
        EXPECT_EQ(ink_in(page, rows, 0, margin), 0u);
        EXPECT_EQ(ink_in(page, rows, page.width - margin, page.width), 0u);
    }
}

TEST_F(PageHeaderTest, EachPageSaysItsNumber) {
    const BilevelPage blank = BilevelPage::blank(1728, 2200, 204, 196);
    BilevelPage one = blank, two = blank;
    stamp_page_header(one, page_header_text(header(), 1, 3));
    stamp_page_header(two, page_header_text(header(), 2, 3));
    const uint32_t rows = page_header_rows(196);
    EXPECT_FALSE(rows_equal(one, two, 0, rows));
    // Only the right end differs: the left part is the same on every page.
    EXPECT_EQ(ink_in(one, rows, 0, 1000), ink_in(two, rows, 0, 1000));
}

// A long name is cut short with an ellipsis; it never runs into "page N of M".
TEST_F(PageHeaderTest, LongSenderNameLeavesThePageNumberAlone) {
    BilevelPage short_name = BilevelPage::blank(1728, 200, 204, 196);
    BilevelPage long_name = short_name;
    stamp_page_header(short_name, page_header_text(header(), 1, 3));
    stamp_page_header(long_name,
                      page_header_text({kAttempt, "+1 555 1001", std::string(256, 'W')}, 1, 3));
    const uint32_t rows = page_header_rows(196);
    // Where "page 1 of 3" starts: the first inked column of the page's right third.
    uint32_t right_start = 1728;
    for (uint32_t x = 1728 - 1728 / 3; x < 1728 && right_start == 1728; ++x)
        if (ink_in(short_name, rows, x, x + 1) > 0) right_start = x;
    ASSERT_LT(right_start, 1728u);
    // From a little before it to the page's end, both headers agree.
    for (uint32_t y = 0; y < rows; ++y)
        for (uint32_t x = right_start - 16; x < 1728; ++x)
            ASSERT_EQ(short_name.black(x, y), long_name.black(x, y)) << x << "," << y;
    EXPECT_GT(ink_in(long_name, rows, 900, 1300), ink_in(short_name, rows, 900, 1300));
}

TEST_F(PageHeaderTest, BrandedCopyDiffersOnlyInTheBand) {
    const auto source = fixture("documents/letter-fine-mmr.tif");
    const auto out = tmp_.path() / "branded.tif";
    write_branded_copy(source, out, header(), 3, 0600);
    const ImageComparison cmp = compare_fax_images_below_band(source, out, kPageHeaderBandMm);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    EXPECT_FALSE(compare_fax_images(source, out).equal);
    EXPECT_EQ(std::filesystem::status(out).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto pages = read_bilevel_pages(out);
    ASSERT_EQ(pages.size(), 3u);
    const uint32_t rows = page_header_rows(pages[0].y_dpi);
    EXPECT_FALSE(rows_equal(pages[0], pages[1], 0, rows));
    EXPECT_FALSE(rows_equal(pages[1], pages[2], 0, rows));
}

// "page N of M" must not lie: a document that no longer has its job's page
// count is refused.
TEST_F(PageHeaderTest, BrandedCopyWantsThePagesItWasToldOf) {
    for (const int pages : {2, 4}) {
        EXPECT_EQ(test::code_of([&] {
                      write_branded_copy(fixture("documents/letter-fine-mmr.tif"),
                                         tmp_.path() / "branded.tif", header(), pages);
                  }),
                  ErrorCode::BadDocument)
            << pages;
    }
}

TEST_F(PageHeaderTest, BrandedCopyStopsWhenAsked) {
    std::stop_source stop;
    stop.request_stop();
    EXPECT_THROW(write_branded_copy(fixture("documents/letter-fine-mmr.tif"),
                                    tmp_.path() / "branded.tif", header(), 3, {}, stop.get_token()),
                 FaxError);
}

// What a person reads in the header, at fine and at standard resolution.
TEST_F(PageHeaderTest, HeaderReadsBackThroughOcr) {
    for (const double y_dpi : {196.0, 98.0}) {
        SCOPED_TRACE(y_dpi);
        BilevelPage page = BilevelPage::blank(1728, 400, 204, y_dpi);
        stamp_page_header(page, page_header_text(header(), 1, 3));
        const auto text = test::ocr_band(page, page_header_rows(y_dpi), tmp_.path());
        if (!text) GTEST_SKIP() << "tesseract is not installed (tesseract-ocr, tesseract-ocr-eng)";
        // OCR is not sure of spaces ("+1 555" may read "+1555"); the characters count.
        const std::string read = test::without_spaces(*text);
        EXPECT_NE(read.find("page1of3"), std::string::npos) << *text;
        EXPECT_NE(read.find("+15551001"), std::string::npos) << *text;
        EXPECT_NE(read.find("2023-11-1422:13"), std::string::npos) << *text;
    }
}

}  // namespace
}  // namespace faxemu
