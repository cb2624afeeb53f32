// Images through the pipeline: every format to pages 1728 pels wide, scaled to
// the page with their aspect kept in inches on the fax's non-square pixels,
// turned by their EXIF orientation, grey kept as a share of black pixels, and
// damaged or oversized images refused naming the file.
#include <gtest/gtest.h>

#include "core/documents/conversion.hpp"
#include "core/image_compare.hpp"
#include "tests/core/documents/converter.hpp"

namespace faxemu {
namespace {

using test::Converter;

std::vector<BilevelPage> convert_image(Converter& c, const std::string& fixture,
                                       FaxResolution resolution = FaxResolution::Fine) {
    c.run(fixture, resolution);
    return read_bilevel_pages(c.output());
}

TEST(ImageConversion, EveryFormatGivesFaxPages) {
    struct Case {
        const char* fixture;
        DocumentType type;
        std::size_t pages;
    };
    for (const Case& k : {Case{"documents/photo.jpg", DocumentType::Jpeg, 1},
                          Case{"documents/photo.gif", DocumentType::Gif, 1},
                          Case{"documents/photo.bmp", DocumentType::Bmp, 1},
                          Case{"documents/grey50.png", DocumentType::Png, 1},
                          Case{"documents/grey.tif", DocumentType::GreyTiff, 1},
                          Case{"documents/colour-2pages.tif", DocumentType::ColourTiff, 2}}) {
        SCOPED_TRACE(k.fixture);
        Converter c;
        const auto r = c.run(k.fixture);
        EXPECT_EQ(r.type, k.type);
        EXPECT_EQ(r.page_count, static_cast<std::int32_t>(k.pages));
        const auto pages = read_bilevel_pages(c.output());
        ASSERT_EQ(pages.size(), k.pages);
        for (const BilevelPage& page : pages) {
            EXPECT_EQ(page.width, 1728u);
            EXPECT_EQ(page.height, 2156u);  // Letter at 196 lpi
            EXPECT_NEAR(page.x_dpi, 204, 0.5);
            EXPECT_NEAR(page.y_dpi, 196, 0.5);
            const double share = test::ink(page, 0, 0, page.width, page.height);
            EXPECT_GT(share, 0.05);
            EXPECT_LT(share, 0.95);
        }
    }
}

TEST(ImageConversion, MidGreyIsHalfBlackPixels) {
    for (FaxResolution resolution : {FaxResolution::Standard, FaxResolution::Fine}) {
        Converter c;
        const auto pages = convert_image(c, "documents/grey50.png", resolution);
        ASSERT_EQ(pages.size(), 1u);
        const BilevelPage& page = pages[0];
        // Well inside the picture, which fills the page's width.
        const long cx = page.width / 2, cy = page.height / 2;
        const long half = static_cast<long>(page.y_dpi);  // an inch down, two across
        EXPECT_NEAR(test::ink(page, cx - 400, cy - half, cx + 400, cy + half), 0.5, 0.03);
    }
}

TEST(ImageConversion, ASquareStaysSquareOnThePage) {
    for (FaxResolution resolution :
         {FaxResolution::Standard, FaxResolution::Fine, FaxResolution::Superfine}) {
        Converter c;
        const auto pages = convert_image(c, "documents/square.png", resolution);
        ASSERT_EQ(pages.size(), 1u);
        const BilevelPage& page = pages[0];
        const test::Box box = test::ink_box(page);
        const double width_in = box.width() / page.x_dpi;
        const double height_in = box.height() / page.y_dpi;
        SCOPED_TRACE("y dpi " + std::to_string(page.y_dpi));
        // The picture is scaled to the page's width less the margins, so its
        // square, a quarter of that width, is about two inches.
        EXPECT_NEAR(width_in, 2, 0.1);
        EXPECT_NEAR(height_in / width_in, 1, 0.03);
        // And it is centred, as the picture is.
        EXPECT_NEAR((box.x0 + box.x1) / 2.0, page.width / 2.0, 4);
        EXPECT_NEAR((box.y0 + box.y1) / 2.0, page.height / 2.0, 4);
    }
}

TEST(ImageConversion, ExifOrientationTurnsThePicture) {
    // 200x100 in the file, turned upright to 100x200 by its orientation tag,
    // then as tall as the page allows.
    Converter c;
    const auto pages = convert_image(c, "documents/turned.jpg");
    ASSERT_EQ(pages.size(), 1u);
    const test::Box box = test::ink_box(pages[0]);
    const double width_in = box.width() / pages[0].x_dpi;
    const double height_in = box.height() / pages[0].y_dpi;
    EXPECT_NEAR(height_in / width_in, 2, 0.06);
    EXPECT_NEAR(height_in, 11 - 0.5, 0.05);  // Letter less the quarter-inch margins
}

TEST(ImageConversion, ADamagedImageIsAnErrorNamingIt) {
    Converter c;
    const std::string what = c.error_of("malformed/truncated.png");
    EXPECT_EQ(what.rfind("\"truncated.png\": cannot be read as a PNG image: ", 0), 0u) << what;
    EXPECT_FALSE(std::filesystem::exists(c.output()));
}

TEST(ImageConversion, LimitsAreCheckedBeforeDecoding) {
    Converter c;
    ConversionLimits pixels;
    pixels.max_page_pixels = 10000;
    EXPECT_EQ(c.error_of("documents/grey50.png", pixels),
              "\"grey50.png\": page 1: is 240x240 pixels, more than the limit of 10000 pixels a "
              "page");
    ConversionLimits pages;
    pages.max_pages = 1;
    EXPECT_EQ(c.error_of("documents/colour-2pages.tif", pages),
              "\"colour-2pages.tif\": has more than 1 pages, the limit");
    c.stop.request_stop();
    EXPECT_THROW(c.run("documents/photo.jpg"), ConversionCancelled);
}

}  // namespace
}  // namespace faxemu
