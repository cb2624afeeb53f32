// faxd on its embedded default (two simulated ports) driven by the real faxctl:
// send --wait delivers the user's TIFF to the other port, received --fetch
// brings it back, and it matches pixel for pixel below the page header that
// Branding (on by default) stamps into each page's top band.
#include <gtest/gtest.h>
#include <tiffio.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "core/documents/conversion.hpp"
#include "core/documents/cover_page.hpp"
#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"
#include "core/local_time.hpp"
#include "tests/support/fax_images.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using json = nlohmann::json;

class Faxctl : public ::testing::Test {
  protected:
    void SetUp() override {
        // Both programs find the default spool through XDG_STATE_HOME, as a user's would.
        env_ = {"XDG_STATE_HOME=" + (tmp_.path() / "state").string()};
        log_ = tmp_.path() / "faxd.log";
        faxd_ = std::make_unique<test::Process>(std::vector<std::string>{FAXD_PATH, "--listen", ""},
                                                log_, env_);
        const auto socket = tmp_.path() / "state" / "faxemu" / "faxd.sock";
        ASSERT_TRUE(test::wait_for_text(log_, "control protocol on " + socket.string(),
                                        std::chrono::seconds(30)))
            << test::read_text(log_);
    }
    void TearDown() override {
        faxd_->signal(SIGTERM);
        EXPECT_EQ(faxd_->wait(), 0) << test::read_text(log_);
    }
    int faxctl(std::vector<std::string> args, std::string& out) {
        args.insert(args.begin(), FAXCTL_PATH);
        return test::run(args, out, tmp_.path(), env_);
    }

    test::TempDir tmp_;
    std::vector<std::string> env_;
    std::filesystem::path log_;
    std::unique_ptr<test::Process> faxd_;
};

TEST_F(Faxctl, SendWaitThenFetchMatchesPixelForPixel) {
    const auto document = test::fixture("documents/letter-fine-mh.tif");
    std::string out;
    ASSERT_EQ(faxctl({"send", "--to", "5551002", "--wait", document.string()}, out), 0) << out;
    // Each page is shown, in order: faxctl listens from before it submits.
    const auto page1 = out.find("Sending page 1 of 3");
    const auto page2 = out.find("Sending page 2 of 3");
    const auto page3 = out.find("Sending page 3 of 3");
    EXPECT_NE(page1, std::string::npos) << out;
    EXPECT_NE(page2, std::string::npos) << out;
    EXPECT_NE(page3, std::string::npos) << out;
    EXPECT_TRUE(page1 < page2 && page2 < page3) << out;
    // Progress of the conversion (on stderr) ends before the job is queued;
    // the follower prints no converting state of its own.
    const auto queued = out.find("queued for");
    ASSERT_NE(queued, std::string::npos) << out;
    EXPECT_EQ(out.find("converting", queued), std::string::npos) << out;
    EXPECT_NE(out.find("Completed"), std::string::npos) << out;
    // Each line of the follower starts with the time since it began, and the
    // call's bit rate is shown.
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(\n\[\d+:\d\d\] job \d+: Completed\n)")))
        << out;
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(Sending page 3 of 3.*\d+ bit/s)"))) << out;

    ASSERT_EQ(faxctl({"--json", "received"}, out), 0) << out;
    json list = json::parse(out);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["pages"], 3);
    const auto fetched = tmp_.path() / "fetched.tif";
    ASSERT_EQ(faxctl({"received", "--fetch", std::to_string(list[0]["id"].get<int>()), "-o",
                      fetched.string()},
                     out),
              0)
        << out;
    ImageComparison cmp = compare_fax_images_below_band(document, fetched, kPageHeaderBandMm);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

