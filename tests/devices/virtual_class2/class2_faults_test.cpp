// Faults and firmware quirks of the virtual Class 2 / 2.0 modem, in-process on
// virtual time: each must give the host the result a real modem would.
#include <gtest/gtest.h>

#include <spandsp.h>

#include "class2_rig.hpp"
#include "core/image_compare.hpp"
#include "devices/class2_protocol/t4_stream.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::fixture;
using test::Rig;
using test::ScriptedHost;
using test::TempDir;
using namespace std::chrono_literals;

Class2Options with(const std::function<void(Class2Options&)>& set) {
    Class2Options o = test::traced();
    set(o);
    return o;
}

void far_answers(Rig& rig, const TempDir& tmp) {
    InboundCall in;
    in.rx_file = tmp.path() / "rx.tif";
    in.session.local_ident = "+1 555 0200";
    rig.far.listener.answer_with(in);
}

void setup(ScriptedHost& h, const std::string& cls = "2",
           const std::string& dcc = "1,5,0,2,0,0,0,0") {
    ASSERT_EQ(h.command("E0").back(), "OK");
    ASSERT_EQ(h.command("+FCLASS=" + cls).back(), "OK");
    ASSERT_EQ(h.command(std::string(cls == "2.0" ? "+FCC=" : "+FDCC=") + dcc).back(), "OK");
}

// Sends page `page` of `source` after +FDT: CONNECT, (XON), data, DLE ETX, OK.
std::vector<std::string> send_page(Rig& rig, const std::filesystem::path& source, int page,
                                   bool wait_xon = true) {
    ScriptedHost& h = rig.host;
    auto fdt = h.command("+FDT", 30s);
    if (fdt.back() != "CONNECT") return fdt;
    const std::string dcs = ScriptedHost::find(fdt, "+FDCS:");
    if (wait_xon) {
        EXPECT_TRUE(h.wait_byte(0x11, 10s));
    }
    auto data = ScriptedHost::stuff(
        T4PageEncoder(source, page, page).encode_next(dcs[8] - '0', Class2BitOrder::Direct));
    data.push_back(0x10);
    data.push_back(0x03);
    h.write(data);
    return h.wait_final(60s);
}

TEST(Class2Faults, BusyFaultAnswersBusy) {
    Rig rig(with([](Class2Options& o) { o.faults.busy = true; }));
    setup(rig.host);
    EXPECT_EQ(rig.host.command("D200", 30s).back(), "BUSY");
    EXPECT_FALSE(rig.modem.in_call());
}

TEST(Class2Faults, NobodyThereAnswersNoAnswer) {
    Rig rig;
    setup(rig.host);
    // 300 is not on the exchange: it rings out (T0).
    EXPECT_EQ(rig.host.command("D300", 120s).back(), "NO ANSWER");
    Rig faulty(with([](Class2Options& o) { o.faults.no_answer = true; }));
    setup(faulty.host);
    EXPECT_EQ(faulty.host.command("D200", 120s).back(), "NO ANSWER");
}

// Answers and sends nothing: not a fax machine.
struct Mute : LineEndpoint {
    Mute(VirtualExchange& x, std::string n) : x(x), number(std::move(n)) {
        x.attach(number, *this);
    }
    ~Mute() override { x.detach(number); }
    void line_ringing(int, const std::string&) override { x.answer(number); }
    void line_connected() override {}
    void line_ended(LineEnd) override {}
    void line_transmit(std::int16_t* out, int n) override {
        std::fill(out, out + n, std::int16_t{0});
    }
    void line_receive(const std::int16_t*, int) override {}
    VirtualExchange& x;
    std::string number;
};

TEST(Class2Faults, NoFaxAtTheFarEndIsT1Hangup11) {
    Rig rig;
    Mute mute(rig.exchange, "300");
    setup(rig.host);
    auto r = rig.host.command("D300", 60s);
    EXPECT_EQ(r.back(), "NO CARRIER") << rig.host.transcript();
    EXPECT_EQ(ScriptedHost::find(r, "+FHNG:"), "11");
    EXPECT_EQ(rig.modem.last_hangup_code(), 11);
}

