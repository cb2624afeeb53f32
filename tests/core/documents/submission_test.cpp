// Several documents as one fax, a cover page first, and the submission kept
// in the spool across a restart.
#include <gtest/gtest.h>

#include "core/documents/submission.hpp"
#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

SubmissionRequest request_in(const test::TempDir& tmp) {
    SubmissionRequest r;
    r.output = tmp.path() / "out.tif";
    r.work_dir = tmp.path() / "work";
    r.cover_date = "2026-12-07 10:00";
    return r;
}

TEST(Submission, DocumentsAreOneFaxInOrder) {
    test::TempDir tmp;
    SubmissionRequest r = request_in(tmp);
    const auto letter = test::fixture("documents/letter-fine-mmr.tif");
    const auto short_page = test::fixture("documents/short-fine-mmr.tif");
    r.submission.documents = {{short_page, "short.tif"}, {letter, "letter.tif"}};
    const ConversionResult result = convert_submission(r);
    EXPECT_EQ(result.page_count, 4);
    const auto got = read_bilevel_pages(r.output);
    ASSERT_EQ(got.size(), 4u);
    const auto first = read_bilevel_pages(short_page);
    const auto rest = read_bilevel_pages(letter);
    EXPECT_EQ(got[0].bits, first[0].bits);
    for (std::size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(got[i + 1].bits, rest[i].bits) << i;
    EXPECT_FALSE(std::filesystem::exists(r.work_dir));
}

TEST(Submission, TheCoverPageComesFirstAndCountsItself) {
    test::TempDir tmp;
    SubmissionRequest r = request_in(tmp);
    const auto letter = test::fixture("documents/letter-fine-mmr.tif");
    r.submission.documents = {{letter, "letter.tif"}};
    CoverPageInfo cover;
    cover.recipient_name = "Port B";
    r.submission.cover = cover;
    EXPECT_EQ(convert_submission(r).page_count, 4);
    const auto got = read_bilevel_pages(r.output);
    ASSERT_EQ(got.size(), 4u);
    const BilevelPage expected =
        render_cover_page("default", default_cover_page_svg(), cover, {"2026-12-07 10:00", 4},
                          fax_page_geometry("letter", 196));
    EXPECT_EQ(got[0].bits, expected.bits);
    EXPECT_EQ(got[1].bits, read_bilevel_pages(letter)[0].bits);
}

TEST(Submission, TheLimitIsForTheWholeFax) {
    test::TempDir tmp;
    SubmissionRequest r = request_in(tmp);
    const auto letter = test::fixture("documents/letter-fine-mmr.tif");
    r.submission.documents = {{letter, "a.tif"}, {letter, "b.tif"}};
    r.limits.max_pages = 5;
    try {
        convert_submission(r);
        ADD_FAILURE() << "converted";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
        EXPECT_NE(std::string(e.what()).find("6 pages"), std::string::npos) << e.what();
    }
}

TEST(Submission, AnUnknownCoverTemplateFailsNamingIt) {
    test::TempDir tmp;
    SubmissionRequest r = request_in(tmp);
    r.submission.documents = {{test::fixture("documents/short-fine-mmr.tif"), "short.tif"}};
    CoverPageInfo cover;
    cover.template_name = "confidential";
    r.submission.cover = cover;
    EXPECT_THROW(
        {
            try {
                convert_submission(r);
            } catch (const FaxError& e) {
                EXPECT_NE(std::string(e.what()).find("\"confidential\""), std::string::npos);
                throw;
            }
        },
        FaxError);
    EXPECT_FALSE(std::filesystem::exists(r.output));
}

TEST(Submission, IsKeptInItsFolderAndReadBack) {
    test::TempDir tmp;
    const auto folder = tmp.path() / "upload-1";
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(test::fixture("documents/short-fine-mmr.tif"), folder / "1");
    Submission s;
    s.documents = {{folder / "1", "short \"one\".tif"}};
    CoverPageInfo cover;
    cover.template_name = "urgent";
    cover.note = "line one\nline two";
    cover.sender_email = "a@example.org";
    s.cover = cover;
    s.resolution = FaxResolution::Standard;
    save_submission(folder, s);
    const Submission back = load_submission(folder, "ignored");
    ASSERT_EQ(back.documents.size(), 1u);
    EXPECT_EQ(back.documents[0].file, folder / "1");
    EXPECT_EQ(back.documents[0].name, "short \"one\".tif");
    ASSERT_TRUE(back.cover);
    EXPECT_EQ(back.cover->template_name, "urgent");
    EXPECT_EQ(back.cover->note, "line one\nline two");
    EXPECT_EQ(back.cover->sender_email, "a@example.org");
    EXPECT_EQ(back.resolution, FaxResolution::Standard);
    // A spool from before folders: the job's document is the upload itself.
    const Submission old = load_submission(folder / "1", "old.tif");
    ASSERT_EQ(old.documents.size(), 1u);
    EXPECT_EQ(old.documents[0].name, "old.tif");
    EXPECT_FALSE(old.cover);
    EXPECT_EQ(old.resolution, FaxResolution::Fine);
}

}  // namespace
}  // namespace faxemu
