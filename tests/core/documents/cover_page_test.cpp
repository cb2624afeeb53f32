// Cover pages drawn from templates: the fields go where the template puts
// them, the note wraps inside its box, and a bad or unknown template is a clear
// error naming it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/documents/cover_page.hpp"
#include "core/error.hpp"
#include "tests/core/documents/converter.hpp"
#include "tests/support/ocr.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::ink;
using test::ink_box;

const FaxPageGeometry kLetterFine = fax_page_geometry("letter", 196);

BilevelPage draw(const CoverPageInfo& info, const FaxPageGeometry& page = kLetterFine) {
    return render_cover_page("default", default_cover_page_svg(), info, {"2026-12-07 10:00", 4},
                             page);
}

// Rows of the page where a template's y (in points) falls, +- `pt` points.
std::pair<long, long> rows_at(const FaxPageGeometry& page, double y_pt, double above_pt,
                              double below_pt) {
    const double scale = page.y_dpi / 72 * (page.width_pt() / 612);  // the template fits the width
    return {static_cast<long>((y_pt - above_pt) * scale),
            static_cast<long>((y_pt + below_pt) * scale)};
}

long differing_pixels(const BilevelPage& a, const BilevelPage& b, long y0, long y1) {
    long n = 0;
    for (long y = y0; y < y1; ++y)
        for (uint32_t x = 0; x < a.width; ++x) n += a.black(x, y) != b.black(x, y);
    return n;
}

TEST(CoverPage, IsAFaxPageOfTheGivenGeometry) {
    for (double rows : {98.0, 196.0, 391.0}) {
        const FaxPageGeometry g = fax_page_geometry("a4", rows);
        const BilevelPage page = draw({}, g);
        EXPECT_EQ(page.width, 1728u);
        EXPECT_EQ(page.height, g.height);
        EXPECT_DOUBLE_EQ(page.y_dpi, rows);
        EXPECT_GT(ink(page, 0, 0, page.width, page.height), 0.001) << "the template's own text";
    }
}

TEST(CoverPage, EachFieldChangesOnlyItsOwnLine) {
    const BilevelPage blank = draw({});
    CoverPageInfo info;
    info.subject = "Quarterly figures";
    const BilevelPage with_subject = draw(info);
    const auto [s0, s1] = rows_at(kLetterFine, 360, 18, 6);  // the subject's baseline: 360 pt
    EXPECT_GT(differing_pixels(blank, with_subject, s0, s1), 500);
    EXPECT_EQ(differing_pixels(blank, with_subject, 0, s0), 0);
    EXPECT_EQ(differing_pixels(blank, with_subject, s1, blank.height), 0);

    info = {};
    info.recipient_name = "Ada Lovelace";
    const BilevelPage with_recipient = draw(info);
    const auto [r0, r1] = rows_at(kLetterFine, 150, 16, 6);
    EXPECT_GT(differing_pixels(blank, with_recipient, r0, r1), 300);
    EXPECT_EQ(differing_pixels(blank, with_recipient, r1, blank.height), 0);
}

TEST(CoverPage, TheNoteWrapsInsideItsBox) {
    CoverPageInfo info;
    for (int i = 0; i < 40; ++i) info.note += "The quick brown fox jumps over the lazy dog. ";
    info.note += "\nA second paragraph.";
    const BilevelPage page = draw(info);
    if (std::getenv("FAXEMU_COVER_DUMP"))
        write_bilevel_pages(std::getenv("FAXEMU_COVER_DUMP"), {page}, 4, false);
    const BilevelPage blank = draw({});
    // Everything the note adds lies in the box (54..558 x 390..730 pt).
    const auto [top, bottom] = rows_at(kLetterFine, 390, 0, 340);
    const double x_scale = page.x_dpi / 72 * (kLetterFine.width_pt() / 612);
    const long left = static_cast<long>(54 * x_scale), right = static_cast<long>(558 * x_scale) + 1;
    long outside = 0, rows_with_ink = 0;
    for (long y = 0; y < static_cast<long>(page.height); ++y) {
        bool row_ink = false;
        for (uint32_t x = 0; x < page.width; ++x) {
            if (page.black(x, y) == blank.black(x, y)) continue;
            row_ink = true;
            if (y < top || y >= bottom || static_cast<long>(x) < left ||
                static_cast<long>(x) >= right)
                ++outside;
        }
        rows_with_ink += row_ink;
    }
    EXPECT_EQ(outside, 0);
    // 40 sentences do not fit one line of 504 pt: the note wrapped into many lines.
    EXPECT_GT(rows_with_ink, 20 * 30);
}

// Issue 10's second "done when": the cover page shows the recipient, the
// sender and the subject, readable by OCR.
TEST(CoverPage, ReadsBackByOcr) {
    CoverPageInfo info;
    info.recipient_name = "Ada Lovelace";
    info.sender_name = "Charles Babbage";
    info.subject = "Quarterly figures";
    const BilevelPage page = draw(info);
    test::TempDir tmp;
    const auto text = test::ocr_rows(page, 0, page.height / 2, tmp.path(), 6);
    if (!text) GTEST_SKIP() << "tesseract is not installed (tesseract-ocr, tesseract-ocr-eng)";
    const std::string flat = test::without_spaces(*text);
    for (const char* want : {"AdaLovelace", "CharlesBabbage", "Quarterlyfigures", "FAX"})
        EXPECT_NE(flat.find(want), std::string::npos) << want << " not read in:\n" << *text;
}

TEST(CoverPage, TextThatLooksLikeMarkupIsJustText) {
    CoverPageInfo info;
    info.subject = "</text><script>x</script> & \"{{note}}\"";
    info.note = "<b>";
    EXPECT_NO_THROW(draw(info));
}

TEST(CoverPage, ATemplateThatIsNotSvgNamesItself) {
    try {
        render_cover_page("broken", "<svg", {}, {}, kLetterFine);
        ADD_FAILURE() << "drawn";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
        EXPECT_NE(std::string(e.what()).find("cover page \"broken\""), std::string::npos)
            << e.what();
    }
}

TEST(CoverPage, TemplatesComeFromTheServersFolderByName) {
    test::TempDir tmp;
    std::ofstream(tmp.path() / "urgent.svg") << "<svg xmlns='http://www.w3.org/2000/svg'/>";
    std::ofstream(tmp.path() / "notes.txt") << "not a template";
    CoverPageTemplates templates(tmp.path());
    EXPECT_EQ(templates.names(), (std::vector<std::string>{"default", "urgent"}));
    EXPECT_NE(templates.load("urgent").find("<svg"), std::string::npos);
    EXPECT_EQ(templates.load("urgent.svg"), templates.load("urgent"));
    EXPECT_EQ(templates.load(""), default_cover_page_svg());
    for (const std::string bad : {"missing", "../urgent", "/etc/passwd", "notes.txt"}) {
        try {
            templates.load(bad);
            ADD_FAILURE() << bad << " was loaded";
        } catch (const FaxError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("\"" + bad + "\""), std::string::npos) << what;
            EXPECT_NE(what.find("default, urgent"), std::string::npos) << what;
        }
    }
}

}  // namespace
}  // namespace faxemu
