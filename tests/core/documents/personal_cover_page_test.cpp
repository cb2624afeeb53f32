// A cover page template of the client's own (FaxDoc.ServerCoverpage = False):
// drawn like the server's, kept with the submission, and never able to make
// faxd read a file of the server's (images, <use>, XInclude, entities).
#include <gtest/gtest.h>

#include <fstream>

#include "core/documents/cover_page.hpp"
#include "core/documents/personal_cover_page.hpp"
#include "core/documents/submission.hpp"
#include "core/error.hpp"
#include "core/protocol/base64.hpp"
#include "tests/core/documents/converter.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::ink;
constexpr auto ink_at = test::ink_at_points;

const FaxPageGeometry kLetterFine = fax_page_geometry("letter", 196);

std::string svg_page(const std::string& body) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" "
           "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
           "xmlns:xi=\"http://www.w3.org/2001/XInclude\" width=\"612\" height=\"792\" "
           "viewBox=\"0 0 612 792\">" +
           body + "</svg>";
}

// A black square at (72,72), 144 pt a side, and the recipient's name.
const std::string kOwnTemplate = svg_page(
    "<rect x=\"72\" y=\"72\" width=\"144\" height=\"144\" fill=\"black\"/>"
    "<text x=\"72\" y=\"300\" font-size=\"24\">To: {{recipient_name}}</text>");

TEST(PersonalCoverPage, IsDrawnFirstAndKeptWithTheSubmission) {
    test::TempDir tmp;
    const auto folder = tmp.path() / "upload-1";
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(test::fixture("documents/short-fine-mmr.tif"), folder / "1");
    std::ofstream(folder / "cover.svg") << kOwnTemplate;
    Submission s;
    s.documents = {{folder / "1", "short.tif"}};
    CoverPageInfo cover;
    cover.recipient_name = "Port B";
    s.cover = cover;
    s.cover_template = SubmittedDocument{folder / "cover.svg", "mine.svg"};
    save_submission(folder, s);

    SubmissionRequest r;
    r.submission = load_submission(folder, "ignored");
    ASSERT_TRUE(r.submission.cover_template);
    EXPECT_EQ(r.submission.cover_template->name, "mine.svg");
    EXPECT_EQ(r.submission.cover_template->file, folder / "cover.svg");
    r.output = tmp.path() / "out.tif";
    r.work_dir = tmp.path() / "work";
    const ConversionResult result = convert_submission(r);
    EXPECT_EQ(result.page_count, 2);
    const std::vector<BilevelPage> pages = read_bilevel_pages(r.output);
    ASSERT_EQ(pages.size(), 2u);
    EXPECT_GT(ink_at(pages[0], 80, 80, 128, 128), 0.99) << "the template's own square";
    EXPECT_EQ(ink_at(pages[0], 300, 80, 128, 128), 0) << "beside it";
    EXPECT_GT(ink_at(pages[0], 72, 276, 200, 30), 0.02) << "the recipient's line";
}

// Each way an SVG can name another file: none of them is read. The same
// black square as data: (which librsvg may load) shows the check sees ink.
TEST(PersonalCoverPage, ReadsNothingOfTheServers) {
    test::TempDir tmp;
    const auto black = tmp.path() / "black.svg";
    const std::string black_svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"144\" height=\"144\">"
        "<rect id=\"r\" width=\"144\" height=\"144\" fill=\"black\"/></svg>";
    std::ofstream(black) << black_svg;
    const std::string png = test::fixture("documents/square.png").string();
    const std::string url = "file://" + black.string();
    const auto draw = [&](const std::string& body) {
        const std::string svg = svg_page(body);
        check_personal_cover_page("mine.svg", svg);
        return render_cover_page("mine.svg", svg, {}, {}, kLetterFine);
    };
    const std::string box = "x=\"72\" y=\"72\" width=\"144\" height=\"144\"";
    const std::vector<std::string> references = {
        "<image " + box + " xlink:href=\"" + url + "\"/>",
        "<image " + box + " href=\"" + url + "\"/>",
        "<image " + box + " xlink:href=\"" + black.string() + "\"/>",
        "<image " + box + " xlink:href=\"" + png + "\"/>",
        "<image " + box + " xlink:href=\"file://" + png + "\"/>",
        "<image " + box + " xlink:href=\"black.svg\"/>",
        "<image " + box + " xlink:href=\"http://127.0.0.1:9/black.svg\"/>",
        "<g transform=\"translate(72 72)\"><use xlink:href=\"" + url + "#r\"/></g>",
        "<style>@import url(\"" + url + "\");</style>",
        "<g transform=\"translate(72 72)\"><xi:include href=\"" + url + "\"/></g>",
    };
    for (const std::string& body : references) {
        const BilevelPage page = draw(body);
        EXPECT_EQ(ink(page, 0, 0, page.width, page.height), 0) << body;
    }
    const BilevelPage control = draw(
        "<image " + box + " xlink:href=\"data:image/svg+xml;base64," +
        rpc::base64_encode(std::vector<std::uint8_t>(black_svg.begin(), black_svg.end())) + "\"/>");
    EXPECT_GT(ink_at(control, 80, 80, 128, 128), 0.99);
}

TEST(PersonalCoverPage, RefusesEntitiesAndWhatIsNoSvg) {
    const auto refused = [](const std::string& svg) {
        try {
            check_personal_cover_page("mine.svg", svg);
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), ErrorCode::BadDocument);
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(refused("<!DOCTYPE svg [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" +
                      svg_page("<text>&e;</text>"))
                  .find("cover page \"mine.svg\": declares a DOCTYPE"),
              std::string::npos);
    EXPECT_NE(refused("<!doctype svg>" + svg_page("")).find("DOCTYPE"), std::string::npos);
    EXPECT_NE(refused("").find("is empty"), std::string::npos);
    EXPECT_NE(refused("just text").find("is not an SVG image"), std::string::npos);
    EXPECT_NE(refused(svg_page(std::string(kMaxPersonalCoverPageBytes, ' '))).find("the limit"),
              std::string::npos);
    EXPECT_EQ(refused(kOwnTemplate), "");
}

}  // namespace
}  // namespace faxemu
