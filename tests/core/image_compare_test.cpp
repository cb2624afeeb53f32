#include "core/image_compare.hpp"

#include <gtest/gtest.h>
#include <tiffio.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;

using test::fixture;

// A fresh folder per test, removed afterwards.
class ImageCompareTest : public ::testing::Test {
  protected:
    test::TempDir tmp_;
    const fs::path dir_ = tmp_.path();
};

size_t count_black(const BilevelPage& page) {
    size_t black = 0;
    for (uint32_t y = 0; y < page.height; ++y) {
        for (uint32_t x = 0; x < page.width; ++x) black += page.black(x, y);
    }
    return black;
}

// A page with something on every row and in the last, partial byte of each row.
BilevelPage pattern_page(uint32_t width, uint32_t height) {
    BilevelPage page = BilevelPage::blank(width, height, 204, 196);
    for (uint32_t y = 0; y < height; ++y) {
        for (uint32_t x = 0; x < width; ++x) {
            if ((x * 7 + y * 3) % 11 < 3 || x == width - 1 || (y / 5) % 4 == 0)
                page.set(x, y, true);
        }
    }
    return page;
}

TEST_F(ImageCompareTest, ReadsFixturePages) {
    const auto pages = read_bilevel_pages(fixture("documents/letter-fine-mmr.tif"));
    ASSERT_EQ(pages.size(), 3u);
    for (const auto& page : pages) {
        EXPECT_EQ(page.width, 1728u);
        EXPECT_EQ(page.height, 2292u);
        EXPECT_DOUBLE_EQ(page.x_dpi, 204);
        EXPECT_DOUBLE_EQ(page.y_dpi, 196);
        EXPECT_EQ(page.bits.size(), 216u * 2292u);
        // Mostly white paper with some ink: catches an inverted or empty decode.
        const size_t black = count_black(page);
        EXPECT_GT(black, 1000u);
        EXPECT_LT(black, page.width * page.height / 5);
    }
}

TEST_F(ImageCompareTest, NormalisesFillOrderAndMinIsBlack) {
    // The same page stored LSB-first, MINISBLACK and MH.
    const fs::path odd = fixture("documents/short-fine-mh-lsb-minisblack.tif");
    std::vector<TiffPageTags> tags;
    visit_bilevel_pages(odd, [&](BilevelPage&&, const TiffPageTags& t) { tags.push_back(t); });
    ASSERT_EQ(tags.size(), 1u);
    EXPECT_EQ(tags[0].photometric, PHOTOMETRIC_MINISBLACK);
    EXPECT_EQ(tags[0].compression, COMPRESSION_CCITTFAX3);

    const auto result = compare_fax_images(fixture("documents/short-fine-mmr.tif"), odd);
    EXPECT_TRUE(result.equal) << result.detail;
    EXPECT_EQ(result.detail, "1 page identical");
}

TEST_F(ImageCompareTest, FileEqualsItsMhAndMrEncodings) {
    for (const char* res : {"fine", "std"}) {
        const fs::path mmr = fixture(std::string("documents/letter-") + res + "-mmr.tif");
        for (const char* other : {"mh", "mr"}) {
            const fs::path path =
                fixture(std::string("documents/letter-") + res + "-" + other + ".tif");
            const auto result = compare_fax_images(mmr, path);
            EXPECT_TRUE(result.equal) << path << ": " << result.detail;
            EXPECT_EQ(result.detail, "3 pages identical");
        }
    }
}

TEST_F(ImageCompareTest, WriteReadRoundTripsEveryCompression) {
    // 1001 px: rows end in a partial byte whose padding must stay 0.
    const std::vector<BilevelPage> pages = {pattern_page(1001, 57), pattern_page(1728, 40)};
    struct Case {
        uint16_t compression;
        bool t4_2d;
    };
    for (const Case c : {Case{COMPRESSION_NONE, false}, Case{COMPRESSION_CCITTFAX3, false},
                         Case{COMPRESSION_CCITTFAX3, true}, Case{COMPRESSION_CCITTFAX4, false}}) {
        SCOPED_TRACE(::testing::Message() << "compression " << c.compression << " 2d " << c.t4_2d);
        const fs::path path = dir_ / "round.tif";
        write_bilevel_pages(path, pages, c.compression, c.t4_2d);
        const auto back = read_bilevel_pages(path);
        ASSERT_EQ(back.size(), 2u);
        for (size_t i = 0; i < 2; ++i) {
            EXPECT_EQ(back[i].width, pages[i].width);
            EXPECT_EQ(back[i].height, pages[i].height);
            EXPECT_DOUBLE_EQ(back[i].x_dpi, 204);
            EXPECT_DOUBLE_EQ(back[i].y_dpi, 196);
            EXPECT_TRUE(back[i].bits == pages[i].bits) << "page " << i + 1;
        }
        std::vector<TiffPageTags> tags;
        visit_bilevel_pages(path, [&](BilevelPage&&, const TiffPageTags& t) { tags.push_back(t); });
        ASSERT_EQ(tags.size(), 2u);
        EXPECT_EQ(tags[0].compression, c.compression);
        EXPECT_EQ(tags[0].photometric, PHOTOMETRIC_MINISWHITE);
    }
}

