// faxd end to end through its control protocol: a fax submitted, sent over the
// simulated ports, received, routed and fetched identical; rights; bad input.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <tiffio.h>

#include <sstream>

#include "core/fax_tiff_tags.hpp"
#include "core/image_compare.hpp"
#include "core/protocol/error_codes.hpp"
#include "core/protocol/submit.hpp"
#include "core/routing_method.hpp"
#include "faxd_harness.hpp"

namespace faxemu {
namespace {

using test::FaxdHarness;
using test::json;
using test::rpc_code_of;

json job_of(rpc::FaxClient& c, std::int64_t id) {
    return c.call("job.get", {{"job_id", id}});
}

bool final_state(const json& job) {
    const std::string s = job["state"];
    return s == to_string(JobState::Completed) || s == to_string(JobState::Failed) ||
           s == to_string(JobState::RetriesExceeded) || s == to_string(JobState::Cancelled);
}

// Captures faxd's log (it logs through spdlog's default logger) for one test.
class CapturedLog {
  public:
    CapturedLog() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
        spdlog::set_level(spdlog::level::info);
    }
    ~CapturedLog() { spdlog::set_default_logger(previous_); }
    std::string text() {
        spdlog::default_logger()->flush();
        return text_.str();
    }

  private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream text_;
};

// Issue 12: a reception that fails says why in faxd's log, at warning level.
TEST(Faxd, AFailedReceptionIsLoggedAsAWarningWithItsCause) {
    CapturedLog log;
    {
        FaxdHarness faxd([](faxd::Config& c) { c.line_speed = 4; });  // long enough to cut
        auto admin = faxd.client("admin");
        const auto source = test::fixture("documents/letter-fine-mmr.tif");
        json job = rpc::submit_and_wait(*admin, {{"number", "5551002"},
                                                 {"document", test::document_base64(source)},
                                                 {"display_name", "letter.tif"}});
        const std::int64_t id = job["job_id"];
        ASSERT_TRUE(test::wait_for(*admin, [&] {
            return admin->call("port.status", {{"device_id", 2}})["device_status_text"] ==
                   "Receiving";
        }));
        admin->call("job.command", {{"job_id", id}, {"command", "cancel"}});
        json faxes;
        ASSERT_TRUE(test::wait_for(*admin, [&] {
            faxes = admin->call("received.list");
            return faxes.size() == 1 && faxes[0]["status"] != "receiving";
        }));
        EXPECT_NE(faxes[0]["status"], "completed") << faxes.dump(2);
        faxd.stop();
    }
    const std::string text = log.text();
    const auto at = text.find("[warning] fax 1: reception on port 2");
    ASSERT_NE(at, std::string::npos) << text;
    const std::string line = text.substr(at, text.find('\n', at) - at);
    EXPECT_TRUE(line.find(" failed after ") != std::string::npos ||
                line.find(" partial after ") != std::string::npos)
        << line;
    const auto cause = line.find("page(s): ");
    ASSERT_NE(cause, std::string::npos) << line;
    EXPECT_GT(line.size(), cause + 12) << line;  // a cause, not nothing
}

TEST(Faxd, SubmittedFaxIsSentReceivedRoutedAndFetchedIdentical) {
    // Branding off: no page header, so every pixel arrives as submitted
    // (faxd_branding_test covers Branding on).
    FaxdHarness faxd([](faxd::Config& c) { c.server.branding = false; });
    auto admin = faxd.client("admin");
    const auto inbox = test::route_port2_to_folder(*admin, faxd.tmp.path() / "inbox");
    auto sender = faxd.client("sender");
    const auto source = test::fixture("documents/letter-fine-mmr.tif");
    // job.submit answers while the document converts; this waits for the pages.
    json job = rpc::submit_and_wait(*sender, {{"number", "5551002"},
                                              {"document", test::document_base64(source)},
                                              {"display_name", "letter.tif"}});
    EXPECT_EQ(job["page_count"], 3);
    EXPECT_EQ(job["user_name"], "sender");
    const std::int64_t id = job["job_id"];
    ASSERT_TRUE(test::wait_for(*sender, [&] { return final_state(job_of(*sender, id)); }));
    job = job_of(*sender, id);
    EXPECT_EQ(job["state"], to_string(JobState::Completed)) << job.dump(2);
    EXPECT_EQ(job["pages_sent"], 3);
    EXPECT_EQ(job["attempts"], 1);

    json faxes;
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        faxes = admin->call("received.list");
        return faxes.size() == 1 && !faxes[0]["routing"].empty() &&
               faxes[0]["routing"][0]["tries"] == 1;
    }));
    const json& fax = faxes[0];
    EXPECT_EQ(fax["status"], "completed");
    EXPECT_EQ(fax["pages"], 3);
    EXPECT_EQ(fax["remote_ident"], "+1 555 1001");
    EXPECT_TRUE(fax["routing"][0]["done"]) << fax.dump(2);

    // Fetch in small chunks, as a client with a small buffer would.
    std::vector<std::uint8_t> bytes;
    for (std::int64_t offset = 0;;) {
        json chunk = admin->call("received.fetch",
                                 {{"id", fax["id"]}, {"offset", offset}, {"length", 4096}});
        auto data = rpc::base64_decode(chunk["data"].get<std::string>());
        ASSERT_TRUE(data.has_value());
        bytes.insert(bytes.end(), data->begin(), data->end());
        offset += static_cast<std::int64_t>(data->size());
        if (chunk["eof"]) break;
    }
    const auto fetched = faxd.tmp.path() / "fetched.tif";
    std::ofstream(fetched, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    ImageComparison cmp = compare_fax_images(source, fetched);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    // The folder method stored its own copy.
    int stored = 0;
    for (const auto& e : std::filesystem::directory_iterator(inbox)) {
        ++stored;
        EXPECT_TRUE(compare_fax_images(source, e.path()).equal);
    }
    EXPECT_EQ(stored, 1);
}