// A long PDF: while faxd converts it, send shows its pages counted up (one
// line per change, stderr not being a terminal), then says it is queued;
// with --json it prints the job alone.
TEST_F(Faxctl, SendShowsProgressWhileALongDocumentConverts) {
    const auto pdf = test::fixture("documents/slow-pages.pdf");
    std::string out;
    ASSERT_EQ(faxctl({"send", "--to", "5551002", pdf.string()}, out), 0) << out;
    std::vector<int> pages;
    std::istringstream lines(out);
    std::string line;
    const std::string progress = ": Pending (converting slow-pages.pdf: page ";
    bool queued = false;
    while (std::getline(lines, line)) {
        const auto at = line.find(progress);
        if (at != std::string::npos) {
            EXPECT_FALSE(queued) << "progress after the job was queued:\n" << out;
            EXPECT_EQ(line.rfind("job ", 0), 0u) << line;
            const std::string rest = line.substr(at + progress.size());
            pages.push_back(std::stoi(rest));
            EXPECT_NE(rest.find(" of 12)"), std::string::npos) << line;
        }
        if (line.find("(12 pages) queued for 5551002") != std::string::npos) queued = true;
    }
    EXPECT_TRUE(queued) << out;
    EXPECT_GE(pages.size(), 2u) << out;
    EXPECT_TRUE(std::is_sorted(pages.begin(), pages.end())) << out;

    ASSERT_EQ(faxctl({"--json", "send", "--to", "5551002", pdf.string()}, out), 0) << out;
    EXPECT_EQ(out.find("converting"), std::string::npos) << out;
    EXPECT_EQ(json::parse(out)["page_count"], 12) << out;
}

// Issue 10's first "done when": a PDF, a text file and a photo in one faxctl
// send are one fax, after a cover page, each page what its document's
// conversion makes of it.
TEST_F(Faxctl, SeveralDocumentsAndACoverPageAreOneFax) {
    const auto pdf = test::fixture("documents/rects-letter.pdf");
    const auto photo = test::fixture("documents/photo.jpg");
    const auto notes = tmp_.path() / "notes.txt";
    std::ofstream(notes) << "Dear Port B,\n\n\tThe figures follow.\n";
    std::string out;
    ASSERT_EQ(
        faxctl({"send", "--to", "5551002", "--wait", "--cover", "--to-name", "Ada Lovelace",
                "--subject", "Quarterly figures", pdf.string(), notes.string(), photo.string()},
               out),
        0)
        << out;
    EXPECT_NE(out.find("rects-letter.pdf, notes.txt, photo.jpg"), std::string::npos) << out;
    ASSERT_EQ(faxctl({"--json", "received"}, out), 0) << out;
    const json list = json::parse(out);
    ASSERT_EQ(list.size(), 1u);
    const auto fetched = tmp_.path() / "fetched.tif";
    ASSERT_EQ(faxctl({"received", "--fetch", std::to_string(list[0]["id"].get<int>()), "-o",
                      fetched.string()},
                     out),
              0)
        << out;
    const auto got = read_bilevel_pages(fetched);
    std::vector<BilevelPage> want;
    for (const auto& doc : {pdf, notes, photo}) {
        ConversionRequest r;
        r.input = doc;
        r.name = doc.filename().string();
        r.output = tmp_.path() / ("want-" + r.name + ".tif");
        r.work_dir = tmp_.path() / "work";
        convert_document(r);
        for (auto& page : read_bilevel_pages(r.output)) want.push_back(std::move(page));
    }
    ASSERT_EQ(got.size(), want.size() + 1);
    // Branding is on by default: each page equal below its header band.
    const auto want_file = tmp_.path() / "want.tif";
    const auto got_file = tmp_.path() / "got-after-cover.tif";
    write_bilevel_pages(want_file, want, COMPRESSION_CCITTFAX4);
    write_bilevel_pages(got_file, std::vector<BilevelPage>(got.begin() + 1, got.end()),
                        COMPRESSION_CCITTFAX4);
    const ImageComparison cmp =
        compare_fax_images_below_band(want_file, got_file, kPageHeaderBandMm);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    // The cover page holds what was asked of it: much more ink than the bare template.
    const BilevelPage blank =
        render_cover_page("default", default_cover_page_svg(), {},
                          {"", static_cast<int>(got.size())}, fax_page_geometry("letter", 196));
    long differing = 0;
    for (std::uint32_t y = 0; y < blank.height; ++y)
        for (std::uint32_t x = 0; x < blank.width; ++x)
            differing += got[0].black(x, y) != blank.black(x, y);
    EXPECT_GT(differing, 2000) << "the cover page's fields are missing";
}

