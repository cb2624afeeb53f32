// The document pipeline end to end: PDF and PostScript through Ghostscript
// into fax pages of the right size with ink where the source put it, and each
// kind of bad input refused with a clear error naming the document.
#include "core/documents/conversion.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "tests/core/documents/converter.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;

// The rectangles fixtures/make_conversion_fixtures.sh draws, in points from the
// top-left corner of the page: x, y, width, height.
struct Rect {
    double x, y, w, h;
};
const std::vector<std::vector<Rect>> kPages = {
    {{72, 72, 144, 72}, {300, 400, 100, 200}},
    {{72, 600, 288, 36}},
};

struct Paper {
    const char* name;
    double width_pt, height_pt;
};

using test::Converter;
using test::ink;

void expect_rectangles(const std::filesystem::path& file, const Paper& paper, double y_dpi) {
    const auto pages = read_bilevel_pages(file);
    ASSERT_EQ(pages.size(), kPages.size()) << paper.name;
    // faxemu centres the page's own width (at 204 dpi) on 1728 pels.
    const long rendered_width = std::lround(paper.width_pt / 72 * 204);
    const long difference = std::labs(1728 - rendered_width);
    const long shift = rendered_width > 1728 ? -(difference / 2) : difference / 2;
    for (std::size_t p = 0; p < pages.size(); ++p) {
        const BilevelPage& page = pages[p];
        SCOPED_TRACE(std::string(paper.name) + " page " + std::to_string(p + 1));
        EXPECT_EQ(page.width, 1728u);
        EXPECT_NEAR(page.x_dpi, 204, 0.5);
        EXPECT_NEAR(page.y_dpi, y_dpi, 0.5);
        EXPECT_NEAR(page.height, paper.height_pt / 72 * y_dpi, 2);
        long inked = 0;
        for (const Rect& r : kPages[p]) {
            const long x0 = std::lround(r.x / 72 * 204) + shift;
            const long x1 = std::lround((r.x + r.w) / 72 * 204) + shift;
            const long y0 = std::lround(r.y / 72 * y_dpi);
            const long y1 = std::lround((r.y + r.h) / 72 * y_dpi);
            const long m = 3;  // pixels of slack for rounding at the edges
            EXPECT_GT(ink(page, x0 + m, y0 + m, x1 - m, y1 - m), 0.999)
                << "rectangle at " << r.x << "," << r.y << " pt is not solid black";
            // A ring just outside is white: the rectangle is where and as big as it should be.
            EXPECT_LT(ink(page, x0 - 4 * m, y0 - 4 * m, x1 + 4 * m, y0 - m), 0.001);
            EXPECT_LT(ink(page, x0 - 4 * m, y1 + m, x1 + 4 * m, y1 + 4 * m), 0.001);
            EXPECT_LT(ink(page, x0 - 4 * m, y0, x0 - m, y1), 0.001);
            EXPECT_LT(ink(page, x1 + m, y0, x1 + 4 * m, y1), 0.001);
            inked += (x1 - x0) * (y1 - y0);
        }
        // And nothing else on the page is black (a row or column of rounding aside).
        long black = 0;
        for (uint32_t y = 0; y < page.height; ++y)
            for (uint32_t x = 0; x < page.width; ++x) black += page.black(x, y);
        EXPECT_NEAR(static_cast<double>(black), static_cast<double>(inked), 0.03 * inked);
    }
}

const Paper kLetter{"letter", 612, 792};
const Paper kA4{"a4", 595, 842};
const Paper kLegal{"legal", 612, 1008};

TEST(Conversion, PdfPagesAreFaxPagesWithInkWhereTheSourcePutIt) {
    for (const Paper& paper : {kLetter, kA4, kLegal}) {
        Converter c;
        const auto r = c.run("documents/rects-" + std::string(paper.name) + ".pdf");
        EXPECT_EQ(r.type, DocumentType::Pdf);
        EXPECT_EQ(r.page_count, 2);
        EXPECT_EQ(r.size, static_cast<std::int64_t>(std::filesystem::file_size(c.output())));
        expect_rectangles(c.output(), paper, 196);
    }
}

TEST(Conversion, PostScriptPagesAreFaxPagesWithInkWhereTheSourcePutIt) {
    for (const Paper& paper : {kLetter, kA4}) {
        Converter c;
        const auto r = c.run("documents/rects-" + std::string(paper.name) + ".ps");
        EXPECT_EQ(r.type, DocumentType::PostScript);
        EXPECT_EQ(r.page_count, 2);
        expect_rectangles(c.output(), paper, 196);
    }
}

