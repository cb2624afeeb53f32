// The virtual Class 1 modem on virtual time, driven by scripted AT hosts: call
// set-up against simulated ports, two virtual modems talking to each other
// (HDLC frames and phase C data across the line), faults and quirks.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "devices/simulated_device.hpp"
#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/class1_engine.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/virtual_time_rig.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;

const std::string kDleEtx = "\x10\x03";

// A scripted host on one virtual modem: what it wrote, what the modem answered.
class Host {
  public:
    Host(VirtualExchange& exchange, const std::string& number, Class1Options options = {},
         bool fax_class = true) {
        options.on_event = [this](const std::string& e) { events += e + "\n"; };
        engine = std::make_unique<Class1Engine>(exchange, number, std::move(options));
        engine->set_host_writer([this](const std::uint8_t* d, std::size_t n) {
            out.append(reinterpret_cast<const char*>(d), n);
        });
        line = std::make_unique<LineAttachment>(exchange, *engine);
        if (fax_class) command("AT+FCLASS=1");
    }
    // Sends a line (CR added) and forgets what came before.
    void command(const std::string& cmd) {
        mark = out.size();
        send(cmd + "\r");
    }
    void send(const std::string& bytes) {
        engine->host_bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    bool saw(const std::string& text) const { return out.find(text, mark) != std::string::npos; }
    std::string since_mark() const { return out.substr(mark); }

    std::string out, events;
    std::size_t mark = 0;
    std::unique_ptr<Class1Engine> engine;
    std::unique_ptr<LineAttachment> line;
};

// A simulated fax port that answers (receiving into `rx`) on the first ring.
InboundCall answering(std::filesystem::path rx) {
    InboundCall call;
    call.rx_file = std::move(rx);
    call.session.local_ident = "answerer";
    return call;
}

class Class1EngineTest : public ::testing::Test {
  protected:
    bool run_until(const std::function<bool()>& done, Duration limit = 10s) {
        return exchange.run_until(done, limit);
    }
    bool wait_for(Host& h, const std::string& text, Duration limit = 10s) {
        return run_until([&] { return h.saw(text); }, limit);
    }
    // Two virtual modems in a call: a dialled b and b answered; both back in command
    // mode after b's first V.21 frame (`frame`, sent by b's host) reached a.
    void connect_pair(Host& a, Host& b, const std::string& frame = "\xff\x13\x84") {
        a.command("ATD5550002");
        ASSERT_TRUE(wait_for(b, "RING")) << b.out;
        b.command("ATA");
        ASSERT_TRUE(wait_for(b, "CONNECT")) << b.out;
        ASSERT_TRUE(wait_for(a, "CONNECT")) << a.out;
        b.mark = b.out.size();
        b.send(frame + kDleEtx);  // a final frame: b's modem answers OK when it has gone
        ASSERT_TRUE(wait_for(b, "OK")) << b.out;
        ASSERT_TRUE(wait_for(a, kDleEtx + "\r\nOK\r\n")) << a.out;
    }