TEST_F(Faxctl, FetchesAsPdfOrPngAsTheNameOrFormatSays) {
    std::string out;
    ASSERT_EQ(faxctl({"send", "--to", "5551002", "--wait",
                      test::fixture("documents/mixed-res.tif").string()},
                     out),
              0)
        << out;
    ASSERT_EQ(faxctl({"--json", "received"}, out), 0) << out;
    const std::string id = std::to_string(json::parse(out)[0]["id"].get<int>());
    const auto dir = tmp_.path();

    ASSERT_EQ(faxctl({"received", "--fetch", id, "-o", (dir / "fax.tif").string()}, out), 0) << out;
    // The extension chooses PDF.
    ASSERT_EQ(faxctl({"received", "--fetch", id, "-o", (dir / "fax.pdf").string()}, out), 0) << out;
    EXPECT_NE(out.find("of pdf written to"), std::string::npos) << out;
    EXPECT_EQ(test::run({"/usr/bin/qpdf", "--check", (dir / "fax.pdf").string()}, out, dir), 0)
        << out;
    EXPECT_EQ(test::pdf_differs_from_tiff(dir / "fax.pdf", dir / "fax.tif", dir), "");

    // --format for a name without an extension; --page for a PNG.
    ASSERT_EQ(
        faxctl({"received", "--fetch", id, "--format", "pdf", "-o", (dir / "copy").string()}, out),
        0)
        << out;
    EXPECT_EQ(test::read_text(dir / "copy"), test::read_text(dir / "fax.pdf"));
    ASSERT_EQ(
        faxctl({"received", "--fetch", id, "--page", "2", "-o", (dir / "p2.png").string()}, out), 0)
        << out;
    const auto png = test::read_png(dir / "p2.png");
    EXPECT_TRUE(png.page.bits == read_bilevel_pages(dir / "fax.tif").at(1).bits);
    // faxd's refusal reaches the user, and no file is left behind.
    EXPECT_EQ(
        faxctl({"received", "--fetch", id, "--page", "3", "-o", (dir / "p3.png").string()}, out),
        3);
    EXPECT_NE(out.find("has 2 pages, no page 3"), std::string::npos) << out;
    EXPECT_FALSE(std::filesystem::exists(dir / "p3.png"));
    EXPECT_FALSE(std::filesystem::exists(dir / "p3.png.part"));
}

TEST_F(Faxctl, AFormatTheOutputNameContradictsIsRefused) {
    const auto dir = tmp_.path();
    std::string out;
    for (const auto& [format, name] : std::vector<std::pair<std::string, std::string>>{
             {"tiff", "x.pdf"}, {"pdf", "x.tif"}, {"png", "x.TIFF"}, {"tif", "x.png"}}) {
        EXPECT_EQ(
            faxctl({"received", "--fetch", "1", "--format", format, "-o", (dir / name).string()},
                   out),
            2)
            << format << " " << name;
        EXPECT_NE(out.find("contradicts the output name"), std::string::npos) << out;
        EXPECT_FALSE(std::filesystem::exists(dir / name));
    }
    EXPECT_EQ(faxctl({"received", "--fetch", "1", "--format", "gif"}, out), 2);
    EXPECT_NE(out.find("--format gif: expected tiff, pdf or png"), std::string::npos) << out;
    EXPECT_EQ(
        faxctl({"received", "--fetch", "1", "--page", "2", "-o", (dir / "x.pdf").string()}, out),
        2);
    EXPECT_NE(out.find("--page is for --format png"), std::string::npos) << out;
}

TEST_F(Faxctl, EveryCommandAnswers) {
    std::string out;
    ASSERT_EQ(faxctl({"ports"}, out), 0) << out;
    EXPECT_NE(out.find("Simulated port 2"), std::string::npos) << out;
    ASSERT_EQ(faxctl({"port", "set", "1", "--rings", "3", "--csid", "FRONT DESK"}, out), 0) << out;
    ASSERT_EQ(faxctl({"--json", "ports"}, out), 0) << out;
    EXPECT_EQ(json::parse(out)[0]["rings"], 3);
    EXPECT_EQ(faxctl({"port", "set", "1", "--rings", "100"}, out), 3);
    EXPECT_NE(out.find("Rings"), std::string::npos) << out;
    ASSERT_EQ(faxctl({"status"}, out), 0) << out;
    EXPECT_NE(out.find("Available"), std::string::npos) << out;
    ASSERT_EQ(faxctl({"routing", "2"}, out), 0) << out;
    EXPECT_NE(out.find("{92041a90-9af2-11d0-abf7-00c04fd91a4e}"), std::string::npos) << out;
    ASSERT_EQ(faxctl({"server", "set", "retries=5", "pause_server_queue=true"}, out), 0) << out;
    ASSERT_EQ(faxctl({"--json", "server"}, out), 0) << out;
    EXPECT_EQ(json::parse(out)["retries"], 5);
    // With the queue paused the job waits; pause, resume and cancel it.
    ASSERT_EQ(faxctl({"--json", "send", "--to", "5551002",
                      test::fixture("documents/short-std-mmr.tif").string()},
                     out),
              0)
        << out;
    const std::string id = std::to_string(json::parse(out)["job_id"].get<int>());
    ASSERT_EQ(faxctl({"job", "pause", id}, out), 0) << out;
    EXPECT_EQ(out, "job " + id + " paused\n");
    ASSERT_EQ(faxctl({"job", "resume", id}, out), 0) << out;
    ASSERT_EQ(faxctl({"job", "cancel", id}, out), 0) << out;
    ASSERT_EQ(faxctl({"--json", "jobs", "--all"}, out), 0) << out;
    EXPECT_EQ(json::parse(out)[0]["state"], "cancelled");
    EXPECT_EQ(faxctl({"job", "show", "999"}, out), 3);
    EXPECT_NE(out.find("no job 999"), std::string::npos) << out;
}