TEST_F(ImageCompareTest, PageWithoutResolutionReadsAsZero) {
    BilevelPage page = pattern_page(100, 10);
    page.x_dpi = 0;
    page.y_dpi = 0;
    const fs::path path = dir_ / "nores.tif";
    write_bilevel_pages(path, {page}, COMPRESSION_CCITTFAX4);
    const auto back = read_bilevel_pages(path);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].x_dpi, 0);
    EXPECT_EQ(back[0].y_dpi, 0);
}

class ImageCompareDifferences : public ImageCompareTest {
  protected:
    void SetUp() override {
        ImageCompareTest::SetUp();
        sent_ = fixture("documents/letter-std-mmr.tif");
        pages_ = read_bilevel_pages(sent_);
        ASSERT_EQ(pages_.size(), 3u);
    }
    ImageComparison compare_with(const std::vector<BilevelPage>& received) {
        const fs::path path = dir_ / "received.tif";
        write_bilevel_pages(path, received, COMPRESSION_CCITTFAX3);
        return compare_fax_images(sent_, path);
    }

    fs::path sent_;
    std::vector<BilevelPage> pages_;
};

TEST_F(ImageCompareDifferences, UnchangedPagesAreIdentical) {
    const auto result = compare_with(pages_);
    EXPECT_TRUE(result.equal);
    EXPECT_EQ(result.detail, "3 pages identical");
}

TEST_F(ImageCompareDifferences, DetectsOneFlippedPixel) {
    auto received = pages_;
    received[1].set(1000, 77, !received[1].black(1000, 77));
    const auto result = compare_with(received);
    EXPECT_FALSE(result.equal);
    EXPECT_EQ(result.detail, "page 2 row 77: 1 pixel differs (1 in 1 row on this page)");
}

TEST_F(ImageCompareDifferences, CountsPixelsOfTheFirstDifferingRow) {
    auto received = pages_;
    for (uint32_t x = 10; x < 22; ++x) received[0].set(x, 500, !received[0].black(x, 500));
    received[0].set(5, 900, !received[0].black(5, 900));
    const auto result = compare_with(received);
    EXPECT_FALSE(result.equal);
    EXPECT_EQ(result.detail, "page 1 row 500: 12 pixels differ (13 in 2 rows on this page)");
}

TEST_F(ImageCompareDifferences, DetectsMissingPage) {
    auto received = pages_;
    received.pop_back();
    const auto result = compare_with(received);
    EXPECT_FALSE(result.equal);
    EXPECT_EQ(result.detail, "3 pages vs 2");
}

TEST_F(ImageCompareDifferences, DetectsChangedHeight) {
    auto received = pages_;
    received[1].height -= 4;
    received[1].bits.resize(received[1].stride() * received[1].height);
    const auto result = compare_with(received);
    EXPECT_FALSE(result.equal);
    EXPECT_EQ(result.detail, "page 2: 1146 rows vs 1142");
}

TEST_F(ImageCompareDifferences, DetectsChangedWidth) {
    auto received = pages_;
    received[2] = BilevelPage::blank(2048, 1146, 204, 98);
    const auto result = compare_with(received);
    EXPECT_FALSE(result.equal);
    EXPECT_EQ(result.detail, "page 3: 1728 px wide vs 2048");
}

