// Documents through faxd: converted on the worker pool after job.submit has
// answered, PDF, PostScript, text and images included; a document that cannot
// be faxed fails its job with an error naming it while faxd serves everyone
// else; a job left converting by a crash is converted at the next start.
#include <gtest/gtest.h>

#include "core/documents/conversion.hpp"
#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"
#include "core/protocol/error_codes.hpp"
#include "core/protocol/submit.hpp"
#include "core/sqlite_store.hpp"
#include "faxd_harness.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::json;

json submit_params(const std::string& fixture) {
    return {{"number", "5551002"},
            {"display_name", std::filesystem::path(fixture).filename().string()},
            {"document", test::document_base64(test::fixture(fixture))}};
}

// The message of the RpcError submit_and_wait must throw.
std::string conversion_error(rpc::FaxClient& c, const std::string& fixture) {
    try {
        rpc::submit_and_wait(c, submit_params(fixture));
    } catch (const rpc::RpcError& e) {
        EXPECT_EQ(e.code(), rpc::kBadDocument) << e.what();
        return e.what();
    }
    ADD_FAILURE() << fixture << " was accepted";
    return "";
}

TEST(FaxdDocuments, PdfAndPostScriptAreConvertedAndSent) {
    test::FaxdHarness faxd;
    auto c = faxd.client("sender");
    for (const char* fixture : {"documents/rects-a4.pdf", "documents/rects-letter.ps"}) {
        json job = rpc::submit_and_wait(*c, submit_params(fixture));
        EXPECT_EQ(job["page_count"], 2) << fixture;
        const std::int64_t id = job["job_id"];
        ASSERT_TRUE(test::wait_for(*c, [&] {
            return c->call("job.get", {{"job_id", id}})["state"] == "completed";
        })) << fixture;
    }
    // Uploads are gone once converted; only the jobs' fax documents remain.
    for (const auto& e : std::filesystem::directory_iterator(faxd.config.spool / "documents"))
        EXPECT_EQ(e.path().extension(), ".tif") << e.path();
}

TEST(FaxdDocuments, TextAndImagesArriveAsTheirConvertedPages) {
    test::FaxdHarness faxd;
    auto c = faxd.client("sender");
    auto admin = faxd.client("admin");
    const auto notes = faxd.tmp.path() / "notes.txt";
    std::ofstream(notes) << "Notes for the fax\n\tindented\fpage two\n";
    std::size_t received = 0;
    for (const auto& file : {notes, test::fixture("documents/square.png")}) {
        const std::string name = file.filename().string();
        json job = rpc::submit_and_wait(*c, {{"number", "5551002"},
                                             {"display_name", name},
                                             {"document", test::document_base64(file)}});
        const std::int64_t id = job["job_id"];
        ASSERT_TRUE(test::wait_for(*c, [&] {
            return c->call("job.get", {{"job_id", id}})["state"] == "completed";
        })) << name;
        json fax;
        ++received;
        ASSERT_TRUE(test::wait_for(*admin, [&] {
            const json list = admin->call("received.list");
            if (list.size() != received) return false;
            fax = list[0];
            for (const json& f : list)
                if (f["id"] > fax["id"]) fax = f;
            return fax["status"] == "completed";
        })) << name;
        const auto fetched = faxd.tmp.path() / ("received-" + name + ".tif");
        test::fetch_received(*admin, fax["id"].get<std::int64_t>(), fetched);

        // The pages that arrived are those faxd's conversion makes of it.
        ConversionRequest request;
        request.input = file;
        request.name = name;
        request.output = faxd.tmp.path() / ("converted-" + name + ".tif");
        request.work_dir = faxd.tmp.path() / "work";
        const ConversionResult converted = convert_document(request);
        EXPECT_EQ(job["page_count"], converted.page_count) << name;
        // Branding is on by default: equal below the header band, which has ink.
        const ImageComparison cmp =
            compare_fax_images_below_band(request.output, fetched, kPageHeaderBandMm);
        EXPECT_TRUE(cmp.equal) << name << ": " << cmp.detail;
    }
}

TEST(FaxdDocuments, ADocumentThatCannotBeFaxedFailsItsJobNamingIt) {
    test::FaxdHarness faxd([](faxd::Config& c) { c.conversion.max_time = 3s; });
    auto c = faxd.client("sender");
    auto other = faxd.client("viewer");
    EXPECT_NE(conversion_error(*c, "malformed/broken.pdf").find("\"broken.pdf\": Ghostscript"),
              std::string::npos);
    EXPECT_NE(
        conversion_error(*c, "malformed/encrypted.pdf").find("\"encrypted.pdf\": is encrypted"),
        std::string::npos);
    EXPECT_NE(conversion_error(*c, "malformed/truncated.tif").find("\"truncated.tif\": page 2"),
              std::string::npos);
    // Refused at once, before any job exists: nothing to convert.
    EXPECT_NE(conversion_error(*c, "malformed/empty.pdf").find("\"empty.pdf\": is empty"),
              std::string::npos);
    EXPECT_NE(conversion_error(*c, "malformed/unknown.bin").find("\"unknown.bin\": is not a"),
              std::string::npos);

    // A document that loops: its job converts until the time limit while
    // everyone else is served.
    json job = c->call("job.submit", submit_params("malformed/loop.ps"));
    EXPECT_EQ(job["state"], "converting");
    const std::int64_t id = job["job_id"];
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(other->call("ports.list", json::object(), 1s).size(), 2u);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    ASSERT_TRUE(test::wait_for(*other, [&] {
        return other->call("job.get", {{"job_id", id}})["state"] != "converting";
    }));
    job = other->call("job.get", {{"job_id", id}});
    EXPECT_EQ(job["state"], "failed");
    EXPECT_EQ(job["queue_status_text"], "Failed");
    EXPECT_NE(job["last_error"].get<std::string>().find("\"loop.ps\": Ghostscript did not finish"),
              std::string::npos)
        << job.dump(2);
    // Four failed jobs (the two refused at once never became jobs), none left
    // waiting, and a failed conversion cannot be restarted into the queue.
    json all = c->call("jobs.list", {{"all", true}});
    EXPECT_EQ(all.size(), 4u);
    for (const json& j : all) EXPECT_EQ(j["state"], "failed") << j.dump(2);
    EXPECT_EQ(test::rpc_code_of([&] {
                  c->call("job.command", {{"job_id", id}, {"command", "restart"}});
              }),
              rpc::kInvalidValue);
    EXPECT_TRUE(std::filesystem::is_empty(faxd.config.spool / "documents"));
}

TEST(FaxdDocuments, AJobLeftConvertingByACrashIsConvertedAtStart) {
    std::int64_t id = 0;
    test::FaxdHarness faxd([&](faxd::Config& c) {
        // What a faxd killed during a conversion leaves: the upload, and its job
        // Converting.
        std::filesystem::create_directories(c.spool / "documents");
        const auto upload = c.spool / "documents" / "upload-left";
        std::filesystem::copy_file(test::fixture("documents/rects-letter.pdf"), upload);
        SqliteStore store(c.spool / "faxd.db");
        Job job;
        job.state = JobState::Converting;
        job.user_name = "sender";
        job.fax_number = "5551002";
        job.display_name = "left.pdf";
        job.document = upload.string();
        id = store.add_job(job);
    });
    auto c = faxd.client("admin");
    ASSERT_TRUE(test::wait_for(*c, [&] {
        return c->call("job.get", {{"job_id", id}})["state"] == "completed";
    }));
    EXPECT_EQ(c->call("job.get", {{"job_id", id}})["page_count"], 2);
}

}  // namespace
}  // namespace faxemu
