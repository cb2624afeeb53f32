#include "devices/serial/at_channel.hpp"

#include <gtest/gtest.h>

#include <coroutine>
#include <map>
#include <utility>

#include "core/error.hpp"
#include "devices/serial/task.hpp"
#include "tests/devices/serial/fake_modem.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::FakeModem;

// Sends `request` and keeps its response in `got`.
Task<> send(AtChannel& at, AtRequest request, std::optional<AtResponse>& got) {
    got = co_await at.command(std::move(request));
}

// Resumes the coroutine awaiting it when fire() is called (e.g. by a sink's end).
class Signal {
  public:
    void fire() {
        fired_ = true;
        if (std::coroutine_handle<> h = std::exchange(waiting_, {})) h.resume();
    }
    bool await_ready() const noexcept { return fired_; }
    void await_suspend(std::coroutine_handle<> h) noexcept { waiting_ = h; }
    void await_resume() const noexcept {}

  private:
    bool fired_ = false;
    std::coroutine_handle<> waiting_;
};

class AtChannelTest : public ::testing::Test {
  protected:
    AtChannelTest() : modem(io), line(io, modem.slave_path()), at(line, clock) { line.open(); }

    // One exchange step: settle the bytes, then let the channel check its clock.
    void step() {
        ASSERT_TRUE(test::settle(io, line, modem));
        at.poll();
    }
    // Sends `cmd` and returns its response after the modem's answer is in.
    AtResponse ask(const std::string& cmd, Duration timeout = 3s) {
        std::optional<AtResponse> got;
        Task<> task = start(at_request(cmd, timeout), got);
        for (int i = 0; i < 10000 && !got; ++i) {
            step();
            if (!got) clock.advance(20ms);
        }
        EXPECT_TRUE(got.has_value());
        return got.value_or(AtResponse{});
    }

    // Sends `request` from a coroutine that keeps the response in `got`.
    Task<> start(AtRequest request, std::optional<AtResponse>& got) {
        Task<> task = send(at, std::move(request), got);
        task.start([] {});
        return task;
    }

    asio::io_context io;
    VirtualClock clock;
    FakeModem modem;
    SerialLine line;
    AtChannel at;
};

TEST_F(AtChannelTest, CollectsInformationLinesUntilOk) {
    modem.set_script([](const std::string& c) -> std::optional<std::string> {
        if (c == "AT+FCLASS=?") return "\r\n0,1,2,2.0\r\n\r\nOK\r\n";
        return "\r\nERROR\r\n";
    });
    const AtResponse r = ask("AT+FCLASS=?");
    EXPECT_EQ(r.result, AtResult::Ok);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.final_line, "OK");
    EXPECT_EQ(r.lines, std::vector<std::string>{"0,1,2,2.0"});
    EXPECT_EQ(modem.commands(), std::vector<std::string>{"AT+FCLASS=?"});
    EXPECT_EQ(modem.received(), "AT+FCLASS=?\r");

    const AtResponse e = ask("AT+FOO");
    EXPECT_EQ(e.result, AtResult::Error);
    EXPECT_TRUE(e.answered());
}

TEST_F(AtChannelTest, SkipsEchoAndUnderstandsAllFinals) {
    const std::map<std::string, std::pair<std::string, AtResult>> finals{
        {"ATD1", {"NO CARRIER", AtResult::NoCarrier}},
        {"ATD2", {"BUSY", AtResult::Busy}},
        {"ATD3", {"NO DIALTONE", AtResult::NoDialtone}},
        {"ATD4", {"NO DIAL TONE", AtResult::NoDialtone}},
        {"ATD5", {"NO ANSWER", AtResult::NoAnswer}},
        {"ATD6", {"CONNECT 14400", AtResult::Connect}},
        {"AT+FRM=96", {"+FCERROR", AtResult::FcError}},
        {"AT+FRM=97", {"+F4", AtResult::FcError}},
    };
    modem.set_script([&](const std::string& c) -> std::optional<std::string> {
        return c + "\r\r\n" + finals.at(c).first + "\r\n";  // echo on (E1)
    });
    for (const auto& [cmd, want] : finals) {
        const AtResponse r = ask(cmd);
        EXPECT_EQ(r.result, want.second) << cmd;
        EXPECT_EQ(r.final_line, want.first) << cmd;
        EXPECT_TRUE(r.lines.empty()) << cmd << ": " << r.text();
    }
}