TEST(Class2Faults, LineDropDuringSecondSentPageIsTxPhaseC) {
    TempDir tmp;
    Rig rig(with([](Class2Options& o) { o.faults.drop_after_pages = 1; }));
    far_answers(rig, tmp);
    setup(rig.host, "2", "0,5,0,2,0,0,0,0");
    ASSERT_EQ(rig.host.command("D200", 90s).back(), "OK");
    const auto source = fixture("documents/letter-std-mh.tif");
    ASSERT_EQ(send_page(rig, source, 0).back(), "OK");
    auto r1 = rig.host.command("+FET=0", 120s);
    ASSERT_EQ(ScriptedHost::find(r1, "+FPTS:"), "1") << rig.host.transcript();
    send_page(rig, source, 1);
    auto r2 = rig.host.command("+FET=2", 120s);
    const std::string code = ScriptedHost::find(r2, "+FHNG:");
    ASSERT_FALSE(code.empty()) << rig.host.transcript();
    EXPECT_GE(std::stoi(code), 40) << rig.host.transcript();
    EXPECT_LE(std::stoi(code), 49);
    EXPECT_EQ(rig.modem.pages_done(), 1);
}

TEST(Class2Faults, LineDropDuringSecondReceivedPageIsRxPhaseC) {
    TempDir tmp;
    Rig rig(with([](Class2Options& o) { o.faults.drop_after_pages = 1; }));
    ScriptedHost& h = rig.host;
    setup(h, "2.0", "1,5,0,2,0,0,0,0");
    OutboundCall call;
    call.number = "100";
    call.document = fixture("documents/letter-std-mh.tif");
    rig.far.device.dial(call);
    ASSERT_TRUE(ScriptedHost::has(h.wait_final(30s), "RING"));
    ASSERT_EQ(h.command("A", 60s).back(), "OK");
    auto p1 = h.command("+FDR", 120s);
    ASSERT_EQ(p1.back(), "CONNECT");
    h.write(std::string("\x12"));
    std::vector<std::uint8_t> data;
    ASSERT_TRUE(h.read_page(data, 10s));
    EXPECT_EQ(h.wait_final(10s).back(), "OK");
    auto p2 = h.command("+FDR", 120s);
    EXPECT_EQ(p2.back(), "OK") << h.transcript();
    const std::string code = ScriptedHost::find(p2, "+FHS:");  // hex in 2.0
    ASSERT_EQ(code.size(), 2u) << h.transcript();
    EXPECT_EQ(code[0], '9') << "rx phase C expected: " << code;
}