    VirtualClock clock;
    VirtualExchange exchange{clock};
};

TEST_F(Class1EngineTest, AnswersClassQueryAndIdentity) {
    Class1Options o;
    o.identity.manufacturer = "Acme";
    o.identity.model = "FaxBlaster 9600";
    o.identity.revision = "2.31";
    o.identity.ati = "ACME FB";
    Host h(exchange, "5550001", o, false);
    h.command("AT+FCLASS=?");
    EXPECT_TRUE(h.saw("0,1")) << h.out;
    EXPECT_TRUE(h.saw("OK"));
    h.command("AT+FCLASS=1");
    EXPECT_TRUE(h.saw("OK"));
    h.command("AT+FMI?");
    EXPECT_TRUE(h.saw("Acme\r\n\r\nOK")) << h.since_mark();
    h.command("AT+FMM?");
    EXPECT_TRUE(h.saw("FaxBlaster 9600")) << h.since_mark();
    h.command("AT+FMR?");
    EXPECT_TRUE(h.saw("2.31")) << h.since_mark();
    h.command("ATI");
    EXPECT_TRUE(h.saw("ACME FB")) << h.since_mark();
    h.command("AT+FTM=?");  // the modulations, from T.31
    EXPECT_TRUE(h.saw("96")) << h.since_mark();
    h.command("AT+FTM=96");  // Class 1 commands need a call
    EXPECT_TRUE(h.saw("ERROR")) << h.since_mark();
}

TEST_F(Class1EngineTest, DialConnectsToASimulatedPortAndReceivesItsDis) {
    Host h(exchange, "5550001");
    test::SimulatedEnd sim(exchange, "5551001");
    sim.listener.answer_with(
        answering(std::filesystem::temp_directory_path() / "faxemu-c1-dis.tif"));
    h.command("ATD5551001");
    ASSERT_TRUE(wait_for(h, "CONNECT", 20s)) << h.out;
    // The answerer's CSI ("answerer", reversed) and then its DIS (address FF, control
    // 13 = final, FCF 80) arrive as HDLC frames, one per +FRH.
    ASSERT_TRUE(wait_for(h, "rerewsna")) << h.since_mark();
    ASSERT_TRUE(wait_for(h, "\r\nOK\r\n")) << h.since_mark();
    h.command("AT+FRH=3");
    ASSERT_TRUE(wait_for(h, std::string("\xff\x13\x80", 3), 10s)) << h.since_mark();
    EXPECT_TRUE(h.engine->in_call());
    h.mark = h.out.size();
    h.command("ATH");
    EXPECT_TRUE(h.saw("OK"));
    EXPECT_FALSE(h.engine->in_call());
    ASSERT_TRUE(run_until([&] { return sim.listener.outcome.has_value(); }, 60s));
    EXPECT_FALSE(sim.listener.outcome->ok());
}

TEST_F(Class1EngineTest, RingsWithCallerIdAndAnswers) {
    Class1Options o;
    o.caller_id = true;
    Host b(exchange, "5550002", o);
    Host a(exchange, "5550001");
    a.command("ATD5550002");
    ASSERT_TRUE(wait_for(b, "RING", 5s)) << b.out;
    ASSERT_TRUE(wait_for(b, "NMBR = 5550001")) << b.out;
    b.command("ATA");
    ASSERT_TRUE(wait_for(b, "CONNECT", 10s)) << b.out;
    EXPECT_TRUE(b.engine->in_call());
}

TEST_F(Class1EngineTest, BusyWhenTheNumberIsInACall) {
    Host a(exchange, "5550001");
    Host b(exchange, "5550002");
    Host c(exchange, "5550003");
    a.command("ATD5550002");
    ASSERT_TRUE(wait_for(b, "RING"));
    b.command("ATA");
    ASSERT_TRUE(wait_for(a, "CONNECT"));
    c.command("ATD5550002");
    ASSERT_TRUE(wait_for(c, "BUSY", 5s)) << c.out;
}

TEST_F(Class1EngineTest, BusyFault) {
    Class1Options o;
    o.faults.busy = true;
    Host h(exchange, "5550001", o);
    test::SimulatedEnd sim(exchange, "5551001");
    sim.listener.answer_with(answering(std::filesystem::temp_directory_path() / "faxemu-c1-b.tif"));
    const TimePoint start = clock.now();
    h.command("ATD5551001");
    ASSERT_TRUE(wait_for(h, "BUSY", 5s)) << h.out;
    EXPECT_GE(clock.now() - start, exchange.timing().dial_delay);
    EXPECT_FALSE(sim.listener.outcome.has_value());  // never called
}

TEST_F(Class1EngineTest, NoAnswerWhenNobodyPicksUp) {
    Host h(exchange, "5550001");
    h.command("ATD5559999");  // nobody has this number: it rings out
    ASSERT_TRUE(wait_for(h, "NO ANSWER", 90s)) << h.out;
    EXPECT_FALSE(h.engine->in_call());
}

TEST_F(Class1EngineTest, NoAnswerFault) {
    Class1Options o;
    o.faults.no_answer = true;
    Host h(exchange, "5550001", o);
    test::SimulatedEnd sim(exchange, "5551001");
    sim.listener.answer_with(
        answering(std::filesystem::temp_directory_path() / "faxemu-c1-na.tif"));
    h.command("ATD5551001");
    ASSERT_TRUE(wait_for(h, "NO ANSWER", 90s)) << h.out;
    EXPECT_FALSE(sim.listener.outcome.has_value());
}

TEST_F(Class1EngineTest, NoCarrierWhenTheLineDrops) {
    Host h(exchange, "5550001");
    test::SimulatedEnd sim(exchange, "5551001");
    sim.listener.answer_with(
        answering(std::filesystem::temp_directory_path() / "faxemu-c1-nc.tif"));
    h.command("ATD5551001");
    ASSERT_TRUE(wait_for(h, "CONNECT", 20s)) << h.out;
    exchange.drop_call("5550001", 100ms);
    ASSERT_TRUE(wait_for(h, "NO CARRIER", 5s)) << h.since_mark();
    EXPECT_FALSE(h.engine->in_call());
    EXPECT_NE(h.events.find("line dropped"), std::string::npos) << h.events;
}

TEST_F(Class1EngineTest, FramesAndDataCrossTheLineBetweenTwoModems) {
    Host a(exchange, "5550001");
    Host b(exchange, "5550002");
    // A frame with a DLE in it: the host doubles it, and so does the modem towards a.
    connect_pair(a, b, std::string("\xff\x13\x84\x10\x10\x55", 6));
    EXPECT_NE(a.out.find(std::string("\xff\x13\x84\x10\x10\x55", 6)), std::string::npos);

    const std::string pattern = "faxemu phase C data 0123456789 faxemu phase C data";
    b.command("AT+FRM=96");
    a.command("AT+FTM=96");
    ASSERT_TRUE(wait_for(a, "CONNECT")) << a.out;
    a.send(pattern + kDleEtx);
    ASSERT_TRUE(wait_for(a, "OK")) << a.since_mark();
    ASSERT_TRUE(wait_for(b, kDleEtx)) << b.since_mark();
    EXPECT_NE(b.since_mark().find(pattern), std::string::npos) << b.since_mark();
}

// capture_tx_data: each +FTM block as the host meant it (DLE pairs undone, no DLE
// ETX), one file per block, numbered; +FTH frames are not data.
TEST_F(Class1EngineTest, CapturesWhatTheHostSendsAfterFtm) {
    test::TempDir dir;
    Class1Options o;
    o.capture_tx_data = (dir.path() / "ftm").string();
    Host a(exchange, "5550001", o);
    Host b(exchange, "5550002");
    connect_pair(a, b);
    const std::string blocks[] = {std::string("first \x10\x10 block\x00", 15), "second"};
    for (const std::string& block : blocks) {
        b.command("AT+FRM=96");
        a.command("AT+FTM=96");
        ASSERT_TRUE(wait_for(a, "CONNECT")) << a.out;
        a.send(block + kDleEtx);
        ASSERT_TRUE(wait_for(a, "OK")) << a.since_mark();
        ASSERT_TRUE(wait_for(b, kDleEtx)) << b.since_mark();
    }
    const auto bytes = [](const std::string& s) {
        return std::vector<std::uint8_t>(s.begin(), s.end());
    };
    EXPECT_EQ(test::read_bytes(dir.path() / "ftm-1.bin"),
              bytes(std::string("first \x10 block\x00", 14)));
    EXPECT_EQ(test::read_bytes(dir.path() / "ftm-2.bin"), bytes("second"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "ftm-3.bin"));
}

TEST_F(Class1EngineTest, CtsFlowControlQueuesAndSignalsXoffXon) {
    Host a(exchange, "5550001");
    Host b(exchange, "5550002");
    connect_pair(a, b);
    a.command("AT+FTM=96");
    ASSERT_TRUE(wait_for(a, "CONNECT"));
    a.mark = a.out.size();
    a.send(std::string(8000, '\0'));  // far more than T.31's 4096-byte buffer
    EXPECT_FALSE(a.engine->cts());
    EXPECT_GT(a.engine->queued_from_host(), 0u);
    EXPECT_TRUE(a.saw("\x13")) << "XOFF to the host";
    a.mark = a.out.size();
    ASSERT_TRUE(run_until([&] { return a.engine->queued_from_host() == 0; }, 20s));
    EXPECT_TRUE(a.saw("\x11")) << "XON to the host";
    a.send(kDleEtx);
    ASSERT_TRUE(wait_for(a, "OK", 20s));
    EXPECT_EQ(a.engine->bytes_lost_to_overflow(), 0u);
}

TEST_F(Class1EngineTest, QuirkOverflowsWhenTheHostIgnoresXoff) {
    Class1Options o;
    o.quirks.flow_overflow_slack = 64;
    Host a(exchange, "5550001", o);
    Host b(exchange, "5550002");
    connect_pair(a, b);
    a.command("AT+FTM=96");
    ASSERT_TRUE(wait_for(a, "CONNECT"));
    a.send(std::string(8000, '\0'));  // ignores the XOFF
    EXPECT_GT(a.engine->bytes_lost_to_overflow(), 3000u);
    // A host that stops at XOFF loses nothing: feed in small pieces while CTS is on.
    const auto lost = a.engine->bytes_lost_to_overflow();
    for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(run_until([&] { return a.engine->cts(); }, 20s));
        a.send(std::string(40, '\0'));
    }
    EXPECT_EQ(a.engine->bytes_lost_to_overflow(), lost);
}

