// Proof with a third party: efax (a real Class 1 host program) drives faxmodem's
// virtual modem on a pty, sending to and receiving from a simulated fax port on the
// same exchange. What arrives is compared pixel for pixel with what was sent.
#include <gtest/gtest.h>
#include <tiffio.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/image_compare.hpp"
#include "tests/support/efax.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

using test::kEfax;
constexpr const char* kSpeed = "8";  // efax breaks above 16x (it divides by whole seconds)

class EfaxInterop : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!fs::exists(kEfax)) GTEST_SKIP() << "efax is not installed (Debian package efax)";
        link_ = dir_.path() / "ttyFAX0";
        faxmodem_log_ = dir_.path() / "faxmodem.log";
        efax_log_ = dir_.path() / "efax.log";
    }

    void start_faxmodem(const std::string& simulated, const std::string& modem_options = "") {
        faxmodem_ = std::make_unique<test::Process>(
            std::vector<std::string>{FAXMODEM_PATH, "--modem",
                                     link_.string() + "=5550001" + modem_options, "--simulated",
                                     simulated, "--speed", kSpeed},
            faxmodem_log_);
        ASSERT_TRUE(test::wait_for_text(faxmodem_log_, "ready: simulated", 10s))
            << test::read_text(faxmodem_log_);
        ASSERT_TRUE(fs::is_symlink(link_));
    }

    // Runs efax to its end; its exit status.
    int run_efax(const std::vector<std::string>& args) {
        std::vector<std::string> argv{kEfax, "-d", link_.string(), "-o1", "-v", "ewinchr"};
        argv.insert(argv.end(), args.begin(), args.end());
        test::Process efax(argv, efax_log_);
        EXPECT_TRUE(test::wait_for_text(efax_log_, "done, returning", 40s))
            << test::read_text(efax_log_) << test::read_text(faxmodem_log_);
        return efax.wait();
    }

    std::string logs() const {
        return "--- efax ---\n" + test::read_text(efax_log_) + "--- faxmodem ---\n" +
               test::read_text(faxmodem_log_);
    }

    test::TempDir dir_;
    fs::path link_, faxmodem_log_, efax_log_;
    std::unique_ptr<test::Process> faxmodem_;
};

TEST_F(EfaxInterop, EfaxSendsThroughTheVirtualModemToASimulatedPort) {
    const fs::path inbox = dir_.path() / "inbox";
    start_faxmodem("5551001,rx=" + inbox.string());
    const fs::path doc = test::fixture("documents/letter-fine-mh.tif");
    const auto pages = test::efax_pages(doc, dir_.path());
    ASSERT_GE(pages.size(), 2u);
    const std::vector<std::string> sent(pages.begin(), pages.begin() + 2);  // 2 pages: ~10 s

    const auto start = std::chrono::steady_clock::now();
    // -h "": no header text; efax still keeps its (blank) header band, see below.
    std::vector<std::string> args{"-h", "", "-l", "555 0001", "-t", "5551001"};
    args.insert(args.end(), sent.begin(), sent.end());
    ASSERT_EQ(run_efax(args), 0) << logs();
    const fs::path rx = inbox / "fax-1.tif";
    ASSERT_TRUE(test::wait_for_text(faxmodem_log_, "received " + rx.string(), 10s)) << logs();
    const auto wall = std::chrono::steady_clock::now() - start;
    std::printf("efax sent %zu pages at %sx in %.1f s wall\n", sent.size(), kSpeed,
                std::chrono::duration<double>(wall).count());

    // efax reserves a header band on top of each page: with -h "" it is blank, 20 rows
    // at fine resolution. The received page holds the sent one below it, pixel for pixel.
    const auto got = read_bilevel_pages(rx);
    ASSERT_EQ(got.size(), sent.size()) << logs();
    const auto want = read_bilevel_pages(doc);
    for (std::size_t i = 0; i < sent.size(); ++i) {
        SCOPED_TRACE("page " + std::to_string(i + 1));
        const auto offset = test::expect_sent_by_efax(want.at(i), got[i]);
        ASSERT_TRUE(offset.has_value()) << logs();
        EXPECT_EQ(*offset, 20u) << "efax's blank header band";
    }
}