TEST_F(AtChannelTest, NumericResultsAfterResetToV0) {
    modem.set_script([](const std::string& c) -> std::optional<std::string> {
        if (c == "ATZ") return "0\r";
        if (c == "ATD5") return "7\r";
        return "4\r";
    });
    EXPECT_EQ(ask("ATZ").result, AtResult::Ok);
    EXPECT_EQ(ask("ATD5").result, AtResult::Busy);
    EXPECT_EQ(ask("ATX").result, AtResult::Error);
}

TEST_F(AtChannelTest, NumericConnectFollowedAtOnceByData) {
    // V0: "1<CR>" then the frame; the byte after CR decides that "1" was a result.
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return std::string(
            "1\r\xff\x03\x10\x03"
            "0\r",
            8);
    });
    std::vector<std::uint8_t> frame;
    std::optional<AtResponse> connect, ok;
    auto receive = [&]() -> Task<> {
        connect = co_await at.command("AT+FRH=3", 3s);
        Signal ended;
        DataSink sink;
        sink.data = [&](const std::uint8_t* d, std::size_t n) {
            frame.insert(frame.end(), d, d + n);
        };
        sink.end = [&] { ended.fire(); };
        at.enter_data_mode(std::move(sink));
        co_await ended;
        ok = co_await at.expect(3s);
    };
    Task<> task = receive();
    task.start([] {});
    step();
    ASSERT_TRUE(connect.has_value());
    EXPECT_EQ(connect->result, AtResult::Connect);
    EXPECT_EQ(frame, (std::vector<std::uint8_t>{0xff, 0x03}));
    ASSERT_TRUE(ok.has_value());  // "0<CR>" at the very end: settled by poll()
    EXPECT_EQ(ok->result, AtResult::Ok);
}

TEST_F(AtChannelTest, VerboseDigitIsInformationNotAResult) {
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return std::string("\r\n3\r\n\r\nOK\r\n");
    });
    const AtResponse r = ask("AT+FTH=?");
    EXPECT_EQ(r.result, AtResult::Ok);
    EXPECT_EQ(r.lines, std::vector<std::string>{"3"});
}

TEST_F(AtChannelTest, TimeoutRunsOnTheClockOnly) {
    modem.set_script([](const std::string&) { return std::nullopt; });  // silent
    std::optional<AtResponse> got;
    Task<> task = start(at_request("AT", 3s), got);
    step();
    clock.advance(2999ms);
    step();
    EXPECT_FALSE(got.has_value());  // however long the wall clock took
    clock.advance(1ms);
    step();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->result, AtResult::Timeout);
    EXPECT_FALSE(got->answered());
    EXPECT_NE(got->error.find(modem.slave_path()), std::string::npos) << got->error;
    EXPECT_NE(got->error.find("'AT'"), std::string::npos) << got->error;
    EXPECT_NE(got->error.find("3 s"), std::string::npos) << got->error;
    EXPECT_FALSE(at.busy());
}

TEST_F(AtChannelTest, TimeoutMentionsPartialAnswer) {
    modem.set_script([](const std::string&) { return std::string("\r\nManufacturer\r\n"); });
    const AtResponse r = ask("ATI3", 1s);
    EXPECT_EQ(r.result, AtResult::Timeout);
    EXPECT_NE(r.error.find("Manufacturer"), std::string::npos) << r.error;
}

TEST_F(AtChannelTest, OneRequestAtATime) {
    std::optional<AtResponse> first, second;
    Task<> one = start(at_request("AT", 1s), first);
    Task<> two = start(at_request("ATI", 1s), second);
    ASSERT_TRUE(two.done());  // thrown into it from the wait
    EXPECT_EQ(test::code_of([&] { two.result(); }), ErrorCode::DeviceInUse);
    EXPECT_FALSE(second.has_value());
    at.cancel();
    EXPECT_FALSE(at.busy());
}