TEST(Faxd, RightsAreAskedOfTheCaller) {
    FaxdHarness faxd;
    auto viewer = faxd.client("viewer");
    json ports = viewer->call("ports.list");
    ASSERT_EQ(ports.size(), 2u);
    EXPECT_FALSE(ports[0]["can_modify"]);
    EXPECT_EQ(rpc_code_of([&] {
                  viewer->call("port.set", {{"device_id", 1}, {"rings", 5}});
              }),
              rpc::kAccessDenied);
    EXPECT_EQ(rpc_code_of([&] {
                  viewer->call("server.set", {{"retries", 1}});
              }),
              rpc::kAccessDenied);
    EXPECT_EQ(rpc_code_of([&] {
                  viewer->call("job.submit", {{"number", "5551002"},
                                              {"document", test::document_base64(test::fixture(
                                                               "documents/short-std-mmr.tif"))}});
              }),
              rpc::kAccessDenied);
    EXPECT_EQ(viewer->call("port.get", {{"device_id", 1}})["rings"], 2);  // unchanged

    auto admin = faxd.client("admin");
    EXPECT_TRUE(admin->call("ports.list")[0]["can_modify"]);
    json p = admin->call("port.set", {{"device_id", 1}, {"rings", 5}, {"csid", "NEW CSID"}});
    EXPECT_EQ(p["rings"], 5);
    EXPECT_EQ(viewer->call("port.get", {{"device_id", 1}})["csid"], "NEW CSID");
    // A bad value changes nothing, not even the good values beside it.
    EXPECT_EQ(rpc_code_of([&] {
                  admin->call("port.set",
                              {{"device_id", 1}, {"rings", 7}, {"csid", std::string(21, 'x')}});
              }),
              rpc::kInvalidValue);
    EXPECT_EQ(admin->call("port.get", {{"device_id", 1}})["rings"], 5);

    // Not logged in: nothing but login.
    auto stranger = faxd.client("");
    EXPECT_EQ(rpc_code_of([&] { stranger->call("ports.list"); }), rpc::kUnauthenticated);
    EXPECT_NE(rpc_code_of([&] { stranger->login("admin", "wrong"); }), 0);
}

TEST(Faxd, PortSettingsSurviveARestart) {
    FaxdHarness faxd;
    faxd.client("admin")->call("port.set",
                               {{"device_id", 2}, {"rings", 4}, {"tsid", "KEPT"}, {"priority", 1}});
    faxd.stop();
    faxd.start();
    json p = faxd.client("viewer")->call("port.get", {{"device_id", 2}});
    EXPECT_EQ(p["rings"], 4);
    EXPECT_EQ(p["tsid"], "KEPT");
    EXPECT_EQ(p["priority"], 1);
}