// Issue 14: send --at, --port and --priority; job alter changes a waiting job
// and says what it changed in one line; bad input is refused before a job exists.
TEST_F(Faxctl, SendAtOnAPortAndAlter) {
    std::string out;
    ASSERT_EQ(faxctl({"server", "set", "pause_server_queue=true"}, out), 0) << out;
    const std::string doc = test::fixture("documents/short-std-mmr.tif").string();
    EXPECT_EQ(faxctl({"send", "--to", "5551002", "--port", "Simulated port 9", doc}, out), 3);
    EXPECT_NE(out.find("no port or port group named \"Simulated port 9\""), std::string::npos)
        << out;
    EXPECT_EQ(faxctl({"send", "--to", "5551002", "--at", "2020-01-01 09:00", doc}, out), 2);
    EXPECT_NE(out.find("is in the past"), std::string::npos) << out;
    EXPECT_EQ(faxctl({"send", "--to", "5551002", "--at", "soonish", doc}, out), 2);
    EXPECT_EQ(faxctl({"send", "--to", "5551002", "--priority", "101", doc}, out), 2);

    ASSERT_EQ(faxctl({"send", "--to", "5551002", "--at", "+2h", "--port", "Simulated port 1",
                      "--priority", "70", doc},
                     out),
              0)
        << out;
    EXPECT_NE(out.find("queued for 5551002, not before "), std::string::npos) << out;
    ASSERT_EQ(faxctl({"--json", "job", "show", "1"}, out), 0) << out;
    json job = json::parse(out);
    EXPECT_EQ(job["ports"], json::array({"Simulated port 1"}));
    EXPECT_EQ(job["priority"], 70);
    EXPECT_EQ(job["next_attempt"], job["send_at"]);
    EXPECT_EQ(job["failures"]["dials"], 0);
    const auto at = parse_iso_utc(job["send_at"].get<std::string>());
    const auto submitted = parse_iso_utc(job["submitted"].get<std::string>());
    ASSERT_TRUE(at && submitted) << out;
    EXPECT_NEAR(std::chrono::duration<double>(*at - *submitted).count(), 7200, 60) << out;

    ASSERT_EQ(faxctl({"job", "alter", "1", "--number", "5551001", "--priority", "80", "--port",
                      "Simulated port 2", "--retries", "4"},
                     out),
              0)
        << out;
    EXPECT_EQ(out, "job 1 changed: to 5551001, priority 80, retries 4, ports Simulated port 2\n");
    ASSERT_EQ(faxctl({"job", "alter", "1", "--at", "+1h"}, out), 0) << out;
    EXPECT_TRUE(
        std::regex_search(out, std::regex(R"(^job 1 changed: not before \d{4}-\d\d-\d\d )")))
        << out;
    ASSERT_EQ(faxctl({"job", "show", "1"}, out), 0) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(\n  priority: +80\n)"))) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(\n  ports: +Simulated port 2\n)"))) << out;

    EXPECT_EQ(faxctl({"job", "alter", "1"}, out), 2);
    EXPECT_NE(out.find("say what to change"), std::string::npos) << out;
    EXPECT_EQ(faxctl({"job", "pause", "1", "--priority", "3"}, out), 2);
    EXPECT_EQ(faxctl({"job", "alter", "1", "--port", "nowhere"}, out), 3);
    ASSERT_EQ(faxctl({"job", "cancel", "1"}, out), 0) << out;
    EXPECT_EQ(faxctl({"job", "alter", "1", "--priority", "10"}, out), 3);
    // A cancelled (deleted) job is gone: faxcom's SetStatus cannot revive it (issue 15).
    EXPECT_NE(out.find("job 1 was deleted; a deleted job cannot be paused, resumed, restarted or "
                       "changed"),
              std::string::npos)
        << out;
}