TEST(Conversion, StandardAndSuperfineResolutionsWhenAsked) {
    Converter standard;
    standard.run("documents/rects-letter.pdf", FaxResolution::Standard);
    expect_rectangles(standard.output(), kLetter, 98);
    Converter superfine;
    superfine.run("documents/rects-a4.pdf", FaxResolution::Superfine);
    expect_rectangles(superfine.output(), kA4, 391);
}

TEST(Conversion, BilevelTiffPassesUntouched) {
    Converter c;
    const auto r = c.run("documents/letter-fine-mmr.tif");
    EXPECT_EQ(r.type, DocumentType::BilevelTiff);
    EXPECT_EQ(r.page_count, 3);
    EXPECT_TRUE(r.notes.empty());
    EXPECT_TRUE(
        compare_fax_images(test::fixture("documents/letter-fine-mmr.tif"), c.output()).equal);
}

TEST(Conversion, BadDocumentsGiveAClearErrorNamingThem) {
    Converter c;
    EXPECT_NE(c.error_of("malformed/broken.pdf").find("Ghostscript found no page"),
              std::string::npos);
    EXPECT_NE(c.error_of("malformed/encrypted.pdf").find("is encrypted"), std::string::npos);
    EXPECT_NE(c.error_of("malformed/empty.pdf").find("is empty (0 bytes)"), std::string::npos);
    EXPECT_NE(c.error_of("malformed/unknown.bin").find("is not a document type"),
              std::string::npos);
    EXPECT_NE(c.error_of("malformed/truncated.tif").find("page 2"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(c.output()));
}

TEST(Conversion, ADocumentThatLoopsIsStoppedAtTheTimeLimit) {
    Converter c;
    ConversionLimits limits;
    limits.max_time = 2s;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_NE(c.error_of("malformed/loop.ps", limits).find("time limit"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
}

TEST(Conversion, LimitsOnPagesAndPixelsAreErrors) {
    Converter c;
    ConversionLimits pages;
    pages.max_pages = 1;
    EXPECT_NE(c.error_of("documents/rects-letter.pdf", pages).find("more than 1 pages"),
              std::string::npos);
    EXPECT_NE(c.error_of("documents/letter-fine-mmr.tif", pages).find("more than 1 pages"),
              std::string::npos);
    ConversionLimits pixels;
    pixels.max_page_pixels = 1000000;
    EXPECT_NE(c.error_of("documents/letter-fine-mmr.tif", pixels)
                  .find("page 1: is 1728x2292 pixels, more than the limit of 1000000"),
              std::string::npos);
}

TEST(Conversion, StoppingCancelsAGhostscriptRun) {
    Converter c;
    // Stopped from the start: Ghostscript is started, seen to be stopped, killed.
    c.stop.request_stop();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(c.run("malformed/loop.ps"), ConversionCancelled);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
    EXPECT_FALSE(std::filesystem::exists(c.tmp.path() / "work"));
}

// Ghostscript tells of each page as it renders it; a PDF's pages are counted
// before they are rendered, PostScript's are known when it ends.
TEST(Conversion, TellsOfItsPagesAsGhostscriptRendersThem) {
    for (const char* fixture : {"documents/rects-letter.pdf", "documents/rects-letter.ps"}) {
        test::TempDir tmp;
        ConversionRequest r;
        r.input = test::fixture(fixture);
        r.name = r.input.filename().string();
        r.output = tmp.path() / "out.tif";
        r.work_dir = tmp.path() / "work";
        std::vector<std::pair<std::int32_t, std::int32_t>> told;  // done, total (0: unknown)
        r.on_pages = [&](std::int32_t done, std::optional<std::int32_t> total) {
            told.emplace_back(done, total.value_or(0));
        };
        EXPECT_EQ(convert_document(r).page_count, 2) << fixture;
        ASSERT_FALSE(told.empty()) << fixture;
        EXPECT_EQ(told.back(), std::make_pair(2, 2)) << fixture;
        // In order; how many reports there are depends on how fast Ghostscript
        // is, but a total is never wrong (PostScript's is unknown until the end).
        const bool pdf = r.name.ends_with(".pdf");
        for (std::size_t i = 0; i < told.size(); ++i) {
            if (i > 0) {
                EXPECT_LE(told[i - 1].first, told[i].first) << fixture;
            }
            if (i + 1 < told.size()) {
                EXPECT_EQ(told[i].second, pdf ? 2 : 0) << testing::PrintToString(told);
            }
        }
    }
}

}  // namespace
}  // namespace faxemu
