// Plain text through the pipeline: pages of the paper's size at the fax's
// resolution, a page per form feed, long lines wrapped onto the next line,
// tabs expanded, and ink only inside the margins.
#include <gtest/gtest.h>

#include <cmath>

#include "core/documents/conversion.hpp"
#include "core/documents/fax_page.hpp"
#include "core/documents/text_render.hpp"
#include "core/image_compare.hpp"
#include "tests/core/documents/converter.hpp"

namespace faxemu {
namespace {

using test::Converter;

std::vector<BilevelPage> convert_text(Converter& c, const std::string& text,
                                      FaxResolution resolution = FaxResolution::Fine,
                                      const std::string& paper = "letter") {
    const auto r = c.run_file(c.file("notes.txt", text), resolution, {}, paper);
    EXPECT_EQ(r.type, DocumentType::Text);
    auto pages = read_bilevel_pages(c.output());
    EXPECT_EQ(r.page_count, static_cast<std::int32_t>(pages.size()));
    return pages;
}

// The layout's lines (counted from 0) that hold ink on `page`.
std::vector<int> inked_lines(const BilevelPage& page, const TextLayout& layout) {
    std::vector<int> lines;
    for (int i = 0; i < layout.lines_per_page; ++i) {
        const long y0 = std::lround((layout.top_pt + i * layout.line_pt) / 72 * page.y_dpi);
        const long y1 = std::lround((layout.top_pt + (i + 1) * layout.line_pt) / 72 * page.y_dpi);
        if (test::ink(page, 0, y0, page.width, y1) > 0) lines.push_back(i);
    }
    return lines;
}

TEST(TextConversion, PagesAreFaxPagesOfThePaperAtTheResolution) {
    struct Case {
        const char* paper;
        FaxResolution resolution;
        double y_dpi;
        double height_in;
    };
    for (const Case& k : {Case{"letter", FaxResolution::Fine, 196, 11},
                          Case{"a4", FaxResolution::Standard, 98, 842.0 / 72},
                          Case{"legal", FaxResolution::Superfine, 391, 14}}) {
        Converter c;
        const auto pages = convert_text(c, "Hello, fax.\n", k.resolution, k.paper);
        ASSERT_EQ(pages.size(), 1u) << k.paper;
        EXPECT_EQ(pages[0].width, 1728u);
        EXPECT_NEAR(pages[0].x_dpi, 204, 0.5);
        EXPECT_NEAR(pages[0].y_dpi, k.y_dpi, 0.5);
        EXPECT_NEAR(pages[0].height, k.height_in * k.y_dpi, 1) << k.paper;
        EXPECT_GT(test::ink(pages[0], 0, 0, 1728, pages[0].height), 0) << "nothing drawn";
    }
}

TEST(TextConversion, FormFeedsAndFullPagesStartNewPages) {
    Converter c;
    EXPECT_EQ(convert_text(c, "page one\fpage two\n\fpage three\n\f").size(), 3u);

    const TextLayout layout = text_layout(fax_page_geometry("letter", 196));
    EXPECT_GE(layout.lines_per_page, 50);  // a readable page, as typewriters had it
    std::string full;
    for (int i = 0; i <= layout.lines_per_page; ++i) full += "line " + std::to_string(i) + "\n";
    const auto pages = convert_text(c, full);
    ASSERT_EQ(pages.size(), 2u);
    EXPECT_EQ(inked_lines(pages[0], layout).size(),
              static_cast<std::size_t>(layout.lines_per_page));
    EXPECT_EQ(inked_lines(pages[1], layout), std::vector<int>{0});
}

TEST(TextConversion, ALongLineWrapsOntoTheNextLine) {
    Converter c;
    const TextLayout layout = text_layout(fax_page_geometry("letter", 196));
    EXPECT_EQ(layout.columns, 80);
    EXPECT_GE(layout.font_pt, 9);
    EXPECT_EQ(inked_lines(convert_text(c, std::string(80, 'x') + "\nend")[0], layout),
              (std::vector<int>{0, 1}));
    EXPECT_EQ(inked_lines(convert_text(c, std::string(81, 'x') + "\nend")[0], layout),
              (std::vector<int>{0, 1, 2}));
}

TEST(TextConversion, InkStaysInsideTheMarginsAtEveryResolution) {
    for (FaxResolution resolution :
         {FaxResolution::Standard, FaxResolution::Fine, FaxResolution::Superfine}) {
        Converter c;
        // Every cell of the page filled with wide, tall and deep glyphs.
        std::string text;
        for (int i = 0; i < 70; ++i) text += std::string(80, i % 2 ? 'g' : 'W') + "\n";
        const auto pages = convert_text(c, text, resolution);
        ASSERT_EQ(pages.size(), 2u);
        const BilevelPage& page = pages[0];
        SCOPED_TRACE("y dpi " + std::to_string(page.y_dpi));
        const TextLayout layout = text_layout(fax_page_geometry("letter", page.y_dpi));
        ASSERT_LT(layout.lines_per_page, 70);
        const test::Box box = test::ink_box(page);
        const auto x = [](double pt) { return pt / 72 * 204; };
        const auto y = [&](double pt) { return pt / 72 * page.y_dpi; };
        // The text block, with a pixel or two for glyphs that overhang their cell.
        EXPECT_GE(box.x0, x(layout.left_pt) - 2);
        EXPECT_LE(box.x1, x(layout.left_pt + 80 * layout.column_pt) + 2);
        EXPECT_GE(box.y0, y(layout.top_pt) - 2);
        EXPECT_LE(box.y1, y(layout.top_pt + layout.lines_per_page * layout.line_pt) + 2);
        // And so at least the margins of the page.
        EXPECT_GE(box.x0, x(kTextSideMarginPt));
        EXPECT_LE(box.x1, 1728 - x(kTextSideMarginPt));
        EXPECT_GE(box.y0, y(kTextTopMarginPt) - 2);
        EXPECT_LE(box.y1, page.height - y(kTextTopMarginPt) + 2);
        // The block is filled to its edges at every resolution: what was laid
        // out in points is what was drawn on the fax's unequal pixels.
        EXPECT_LE(box.x0, x(layout.left_pt + layout.column_pt));
        EXPECT_GE(box.x1, x(layout.left_pt + 79 * layout.column_pt));
        EXPECT_GE(box.y1, y(layout.top_pt + (layout.lines_per_page - 1) * layout.line_pt));
        // 80 columns of 10 pt monospace: six or so inches.
        EXPECT_NEAR((box.x1 - box.x0) / 204.0, 80 * 6.0 / 72, 0.15);
    }
}

TEST(TextConversion, TabsExpandToEightColumnsAndCrLfEndsALine) {
    Converter c;
    const auto same = [&](const std::string& a, const std::string& b) {
        const auto pa = convert_text(c, a);
        const auto pb = convert_text(c, b);
        return pa.size() == 1 && pb.size() == 1 && pa[0].bits == pb[0].bits;
    };
    EXPECT_TRUE(same("\tX", "        X"));
    EXPECT_TRUE(same("ab\tX\tY", "ab      X       Y"));
    EXPECT_FALSE(same("\tX", "X"));  // a tab is not nothing
    EXPECT_FALSE(same("ab\tX", "ab        X"));
    EXPECT_TRUE(same("one\r\ntwo\r\n", "one\ntwo\n"));
}

TEST(TextConversion, TooManyPagesIsAnErrorNamingTheFile) {
    Converter c;
    ConversionLimits limits;
    limits.max_pages = 2;
    try {
        c.run_file(c.file("long.txt", "1\f2\f3"), FaxResolution::Fine, limits);
        ADD_FAILURE() << "converted";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
        EXPECT_EQ(std::string(e.what()), "\"long.txt\": has more than 2 pages, the limit");
    }
    EXPECT_FALSE(std::filesystem::exists(c.output()));
}

}  // namespace
}  // namespace faxemu