// Issue 14: --port restricts dispatch: a job to port 2's own number, allowed
// only on port 2, waits (and says why) instead of going out on port 1.
TEST_F(Faxctl, APortRestrictionHoldsTheJob) {
    std::string out;
    ASSERT_EQ(faxctl({"send", "--to", "5551002", "--port", "Simulated port 2",
                      test::fixture("documents/short-std-mmr.tif").string()},
                     out),
              0)
        << out;
    // faxd decides when it next looks at the queue: asked until then, each
    // answer a round trip to faxd, within a deadline.
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < end) {
        ASSERT_EQ(faxctl({"--json", "job", "show", "1"}, out), 0) << out;
        if (out.find("cannot dial itself") != std::string::npos) break;
    }
    EXPECT_NE(out.find("no other port it may use has Send on"), std::string::npos) << out;
    const json job = json::parse(out);
    EXPECT_EQ(job["state"], "queued");
    EXPECT_EQ(job["attempts"], 0);
}

// Issue 14: faxctl spoke in numbers and UTC. Now: one line for what a job
// command did, job show in words and local time (--utc for UTC), the port by
// name in the jobs table, routing methods by short name.
TEST_F(Faxctl, HumanOutputHasNamesAndLocalTimes) {
    env_.push_back("TZ=FAX-3");  // a zone three hours east of UTC, named FAX
    std::string out;
    ASSERT_EQ(faxctl({"send", "--to", "5551002", "--wait",
                      test::fixture("documents/short-std-mmr.tif").string()},
                     out),
              0)
        << out;
    ASSERT_EQ(faxctl({"jobs", "--all"}, out), 0) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(\n1 +Completed +Simulated port 1 +5551002)")))
        << out;

    ASSERT_EQ(faxctl({"--json", "job", "show", "1"}, out), 0) << out;
    const json job = json::parse(out);
    ASSERT_EQ(faxctl({"job", "show", "1"}, out), 0) << out;
    EXPECT_EQ(out.rfind("job 1: Completed\n", 0), 0u) << out;
    EXPECT_EQ(out.find("queue_status"), std::string::npos) << out;
    EXPECT_EQ(out.find("{"), std::string::npos) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(\n  port: +Simulated port 1\n)"))) << out;
    // faxd's "2026-12-07T10:02:44Z" is 13:02:44 in FAX, and itself with --utc.
    std::string utc = job["submitted"].get<std::string>();
    ASSERT_EQ(utc.size(), 20u) << utc;
    utc[10] = ' ';
    utc.pop_back();
    std::string local = utc;
    const int hour = (std::stoi(utc.substr(11, 2)) + 3) % 24;
    local.replace(11, 2, (hour < 10 ? "0" : "") + std::to_string(hour));
    const std::regex submitted(R"(\n  submitted: +(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\w+)\n)");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, submitted)) << out;
    EXPECT_EQ(m[2], "FAX") << out;
    EXPECT_EQ(m[1].str().substr(11), local.substr(11)) << out;
    ASSERT_EQ(faxctl({"job", "show", "1", "--utc"}, out), 0) << out;
    ASSERT_TRUE(std::regex_search(out, m, submitted)) << out;
    EXPECT_EQ(m[1], utc) << out;
    EXPECT_EQ(m[2], "UTC") << out;

    ASSERT_EQ(faxctl({"received"}, out), 0) << out;
    EXPECT_NE(out.find(" FAX"), std::string::npos) << out;

    ASSERT_EQ(
        faxctl({"routing", "2", "set", "email", "--data", "ops@example.com", "--enable", "on"},
               out),
        0)
        << out;
    ASSERT_EQ(faxctl({"--json", "routing", "2"}, out), 0) << out;
    for (const json& method : json::parse(out)) {
        if (method["name"] == "email") {
            EXPECT_EQ(method["data"], "ops@example.com") << out;
        }
    }
}

