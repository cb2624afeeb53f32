// ModemLine on a scripted modem and a virtual clock: the life both modem drivers
// share (open, probe, init, unavailable and retry, idle check, rings).
#include "devices/serial/modem_line.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_modem.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::FakeModem;

// A driver that records what its line tells it.
class RecordingUser : public ModemLineUser {
  public:
    ModemSetup setup(const ModemIdentity& id) override {
        ModemSetup s;
        s.description = "test modem offering " + std::to_string(id.classes.size()) + " classes";
        s.refusal = refusal;
        s.init = init;
        return s;
    }
    void on_ready() override { ++ready; }
    void on_unavailable(const std::string& why) override { unavailable.push_back(why); }
    bool call_idle() const override { return !ringing_now; }
    bool takes_ring() const override { return true; }
    bool ringing() const override { return ringing_now; }
    void on_ring(int count, const std::string& caller_id) override {
        ringing_now = true;
        rings.push_back(count);
        caller_ids.push_back(caller_id);
    }
    void on_ring_stopped() override {
        ringing_now = false;
        ++rings_stopped;
    }
    void on_unsolicited(const std::string& line) override { others.push_back(line); }

    std::string refusal;
    std::vector<ModemInitCommand> init = {{"AT+FCLASS=2", true}};
    int ready = 0;
    std::vector<std::string> unavailable;
    bool ringing_now = false;
    std::vector<int> rings;
    std::vector<std::string> caller_ids;
    int rings_stopped = 0;
    std::vector<std::string> others;
};

class ModemLineTest : public ::testing::Test {
  protected:
    ModemLineTest() : modem(io) {
        config.device = modem.slave_path();
        config.lock_dir.clear();
        config.init_commands = {"ATS0=0"};
        // OK to everything; +FCLASS=? lists data and Class 2/2.0; ERROR to `refused`;
        // nothing while `silent`.
        modem.set_script([this](const std::string& c) -> std::optional<std::string> {
            if (silent) return std::nullopt;
            if (c == refused) return std::string("\r\nERROR\r\n");
            if (c == "AT+FCLASS=?") return std::string("\r\n0,2,2.0\r\n\r\nOK\r\n");
            return std::string("\r\nOK\r\n");
        });
    }

    ModemLine& make() {
        line = std::make_unique<ModemLine>(io, clock, config, user, ModemLineOptions{});
        return *line;
    }

    // Runs the line for `d` of virtual time in 20 ms steps, the pty settled before
    // each poll; stops early once `done` holds.
    bool run(
        Duration d, const std::function<bool()>& done = [] { return false; }) {
        const TimePoint end = clock.now() + d;
        while (clock.now() < end) {
            settle();
            line->poll();
            settle();
            if (done()) return true;
            clock.advance(20ms);
        }
        return done();
    }

    void settle() { EXPECT_TRUE(test::settle(io, *line, modem)); }

    asio::io_context io;
    VirtualClock clock;
    FakeModem modem;
    ModemLineConfig config;
    RecordingUser user;
    std::unique_ptr<ModemLine> line;
    std::string refused;
    bool silent = false;
};

TEST_F(ModemLineTest, ProbesThenSendsTheConfigsAndTheDriversInitAndIsReady) {
    ModemLine& l = make();
    EXPECT_EQ(l.state(), ModemState::Closed);
    ASSERT_TRUE(run(10s, [&] { return l.ready(); })) << l.unavailable_reason();
    EXPECT_EQ(user.ready, 1);
    const auto& cmds = modem.commands();
    ASSERT_GE(cmds.size(), 3u);
    EXPECT_EQ(cmds[cmds.size() - 2], "ATS0=0");
    EXPECT_EQ(cmds.back(), "AT+FCLASS=2");
    const DeviceHealth h = l.health();
    EXPECT_TRUE(h.available);
    EXPECT_TRUE(h.reason.empty());
    EXPECT_EQ(h.description, "test modem offering 3 classes");
}

