// Branding through faxd on its embedded default (two simulated ports): with
// Branding on (the default) each received page carries a header in its top
// 5 mm that reads the attempt's time, the TSID and "page N of M", and every
// row below it is the document's.
#include <gtest/gtest.h>
#include <time.h>

#include <ctime>
#include <sstream>

#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"
#include "faxd_harness.hpp"
#include "tests/support/ocr.hpp"

namespace faxemu {
namespace {

using test::json;

// "2026-12-07T02:07:40.123Z" (UTC) as faxd's local "2026-12-07 02:07".
std::string local_minute(const std::string& iso) {
    std::tm tm{};
    std::istringstream in(iso);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    const std::time_t t = timegm(&tm);
    std::tm local{};
    localtime_r(&t, &local);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &local);
    return buf;
}

TEST(FaxdBranding, EachReceivedPageCarriesItsHeaderAboveTheDocument) {
    test::FaxdHarness faxd;
    auto admin = faxd.client("admin");
    ASSERT_TRUE(admin->call("server.get")["branding"]);  // faxcom's default
    const auto inbox = test::route_port2_to_folder(*admin, faxd.tmp.path() / "inbox");
    const auto source = test::fixture("documents/letter-fine-mmr.tif");
    const std::int64_t id =
        admin->call("job.submit", {{"number", "5551002"},
                                   {"sender_name", "Alice Example"},
                                   {"document", test::document_base64(source)}})["job_id"];
    json job;
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        job = admin->call("job.get", {{"job_id", id}});
        return job["state"] == to_string(JobState::Completed);
    })) << job.dump(2);
    const json fax = test::wait_for_received(
        *admin, [](const json& f) { return f["routing"][0]["done"] == true; });
    ASSERT_FALSE(fax.is_null());
    std::filesystem::path received;
    for (const auto& e : std::filesystem::directory_iterator(inbox)) received = e.path();
    ASSERT_FALSE(received.empty());

    const ImageComparison cmp = compare_fax_images_below_band(source, received, kPageHeaderBandMm);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    EXPECT_FALSE(compare_fax_images(source, received).equal);
    // Only this attempt's copy was stamped: the job's document is as submitted,
    // and the copy is gone.
    EXPECT_TRUE(compare_fax_images(source, faxd.config.spool / "documents" /
                                               ("job-" + std::to_string(id) + ".tif"))
                    .equal);
    EXPECT_TRUE(std::filesystem::is_empty(faxd.config.spool / "tmp"));

    const auto pages = read_bilevel_pages(received);
    ASSERT_EQ(pages.size(), 3u);
    const std::string when =
        test::without_spaces(local_minute(job["attempts_list"][0]["start"].get<std::string>()));
    for (std::size_t i = 0; i < pages.size(); ++i) {
        SCOPED_TRACE("page " + std::to_string(i + 1));
        const auto text =
            test::ocr_band(pages[i], page_header_rows(pages[i].y_dpi), faxd.tmp.path());
        if (!text) GTEST_SKIP() << "tesseract is not installed (tesseract-ocr, tesseract-ocr-eng)";
        const std::string read = test::without_spaces(*text);
        EXPECT_NE(read.find("page" + std::to_string(i + 1) + "of3"), std::string::npos) << *text;
        EXPECT_NE(read.find("+15551001"), std::string::npos) << *text;  // port 1's TSID
        EXPECT_NE(read.find("AliceExample"), std::string::npos) << *text;
        EXPECT_NE(read.find(when), std::string::npos) << *text;
    }
}

}  // namespace
}  // namespace faxemu
