// faxd on a virtual modem with HylaFAX (Debian's, unpacked privately:
// tests/support/hylafax_peer.hpp) on another, both ways, compared pixel for pixel.
// Cases are named by HylaFAX's modem class and the direction: ...ToFaxd, HylaFAX
// sends to faxd; ...ToHylafax, faxd sends to HylaFAX.
// CI runs one page per case at 4x; FAXEMU_HYLAFAX_MATRIX=1 (tools/run interop)
// adds the long cases: three pages, mixed resolution, non-ECM at real time, 8x.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <sstream>

#include "tests/support/hylafax_peer.hpp"
#include "tests/support/t4_page_data.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/modem_interop.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using json = nlohmann::json;
using test::kFaxdNumber;

enum class Way { HylafaxToFaxd, FaxdToHylafax };
enum class Doc { OnePage, ThreePages, MixedResolution };

struct Case {
    const char* name;
    std::string hylafax_class;  // HylaFAX's modem: "1", "2" or "2.0"
    bool ecm;
    Way way;
    Doc doc;
    const char* speed;
    bool in_ci;  // else only with FAXEMU_HYLAFAX_MATRIX=1
    // HylaFAX's fault (issue 12, item 4): without ECM, faxsend 6.0.7 drops the last
    // row of each page it sends (fixtures/t4/, tests/devices/class1/
    // hylafax_page_data_test.cpp). The case records what HylaFAX puts on the line
    // and wants faxd's pages pixel-equal to that, each page's rows those its RTC
    // implies; it fails once HylaFAX sends whole pages, so that it becomes an
    // ordinary case.
    bool hylafax_drops_last_row = false;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

bool matrix_enabled() {
    const char* v = std::getenv("FAXEMU_HYLAFAX_MATRIX");
    return v && std::string(v) == "1";
}

// faxmodem's keys for HylaFAX's modem by class: the stock Class 2 prototype sends
// its data bit-reversed at +FBOR=0 (issue 12, item 5). A Class 1 modem writes what
// HylaFAX sends after each +FTM's CONNECT to `capture`-N.bin when `capture` is set.
std::string far_modem_class(const std::string& c, const std::string& capture) {
    std::string keys = c == "2" ? "2,reversed_rx_bits" : c;
    if (!capture.empty() && c == "1") keys += ",capture_tx_data=" + capture;
    return keys;
}

class HylafaxInterop : public test::ModemInterop, public ::testing::WithParamInterface<Case> {
  protected:
    void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
        if (!matrix_enabled())
            GTEST_SKIP() << "HylaFAX interop runs in the release preset (CI time); "
                            "FAXEMU_HYLAFAX_MATRIX=1 runs it here too";
#endif
        if (!GetParam().in_ci && !matrix_enabled())
            GTEST_SKIP() << "a long case: FAXEMU_HYLAFAX_MATRIX=1 (tools/run interop) runs it";
        std::string why;
        const auto root = test::hylafax_root(why);
        if (!root) GTEST_SKIP() << why;
        root_ = *root;
        name_files();
    }
    void TearDown() override {
        if (hylafax_) hylafax_->stop();
        test::ModemInterop::TearDown();
    }

    std::string logs() const override {
        return test::ModemInterop::logs() + (hylafax_ ? hylafax_->logs() : "");
    }

    // The case's document, written into the test's folder.
    fs::path document() {
        const Case& c = GetParam();
        if (c.doc == Doc::MixedResolution) return test::fixture("documents/mixed-res.tif");
        const auto pages = read_bilevel_pages(test::fixture("documents/letter-fine-mh.tif"));
        const fs::path doc = dir_.path() / "document.tif";
        write_bilevel_pages(doc, c.doc == Doc::OnePage ? std::vector<BilevelPage>{pages[0]} : pages,
                            COMPRESSION_CCITTFAX3);
        return doc;
    }

    void start_all() {
        const Case& c = GetParam();
        // FAXEMU_CAPTURE_TX_DATA=PREFIX captures in any Class 1 case: how
        // fixtures/t4/hylafax-class1-mr-page.bin was made.
        if (const char* prefix = std::getenv("FAXEMU_CAPTURE_TX_DATA"))
            capture_ = prefix;
        else if (c.hylafax_drops_last_row)
            capture_ = (dir_.path() / "ftm").string();
        start_faxmodem(far_modem_class(c.hylafax_class, capture_), "1", c.speed);
        start_faxd("1");
        test::HylafaxPeer::Options o;
        o.modem_class = c.hylafax_class;
        o.ecm = c.ecm;
        hylafax_ =
            std::make_unique<test::HylafaxPeer>(root_, dir_.path() / "hylafax", far_link_, o);
        const auto start = std::chrono::steady_clock::now();
        ASSERT_TRUE(hylafax_->start()) << logs();
        std::printf("HylaFAX ready in %.1f s\n", seconds_since(start));
    }

    static double seconds_since(std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }

    // HylaFAX's sendfax to faxd; faxd's received fax, written to a file. HylaFAX
    // re-renders a mixed-resolution document: `want` becomes what it sent.
    fs::path hylafax_sends(const fs::path& doc, fs::path& want) {
        const auto start = std::chrono::steady_clock::now();
        std::string out;
        const auto job = hylafax_->submit(kFaxdNumber, doc, out);
        EXPECT_TRUE(job) << out << logs();
        if (!job) return {};
        const bool rendered = GetParam().doc == Doc::MixedResolution;
        const fs::path sent = dir_.path() / "sent";
        const auto done =
            hylafax_->wait_done(*job, 400s, rendered ? std::optional(sent) : std::nullopt);
        EXPECT_TRUE(done) << logs();
        if (!done) return {};
        EXPECT_EQ(done->at("state"), "7") << done->at("status") << logs();
        const auto got = received_fax();
        std::printf("HylaFAX sent %s pages (%s, %s) to faxd in %.1f s wall at %sx\n",
                    done->at("npages").c_str(), done->at("signalrate").c_str(),
                    done->at("dataformat").c_str(), seconds_since(start), speed_.c_str());
        // How HylaFAX ended each page (MPS: more pages, same training), for the record.
        std::istringstream log(hylafax_->session_logs());
        for (std::string line; std::getline(log, line);)
            if (line.find("MPS") != std::string::npos || line.find("EOM") != std::string::npos ||
                line.find("EOP") != std::string::npos)
                std::printf("  HylaFAX: %s\n", line.c_str());
        if (rendered) {
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(sent)) files.push_back(e.path());
            EXPECT_EQ(files.size(), 1u) << "documents HylaFAX prepared";
            if (!files.empty()) want = files[0];
        }
        const fs::path file = dir_.path() / "received.tif";
        if (!got.empty()) write_bilevel_pages(file, got, COMPRESSION_CCITTFAX4);
        return file;
    }

    // faxd sends to HylaFAX; HylaFAX's received fax.
    fs::path faxd_sends(const fs::path& doc) {
        const auto start = std::chrono::steady_clock::now();
        const json job = faxd_sends_to_far_end(doc, 400s);
        if (job.is_null()) return {};
        const auto files = hylafax_->wait_received(60s);
        std::printf("faxd sent %s to HylaFAX in %.1f s wall at %sx\n",
                    job.value("pages_sent", json()).dump().c_str(), seconds_since(start),
                    speed_.c_str());
        EXPECT_FALSE(files.empty()) << logs();
        // HylaFAX writes a file per document (each EOM, e.g. where the resolution
        // changes): their pages in order are the fax.
        std::vector<BilevelPage> pages;
        for (const fs::path& f : files)
            for (BilevelPage& p : read_bilevel_pages(f)) pages.push_back(std::move(p));
        const fs::path joined = dir_.path() / "hylafax-received.tif";
        if (!pages.empty()) write_bilevel_pages(joined, pages, COMPRESSION_CCITTFAX4);
        return pages.empty() ? fs::path() : joined;
    }

    // The pages HylaFAX put on the line, decoded from the +FTM data captured on its
    // modem (the blocks that end with RTC; the TCF has none), each checked against
    // the rows its own EOLs and RTC imply.
    std::vector<BilevelPage> pages_on_the_line(const BilevelPage& like) {
        std::vector<BilevelPage> pages;
        for (int n = 1;; ++n) {
            const fs::path block = capture_ + "-" + std::to_string(n) + ".bin";
            if (!fs::exists(block)) break;
            const auto data = test::read_bytes(block);
            // HylaFAX sends MR without ECM (its log: "2-D MR").
            const auto implied = test::t4_rows_before_rtc(data, true);
            if (!implied.rtc) continue;
            auto decoded = test::decode_t4_page(data, true, static_cast<int>(like.width),
                                                dir_.path() / "decode-scratch.tif");
            EXPECT_TRUE(decoded.ended) << block;
            EXPECT_EQ(decoded.bad_rows, 0) << block;
            EXPECT_EQ(static_cast<int>(decoded.page.height), implied.rows)
                << block << ": spandsp's rows against the rows HylaFAX's RTC implies";
            decoded.page.x_dpi = like.x_dpi;
            decoded.page.y_dpi = like.y_dpi;
            pages.push_back(std::move(decoded.page));
        }
        return pages;
    }

    fs::path root_;
    std::unique_ptr<test::HylafaxPeer> hylafax_;
    std::string capture_;  // prefix of HylaFAX's captured +FTM data, or empty
};