TEST(Faxd, BadInputIsRefusedAndEveryoneElseIsServed) {
    FaxdHarness faxd([](faxd::Config& c) { c.max_document_bytes = 20000; });
    auto admin = faxd.client("admin");
    EXPECT_EQ(rpc_code_of([&] { admin->call("no.such.method"); }), rpc::kMethodNotFound);
    EXPECT_EQ(rpc_code_of([&] {
                  admin->call("port.get", {{"device_id", "one"}});
              }),
              rpc::kInvalidParams);
    EXPECT_EQ(rpc_code_of([&] { admin->call("port.get", {{"device_id", 99}}); }), rpc::kNotFound);
    EXPECT_EQ(rpc_code_of([&] { admin->call("job.get", {{"job_id", 12345}}); }), rpc::kNotFound);
    try {
        admin->call("job.submit",
                    {{"number", "5551002"},
                     {"display_name", "notes.tif"},
                     {"document", rpc::base64_encode(std::vector<std::uint8_t>{0, 1, 2, 0xFF})}});
        ADD_FAILURE() << "a file of no known type was accepted";
    } catch (const rpc::RpcError& e) {
        EXPECT_EQ(e.code(), rpc::kBadDocument);
        EXPECT_NE(std::string(e.what()).find("notes.tif"), std::string::npos) << e.what();
    }
    EXPECT_EQ(rpc_code_of([&] {
                  admin->call("job.submit", {{"number", "5551002"},
                                             {"document", test::document_base64(test::fixture(
                                                              "documents/letter-fine-mh.tif"))}});
              }),
              rpc::kTooLarge);
    EXPECT_EQ(rpc_code_of([&] {
                  admin->call("job.submit", {{"number", "5551002"}, {"document", "***"}});
              }),
              rpc::kInvalidParams);
    EXPECT_EQ(rpc_code_of([&] {
                  admin->call("job.submit", {{"number", "call me"},
                                             {"document", test::document_base64(test::fixture(
                                                              "documents/short-std-mmr.tif"))}});
              }),
              rpc::kInvalidValue);
    EXPECT_TRUE(admin->call("jobs.list", {{"all", true}}).empty());  // nothing half-made was queued
    // Nothing left behind in the spool either.
    EXPECT_TRUE(std::filesystem::is_empty(faxd.config.spool / "documents"));
    EXPECT_TRUE(std::filesystem::is_empty(faxd.config.spool / "tmp"));

    // A client that sends half a line and vanishes; another that sends garbage.
    {
        asio::io_context io;
        asio::ip::tcp::socket raw(io);
        raw.connect({asio::ip::make_address("127.0.0.1"), faxd.daemon->tcp_port()});
        asio::write(
            raw,
            asio::buffer(std::string("{\"jsonrpc\":\"2.0\",\"method\":\"session.login\",\"par")));
    }
    {
        asio::io_context io;
        asio::ip::tcp::socket raw(io);
        raw.connect({asio::ip::make_address("127.0.0.1"), faxd.daemon->tcp_port()});
        asio::write(raw, asio::buffer(std::string("this is not json\n")));
        asio::streambuf reply;
        asio::read_until(raw, reply, '\n');
        json answer = json::parse(
            std::string(asio::buffers_begin(reply.data()), asio::buffers_end(reply.data())));
        EXPECT_EQ(answer["error"]["code"], rpc::kParseError);
    }
    EXPECT_EQ(admin->call("ports.list").size(), 2u);
}

TEST(Faxd, RetriesThenGivesUpWhenNobodyAnswers) {
    FaxdHarness faxd([](faxd::Config& c) {
        c.server.retries = 1;
        c.server.retry_delay = 0;
        c.ports[1].receive = false;
    });
    auto admin = faxd.client("admin");
    json job = test::submit_short_fax(*admin);
    const std::int64_t id = job["job_id"];
    ASSERT_TRUE(test::wait_for(*admin, [&] { return final_state(job_of(*admin, id)); }));
    job = job_of(*admin, id);
    EXPECT_EQ(job["state"], to_string(JobState::RetriesExceeded)) << job.dump(2);
    EXPECT_EQ(job["queue_status_text"], "Retries Exceeded");
    ASSERT_EQ(job["attempts_list"].size(), 2u);
    for (const json& a : job["attempts_list"]) {
        EXPECT_EQ(a["failure"], "no answer");
        EXPECT_EQ(a["status"], "No Answer");
    }
}

