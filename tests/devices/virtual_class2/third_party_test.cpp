// Third-party proof: real Class 2 / 2.0 hosts (mgetty's sendfax, efax) drive the
// virtual Class 2 modem through the faxmodem tool (real pseudo-terminals, line
// time paced to wall time), sending into and receiving from a simulated port.
// Every page is compared pixel for pixel.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/image_compare.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::fixture;
using test::Process;
using test::TempDir;
using test::wait_for_text;

const fs::path kFaxmodem = FAXMODEM_PATH;

bool have(const std::string& program) {
    for (const char* dir : {"/usr/bin", "/usr/sbin", "/bin", "/sbin"})
        if (::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
    return false;
}

std::string run_or_fail(const std::vector<std::string>& argv, const fs::path& scratch) {
    std::string out;
    const int rc = test::run(argv, out, scratch);
    EXPECT_EQ(rc, 0) << argv[0] << ": " << out;
    return out;
}

// One faxmodem process: modem 100 on a pty, simulated port 200.
class Faxmodem {
  public:
    Faxmodem(const fs::path& dir, const std::string& modem_options, const std::string& sim_options,
             double speed)
        : dir_(dir), log_(dir / "faxmodem.log"), link_(dir / "ttyC2"), rx_(dir / "rx") {
        fs::create_directories(rx_);
        process_ = std::make_unique<Process>(
            std::vector<std::string>{kFaxmodem.string(), "-m",
                                     link_.string() + "=100," + modem_options, "-s",
                                     "200,rx=" + rx_.string() + sim_options, "--speed",
                                     std::to_string(speed), "--log-level", "debug"},
            log_);
        ready_ = wait_for_text(log_, "ready: simulated", 10s);
    }
    bool ready() const { return ready_; }
    // The pty slave itself (/dev/pts/N): hosts want a device under /dev.
    std::string device() const { return fs::canonical(link_).string(); }
    const fs::path& log() const { return log_; }
    const fs::path& rx() const { return rx_; }
    void signal(int sig) { process_->signal(sig); }
    std::string text() const { return test::read_text(log_); }
    // In the sanitizer build faxmodem reports there what it finds.
    bool sanitizer_clean() const {
        const std::string t = text();
        return t.find("runtime error:") == std::string::npos &&
               t.find("AddressSanitizer") == std::string::npos;
    }

  private:
    fs::path dir_, log_, link_, rx_;
    std::unique_ptr<Process> process_;
    bool ready_ = false;
};

// Pages of a fixture as PBM (for efax and pbm2g3), one file per page.
std::vector<fs::path> pbm_pages(const fs::path& tiff, const fs::path& dir) {
    const fs::path prefix = dir / "split-";
    run_or_fail({"/usr/bin/tiffsplit", tiff.string(), prefix.string()}, dir);
    std::vector<fs::path> tiffs;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().rfind("split-", 0) == 0) tiffs.push_back(e.path());
    std::sort(tiffs.begin(), tiffs.end());
    std::vector<fs::path> pbms;
    for (const auto& t : tiffs) {
        const fs::path pbm = fs::path(t).replace_extension(".pbm");
        std::string out;
        Process p({"/bin/sh", "-c",
                   "exec /usr/bin/tifftopnm '" + t.string() + "' > '" + pbm.string() + "'"},
                  dir / "tifftopnm.log");
        EXPECT_EQ(p.wait(), 0);
        pbms.push_back(pbm);
    }
    return pbms;
}

// What efax puts on the line for a page: 20 white rows on top (its header space;
// the header text itself is off with -h "") and then the page.
fs::path with_efax_header_space(const fs::path& source, const fs::path& out) {
    std::vector<BilevelPage> pages;
    for (BilevelPage& p : read_bilevel_pages(source)) {
        BilevelPage q = BilevelPage::blank(p.width, p.height + 20, p.x_dpi, p.y_dpi);
        std::copy(p.bits.begin(), p.bits.end(),
                  q.bits.begin() + 20 * static_cast<std::ptrdiff_t>(q.stride()));
        pages.push_back(std::move(q));
    }
    write_bilevel_pages(out, pages, 1);
    return out;
}