TEST_F(AtChannelTest, UnsolicitedRingAndCallerIdWhileIdleAndDuringACommand) {
    std::vector<std::string> unsolicited;
    at.set_unsolicited_handler([&](const std::string& l) { unsolicited.push_back(l); });
    modem.send("\r\nRING\r\n\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = 5551234\r\nNAME = ACME\r\n");
    step();
    EXPECT_EQ(unsolicited, (std::vector<std::string>{"RING", "DATE = 0321", "TIME = 1405",
                                                     "NMBR = 5551234", "NAME = ACME"}));
    unsolicited.clear();
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return "\r\nRING\r\n\r\nsome info\r\nDROF=40\r\n\r\nOK\r\n";
    });
    const AtResponse r = ask("ATI");
    EXPECT_EQ(r.result, AtResult::Ok);
    EXPECT_EQ(r.lines, std::vector<std::string>{"some info"});
    EXPECT_EQ(unsolicited, (std::vector<std::string>{"RING", "DROF=40"}));
    // A stray final with nothing waiting is unsolicited too; V0 RING ("2") is named.
    unsolicited.clear();
    at.set_numeric_results(true);
    modem.send("OK\r\n2\r");
    step();
    EXPECT_EQ(unsolicited, (std::vector<std::string>{"OK", "RING"}));
}

TEST_F(AtChannelTest, ExtraFinalsForClass2) {
    at.add_final("+FHNG:");
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return "\r\n+FCON\r\n\r\n+FHNG: 11\r\n";
    });
    AtResponse r = ask("ATD5551234", 60s);
    EXPECT_EQ(r.result, AtResult::Extra);
    EXPECT_EQ(r.final_line, "+FHNG: 11");
    EXPECT_EQ(r.lines, std::vector<std::string>{"+FCON"});
    at.remove_final("+FHNG:");

    // Per request, with lines seen as they arrive.
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return "\r\n+FCO\r\n\r\n+FHS:02\r\n";
    });
    std::vector<std::string> live;
    std::optional<AtResponse> got;
    AtRequest req;
    req.command = "ATD1";
    req.timeout = 60s;
    req.extra_finals = {"+FHS:"};
    req.on_line = [&](const std::string& l) { live.push_back(l); };
    Task<> task = start(req, got);
    step();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->result, AtResult::Extra);
    EXPECT_EQ(got->final_line, "+FHS:02");
    EXPECT_EQ(live, std::vector<std::string>{"+FCO"});
}

TEST_F(AtChannelTest, DataModeAfterConnectDecodesUntilDleEtxThenLines) {
    // +FRH=3: CONNECT, an HDLC frame with a DLE in it, <DLE><ETX>, then OK in one burst.
    std::string burst = "\r\nCONNECT\r\n";
    burst += std::string("\xff\x13\x10\x10\x80", 5) + "\x10\x03" + "\r\nOK\r\n";
    modem.set_script([&](const std::string&) -> std::optional<std::string> { return burst; });
    std::vector<std::uint8_t> frame;
    bool ended = false;
    std::optional<AtResponse> connect, final_ok;
    auto receive = [&]() -> Task<> {
        connect = co_await at.command("AT+FRH=3", 3s);
        if (connect->result != AtResult::Connect) co_return;
        Signal end;
        DataSink sink;
        sink.data = [&](const std::uint8_t* d, std::size_t n) {
            frame.insert(frame.end(), d, d + n);
        };
        sink.end = [&] {
            ended = true;
            EXPECT_FALSE(at.in_data_mode());
            end.fire();
        };
        at.enter_data_mode(std::move(sink));
        co_await end;
        final_ok = co_await at.expect(3s);
    };
    Task<> task = receive();
    task.start([] {});
    step();
    ASSERT_TRUE(connect.has_value());
    ASSERT_EQ(connect->result, AtResult::Connect);
    EXPECT_TRUE(ended);
    EXPECT_EQ(frame, (std::vector<std::uint8_t>{0xff, 0x13, 0x10, 0x80}));
    ASSERT_TRUE(final_ok.has_value());
    EXPECT_EQ(final_ok->result, AtResult::Ok);
}