// Issue 14: [retry] sets a class's limit and delay apart from faxcom's
// Retries, and the job counts its failures by class.
TEST(Faxd, NoAnswerFollowsItsOwnRetryRule) {
    FaxdHarness faxd([](faxd::Config& c) {
        c.server.retries = 0;  // what faxcom's Retries says: not for this class
        c.retry.no_answer = {2, std::chrono::seconds(0)};
        c.ports[1].receive = false;
    });
    auto admin = faxd.client("admin");
    const std::int64_t id = test::submit_short_fax(*admin)["job_id"];
    ASSERT_TRUE(test::wait_for(*admin, [&] { return final_state(job_of(*admin, id)); }));
    const json job = job_of(*admin, id);
    EXPECT_EQ(job["state"], to_string(JobState::RetriesExceeded)) << job.dump(2);
    EXPECT_EQ(job["attempts_list"].size(), 3u) << job.dump(2);
    EXPECT_EQ(job["failures"]["no_answer"], 3) << job.dump(2);
    EXPECT_EQ(job["failures"]["dials"], 3) << job.dump(2);
    EXPECT_EQ(job["failures"]["tries"], 0) << job.dump(2);
}

// Issue 14: with the default two ports, four jobs to 5551002 had port 2 dial
// its own number and fail "busy".
TEST(Faxd, FourJobsToOneNumberAllCompleteFromTheOtherPort) {
    FaxdHarness faxd([](faxd::Config& c) {
        c.server.branding = false;
        c.server.retries = 0;                  // a busy attempt would fail the job at once
        c.retry = RetryPolicy::faxcom_only();  // busy too
        c.server.pause_server_queue = true;    // queue all four, then let them go together
    });
    auto admin = faxd.client("admin");
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(test::submit_short_fax(*admin)["job_id"]);
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        for (auto id : ids)
            if (job_of(*admin, id)["state"] != to_string(JobState::Queued)) return false;
        return true;
    }));
    admin->call("server.set", {{"pause_server_queue", false}});
    for (auto id : ids) {
        ASSERT_TRUE(test::wait_for(*admin, [&] { return final_state(job_of(*admin, id)); }));
        const json job = job_of(*admin, id);
        EXPECT_EQ(job["state"], to_string(JobState::Completed)) << job.dump(2);
        for (const json& a : job["attempts_list"]) EXPECT_EQ(a["device_id"], 1) << job.dump(2);
    }
}

// faxctl job retry ID: the next attempt now, not after RetryDelay.
TEST(Faxd, RetryNowSendsARetryingJobAtOnce) {
    FaxdHarness faxd([](faxd::Config& c) {
        c.server.retries = 1;
        c.server.retry_delay = 60;
        c.ports[1].receive = false;  // nobody answers the first attempt
    });
    auto admin = faxd.client("admin");
    const std::int64_t id = test::submit_short_fax(*admin)["job_id"];
    ASSERT_TRUE(test::wait_for(
        *admin, [&] { return job_of(*admin, id)["state"] == to_string(JobState::Retrying); }));
    admin->call("port.set", {{"device_id", 2}, {"receive", true}});
    const json retried = admin->call("job.command", {{"job_id", id}, {"command", "retry"}});
    EXPECT_EQ(retried["state"], to_string(JobState::Retrying));
    ASSERT_TRUE(test::wait_for(*admin, [&] { return final_state(job_of(*admin, id)); }));
    const json job = job_of(*admin, id);
    EXPECT_EQ(job["state"], to_string(JobState::Completed)) << job.dump(2);
    EXPECT_EQ(job["attempts"], 2);
}

TEST(Faxd, AFailingRoutingMethodIsRetriedAndTheFaxKept) {
    FaxdHarness faxd([](faxd::Config& c) {
        c.routing_retry_delay = std::chrono::seconds(0);
        c.routing_max_tries = 2;
        c.routing.allowed_programs = {(c.spool.parent_path() / "fails.sh").string()};
    });
    const auto script = faxd.tmp.path() / "fails.sh";
    std::ofstream(script) << "#!/bin/sh\necho 'printer on fire' >&2\nexit 3\n";
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    auto admin = faxd.client("admin");
    admin->call("routing.set", {{"device_id", 2},
                                {"guid", std::string(kRunProgramRoutingGuid)},
                                {"data", script.string()},
                                {"enable", true}});
    test::submit_short_fax(*admin);
    const json fax = test::wait_for_received(
        *admin, [](const json& f) { return f["routing"][0]["tries"] == 2; });
    ASSERT_FALSE(fax.is_null());
    const json& r = fax["routing"][0];
    EXPECT_FALSE(r["done"]);
    EXPECT_NE(r["detail"].get<std::string>().find("printer on fire"), std::string::npos)
        << r.dump();
    // The fax is still there, whole.
    json chunk = admin->call("received.fetch", {{"id", fax["id"]}});
    EXPECT_GT(chunk["size"], 0);
    EXPECT_EQ(fax["status"], "completed");
}

}  // namespace
}  // namespace faxemu