// A received page whose top band was overwritten (a page header) compares
// equal below the band when the band holds ink, and not otherwise.
TEST_F(ImageCompareDifferences, BelowBandIgnoresTheBandButWantsInkThere) {
    const fs::path path = dir_ / "received.tif";
    const uint32_t band = rows_for_mm(5.0, 98);  // letter-std: 98 lpi
    EXPECT_EQ(band, 19u);
    EXPECT_EQ(rows_for_mm(5.0, 196), 39u);
    EXPECT_EQ(rows_for_mm(5.0, 391), 77u);
    EXPECT_EQ(rows_for_mm(5.0, 0), 39u);  // unknown: fine
    auto received = pages_;
    for (auto& page : received) {
        std::fill(page.bits.begin(), page.bits.begin() + band * page.stride(), 0);
        for (uint32_t x = 100; x < 300; ++x) page.set(x, band / 2, true);
    }
    write_bilevel_pages(path, received, COMPRESSION_CCITTFAX4);
    auto result = compare_fax_images_below_band(sent_, path, 5.0);
    EXPECT_TRUE(result.equal) << result.detail;
    EXPECT_EQ(result.detail, "3 pages identical below a header band");
    EXPECT_FALSE(compare_fax_images(sent_, path).equal);

    // A difference in the first row under the band counts.
    received[1].set(700, band, !received[1].black(700, band));
    write_bilevel_pages(path, received, COMPRESSION_CCITTFAX4);
    result = compare_fax_images_below_band(sent_, path, 5.0);
    EXPECT_FALSE(result.equal);
    EXPECT_EQ(result.detail, "page 2 row 19: 1 pixel differs (1 in 1 row on this page)");
    received[1].set(700, band, !received[1].black(700, band));

    // A band left white is no header.
    std::fill(received[2].bits.begin(), received[2].bits.begin() + band * received[2].stride(), 0);
    write_bilevel_pages(path, received, COMPRESSION_CCITTFAX4);
    result = compare_fax_images_below_band(sent_, path, 5.0);
    EXPECT_FALSE(result.equal);
    EXPECT_EQ(result.detail, "page 3: no ink in the header band (rows 0 to 18)");
}

TEST_F(ImageCompareDifferences, DetectsChangedResolutionButToleratesThreePercent) {
    auto received = pages_;
    received[0].y_dpi = 100;  // 2% off: the same fax resolution
    EXPECT_TRUE(compare_with(received).equal);
    received[0].y_dpi = 196;
    const auto result = compare_with(received);
    EXPECT_FALSE(result.equal);
    EXPECT_EQ(result.detail, "page 1: 204x98 dpi vs 204x196");
}

TEST_F(ImageCompareTest, ReadRefusesBadFiles) {
    try {
        read_bilevel_pages(dir_ / "missing.tif");
        ADD_FAILURE() << "no exception";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find("missing.tif"), std::string::npos) << e.what();
    }
    try {
        read_bilevel_pages(fixture("malformed/not-a-tiff.tif"));
        ADD_FAILURE() << "no exception";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
    }
    EXPECT_THROW(compare_fax_images(fixture("documents/short-std-mmr.tif"),
                                    fixture("malformed/truncated.tif")),
                 FaxError);
}

TEST_F(ImageCompareTest, LibtiffMessagesStayOffStderr) {
    ::testing::internal::CaptureStderr();
    for (const char* name :
         {"truncated.tif", "greyscale.tif", "zero-pages.tif", "huge.tif", "not-a-tiff.tif"}) {
        EXPECT_THROW(read_bilevel_pages(fixture(std::string("malformed/") + name)), FaxError);
    }
    const std::string printed = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(printed, "");
}

TEST_F(ImageCompareTest, WriteRefusesMalformedPages) {
    BilevelPage page = BilevelPage::blank(100, 10, 204, 196);
    page.bits.pop_back();
    try {
        write_bilevel_pages(dir_ / "bad.tif", {page}, COMPRESSION_CCITTFAX4);
        ADD_FAILURE() << "no exception";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
    }
    EXPECT_THROW(write_bilevel_pages(dir_ / "none.tif", {}, COMPRESSION_CCITTFAX4), FaxError);
    EXPECT_THROW(write_bilevel_pages(dir_ / "lzw.tif", {BilevelPage::blank(8, 8, 204, 196)},
                                     COMPRESSION_LZW),
                 FaxError);
}

TEST_F(ImageCompareTest, WriteToMissingFolderIsAnIoError) {
    try {
        write_bilevel_pages(dir_ / "no" / "such" / "x.tif", {BilevelPage::blank(8, 8, 204, 196)},
                            COMPRESSION_CCITTFAX4);
        ADD_FAILURE() << "no exception";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
    }
}

}  // namespace
}  // namespace faxemu
