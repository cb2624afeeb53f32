// The virtual Class 2 / 2.0 modem against a scripted host, in-process on virtual
// time: real T.30 through spandsp to and from a simulated port on the same
// exchange, every page compared pixel for pixel.
#include <gtest/gtest.h>

#include <spandsp.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>

#include "class2_rig.hpp"
#include "core/image_compare.hpp"
#include "devices/class2_protocol/t4_stream.hpp"
#include "devices/simulated_device.hpp"
#include "devices/virtual_class2/class2_engine.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "scripted_host.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::fixture;
using test::Rig;
using test::ScriptedHost;
using test::TempDir;
using namespace std::chrono_literals;

struct SendCase {
    const char* file;
    const char* cls;  // "2" or "2.0"
    int df;           // host's data format
    int ec;
};

void PrintTo(const SendCase& c, std::ostream* os) {
    *os << c.file << " class " << c.cls << " df=" << c.df << " ec=" << c.ec;
}

class Class2Send : public ::testing::TestWithParam<SendCase> {};

// The host sends every page of `source` the Class 2 way (or 2.0); in Class 2
// `before_fet` runs between the OK to DLE ETX and +FET (a slow host).
void host_sends(Rig& rig, const std::filesystem::path& source, const std::string& cls, int df,
                int ec, const std::function<void()>& before_fet = {}) {
    ScriptedHost& h = rig.host;
    const bool c20 = cls == "2.0";
    const auto pages = read_bilevel_pages(source);
    const int vr = pages.at(0).y_dpi > 150 ? 1 : 0;
    ASSERT_EQ(h.command("E0").back(), "OK");
    ASSERT_EQ(h.command("+FCLASS=" + cls).back(), "OK");
    ASSERT_EQ(h.command(std::string(c20 ? "+FLI" : "+FLID") + "=\"+1 555 0100\"").back(), "OK");
    ASSERT_EQ(h.command(std::string(c20 ? "+FCC=" : "+FDCC=") + std::to_string(vr) + ",5,0,2," +
                        std::to_string(df) + "," + std::to_string(ec) + ",0,0")
                  .back(),
              "OK");
    auto dial = h.command("D200", 90s);
    ASSERT_EQ(dial.back(), "OK") << h.transcript();
    EXPECT_TRUE(ScriptedHost::has(dial, c20 ? "+FCO" : "+FCON"));
    EXPECT_TRUE(ScriptedHost::has(dial, c20 ? "+FIS:" : "+FDIS:"));
    for (std::size_t p = 0; p < pages.size(); ++p) {
        auto fdt = h.command("+FDT", 30s);
        ASSERT_EQ(fdt.back(), "CONNECT") << h.transcript();
        const std::string dcs = ScriptedHost::find(fdt, c20 ? "+FCS:" : "+FDCS:");
        ASSERT_FALSE(dcs.empty());
        const int session_df = dcs[8] - '0';
        if (!c20) {
            ASSERT_TRUE(h.wait_byte(0x11, 5s)) << "no XON after CONNECT";
        }
        auto data = T4PageEncoder(source, static_cast<int>(p), static_cast<int>(p))
                        .encode_next(session_df, Class2BitOrder::Direct);
        auto stuffed = ScriptedHost::stuff(data);
        const bool last = p + 1 == pages.size();
        if (c20) {
            stuffed.push_back(0x10);
            stuffed.push_back(last ? '.' : ',');
            h.write(stuffed);
            auto r = h.wait_final(120s);
            ASSERT_EQ(r.back(), "OK") << h.transcript();
            EXPECT_EQ(ScriptedHost::find(r, "+FPS:"), "1");
            if (last) {
                EXPECT_EQ(ScriptedHost::find(r, "+FHS:"), "00");
            }
        } else {
            stuffed.push_back(0x10);
            stuffed.push_back(0x03);
            h.write(stuffed);
            ASSERT_EQ(h.wait_final(60s).back(), "OK");
            if (before_fet) before_fet();
            auto r = h.command(last ? "+FET=2" : "+FET=0", 120s);
            ASSERT_EQ(r.back(), "OK") << h.transcript();
            EXPECT_EQ(ScriptedHost::find(r, "+FPTS:"), "1");
            if (last) {
                EXPECT_EQ(ScriptedHost::find(r, "+FHNG:"), "0");
            }
        }
    }
}