TEST(Class2Faults, NoisyLineFallsBackAndStillDelivers) {
    TempDir tmp;
    Rig rig(with([](Class2Options& o) { o.faults.noise = LineImpairment{27, -56}; }));
    far_answers(rig, tmp);
    setup(rig.host, "2", "1,5,0,2,0,0,0,0");
    ASSERT_EQ(rig.host.command("D200", 90s).back(), "OK")
        << rig.far.listener.ended_with().cause_text;
    const auto source = fixture("documents/short-fine-mmr.tif");
    ASSERT_EQ(send_page(rig, source, 0).back(), "OK");
    auto r = rig.host.command("+FET=2", 180s);
    EXPECT_EQ(ScriptedHost::find(r, "+FPTS:"), "1") << rig.host.transcript();
    ASSERT_TRUE(rig.exchange.run_until([&] { return rig.far.listener.outcome.has_value(); }, 30s));
    EXPECT_LT(rig.far.listener.session().bit_rate, 14400);
    const ImageComparison cmp = compare_fax_images(source, tmp.path() / "rx.tif");
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

TEST(Class2Faults, SilentAfterConnectAnswersNothing) {
    TempDir tmp;
    Rig rig(with([](Class2Options& o) { o.faults.silent_after_connect = true; }));
    far_answers(rig, tmp);
    setup(rig.host);
    EXPECT_EQ(rig.host.command("D200", 60s).back(), "TIMEOUT");
    EXPECT_EQ(rig.host.command("H", 5s).back(), "TIMEOUT");
}

TEST(Class2Faults, GarbageAfterTwoCommands) {
    Rig rig(with([](Class2Options& o) { o.faults.garbage_after_commands = 2; }));
    EXPECT_EQ(rig.host.command("E0").back(), "OK");
    auto r = rig.host.command("+FCLASS=2", 2s);
    EXPECT_EQ(r.back(), "TIMEOUT");
    EXPECT_NE(rig.host.transcript().find("garbage"), std::string::npos);
}

TEST(Class2Quirks, IgnoredFdisAfterDialSquishesFinePages) {
    for (bool quirk : {false, true}) {
        SCOPED_TRACE(quirk ? "with the quirk" : "without");
        TempDir tmp;
        Rig rig(with([&](Class2Options& o) { o.quirks.ignore_fdis_after_dial = quirk; }));
        far_answers(rig, tmp);
        setup(rig.host, "2", "1,5,0,2,0,0,0,0");
        ASSERT_EQ(rig.host.command("+FDIS=0").back(), "OK");  // normal resolution before the call
        ASSERT_EQ(rig.host.command("D200", 90s).back(), "OK");
        ASSERT_EQ(rig.host.command("+FDIS=1").back(), "OK");  // this document is fine
        const auto source = fixture("documents/short-fine-mmr.tif");
        auto fdt = rig.host.command("+FDT", 30s);
        ASSERT_EQ(fdt.back(), "CONNECT");
        EXPECT_EQ(ScriptedHost::find(fdt, "+FDCS:")[0], quirk ? '0' : '1');
        ASSERT_TRUE(rig.host.wait_byte(0x11, 5s));
        // The host sends fine data whatever +FDCS said (as HylaFAX without Class2DDISCmd).
        auto data =
            ScriptedHost::stuff(T4PageEncoder(source, 0, 0).encode_next(0, Class2BitOrder::Direct));
        data.push_back(0x10);
        data.push_back(0x03);
        rig.host.write(data);
        ASSERT_EQ(rig.host.wait_final(60s).back(), "OK");
        ASSERT_EQ(ScriptedHost::find(rig.host.command("+FET=2", 120s), "+FPTS:"), "1");
        ASSERT_TRUE(
            rig.exchange.run_until([&] { return rig.far.listener.outcome.has_value(); }, 30s));
        const ImageComparison cmp = compare_fax_images(source, tmp.path() / "rx.tif");
        EXPECT_EQ(cmp.equal, !quirk) << cmp.detail;
    }
}

TEST(Class2Quirks, LateXonLosesDataSentBeforeIt) {
    for (bool wait : {true, false}) {
        SCOPED_TRACE(wait ? "host waits for XON" : "host does not wait");
        TempDir tmp;
        Rig rig(
            with([](Class2Options& o) { o.quirks.late_xon = std::chrono::milliseconds(1500); }));
        far_answers(rig, tmp);
        setup(rig.host, "2", "1,5,0,2,0,0,0,0");
        ASSERT_EQ(rig.host.command("D200", 90s).back(), "OK");
        const auto source = fixture("documents/short-fine-mmr.tif");
        auto r = send_page(rig, source, 0, wait);
        if (wait) {
            EXPECT_EQ(r.back(), "OK");
            EXPECT_EQ(rig.modem.bytes_lost_before_xon(), 0u);
            ASSERT_EQ(ScriptedHost::find(rig.host.command("+FET=2", 120s), "+FPTS:"), "1");
            ASSERT_TRUE(
                rig.exchange.run_until([&] { return rig.far.listener.outcome.has_value(); }, 30s));
            EXPECT_TRUE(compare_fax_images(source, tmp.path() / "rx.tif").equal);
        } else {
            EXPECT_EQ(r.back(), "TIMEOUT");  // even DLE ETX was lost
            EXPECT_GT(rig.modem.bytes_lost_before_xon(), 1000u);
        }
    }
}

TEST(Class2Quirks, ReceiveStartsOnlyOnItsTrigger) {
    TempDir tmp;
    Rig rig(with([](Class2Options& o) { o.quirks.rx_trigger = 0x12; }));  // DC2 only
    ScriptedHost& h = rig.host;
    setup(h, "2", "1,5,0,2,0,0,0,0");
    OutboundCall call;
    call.number = "100";
    call.document = fixture("documents/short-fine-mmr.tif");
    rig.far.device.dial(call);
    ASSERT_TRUE(ScriptedHost::has(h.wait_final(30s), "RING"));
    ASSERT_EQ(h.command("A", 60s).back(), "OK");
    ASSERT_EQ(h.command("+FDR", 120s).back(), "CONNECT");
    std::vector<std::uint8_t> data;
    h.write(std::string("\x11"));  // DC1: ignored by this modem
    EXPECT_FALSE(h.read_page(data, 2s));
    h.write(std::string("\x12"));
    EXPECT_TRUE(h.read_page(data, 2s));
    EXPECT_GT(data.size(), 1000u);
}

TEST(Class2Faults, GarbagePageDataNeitherCrashesNorHangs) {
    TempDir tmp;
    Rig rig;
    far_answers(rig, tmp);
    setup(rig.host, "2.0", "1,5,0,2,0,0,0,0");
    ASSERT_EQ(rig.host.command("D200", 90s).back(), "OK");
    ASSERT_EQ(rig.host.command("+FDT", 30s).back(), "CONNECT");
    std::vector<std::uint8_t> junk(6000);
    std::uint32_t x = 12345;
    for (auto& b : junk) {
        x = x * 1103515245u + 12345u;
        b = static_cast<std::uint8_t>(x >> 16);
        if (b == 0x10) b = 0x11;
    }
    junk.push_back(0x10);
    junk.push_back('.');
    rig.host.write(junk);
    // Whatever T.30 makes of it, the host gets a final answer and the call ends.
    const auto r = rig.host.wait_final(180s);
    EXPECT_EQ(r.back(), "ERROR") << rig.host.transcript();
    EXPECT_EQ(ScriptedHost::find(r, "+FHS:"), "41");
    EXPECT_TRUE(rig.exchange.run_until([&] { return !rig.modem.in_call(); }, 120s));
}

// V.21 still gets through, the fast modems do not: the call ends in phase B
// (spandsp's own noise model makes "fail to train" (27) and a far end that gives
// up first (20) both possible; either is a transmit phase B code).
TEST(Class2Faults, LineTooPoorToTrainEndsInTxPhaseB) {
    TempDir tmp;
    Rig rig(with([](Class2Options& o) { o.faults.noise = LineImpairment{30, -54}; }));
    far_answers(rig, tmp);
    setup(rig.host, "2", "1,5,0,2,0,0,0,0");
    ASSERT_EQ(rig.host.command("D200", 90s).back(), "OK") << rig.host.transcript();
    const auto source = fixture("documents/short-fine-mmr.tif");
    ASSERT_EQ(send_page(rig, source, 0).back(), "OK");
    auto r = rig.host.command("+FET=2", 300s);
    const std::string code = ScriptedHost::find(r, "+FHNG:");
    ASSERT_FALSE(code.empty()) << rig.host.transcript();
    EXPECT_GE(std::stoi(code), 20);
    EXPECT_LE(std::stoi(code), 28);
    EXPECT_EQ(rig.modem.pages_done(), 0);
}

TEST(Class2Commands, AnswersQueriesAndRejectsNonsense) {
    Rig rig;
    ScriptedHost& h = rig.host;
    EXPECT_EQ(h.command("E0").back(), "OK");
    auto classes = h.command("+FCLASS=?");
    EXPECT_TRUE(ScriptedHost::has(classes, "0,2,2.0"));
    EXPECT_EQ(h.command("+FCLASS=1").back(), "ERROR");
    EXPECT_EQ(h.command("+FDCC=1,5").back(), "ERROR");  // needs fax class 2 first
    EXPECT_EQ(h.command("+FCLASS=2.0").back(), "OK");
    EXPECT_TRUE(ScriptedHost::has(h.command("+FCLASS?"), "2.0"));
    EXPECT_EQ(h.command("+FCC=0,3,0,2,1,0,0,0").back(), "OK");
    EXPECT_TRUE(ScriptedHost::has(h.command("+FIS?"), "0,3,0,2,1,0,0,0"));
    EXPECT_EQ(h.command("+FCC=x").back(), "ERROR");
    EXPECT_EQ(h.command("+FBO=7").back(), "ERROR");
    EXPECT_EQ(h.command("+FDT").back(), "ERROR");  // no call
    EXPECT_EQ(h.command("+FNOSUCH=1").back(), "ERROR");
    EXPECT_TRUE(ScriptedHost::has(h.command("+FMI?"), "faxemu"));
    EXPECT_EQ(h.command("A").back(), "NO CARRIER");  // nothing is ringing
}

}  // namespace
}  // namespace faxemu