TEST_F(EfaxInterop, EfaxReceivesFromASimulatedPortThroughTheVirtualModem) {
    const fs::path doc = test::fixture("documents/letter-std-mh.tif");
    start_faxmodem("5551002,send=" + doc.string() + ",to=5550001");
    const fs::path prefix = dir_.path() / "rx" / "fax";
    fs::create_directories(prefix.parent_path());

    const auto start = std::chrono::steady_clock::now();
    // efax answers at once (ATA); the virtual modem waits off hook for the call,
    // which the simulated port places once efax is waiting (SIGUSR1).
    std::vector<std::string> argv{kEfax, "-d",      link_.string(), "-o1",
                                  "-v",  "ewinchr", "-r",           prefix.string()};
    test::Process efax(argv, efax_log_);
    ASSERT_TRUE(test::wait_for_text(faxmodem_log_, "off hook, waiting for a call", 10s)) << logs();
    faxmodem_->signal(SIGUSR1);
    ASSERT_TRUE(test::wait_for_text(efax_log_, "done, returning", 40s)) << logs();
    EXPECT_EQ(efax.wait(), 0) << logs();
    const auto wall = std::chrono::steady_clock::now() - start;

    // efax writes a TIFF-F per page: join them and compare with the document.
    const std::vector<BilevelPage> got = test::efax_received(prefix);
    ASSERT_FALSE(got.empty()) << logs();
    std::printf("efax received %zu pages at %sx in %.1f s wall\n", got.size(), kSpeed,
                std::chrono::duration<double>(wall).count());
    const fs::path joined = dir_.path() / "received.tif";
    write_bilevel_pages(joined, got, COMPRESSION_CCITTFAX4);
    const ImageComparison cmp = compare_fax_images(doc, joined);
    EXPECT_TRUE(cmp.equal) << cmp.detail << "\n" << logs();
}

TEST_F(EfaxInterop, EfaxReportsBusyFromABusyModem) {
    start_faxmodem("5551001,rx=" + (dir_.path() / "inbox").string(), ",busy");
    const auto pages = test::efax_pages(test::fixture("documents/short-std-mmr.tif"), dir_.path());
    EXPECT_EQ(run_efax({"-t", "5551001", pages.at(0)}), 1) << logs();  // 1: number busy
    EXPECT_NE(test::read_text(efax_log_).find("number busy"), std::string::npos) << logs();
}

TEST_F(EfaxInterop, LineDropDuringTheSecondPageFailsTheCall) {
    const fs::path inbox = dir_.path() / "inbox";
    start_faxmodem("5551001,rx=" + inbox.string(), ",drop_after_pages=1");
    // Fine pages: at 8x a short page can take under a second of wall time, and efax
    // divides by whole seconds (SIGFPE).
    const auto pages = test::efax_pages(test::fixture("documents/letter-fine-mh.tif"), dir_.path());
    std::vector<std::string> args{"-h", "", "-t", "5551001", pages.at(0), pages.at(1)};
    EXPECT_NE(run_efax(args), 0) << logs();
    ASSERT_TRUE(test::wait_for_text(faxmodem_log_, "sim 5551001: call ended", 10s)) << logs();
    const std::string log = test::read_text(faxmodem_log_);
    EXPECT_NE(log.find("line drops during page 2"), std::string::npos) << logs();
    EXPECT_NE(log.find("sim 5551001: page 1 done"), std::string::npos) << logs();
    EXPECT_EQ(log.find("sim 5551001: page 2 done"), std::string::npos) << logs();
}

}  // namespace
}  // namespace faxemu