// Single-page TIFFs (efax writes one per page) joined into one file.
fs::path join_pages(const std::vector<fs::path>& files, const fs::path& out) {
    std::vector<BilevelPage> pages;
    for (const auto& f : files)
        for (BilevelPage& p : read_bilevel_pages(f)) pages.push_back(std::move(p));
    write_bilevel_pages(out, pages, 1);
    return out;
}

#define REQUIRE_TOOLS(...)                                                               \
    do {                                                                                 \
        if (!fs::exists(kFaxmodem)) GTEST_SKIP() << "faxmodem not built: " << kFaxmodem; \
        for (const char* t : {__VA_ARGS__})                                              \
            if (!have(t)) GTEST_SKIP() << t << " is not installed";                      \
    } while (0)

struct SendfaxCase {
    const char* cls;     // faxmodem class
    const char* option;  // sendfax -C
    const char* file;
};

void PrintTo(const SendfaxCase& c, std::ostream* os) {
    *os << "class " << c.cls << " sendfax -C " << c.option << " " << c.file;
}

class SendfaxInto : public ::testing::TestWithParam<SendfaxCase> {};

TEST_P(SendfaxInto, SimulatedPortGetsPixelIdenticalPages) {
    REQUIRE_TOOLS("sendfax", "pbm2g3", "tifftopnm", "tiffsplit");
    const SendfaxCase& c = GetParam();
    TempDir tmp;
    const auto started = std::chrono::steady_clock::now();
    const fs::path source = fixture(std::string("documents/") + c.file);
    std::vector<std::string> g3s;
    for (const fs::path& pbm : pbm_pages(source, tmp.path())) {
        const fs::path g3 = fs::path(pbm).replace_extension(".g3");
        Process p({"/bin/sh", "-c",
                   "exec /usr/bin/pbm2g3 '" + pbm.string() + "' > '" + g3.string() + "'"},
                  tmp.path() / "pbm2g3.log");
        ASSERT_EQ(p.wait(), 0);
        g3s.push_back(g3.string());
    }
    Faxmodem fm(tmp.path(), std::string("class=") + c.cls, "", 8);
    ASSERT_TRUE(fm.ready()) << fm.text();
    // -S: the modem is on stdin (no locking, no init string): the pty slave, read-write.
    std::string cmd = "exec /usr/sbin/sendfax -v -S -C " + std::string(c.option) + " 200";
    for (const auto& g : g3s) cmd += " '" + g + "'";
    cmd += " 0<>" + fm.device();
    std::string out;
    const int rc = test::run({"/bin/sh", "-c", cmd}, out, tmp.path());
    EXPECT_EQ(rc, 0) << out << "\n" << fm.text();
    ASSERT_TRUE(wait_for_text(fm.log(), "sim 200: received", 20s)) << fm.text();
    const ImageComparison cmp = compare_fax_images(source, fm.rx() / "fax-1.tif");
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    RecordProperty("wall_seconds", std::to_string(wall));
    std::cout << "[ wall     ] " << wall << " s\n";
    EXPECT_TRUE(fm.sanitizer_clean()) << fm.text();
}

INSTANTIATE_TEST_SUITE_P(Mgetty, SendfaxInto,
                         ::testing::Values(SendfaxCase{"2", "cls2", "letter-fine-mh.tif"},
                                           SendfaxCase{"2.0", "c2.0", "short-fine-mmr.tif"},
                                           SendfaxCase{"all", "c2.0", "letter-fine-mr.tif"}));

struct EfaxSendCase {
    const char* cls;
    const char* option;  // efax -o
    double speed;
    const char* file;
};

void PrintTo(const EfaxSendCase& c, std::ostream* os) {
    *os << "class " << c.cls << " efax -o" << c.option << " " << c.file;
}

class EfaxSendsInto : public ::testing::TestWithParam<EfaxSendCase> {};