TEST_F(AtChannelTest, RawDataModeAndSendingData) {
    std::string got;
    modem.set_script([](const std::string& c) -> std::optional<std::string> {
        if (c == "AT+FDR") return "\r\nCONNECT\r\n";
        return std::nullopt;
    });
    std::optional<AtResponse> connect;
    auto receive = [&]() -> Task<> {
        connect = co_await at.command("AT+FDR", 3s);
        if (connect->result != AtResult::Connect) co_return;
        DataSink sink;
        sink.raw = true;
        sink.data = [&](const std::uint8_t* d, std::size_t n) {
            got.append(reinterpret_cast<const char*>(d), n);
        };
        at.enter_data_mode(std::move(sink));
    };
    Task<> task = receive();
    task.start([] {});
    step();
    ASSERT_TRUE(connect.has_value());
    ASSERT_EQ(connect->result, AtResult::Connect);
    modem.send(std::string("OK\r\n\x10\x03", 6));  // raw: nothing is interpreted
    step();
    EXPECT_EQ(got, std::string("OK\r\n\x10\x03", 6));
    at.leave_data_mode();
    std::vector<std::string> unsolicited;
    at.set_unsolicited_handler([&](const std::string& l) { unsolicited.push_back(l); });
    modem.send("\r\nOK\r\n");
    step();
    EXPECT_EQ(unsolicited, std::vector<std::string>{"OK"});

    const std::vector<std::uint8_t> page{1, 0x10, 2};
    at.send_data(dle_stuff(page));
    step();
    EXPECT_EQ(modem.received().substr(modem.received().size() - 6),
              std::string("\x01\x10\x10\x02\x10\x03", 6));
}

TEST_F(AtChannelTest, GarbageFailsTheCommandNamingTheDevice) {
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        std::string noise;
        for (int i = 0; i < 12; ++i) noise += std::string("\x8f\xfe\x01\x7f", 4) + "\r\n";
        return noise;
    });
    const AtResponse r = ask("AT");
    EXPECT_EQ(r.result, AtResult::Garbage);
    EXPECT_NE(r.error.find(modem.slave_path()), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("\\x8f"), std::string::npos) << r.error;
}

TEST_F(AtChannelTest, GarbageWithoutLineEndsIsReportedAtTimeout) {
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return std::string("\xf0\xf0\xf0\x80\x80", 5);
    });
    const AtResponse r = ask("AT", 1s);
    EXPECT_EQ(r.result, AtResult::Garbage);
    EXPECT_NE(r.error.find("garbage"), std::string::npos) << r.error;
}

TEST_F(AtChannelTest, AnOverlongLineIsGarbage) {
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return std::string(AtChannel::max_line_length * AtChannel::max_garbage_lines, 'U');
    });
    const AtResponse r = ask("AT", 1s);
    EXPECT_EQ(r.result, AtResult::Garbage);
}

TEST_F(AtChannelTest, GoodAnswerAmidNoiseStillCounts) {
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return std::string("\x8f\xfe\r\n\r\nOK\r\n");
    });
    EXPECT_EQ(ask("AT").result, AtResult::Ok);
}

TEST_F(AtChannelTest, VanishDuringCommandAndWhileIdle) {
    std::optional<AtResponse> got;
    modem.set_script([](const std::string&) { return std::nullopt; });
    Task<> task = start(at_request("AT", 3s), got);
    step();
    modem.vanish();
    ASSERT_TRUE(test::run_until(io, [&] { return got.has_value(); }));
    EXPECT_EQ(got->result, AtResult::Vanished);
    EXPECT_NE(got->error.find(modem.slave_path()), std::string::npos) << got->error;

    // A command on the closed line fails at the next poll, not by hanging.
    std::optional<AtResponse> again;
    Task<> next = start(at_request("AT", 3s), again);
    at.poll();
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->result, AtResult::Vanished);
}

TEST(AtChannelIdle, VanishWhileIdleGoesToTheErrorHandler) {
    asio::io_context io;
    VirtualClock clock;
    FakeModem modem(io);
    SerialLine line(io, modem.slave_path());
    AtChannel at(line, clock);
    std::string error;
    at.set_error_handler([&](const std::string& m) { error = m; });
    line.open();
    modem.vanish();
    ASSERT_TRUE(test::run_until(io, [&] { return !error.empty(); }));
    EXPECT_NE(error.find(modem.slave_path()), std::string::npos) << error;
}

TEST_F(AtChannelTest, AResumedCoroutineMayIssueTheNextCommandAtOnce) {
    modem.set_script([](const std::string& c) -> std::optional<std::string> {
        return "\r\n" + c.substr(2) + "\r\nOK\r\n";
    });
    std::vector<std::string> seen;
    auto two = [&]() -> Task<> {
        AtResponse r = co_await at.command("ATA1", 1s);
        seen.push_back(r.text());
        r = co_await at.command("ATB2", 1s);
        seen.push_back(r.text());
    };
    Task<> task = two();
    task.start([] {});
    step();
    step();
    EXPECT_EQ(seen, (std::vector<std::string>{"A1", "B2"}));
}

