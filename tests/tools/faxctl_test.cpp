// faxd on its embedded default (two simulated ports) driven by the real faxctl:
// send --wait delivers the user's TIFF to the other port, received --fetch
// brings it back, and it matches pixel for pixel below the page header that
// Branding (on by default) stamps into each page's top band.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"
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
    EXPECT_EQ(out.find("converting"), std::string::npos) << out;  // send waited for that
    EXPECT_NE(out.find("Completed"), std::string::npos) << out;

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

TEST_F(Faxctl, EveryCommandAnswers) {
    std::string out;
    ASSERT_EQ(faxctl({"ports"}, out), 0) << out;
    EXPECT_NE(out.find("Simulated port 2"), std::string::npos) << out;
    ASSERT_EQ(faxctl({"port", "set", "1", "--rings", "3", "--csid", "FRONT DESK"}, out), 0) << out;
    ASSERT_EQ(faxctl({"--json", "ports"}, out), 0) << out;
    EXPECT_EQ(json::parse(out)[0]["rings"], 3);
    EXPECT_EQ(faxctl({"port", "set", "1", "--rings", "100"}, out), 1);
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
    EXPECT_NE(out.find("Paused"), std::string::npos) << out;
    ASSERT_EQ(faxctl({"job", "resume", id}, out), 0) << out;
    ASSERT_EQ(faxctl({"job", "cancel", id}, out), 0) << out;
    ASSERT_EQ(faxctl({"--json", "jobs", "--all"}, out), 0) << out;
    EXPECT_EQ(json::parse(out)[0]["state"], "cancelled");
    EXPECT_EQ(faxctl({"job", "show", "999"}, out), 1);
    EXPECT_NE(out.find("no job 999"), std::string::npos) << out;
}

}  // namespace
}  // namespace faxemu