TEST_F(ModemLineTest, RefusedEssentialInitMakesTheLineUnavailableNamingTheDevice) {
    refused = "AT+FCLASS=2";
    ModemLine& l = make();
    ASSERT_TRUE(run(10s, [&] { return l.state() == ModemState::Unavailable; }));
    ASSERT_EQ(user.unavailable.size(), 1u);
    EXPECT_NE(user.unavailable[0].find("ERROR to AT+FCLASS=2"), std::string::npos)
        << user.unavailable[0];
    EXPECT_NE(l.unavailable_reason().find(config.device.string()), std::string::npos);
    EXPECT_FALSE(l.is_open());
    EXPECT_FALSE(l.health().available);
    EXPECT_EQ(user.ready, 0);
}

TEST_F(ModemLineTest, RefusedNonEssentialInitIsNotFatal) {
    refused = "ATS0=0";
    ModemLine& l = make();
    ASSERT_TRUE(run(10s, [&] { return l.ready(); })) << l.unavailable_reason();
}

TEST_F(ModemLineTest, DriverRefusalMakesTheLineUnavailable) {
    user.refusal = "not the class we drive";
    ModemLine& l = make();
    ASSERT_TRUE(run(10s, [&] { return l.state() == ModemState::Unavailable; }));
    EXPECT_NE(l.unavailable_reason().find("not the class we drive"), std::string::npos);
    EXPECT_EQ(l.description(), "test modem offering 3 classes");
}

TEST_F(ModemLineTest, MissingDeviceIsRetriedEveryRetryDelayOnTheClock) {
    config.device = "/nonexistent/ttyFAX9";
    ModemLine& l = make();
    l.poll();
    ASSERT_EQ(l.state(), ModemState::Unavailable);
    ASSERT_EQ(user.unavailable.size(), 1u);
    EXPECT_NE(user.unavailable[0].find("/nonexistent/ttyFAX9"), std::string::npos);
    EXPECT_EQ(l.health().reason, user.unavailable[0]);
    clock.advance(config.retry_delay - 20ms);
    l.poll();
    EXPECT_EQ(user.unavailable.size(), 1u);  // not yet
    clock.advance(20ms);
    l.poll();
    EXPECT_EQ(user.unavailable.size(), 2u);  // tried again, and failed again
}

TEST_F(ModemLineTest, IdleCheckFindsAModemThatFellSilent) {
    ModemLine& l = make();
    ASSERT_TRUE(run(10s, [&] { return l.ready(); }));
    silent = true;
    const std::size_t sent = modem.commands().size();
    ASSERT_TRUE(run(config.idle_check + 10s, [&] { return !l.available(); }));
    EXPECT_EQ(modem.commands().size(), sent + 1);
    EXPECT_EQ(modem.commands().back(), "AT");
    ASSERT_EQ(user.unavailable.size(), 1u);
}

Task<> wait_until_free(ModemLine& line, bool& ran) {
    co_await line.until_free();
    ran = true;
}

TEST_F(ModemLineTest, UntilFreeWaitsForTheIdleChecksAnswer) {
    ModemLine& l = make();
    ASSERT_TRUE(run(10s, [&] { return l.ready(); }));
    silent = true;  // hold the answer back until we ask for it
    ASSERT_TRUE(run(config.idle_check + 1s, [&] { return l.at()->busy(); }));
    bool ran = false;
    Task<> call = wait_until_free(l, ran);
    call.start([] {});
    EXPECT_FALSE(ran);
    modem.send("\r\nOK\r\n");
    ASSERT_TRUE(run(1s, [&] { return ran; }));
    EXPECT_TRUE(l.ready());
}