namespace faxemu {
namespace {

// Issue 15: the sent fax faxd keeps (the ArchiveOutboundFaxes copy) records
// what IFaxTiff reads of a sent fax: TSID, recipient number, send time, pages.
TEST(Faxd, AnArchivedSentFaxRecordsWhatFaxTiffReads) {
    test::FaxdHarness faxd;
    auto admin = faxd.client("admin");
    const auto archive = faxd.tmp.path() / "archive";
    admin->call("server.set", {{"archive_outbound_faxes", true},
                               {"archive_directory", archive.string()},
                               {"use_device_tsid", false}});
    const auto source = test::fixture("documents/letter-fine-mmr.tif");
    const std::int64_t id =
        admin->call("job.submit", {{"number", "5551002"},
                                   {"tsid", "ACME SALES"},
                                   {"recipient_name", "Bob"},
                                   {"sender_name", "Alice"},
                                   {"document", test::document_base64(source)}})["job_id"];
    const auto kept = archive / ("job-" + std::to_string(id) + ".tif");
    ASSERT_TRUE(test::wait_for(*admin, [&] { return std::filesystem::exists(kept); }));
    const json job = admin->call("job.get", {{"job_id", id}});
    std::unique_ptr<TIFF, void (*)(TIFF*)> tif(TIFFOpen(kept.c_str(), "r"), TIFFClose);
    ASSERT_TRUE(tif);
    const auto text = [&](ttag_t tag) {
        char* v = nullptr;
        return TIFFGetField(tif.get(), tag, &v) == 1 && v ? std::string(v) : std::string();
    };
    EXPECT_EQ(text(TIFFTAG_SOFTWARE), "faxemu faxd");
    EXPECT_EQ(text(TIFFTAG_IMAGEDESCRIPTION), "ACME SALES");
    EXPECT_EQ(text(kFaxTagRecipientNumber), "5551002");
    EXPECT_EQ(text(kFaxTagRecipientName), "Bob");
    EXPECT_EQ(text(kFaxTagSenderName), "Alice");
    EXPECT_EQ(text(kFaxTagCsid), "+1 555 1002");  // the far end's CSID
    // Sent when the delivering attempt began: the job's last attempt.
    const std::string start = job["attempts_list"].back()["start"];
    EXPECT_EQ(text(kFaxTagReceiveTime), start.substr(0, 19) + "Z") << start;
    std::uint16_t page = 0, total = 0;
    ASSERT_EQ(TIFFGetField(tif.get(), TIFFTAG_PAGENUMBER, &page, &total), 1);
    EXPECT_EQ(total, job["page_count"].get<int>());
    EXPECT_EQ(TIFFNumberOfDirectories(tif.get()), static_cast<tdir_t>(total));
    tif.reset();
    const ImageComparison same = compare_fax_images(
        faxd.tmp.path() / "spool" / "documents" / ("job-" + std::to_string(id) + ".tif"), kept);
    EXPECT_TRUE(same.equal) << same.detail;
}

TEST(Faxd, ArchivesSentFaxesWhenAsked) {
    test::FaxdHarness faxd;
    auto admin = faxd.client("admin");
    const auto archive = faxd.tmp.path() / "archive";
    admin->call("server.set",
                {{"archive_outbound_faxes", true}, {"archive_directory", archive.string()}});
    const auto source = test::fixture("documents/short-fine-mmr.tif");
    const std::int64_t id =
        admin->call("job.submit",
                    {{"number", "5551002"}, {"document", test::document_base64(source)}})["job_id"];
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        return admin->call("job.get", {{"job_id", id}})["state"] ==
                   to_string(JobState::Completed) &&
               std::filesystem::exists(archive / ("job-" + std::to_string(id) + ".tif"));
    }));
    EXPECT_TRUE(compare_fax_images(source, archive / ("job-" + std::to_string(id) + ".tif")).equal);
}

}  // namespace
}  // namespace faxemu