TEST_P(Class2Send, DeliversPixelIdentical) {
    const SendCase& c = GetParam();
    TempDir tmp;
    Rig rig;
    InboundCall in;
    in.rx_file = tmp.path() / "rx.tif";
    in.session.local_ident = "+1 555 0200";
    rig.far.listener.answer_with(in);
    const auto source = fixture(std::string("documents/") + c.file);
    host_sends(rig, source, c.cls, c.df, c.ec);
    ASSERT_TRUE(rig.exchange.run_until([&] { return rig.far.listener.outcome.has_value(); }, 30s));
    EXPECT_TRUE(rig.far.listener.ended_with().ok()) << rig.far.listener.ended_with().cause_text;
    EXPECT_EQ(rig.far.listener.session().ecm, c.ec != 0);
    EXPECT_EQ(rig.far.listener.session().compression, c.df == 0 ? "MH" : c.df == 1 ? "MR" : "MMR");
    const ImageComparison cmp = compare_fax_images(source, in.rx_file);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    if (std::getenv("FAXEMU_TRACE"))
        std::cerr << rig.host.transcript() << "\n" << cmp.detail << "\n";
    EXPECT_EQ(rig.modem.last_hangup_code(), 0);
}

INSTANTIATE_TEST_SUITE_P(Pages, Class2Send,
                         ::testing::Values(SendCase{"short-fine-mmr.tif", "2", 0, 0},
                                           SendCase{"short-std-mmr.tif", "2.0", 1, 0},
                                           SendCase{"short-fine-mmr.tif", "2.0", 3, 1},
                                           SendCase{"letter-std-mr.tif", "2", 1, 2},
                                           SendCase{"letter-fine-mh.tif", "2.0", 0, 0}));

// A Class 2 host whose +FET comes only after the page has gone out on the line
// (as sendfax on a loaded machine): T.30 must wait for it and send what the host
// says (MPS, then EOP), not guess EOM at the page's end.
TEST(Class2SendLateFet, PostPageMessageWaitsForTheHost) {
    TempDir tmp;
    std::vector<std::string> events;
    Class2Options options = test::traced();
    options.on_event = [&events, trace = options.on_event](const std::string& e) {
        events.push_back(e);
        if (trace) trace(e);
    };
    Rig rig(options);
    InboundCall in;
    in.rx_file = tmp.path() / "rx.tif";
    in.session.local_ident = "+1 555 0200";
    rig.far.listener.answer_with(in);
    const auto source = fixture("documents/letter-std-mr.tif");
    auto seen = [&](const char* text) {
        return std::any_of(events.begin(), events.end(),
                           [&](const std::string& e) { return e.find(text) != std::string::npos; });
    };
    int guesses = 0;
    host_sends(rig, source, "2", 1, 0, [&] {
        // Until the page's data has ended on the line (T.30 then wants the
        // post-page message); +FET follows at once, well inside the far end's T2.
        EXPECT_TRUE(rig.exchange.run_until([&] { return seen("before +FET"); }, 20s))
            << "the page never ended";
        guesses += seen("sending EOM");
        events.clear();
    });
    ASSERT_TRUE(rig.exchange.run_until([&] { return rig.far.listener.outcome.has_value(); }, 30s));
    EXPECT_EQ(guesses, 0) << "T.30 guessed EOM before the host's +FET";
    EXPECT_TRUE(rig.far.listener.ended_with().ok()) << rig.far.listener.ended_with().cause_text;
    EXPECT_EQ(rig.far.listener.ended_with().pages_done, 3);
    const ImageComparison cmp = compare_fax_images(source, in.rx_file);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    EXPECT_EQ(rig.modem.last_hangup_code(), 0);
}

struct ReceiveCase {
    const char* file;
    const char* cls;
    int df;  // what the host can take
    int ec;
    int bor;
};

void PrintTo(const ReceiveCase& c, std::ostream* os) {
    *os << c.file << " class " << c.cls << " df=" << c.df << " ec=" << c.ec << " bor=" << c.bor;
}

class Class2Receive : public ::testing::TestWithParam<ReceiveCase> {};