TEST_F(ModemLineTest, AFailedIdleCheckLetsAWaitingCallGoOnToAClosedLine) {
    ModemLine& l = make();
    ASSERT_TRUE(run(10s, [&] { return l.ready(); }));
    silent = true;
    ASSERT_TRUE(run(config.idle_check + 1s, [&] { return l.at()->busy(); }));
    bool ran = false;
    Task<> call = wait_until_free(l, ran);
    call.start([] {});
    ASSERT_TRUE(run(10s, [&] { return ran; }));
    EXPECT_TRUE(call.done());
    EXPECT_EQ(l.state(), ModemState::Unavailable);
    EXPECT_EQ(l.at(), nullptr);
    ASSERT_EQ(user.unavailable.size(), 1u);
    EXPECT_NE(user.unavailable[0].find("'AT'"), std::string::npos) << user.unavailable[0];
}

TEST_F(ModemLineTest, ACallDroppedWhileWaitingIsNotResumed) {
    ModemLine& l = make();
    ASSERT_TRUE(run(10s, [&] { return l.ready(); }));
    silent = true;
    ASSERT_TRUE(run(config.idle_check + 1s, [&] { return l.at()->busy(); }));
    bool ran = false;
    Task<> call = wait_until_free(l, ran);
    call.start([] {});
    call.reset();  // e.g. hung up: its wait leaves the line
    modem.send("\r\nOK\r\n");
    ASSERT_TRUE(run(1s, [&] { return !l.at()->busy(); }));
    EXPECT_FALSE(ran);
    EXPECT_TRUE(l.ready());
}

TEST_F(ModemLineTest, ALineClosedFromItsOwnReadOpensAgainAndKeepsCounting) {
    ModemLine& l = make();
    ASSERT_TRUE(run(10s, [&] { return l.ready(); }));
    const std::uint64_t read = l.bytes_read(), written = l.bytes_written();
    // Garbage in answer to the idle check: the line is closed from inside the read.
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        std::string noise;
        for (int i = 0; i < 12; ++i) noise += "\x8f\xfe\r\n";
        return noise + "\r\nRING\r\n";
    });
    ASSERT_TRUE(run(config.idle_check + 1s, [&] { return !l.available(); }));
    ASSERT_EQ(user.unavailable.size(), 1u);
    EXPECT_NE(user.unavailable[0].find("garbage"), std::string::npos) << user.unavailable[0];
    EXPECT_TRUE(user.rings.empty());  // the rest of that read went with the line
    modem.set_script([](const std::string& c) -> std::optional<std::string> {
        if (c == "AT+FCLASS=?") return std::string("\r\n0,2,2.0\r\n\r\nOK\r\n");
        return std::string("\r\nOK\r\n");
    });
    ASSERT_TRUE(run(config.retry_delay + 10s, [&] { return l.ready(); })) << l.unavailable_reason();
    EXPECT_EQ(user.ready, 2);
    EXPECT_GT(l.bytes_read(), read);
    EXPECT_GT(l.bytes_written(), written);
}

TEST_F(ModemLineTest, CountsRingsWithCallerIdAndSaysWhenTheyStop) {
    ModemLine& l = make();
    ASSERT_TRUE(run(10s, [&] { return l.ready(); }));
    modem.send("\r\nRING\r\n\r\nNMBR = \"5551234\"\r\n\r\nRING\r\n\r\nRINGING\r\n");
    ASSERT_TRUE(run(1s, [&] { return user.rings.size() == 2; }));
    EXPECT_EQ(user.rings, (std::vector<int>{1, 2}));
    EXPECT_EQ(user.caller_ids, (std::vector<std::string>{"", "5551234"}));
    EXPECT_EQ(l.rings_seen(), 2);
    EXPECT_EQ(user.others, (std::vector<std::string>{"RINGING"}));
    ASSERT_TRUE(run(config.ring_gap + 1s, [&] { return user.rings_stopped == 1; }));
    // The next RING starts a new call.
    modem.send("\r\nRING\r\n");
    ASSERT_TRUE(run(1s, [&] { return user.rings.size() == 3; }));
    EXPECT_EQ(user.rings.back(), 1);
    EXPECT_EQ(user.caller_ids.back(), "");
}

}  // namespace
}  // namespace faxemu