// Issue 14: send --wait waited silently through a retry schedule. Now it says
// when the next attempt is, in local time, and why the last one failed.
TEST_F(Faxctl, SendWaitSaysWhenTheNextAttemptIs) {
    env_.push_back("TZ=FAX-3");
    std::string out;
    ASSERT_EQ(faxctl({"port", "set", "2", "--receive", "off"}, out), 0) << out;  // nobody answers
    ASSERT_EQ(faxctl({"server", "set", "retries=1", "retry_delay=60"}, out), 0) << out;
    const auto log = tmp_.path() / "send.log";
    test::Process send({FAXCTL_PATH, "send", "--to", "5551002", "--wait",
                        test::fixture("documents/short-std-mmr.tif").string()},
                       log, env_);
    ASSERT_TRUE(test::wait_for_text(log, " FAX\n", std::chrono::seconds(60)))
        << test::read_text(log);
    const std::string text = test::read_text(log);
    EXPECT_TRUE(std::regex_search(
        text, std::regex(R"(\n\[\d+:\d\d\] job 1: Retrying \(no answer[^\n]*\) — next attempt )"
                         R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d FAX\n)")))
        << text;
    ASSERT_EQ(faxctl({"job", "cancel", "1"}, out), 0) << out;
    EXPECT_EQ(out, "job 1 cancelled\n");
    EXPECT_EQ(send.wait(), 1) << test::read_text(log);
}

// What a user gets wrong is named, with the exit code the help documents.
TEST_F(Faxctl, MistakesAreNamedWithTheirExitCode) {
    std::string out;
    EXPECT_EQ(faxctl({"sned", "--to", "5551002", "x.tif"}, out), 2);
    EXPECT_NE(out.find("unknown command \"sned\" (did you mean \"send\"?)"), std::string::npos)
        << out;
    EXPECT_EQ(faxctl({"--json", "job", "show", "999"}, out), 3);
    const json error = json::parse(out)["error"];
    EXPECT_NE(error["message"].get<std::string>().find("no job 999"), std::string::npos) << out;
    EXPECT_EQ(error["exit_code"], 3);
    // Global options after the command.
    ASSERT_EQ(faxctl({"ports", "--json"}, out), 0) << out;
    EXPECT_EQ(json::parse(out)[1]["name"], "Simulated port 2");
    EXPECT_EQ(faxctl({"--server", "unix:" + (tmp_.path() / "nobody.sock").string(), "ports"}, out),
              4);
    EXPECT_NE(out.find("cannot reach faxd"), std::string::npos) << out;
    ASSERT_EQ(faxctl({"--version"}, out), 0) << out;
    EXPECT_EQ(out.rfind("faxctl ", 0), 0u) << out;
}

// faxd started with a config file listens where the file says; faxctl given
// the same file (--config or $FAXD_CONFIG, as faxd takes it) finds it there.
TEST(FaxctlFindsFaxd, ThroughTheSameConfigFile) {
    test::TempDir tmp;
    const auto config = tmp.path() / "faxd.toml";
    std::ofstream(config) << "[server]\nspool = \"" << (tmp.path() / "spool").string()
                          << "\"\n[control]\nlisten = \"\"\n[[port]]\nname = \"Front desk\"\n"
                             "number = \"5551001\"\n";
    // Another default spool, so that only the config can lead faxctl to faxd.
    const std::vector<std::string> env = {"XDG_STATE_HOME=" + (tmp.path() / "state").string()};
    const auto log = tmp.path() / "faxd.log";
    test::Process faxd({FAXD_PATH}, log, {env[0], "FAXD_CONFIG=" + config.string()});
    ASSERT_TRUE(test::wait_for_text(log, "control protocol on", std::chrono::seconds(30)))
        << test::read_text(log);
    std::string out;
    EXPECT_EQ(test::run({FAXCTL_PATH, "ports"}, out, tmp.path(), env), 4) << out;
    ASSERT_EQ(test::run({FAXCTL_PATH, "ports", "--config", config.string()}, out, tmp.path(), env),
              0)
        << out;
    EXPECT_NE(out.find("Front desk"), std::string::npos) << out;
    ASSERT_EQ(test::run({FAXCTL_PATH, "ports"}, out, tmp.path(),
                        {env[0], "FAXD_CONFIG=" + config.string()}),
              0)
        << out;
    EXPECT_NE(out.find("Front desk"), std::string::npos) << out;
    faxd.signal(SIGTERM);
    EXPECT_EQ(faxd.wait(), 0) << test::read_text(log);
}

}  // namespace
}  // namespace faxemu