// The coroutine form: a dialogue reads top to bottom and runs on the virtual clock.
Task<std::vector<std::string>> dialogue(AtChannel& at) {
    std::vector<std::string> seen;
    AtResponse r = co_await at.command("ATA1", 1s);
    seen.push_back(r.text() + " " + r.final_line);
    r = co_await at.command("ATB2", 1s);
    seen.push_back(r.text() + " " + r.final_line);
    r = co_await at.command("ATC3", 2s);  // the modem stays silent
    seen.push_back(to_string(r.result));
    co_return seen;
}

TEST_F(AtChannelTest, AwaitedCommandsReadTopToBottomOnTheVirtualClock) {
    modem.set_script([](const std::string& c) -> std::optional<std::string> {
        if (c == "ATC3") return std::nullopt;
        return "\r\n" + c.substr(2) + "\r\nOK\r\n";
    });
    Task<std::vector<std::string>> task = dialogue(at);
    bool ended = false;
    task.start([&] { ended = true; });
    step();
    step();
    EXPECT_FALSE(ended);
    EXPECT_TRUE(at.busy());  // ATC3 waits for its deadline
    clock.advance(1999ms);
    step();
    EXPECT_FALSE(ended);
    clock.advance(1ms);
    step();
    ASSERT_TRUE(ended);
    EXPECT_EQ(task.result(), (std::vector<std::string>{"A1 OK", "B2 OK", "timeout"}));
}

Task<> await_one(AtChannel& at, std::optional<AtResponse>& got) {
    got = co_await at.command("ATD5551234", 60s);
}

TEST_F(AtChannelTest, DestroyingAnAwaitingCoroutineWithdrawsItsRequest) {
    modem.set_script([](const std::string&) { return std::nullopt; });
    std::vector<std::string> unsolicited;
    at.set_unsolicited_handler([&](const std::string& l) { unsolicited.push_back(l); });
    std::optional<AtResponse> got;
    {
        Task<> task = await_one(at, got);
        task.start([] {});
        step();
        EXPECT_TRUE(at.busy());
    }
    EXPECT_FALSE(at.busy());  // the frame is gone, and its request with it
    modem.send("\r\nBUSY\r\n");
    step();
    EXPECT_FALSE(got.has_value());
    EXPECT_EQ(unsolicited, std::vector<std::string>{"BUSY"});
    // The channel takes the next request at once.
    const AtResponse r = ask("AT", 1s);
    EXPECT_EQ(r.result, AtResult::Timeout);
}

TEST_F(AtChannelTest, AnAwaitedCommandOutlivesNoChannel) {
    // A channel destroyed under a waiting coroutine lets go of it: destroying the
    // coroutine afterwards touches nothing.
    std::optional<AtResponse> got;
    Task<> task;
    {
        AtChannel other(line, clock);
        task = await_one(other, got);
        task.start([] {});
    }
    task.reset();
    EXPECT_FALSE(got.has_value());
}

TEST_F(AtChannelTest, ResetFromAResumedCoroutineDropsTheRestOfTheRead) {
    // What ModemLine does when the answer makes it close the line: the lines after
    // it in the same read belong to the closed line.
    at.add_final("+FHNG:");
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return "\r\n+FHNG: 11\r\n\r\nRING\r\n\r\nNO CARRIER\r\n";
    });
    std::vector<std::string> unsolicited;
    at.set_unsolicited_handler([&](const std::string& l) { unsolicited.push_back(l); });
    std::optional<AtResponse> got;
    auto close = [&]() -> Task<> {
        got = co_await at.command("ATD1", 60s);
        at.reset();
    };
    Task<> task = close();
    task.start([] {});
    step();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->result, AtResult::Extra);
    EXPECT_TRUE(unsolicited.empty()) << unsolicited.front();
    EXPECT_FALSE(at.busy());
    // The added final is gone with the reset; the handlers stay.
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return "\r\n+FHNG: 11\r\n\r\nRING\r\n\r\nOK\r\n";
    });
    const AtResponse r = ask("AT");
    EXPECT_EQ(r.result, AtResult::Ok);
    EXPECT_EQ(r.lines, std::vector<std::string>{"+FHNG: 11"});
    EXPECT_EQ(unsolicited, std::vector<std::string>{"RING"});
}

}  // namespace
}  // namespace faxemu
