#include "core/documents/fax_png.hpp"

#include <gtest/gtest.h>
#include <png.h>

#include <filesystem>
#include <vector>

#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "tests/support/fax_images.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using test::fixture;
using test::read_png;

class FaxPngTest : public ::testing::Test {
  protected:
    test::TempDir tmp_;
    const fs::path dir_ = tmp_.path();
};

TEST_F(FaxPngTest, EachPageIsItsOwnPixelsWithItsResolution) {
    const fs::path tiff = fixture("documents/mixed-res.tif");
    const auto sent = read_bilevel_pages(tiff);
    for (int page = 1; page <= 2; ++page) {
        SCOPED_TRACE("page " + std::to_string(page));
        const fs::path png = dir_ / ("page-" + std::to_string(page) + ".png");
        write_fax_png(tiff, page, png);
        const test::PngImage image = read_png(png);
        EXPECT_EQ(image.bit_depth, 1);
        EXPECT_EQ(image.color_type, PNG_COLOR_TYPE_GRAY);
        EXPECT_EQ(image.page.width, sent[page - 1].width);
        EXPECT_EQ(image.page.height, sent[page - 1].height);
        EXPECT_TRUE(image.page.bits == sent[page - 1].bits);
        // 204 dpi = 8031 px/m; 196 = 7717; 98 = 3858.
        EXPECT_EQ(image.x_ppm, 8031u);
        EXPECT_EQ(image.y_ppm, page == 1 ? 7717u : 3858u);
    }
}

TEST_F(FaxPngTest, NoSuchPageIsRefusedAndNothingIsWritten) {
    EXPECT_EQ(test::code_of(
                  [&] { write_fax_png(fixture("documents/mixed-res.tif"), 3, dir_ / "p.png"); }),
              ErrorCode::InvalidParameter);
    EXPECT_EQ(test::code_of(
                  [&] { write_fax_png(fixture("documents/mixed-res.tif"), 0, dir_ / "p.png"); }),
              ErrorCode::InvalidParameter);
    EXPECT_FALSE(fs::exists(dir_ / "p.png"));
}

}  // namespace
}  // namespace faxemu
