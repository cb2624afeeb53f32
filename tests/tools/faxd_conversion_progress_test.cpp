// Progress while a long document converts: faxd tells clients which document
// it converts and how many of its pages are done (job.changed, job.get, and in
// words in queue_status_text), no more often than a few times a second.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "core/scheduler.hpp"
#include "faxd_harness.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::json;

TEST(FaxdConversionProgress, AMultiPagePdfShowsItsPagesAsTheyConvert) {
    test::FaxdHarness faxd;
    auto c = faxd.client("sender");
    // Every job.changed heard, from before the submission.
    struct Heard {
        std::mutex mutex;
        std::condition_variable cv;
        std::vector<json> jobs;
        std::vector<std::chrono::steady_clock::time_point> when;
    };
    auto heard = std::make_shared<Heard>();
    c->set_notification_handler([heard](const std::string& method, const json& params) {
        if (method != "job.changed") return;
        std::lock_guard lock(heard->mutex);
        heard->jobs.push_back(params.at("job"));
        heard->when.push_back(std::chrono::steady_clock::now());
        heard->cv.notify_all();
    });
    const auto notes = faxd.tmp.path() / "notes.txt";
    std::ofstream(notes) << "A short note after the long document.\n";
    const auto started = std::chrono::steady_clock::now();
    const json job =
        c->call("job.submit",
                {{"number", "5551002"},
                 {"documents",
                  {{{"name", "slow-pages.pdf"},
                    {"document", test::document_base64(test::fixture("documents/slow-pages.pdf"))}},
                   {{"name", "notes.txt"}, {"document", test::document_base64(notes)}}}}});
    const std::int64_t id = job["job_id"];

    // Until the job leaves converting.
    std::vector<json> converting;
    std::chrono::steady_clock::time_point ended;
    {
        std::unique_lock lock(heard->mutex);
        const bool left = heard->cv.wait_for(lock, 60s, [&] {
            for (const json& j : heard->jobs)
                if (j["job_id"] == id && j["state"] != "converting") return true;
            return false;
        });
        ASSERT_TRUE(left) << "the job is still converting";
        for (std::size_t i = 0; i < heard->jobs.size(); ++i) {
            const json& j = heard->jobs[i];
            if (j["job_id"] != id) continue;
            if (j["state"] != "converting") {
                ended = heard->when[i];
                break;
            }
            if (j.contains("conversion")) converting.push_back(j);
        }
    }

    // The long PDF's pages, counted up in order, with its total known.
    std::vector<int> pdf_pages;
    for (const json& j : converting) {
        const json& p = j["conversion"];
        EXPECT_EQ(p["documents"], 2);
        if (p["index"] != 1) continue;
        EXPECT_EQ(p["document"], "slow-pages.pdf");
        const int done = p["pages_done"];
        if (pdf_pages.empty() || pdf_pages.back() != done) pdf_pages.push_back(done);
        if (done > 0) {
            EXPECT_EQ(p.value("pages_total", 0), 12) << p.dump();
            EXPECT_EQ(j["queue_status_text"],
                      "Pending (converting slow-pages.pdf, document 1 of 2: page " +
                          std::to_string(done) + " of 12)");
        }
    }
    std::size_t distinct_done = 0;
    for (int done : pdf_pages) distinct_done += done > 0 ? 1 : 0;
    EXPECT_GE(distinct_done, 2u) << "progress seen: " << testing::PrintToString(pdf_pages);
    EXPECT_TRUE(std::is_sorted(pdf_pages.begin(), pdf_pages.end()))
        << testing::PrintToString(pdf_pages);
    // Rate-limited: 12 pages and two documents, yet no more than one
    // notification per interval (and the first).
    const auto interval = Scheduler::kProgressInterval;
    const auto allowed = static_cast<std::size_t>((ended - started) / interval) + 2;
    EXPECT_LE(converting.size(), allowed);
}

}  // namespace
}  // namespace faxemu
