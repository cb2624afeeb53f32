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
#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kEfax = "/usr/bin/efax";
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

// efax's input: one raw PBM (P4) per page, which it sends at 204x196 (fine).
std::vector<std::string> split_pages(const fs::path& doc, const fs::path& dir) {
    std::vector<std::string> files;
    int n = 0;
    for (auto& page : read_bilevel_pages(doc)) {
        char name[32];
        std::snprintf(name, sizeof name, "page%d.pbm", ++n);
        std::ofstream out(dir / name, std::ios::binary);
        out << "P4\n" << page.width << " " << page.height << "\n";
        out.write(reinterpret_cast<const char*>(page.bits.data()),
                  static_cast<std::streamsize>(page.bits.size()));
        files.push_back((dir / name).string());
    }
    return files;
}

TEST_F(EfaxInterop, EfaxSendsThroughTheVirtualModemToASimulatedPort) {
    const fs::path inbox = dir_.path() / "inbox";
    start_faxmodem("5551001,rx=" + inbox.string());
    const fs::path doc = test::fixture("documents/letter-fine-mh.tif");
    const auto pages = split_pages(doc, dir_.path());
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
    // at fine resolution. So the received page must hold the sent page pixel for pixel
    // below that band, and every row outside the sent page must be white.
    const auto got = read_bilevel_pages(rx);
    ASSERT_EQ(got.size(), sent.size()) << logs();
    for (std::size_t i = 0; i < sent.size(); ++i) {
        SCOPED_TRACE("page " + std::to_string(i + 1));
        const BilevelPage want = read_bilevel_pages(doc).at(i);
        const BilevelPage& page = got[i];
        ASSERT_EQ(page.width, want.width);
        ASSERT_GE(page.height, want.height);
        EXPECT_NEAR(page.y_dpi, want.y_dpi, 1.0);
        const std::size_t stride = want.stride();
        const auto row = [&](const BilevelPage& p, std::uint32_t r) {
            return p.bits.begin() + static_cast<long>(r * stride);
        };
        const std::uint32_t extra = page.height - want.height;
        ASSERT_LE(extra, 64u) << "efax added " << extra << " rows";
        std::optional<std::uint32_t> offset;
        for (std::uint32_t k = 0; k <= extra && !offset; ++k)
            if (std::equal(want.bits.begin(), want.bits.end(), row(page, k))) offset = k;
        ASSERT_TRUE(offset) << "the sent page is not in the received one at any row offset";
        EXPECT_EQ(*offset, 20u) << "efax's blank header band";
        for (std::uint32_t r = 0; r < page.height; ++r) {
            if (r >= *offset && r < *offset + want.height) continue;
            ASSERT_TRUE(
                std::all_of(row(page, r), row(page, r + 1), [](std::uint8_t b) { return b == 0; }))
                << "row " << r << " outside the sent page is not white";
        }
        std::printf("page %zu: sent %u rows, received %u (%u blank on top, %u below)\n", i + 1,
                    want.height, page.height, *offset, extra - *offset);
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
    std::vector<BilevelPage> got;
    for (int n = 1;; ++n) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, ".%03d", n);
        const fs::path page = prefix.string() + suffix;
        if (!fs::exists(page)) break;
        for (auto& p : read_bilevel_pages(page)) got.push_back(std::move(p));
    }
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
    const auto pages = split_pages(test::fixture("documents/short-std-mmr.tif"), dir_.path());
    EXPECT_EQ(run_efax({"-t", "5551001", pages.at(0)}), 1) << logs();  // 1: number busy
    EXPECT_NE(test::read_text(efax_log_).find("number busy"), std::string::npos) << logs();
}

TEST_F(EfaxInterop, LineDropDuringTheSecondPageFailsTheCall) {
    const fs::path inbox = dir_.path() / "inbox";
    start_faxmodem("5551001,rx=" + inbox.string(), ",drop_after_pages=1");
    // Fine pages: at 8x a short page can take under a second of wall time, and efax
    // divides by whole seconds (SIGFPE).
    const auto pages = split_pages(test::fixture("documents/letter-fine-mh.tif"), dir_.path());
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