// The host answers and takes every page with +FDR; returns the pages decoded.
std::vector<BilevelPage> host_receives(Rig& rig, const std::string& cls, int df, int ec, int bor,
                                       const std::filesystem::path& scratch) {
    ScriptedHost& h = rig.host;
    const bool c20 = cls == "2.0";
    std::vector<BilevelPage> pages;
    EXPECT_EQ(h.command("E0").back(), "OK");
    EXPECT_EQ(h.command("+FCLASS=" + cls).back(), "OK");
    EXPECT_EQ(h.command(std::string(c20 ? "+FCC=" : "+FDCC=") + "1,5,0,2," + std::to_string(df) +
                        "," + std::to_string(ec) + ",0,0")
                  .back(),
              "OK");
    EXPECT_EQ(h.command(std::string(c20 ? "+FBO=" : "+FBOR=") + std::to_string(bor)).back(), "OK");
    EXPECT_EQ(h.command(std::string(c20 ? "+FLI" : "+FLID") + "=\"+1 555 0100\"").back(), "OK");
    OutboundCall call;
    call.number = "100";
    call.document = rig.far_document;
    call.session.local_ident = "+1 555 0200";
    rig.far.device.dial(call);
    auto ring = h.wait_final(30s);
    if (!ScriptedHost::has(ring, "RING")) {
        ADD_FAILURE() << "no RING: " << h.transcript();
        return pages;
    }
    auto ata = h.command("A", 60s);
    EXPECT_EQ(ata.back(), "OK") << h.transcript();
    EXPECT_TRUE(ScriptedHost::has(ata, c20 ? "+FCO" : "+FCON"));
    EXPECT_EQ(ScriptedHost::find(ata, c20 ? "+FTI:" : "+FTSI:"), "\"+1 555 0200\"");
    for (int n = 0; n < 10; ++n) {
        auto fdr = h.command("+FDR", 120s);
        if (fdr.back() == "OK") {
            EXPECT_EQ(ScriptedHost::find(fdr, c20 ? "+FHS:" : "+FHNG:"), c20 ? "00" : "0");
            return pages;
        }
        if (fdr.back() != "CONNECT") {
            ADD_FAILURE() << "+FDR: " << fdr.back() << "\n" << h.transcript();
            return pages;
        }
        const std::string dcs = ScriptedHost::find(fdr, c20 ? "+FCS:" : "+FDCS:");
        const int vr = dcs[0] - '0';
        const int session_df = dcs[8] - '0';
        h.write(std::string(1, c20 ? '\x12' : '\x11'));
        std::vector<std::uint8_t> data;
        if (!h.read_page(data, 10s)) {
            ADD_FAILURE() << "no page data";
            return pages;
        }
        auto end = h.wait_final(10s);
        EXPECT_EQ(end.back(), "OK");
        EXPECT_EQ(ScriptedHost::find(end, c20 ? "+FPS:" : "+FPTS:"), "1");
        const auto file = scratch / ("host-page-" + std::to_string(n) + ".tif");
        {
            T4PageWriter writer(file);
            writer.start_page(session_df, vr, 1728,
                              (bor & 1) ? Class2BitOrder::Reversed : Class2BitOrder::Direct);
            writer.put(data.data(), data.size());
            writer.end_page();
        }
        auto decoded = read_bilevel_pages(file);
        pages.push_back(std::move(decoded.at(0)));
    }
    ADD_FAILURE() << "too many pages";
    return pages;
}

TEST_P(Class2Receive, HostGetsPixelIdenticalPages) {
    const ReceiveCase& c = GetParam();
    TempDir tmp;
    Rig rig;
    rig.far_document = fixture(std::string("documents/") + c.file);
    auto pages = host_receives(rig, c.cls, c.df, c.ec, c.bor, tmp.path());
    ASSERT_TRUE(rig.exchange.run_until([&] { return rig.far.listener.outcome.has_value(); }, 30s));
    EXPECT_TRUE(rig.far.listener.ended_with().ok()) << rig.far.listener.ended_with().cause_text;
    EXPECT_EQ(rig.far.listener.session().ecm, c.ec != 0);
    const auto all = tmp.path() / "host.tif";
    ASSERT_FALSE(pages.empty());
    write_bilevel_pages(all, pages, 1 /* COMPRESSION_NONE */);
    const ImageComparison cmp = compare_fax_images(rig.far_document, all);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    if (std::getenv("FAXEMU_TRACE"))
        std::cerr << rig.host.transcript() << "\n" << cmp.detail << "\n";
}

INSTANTIATE_TEST_SUITE_P(Pages, Class2Receive,
                         ::testing::Values(ReceiveCase{"short-fine-mmr.tif", "2", 0, 0, 0},
                                           ReceiveCase{"short-std-mmr.tif", "2.0", 1, 0, 1},
                                           ReceiveCase{"letter-fine-mr.tif", "2.0", 3, 1, 0},
                                           ReceiveCase{"letter-std-mh.tif", "2", 1, 2, 0}));

}  // namespace
}  // namespace faxemu