TEST_P(EfaxSendsInto, SimulatedPortGetsThePagesBelowEfaxHeaderSpace) {
    REQUIRE_TOOLS("efax", "tifftopnm", "tiffsplit");
    const EfaxSendCase& c = GetParam();
    TempDir tmp;
    const auto started = std::chrono::steady_clock::now();
    const fs::path source = fixture(std::string("documents/") + c.file);
    const auto pbms = pbm_pages(source, tmp.path());
    // efax times each page in whole seconds and divides by it: the page must
    // take at least a second of wall time (speed <= 2.5 for a short page).
    Faxmodem fm(tmp.path(), std::string("class=") + c.cls, "", c.speed);
    ASSERT_TRUE(fm.ready()) << fm.text();
    std::vector<std::string> argv = {"/usr/bin/efax",
                                     "-d",
                                     fm.device(),
                                     std::string("-o") + c.option,
                                     "-h",
                                     "",
                                     "-l",
                                     "+1 555 0100",
                                     "-v",
                                     "ewin",
                                     "-t",
                                     "200"};
    for (const auto& p : pbms) argv.push_back(p.string());
    std::string out;
    const int rc = test::run(argv, out, tmp.path());
    EXPECT_EQ(rc, 0) << out << "\n" << fm.text();
    ASSERT_TRUE(wait_for_text(fm.log(), "sim 200: received", 20s)) << fm.text();
    const fs::path expected = with_efax_header_space(source, tmp.path() / "expected.tif");
    const ImageComparison cmp = compare_fax_images(expected, fm.rx() / "fax-1.tif");
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "[ wall     ] " << wall << " s\n";
    EXPECT_TRUE(fm.sanitizer_clean()) << fm.text();
}

INSTANTIATE_TEST_SUITE_P(Efax, EfaxSendsInto,
                         ::testing::Values(EfaxSendCase{"2", "2", 2.5, "short-fine-mmr.tif"},
                                           EfaxSendCase{"2.0", "0", 4, "short-fine-mmr.tif"}));

struct EfaxReceiveCase {
    const char* modem;   // faxmodem modem options
    const char* option;  // efax -o
    const char* file;
};

void PrintTo(const EfaxReceiveCase& c, std::ostream* os) {
    *os << c.modem << " efax -o" << c.option << " " << c.file;
}

class EfaxReceivesFrom : public ::testing::TestWithParam<EfaxReceiveCase> {};

TEST_P(EfaxReceivesFrom, SimulatedPortPixelIdentical) {
    REQUIRE_TOOLS("efax");
    const EfaxReceiveCase& c = GetParam();
    TempDir tmp;
    const auto started = std::chrono::steady_clock::now();
    const fs::path source = fixture(std::string("documents/") + c.file);
    Faxmodem fm(tmp.path(), c.modem, ",send=" + source.string() + ",to=100", 8);
    ASSERT_TRUE(fm.ready()) << fm.text();
    const fs::path efax_log = tmp.path() / "efax.log";
    fs::create_directories(tmp.path() / "efax");
    // -w with auto-answer (S0=1): efax waits for the modem to answer by itself.
    Process efax({"/usr/bin/efax", "-d", fm.device(), std::string("-o") + c.option, "-w", "-iS0=1",
                  "-l", "+1 555 0100", "-v", "ewinr", "-r", (tmp.path() / "efax" / "fax").string()},
                 efax_log);
    ASSERT_TRUE(wait_for_text(efax_log, "waiting for activity", 10s)) << test::read_text(efax_log);
    fm.signal(SIGUSR1);  // the simulated port dials 100 now
    EXPECT_EQ(efax.wait(), 0) << test::read_text(efax_log) << "\n" << fm.text();
    std::vector<fs::path> pages;
    for (const auto& e : fs::directory_iterator(tmp.path() / "efax")) pages.push_back(e.path());
    std::sort(pages.begin(), pages.end());
    ASSERT_FALSE(pages.empty()) << test::read_text(efax_log);
    EXPECT_EQ(test::read_text(efax_log).find("reception errors"), std::string::npos)
        << test::read_text(efax_log);
    const ImageComparison cmp =
        compare_fax_images(source, join_pages(pages, tmp.path() / "joined.tif"));
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "[ wall     ] " << wall << " s\n";
    EXPECT_TRUE(fm.sanitizer_clean()) << fm.text();
}

INSTANTIATE_TEST_SUITE_P(
    Efax, EfaxReceivesFrom,
    ::testing::Values(
        // efax reverses Class 2 data by default, as Rockwell Class 2 modems need.
        EfaxReceiveCase{"class=2,reversed_rx_bits", "2", "letter-std-mh.tif"},
        EfaxReceiveCase{"class=2.0", "0", "short-fine-mmr.tif"},
        EfaxReceiveCase{"class=all", "0", "mixed-res.tif"}));

}  // namespace
}  // namespace faxemu
