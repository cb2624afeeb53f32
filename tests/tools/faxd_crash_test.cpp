// kill -9 of a real faxd process at awkward moments: nothing acknowledged is
// lost, an interrupted send is retried from the first unconfirmed page, an
// interrupted reception keeps its whole pages and is marked partial.
#include <gtest/gtest.h>

#include <tiffio.h>

#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"
#include "core/job.hpp"
#include "faxd_harness.hpp"
#include "faxd_process.hpp"

namespace faxemu {
namespace {

using test::FaxdProcess;
using test::json;

json job_of(rpc::FaxClient& c, std::int64_t id) {
    return c.call("job.get", {{"job_id", id}});
}

TEST(FaxdCrash, KillDuringASendResendsOnlyWhatIsLeft) {
    test::TempDir tmp;
    const auto source = test::fixture("documents/letter-fine-mmr.tif");
    std::int64_t id = 0;
    {
        FaxdProcess faxd(tmp.path(), 20.0);  // 20x real time: a page takes about a second
        auto c = faxd.client();
        id = c->call("job.submit", {{"number", "5551002"},
                                    {"document", test::document_base64(source)}})["job_id"];
        // Page 1 confirmed (and persisted), page 2 on the line: now.
        ASSERT_TRUE(test::wait_for(
            *c, [&] { return job_of(*c, id)["pages_sent"] == 1; }, std::chrono::seconds(120)));
        faxd.kill9();
    }
    FaxdProcess faxd(tmp.path(), 0);
    auto c = faxd.client();
    ASSERT_TRUE(test::wait_for(
        *c, [&] { return job_of(*c, id)["state"] == to_string(JobState::Completed); }));
    json job = job_of(*c, id);
    EXPECT_EQ(job["pages_sent"], 3);
    EXPECT_EQ(c->call("jobs.list", {{"all", true}}).size(), 1u) << "the job was duplicated";
    const json& attempts = job["attempts_list"];
    ASSERT_EQ(attempts.size(), 2u) << job.dump(2);
    EXPECT_NE(attempts[0]["cause"].get<std::string>().find("interrupted"), std::string::npos)
        << attempts[0].dump();
    EXPECT_EQ(attempts[0]["pages_sent"], 1);
    EXPECT_EQ(attempts[1]["first_page"], 1);
    EXPECT_EQ(attempts[1]["pages_sent"], 2);
    EXPECT_EQ(attempts[1]["failure"], "none");

    // The interrupted reception kept page 1; the retry brought pages 2 and 3.
    json faxes = c->call("received.list");
    ASSERT_EQ(faxes.size(), 2u) << faxes.dump(2);
    EXPECT_TRUE(faxes[0]["partial"]);
    EXPECT_EQ(faxes[0]["pages"], 1);
    EXPECT_EQ(faxes[1]["status"], "completed");
    EXPECT_EQ(faxes[1]["pages"], 2);
    auto sent = read_bilevel_pages(source);
    // Compare through the protocol's own fetch, page by page.
    std::vector<BilevelPage> delivered;
    for (const json& f : faxes) {
        std::vector<std::uint8_t> bytes;
        for (std::int64_t off = 0;;) {
            json chunk = c->call("received.fetch", {{"id", f["id"]}, {"offset", off}});
            auto data = rpc::base64_decode(chunk["data"].get<std::string>());
            bytes.insert(bytes.end(), data->begin(), data->end());
            off += static_cast<std::int64_t>(data->size());
            if (chunk["eof"]) break;
        }
        const auto file =
            tmp.path() / ("fax-" + std::to_string(f["id"].get<std::int64_t>()) + ".tif");
        std::ofstream(file, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
        for (BilevelPage& p : read_bilevel_pages(file)) delivered.push_back(std::move(p));
        // Issue 15: the recovered fax, rewritten at start, records what FaxTiff
        // reads as a whole reception's file does (fax_tiff_tags.md).
        std::unique_ptr<TIFF, void (*)(TIFF*)> tif(TIFFOpen(file.c_str(), "r"), TIFFClose);
        ASSERT_TRUE(tif);
        const auto text = [&](ttag_t tag) {
            char* v = nullptr;
            return TIFFGetField(tif.get(), tag, &v) == 1 && v ? std::string(v) : std::string();
        };
        EXPECT_EQ(text(TIFFTAG_SOFTWARE), "faxemu faxd") << f.dump();
        EXPECT_EQ(text(TIFFTAG_IMAGEDESCRIPTION), "ONE") << f.dump();  // the caller's TSID
        EXPECT_EQ(text(TIFFTAG_DATETIME).size(), 19u) << f.dump();
        std::uint16_t page = 0, total = 0;
        EXPECT_EQ(TIFFGetField(tif.get(), TIFFTAG_PAGENUMBER, &page, &total), 1);
        EXPECT_EQ(total, f["pages"].get<int>());
    }
    ASSERT_EQ(delivered.size(), sent.size());
    // Each page as sent below its header (Branding is on by default), the
    // retry's pages stamped too.
    const auto joined = tmp.path() / "delivered.tif";
    write_bilevel_pages(joined, delivered, COMPRESSION_CCITTFAX4);
    const ImageComparison cmp = compare_fax_images_below_band(source, joined, kPageHeaderBandMm);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

TEST(FaxdCrash, AnAcknowledgedJobSurvivesAKillRightAfterTheAnswer) {
    test::TempDir tmp;
    std::int64_t id = 0;
    {
        FaxdProcess faxd(tmp.path(), 1.0);  // real time: nothing will have been sent yet
        auto c = faxd.client();
        id = c->call("job.submit", {{"number", "5551002"},
                                    {"document", test::document_base64(test::fixture(
                                                     "documents/short-std-mmr.tif"))}})["job_id"];
        faxd.kill9();
    }
    FaxdProcess faxd(tmp.path(), 0);
    auto c = faxd.client();
    ASSERT_TRUE(test::wait_for(
        *c, [&] { return job_of(*c, id)["state"] == to_string(JobState::Completed); }));
    EXPECT_EQ(c->call("jobs.list", {{"all", true}}).size(), 1u);
    EXPECT_EQ(c->call("received.list").back()["status"], "completed");
}

TEST(FaxdCrash, SigtermStopsCleanlyAndRequeuesTheCall) {
    test::TempDir tmp;
    std::int64_t id = 0;
    {
        FaxdProcess faxd(tmp.path(), 20.0);
        auto c = faxd.client();
        id = c->call("job.submit", {{"number", "5551002"},
                                    {"document", test::document_base64(test::fixture(
                                                     "documents/letter-fine-mmr.tif"))}})["job_id"];
        ASSERT_TRUE(test::wait_for(
            *c, [&] { return job_of(*c, id)["pages_sent"] == 1; }, std::chrono::seconds(120)));
        c->close();
        EXPECT_EQ(faxd.terminate(), 0);
    }
    FaxdProcess faxd(tmp.path(), 0);
    auto c = faxd.client();
    ASSERT_TRUE(test::wait_for(
        *c, [&] { return job_of(*c, id)["state"] == to_string(JobState::Completed); }));
    json faxes = c->call("received.list");
    ASSERT_EQ(faxes.size(), 2u);
    EXPECT_EQ(faxes[0]["status"], "partial");
}

}  // namespace
}  // namespace faxemu