TEST_F(Class1EngineTest, SilentAfterCommandsFault) {
    Class1Options o;
    o.faults.silent_after_commands = 2;
    Host h(exchange, "5550001", o);  // AT+FCLASS=1 is the first
    EXPECT_TRUE(h.saw("OK"));
    h.command("AT");
    EXPECT_TRUE(h.saw("OK"));
    h.command("AT");
    EXPECT_FALSE(wait_for(h, "OK", 5s));
    EXPECT_EQ(h.since_mark(), "");
}

TEST_F(Class1EngineTest, SilentOnceConnectedFault) {
    Class1Options o;
    o.faults.silent_after_connect = true;
    Host h(exchange, "5550001", o);
    test::SimulatedEnd sim(exchange, "5551001");
    sim.listener.answer_with(answering(std::filesystem::temp_directory_path() / "faxemu-c1-s.tif"));
    h.command("ATD5551001");
    EXPECT_FALSE(wait_for(h, "CONNECT", 20s));
    EXPECT_TRUE(h.engine->in_call());
    EXPECT_NE(h.events.find("stops answering"), std::string::npos);
}

TEST_F(Class1EngineTest, GarbageFault) {
    Class1Options o;
    o.faults.garbage_after_commands = 1;
    Host h(exchange, "5550001", o);  // AT+FCLASS=1 is the first
    EXPECT_TRUE(h.saw("OK"));
    h.command("AT");
    EXPECT_FALSE(h.saw("OK"));
    EXPECT_FALSE(h.since_mark().empty());
    EXPECT_NE(h.since_mark().find_first_of("#%&*?~@$"), std::string::npos) << h.since_mark();
}