TEST_P(HylafaxInterop, PixelEqual) {
    const auto start = std::chrono::steady_clock::now();
    const fs::path doc = document();
    start_all();
    if (HasFatalFailure()) return;
    fs::path want = doc;
    const fs::path got =
        GetParam().way == Way::HylafaxToFaxd ? hylafax_sends(doc, want) : faxd_sends(doc);
    ASSERT_FALSE(got.empty());
    // What faxd sends carries its page header (Branding is on by default):
    // equal below the band, which must hold ink.
    const ImageComparison cmp = GetParam().way == Way::HylafaxToFaxd
                                    ? compare_fax_images(want, got)
                                    : compare_fax_images_below_band(want, got, kPageHeaderBandMm);
    if (GetParam().hylafax_drops_last_row) {
        // faxd must hold every row HylaFAX sent: pixel-equal to the line's pages.
        const auto doc = read_bilevel_pages(want);
        ASSERT_FALSE(doc.empty());
        const auto line = pages_on_the_line(doc[0]);
        ASSERT_EQ(line.size(), doc.size()) << "pages HylaFAX sent";
        const fs::path on_line = dir_.path() / "hylafax-sent.tif";
        write_bilevel_pages(on_line, line, COMPRESSION_CCITTFAX4);
        const ImageComparison got_line = compare_fax_images(on_line, got);
        EXPECT_TRUE(got_line.equal)
            << "faxd against what HylaFAX sent: " << got_line.detail << logs();
        // HylaFAX's own fault, for the record: each page is the document's less
        // its last row.
        for (std::size_t i = 0; i < doc.size(); ++i) {
            BilevelPage cut = doc[i];
            cut.height -= 1;
            cut.bits.resize(cut.height * cut.stride());
            EXPECT_TRUE(line[i].height == cut.height && line[i].bits == cut.bits)
                << "page " << i + 1 << ": HylaFAX sent " << line[i].height << " of "
                << doc[i].height
                << " rows, not the document less its last row; if it sent the "
                   "whole page, make "
                << GetParam().name << " an ordinary pixel-equal case";
        }
        EXPECT_FALSE(cmp.equal) << "faxd's page equals the document: HylaFAX sent the whole page";
        std::printf("HylaFAX sent %zu page(s) less their last rows; faxd got them all: %s\n",
                    line.size(), got_line.detail.c_str());
    } else {
        EXPECT_TRUE(cmp.equal) << cmp.detail << logs();
    }
    std::printf("case %s: %s, %.1f s in all\n", GetParam().name, cmp.detail.c_str(),
                seconds_since(start));
}

const Case kCases[] = {
    // CI: one page each way per class, ECM (Class 1) at 4x.
    {"Class1EcmToFaxd", "1", true, Way::HylafaxToFaxd, Doc::OnePage, "4", true},
    {"Class1EcmToHylafax", "1", true, Way::FaxdToHylafax, Doc::OnePage, "4", true},
    {"Class2ToFaxd", "2", true, Way::HylafaxToFaxd, Doc::OnePage, "4", true},
    {"Class2ToHylafax", "2", true, Way::FaxdToHylafax, Doc::OnePage, "4", true},
    {"Class20ToFaxd", "2.0", true, Way::HylafaxToFaxd, Doc::OnePage, "4", true},
    {"Class20ToHylafax", "2.0", true, Way::FaxdToHylafax, Doc::OnePage, "4", true},
    {"Class1NoEcmToHylafax", "1", false, Way::FaxdToHylafax, Doc::OnePage, "4", true},
    {"Class1NoEcmToFaxd", "1", false, Way::HylafaxToFaxd, Doc::OnePage, "4", true, true},
    // The matrix (tools/run interop).
    {"Class1Ecm3PagesToFaxd", "1", true, Way::HylafaxToFaxd, Doc::ThreePages, "4", false},
    {"Class1Ecm3PagesToHylafax", "1", true, Way::FaxdToHylafax, Doc::ThreePages, "4", false},
    {"Class1Ecm3PagesToFaxd8x", "1", true, Way::HylafaxToFaxd, Doc::ThreePages, "8", false},
    {"Class1Ecm3PagesToHylafax8x", "1", true, Way::FaxdToHylafax, Doc::ThreePages, "8", false},
    {"Class1NoEcm3PagesToFaxd", "1", false, Way::HylafaxToFaxd, Doc::ThreePages, "1", false, true},
    {"Class1NoEcm3PagesToHylafax", "1", false, Way::FaxdToHylafax, Doc::ThreePages, "1", false},
    {"Class2_3PagesToFaxd", "2", true, Way::HylafaxToFaxd, Doc::ThreePages, "4", false},
    {"Class2_3PagesToHylafax", "2", true, Way::FaxdToHylafax, Doc::ThreePages, "4", false},
    {"Class20_3PagesToFaxd", "2.0", true, Way::HylafaxToFaxd, Doc::ThreePages, "4", false},
    {"Class20_3PagesToHylafax", "2.0", true, Way::FaxdToHylafax, Doc::ThreePages, "4", false},
    {"Class1EcmMixedResToHylafax", "1", true, Way::FaxdToHylafax, Doc::MixedResolution, "4", false},
    {"Class1EcmMixedResToFaxd", "1", true, Way::HylafaxToFaxd, Doc::MixedResolution, "4", false},
};

INSTANTIATE_TEST_SUITE_P(Cases, HylafaxInterop, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace faxemu
