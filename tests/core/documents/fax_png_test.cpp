#include "core/documents/fax_png.hpp"

#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using test::fixture;

struct PngImage {
    uint32_t width = 0;
    uint32_t height = 0;
    int bit_depth = 0;
    int color_type = -1;
    png_uint_32 x_ppm = 0;  // pixels per metre (pHYs)
    png_uint_32 y_ppm = 0;
    BilevelPage page;  // 1 = black, as BilevelPage has it
};

PngImage read_png(const fs::path& path) {
    PngImage out;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    EXPECT_NE(f, nullptr);
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, f);
    png_read_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
    out.width = png_get_image_width(png, info);
    out.height = png_get_image_height(png, info);
    out.bit_depth = png_get_bit_depth(png, info);
    out.color_type = png_get_color_type(png, info);
    int unit = 0;
    png_get_pHYs(png, info, &out.x_ppm, &out.y_ppm, &unit);
    out.page = BilevelPage::blank(out.width, out.height, 0, 0);
    png_bytepp rows = png_get_rows(png, info);
    for (uint32_t y = 0; y < out.height && out.bit_depth == 1; ++y)
        for (uint32_t x = 0; x < out.width; ++x)
            out.page.set(x, y, !((rows[y][x / 8] >> (7 - x % 8)) & 1));  // PNG: 0 = black
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(f);
    return out;
}

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
        const PngImage image = read_png(png);
        EXPECT_EQ(image.bit_depth, 1);
        EXPECT_EQ(image.color_type, PNG_COLOR_TYPE_GRAY);
        EXPECT_EQ(image.width, sent[page - 1].width);
        EXPECT_EQ(image.height, sent[page - 1].height);
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