TEST_F(Class1EngineTest, NoiseFaultImpairsTheLine) {
    Class1Options o;
    o.faults.noise = LineImpairment{60, -20};  // nothing gets through this
    Host a(exchange, "5550001", o);
    Host b(exchange, "5550002");
    a.command("ATD5550002");
    ASSERT_TRUE(wait_for(b, "RING"));
    b.command("ATA");
    ASSERT_TRUE(wait_for(b, "CONNECT"));
    b.send("\xff\x13\x84" + kDleEtx);
    ASSERT_TRUE(wait_for(b, "OK"));
    // a hears only noise: no frame arrives.
    EXPECT_FALSE(run_until([&] { return a.out.find("\xff\x13\x84") != std::string::npos; }, 5s));
}

TEST_F(Class1EngineTest, DropAfterPagesFault) {
    Class1Options o;
    o.faults.drop_after_pages = 0;  // drop during the first page
    Host a(exchange, "5550001", o);
    Host b(exchange, "5550002");
    connect_pair(a, b);  // b sent CFR: the next high-speed carrier is a page
    b.command("AT+FRM=96");
    a.command("AT+FTM=96");
    ASSERT_TRUE(wait_for(a, "CONNECT"));
    a.send(std::string(1000, '\0'));
    ASSERT_TRUE(run_until([&] { return !a.engine->in_call(); }, 10s)) << a.events;
    EXPECT_NE(a.events.find("line drops during page 1"), std::string::npos) << a.events;
    EXPECT_NE(a.events.find("line dropped"), std::string::npos) << a.events;
}

TEST_F(Class1EngineTest, QuirkEarlyFtmConnectLosesDataSentAtOnce) {
    for (const bool wait : {false, true}) {
        SCOPED_TRACE(wait ? "host waits after CONNECT" : "host sends at once");
        VirtualClock c;
        VirtualExchange x(c);
        Class1Options o;
        o.quirks.early_ftm_connect = true;
        Host a(x, "5550001", o);
        Host b(x, "5550002");
        auto wait_for_x = [&](Host& h, const std::string& t, Duration limit = 10s) {
            return x.run_until([&] { return h.saw(t); }, limit);
        };
        a.command("ATD5550002");
        ASSERT_TRUE(wait_for_x(b, "RING"));
        b.command("ATA");
        ASSERT_TRUE(wait_for_x(b, "CONNECT"));
        b.send("\xff\x13\x84" + kDleEtx);
        ASSERT_TRUE(wait_for_x(a, kDleEtx + "\r\nOK\r\n"));
        ASSERT_TRUE(wait_for_x(b, "OK"));

        const std::string pattern = "early connect pattern 0123456789";
        b.command("AT+FRM=96");
        a.command("AT+FTM=96");
        ASSERT_TRUE(wait_for_x(a, "CONNECT"));
        if (wait) x.run_until([] { return false; }, 400ms);  // tm_connect_delay
        a.send(pattern + kDleEtx);
        ASSERT_TRUE(wait_for_x(a, "OK"));
        x.run_until([&] { return b.saw(kDleEtx); }, 5s);
        EXPECT_EQ(b.since_mark().find(pattern) != std::string::npos, wait) << b.since_mark();
    }
}

TEST_F(Class1EngineTest, QuirkFcerrorForFrmTooSoonAfterV21) {
    Class1Options o;
    o.quirks.frm_fcerror_after_v21 = true;
    Host a(exchange, "5550001", o);
    Host b(exchange, "5550002");
    connect_pair(a, b);
    // A frame arrives, and +FRM right after it fails...
    b.command("AT+FTH=3");
    a.command("AT+FRH=3");
    ASSERT_TRUE(wait_for(b, "CONNECT"));
    b.send("\xff\x13\x82\x00" + kDleEtx);
    ASSERT_TRUE(wait_for(a, kDleEtx + "\r\nOK\r\n")) << a.since_mark();
    a.command("AT+FRM=96");
    EXPECT_TRUE(a.saw("+FCERROR")) << a.since_mark();
    // ... while +FRS first (the driver's workaround) lets it through.
    a.command("AT+FRS=8");
    ASSERT_TRUE(wait_for(a, "OK"));
    a.command("AT+FRM=96");
    EXPECT_FALSE(a.saw("+FCERROR"));
}

TEST_F(Class1EngineTest, QuirkBogusConnectToFrhAfterTransmitting) {
    Class1Options o;
    o.quirks.frh_bogus_connect = true;
    Host a(exchange, "5550001", o);
    Host b(exchange, "5550002");
    connect_pair(a, b);
    a.command("AT+FTH=3");
    ASSERT_TRUE(wait_for(a, "CONNECT"));
    a.send("\xff\x13\x80\x00" + kDleEtx);
    ASSERT_TRUE(wait_for(a, "OK"));
    a.command("AT+FRH=3");
    EXPECT_TRUE(a.saw("CONNECT\r\n\r\nNO CARRIER")) << a.since_mark();
    a.command("AT+FRH=3");  // reissued: now it really listens
    b.command("AT+FTH=3");
    ASSERT_TRUE(wait_for(b, "CONNECT"));
    b.send("\xff\x13\x84" + kDleEtx);
    ASSERT_TRUE(wait_for(a, kDleEtx + "\r\nOK\r\n")) << a.since_mark();
    EXPECT_FALSE(a.saw("NO CARRIER"));
}

TEST_F(Class1EngineTest, QuirkReversedBitOrderInData) {
    Class1Options o;
    o.quirks.reversed_bit_order = true;
    Host a(exchange, "5550001", o);
    Host b(exchange, "5550002");
    connect_pair(a, b);
    const std::string pattern = "reversed bits 0123456789";
    std::string reversed;
    for (unsigned char c : pattern) {
        unsigned char r = 0;
        for (int i = 0; i < 8; ++i)
            if (c & (1 << i)) r |= static_cast<unsigned char>(0x80 >> i);
        reversed.push_back(static_cast<char>(r));
        if (r == 0x10) reversed.push_back(static_cast<char>(r));  // DLE doubled towards b's host
    }
    b.command("AT+FRM=96");
    a.command("AT+FTM=96");
    ASSERT_TRUE(wait_for(a, "CONNECT"));
    a.send(pattern + kDleEtx);
    ASSERT_TRUE(wait_for(a, "OK"));
    ASSERT_TRUE(wait_for(b, kDleEtx));
    EXPECT_EQ(b.since_mark().find(pattern), std::string::npos);
    EXPECT_NE(b.since_mark().find(reversed), std::string::npos) << b.since_mark();
}

TEST_F(Class1EngineTest, QuirkNoDleDoublingInFrames) {
    Class1Options o;
    o.quirks.no_dle_doubling_in_frames = true;
    Host a(exchange, "5550001", o);
    Host b(exchange, "5550002");
    connect_pair(a, b, std::string("\xff\x13\x84\x10\x10\x55", 6));
    EXPECT_EQ(a.out.find(std::string("\x84\x10\x10\x55", 4)), std::string::npos);
    EXPECT_NE(a.out.find(std::string("\x84\x10\x55", 3)), std::string::npos);
}

}  // namespace
}  // namespace faxemu
