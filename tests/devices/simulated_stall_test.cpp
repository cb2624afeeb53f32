// The call watchdog on simulated ports (faults issue, finding 9): strong noise
// holds the carrier detectors on, T.30's timers never run out and the call would
// hold the line for ever; it must end as a line failure, retried like one. A
// slow page that sends no T.30 event for minutes but moves image data must not.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::find_call;
using test::fixture;
using test::prepare_send;
using test::TempDir;

TEST(SimulatedStall, NoisyLineThatHoldsTheCarrierIsHungUp) {
    TempDir tmp;
    SimulatedSite site(tmp.path());
    site.port(1).put_Send(CallerRights::admin(), false);
    // 10 dB down, noise at -40 dBm0: the V.21 detectors stay on, no frame gets through.
    site.exchange.set_impairment(SimulatedSite::number(1), LineImpairment{10.0f, -40.0f});
    SendRequest req =
        prepare_send(fixture("documents/short-std-mmr.tif"), tmp.path(), SimulatedSite::number(1));
    const TimePoint start = site.clock.now();
    site.queue.send(req);
    // Without a watchdog this call was still up after 20 minutes of line time.
    ASSERT_TRUE(site.run_until_idle(10min)) << "the call never ended";
    EXPECT_LT(site.clock.now() - start, 3min);  // dialling, ringing, 120 s of nothing

    ASSERT_EQ(site.calls().size(), 2u);
    // Whichever side's watchdog fired first hung up; the other heard the line go.
    const CallRecord& first = site.calls().front();
    EXPECT_EQ(first.outcome.status, Fps::Disconnected);
    EXPECT_EQ(first.outcome.failure, FailureClass::LineDropped);
    EXPECT_TRUE(first.outcome.retryable());
    EXPECT_NE(first.outcome.cause_text.find("no progress for 120 s"), std::string::npos)
        << first.outcome.cause_text;
    EXPECT_EQ(first.pages, 0);
    const PortStatus shown =
        site.port(first.device_id == site.port(0).DeviceId() ? 0 : 1).GetStatus(site.clock);
    EXPECT_EQ(shown.device_status, Fps::Disconnected);
    EXPECT_NE(shown.description.find("hung up by the call watchdog"), std::string::npos)
        << shown.description;
    const CallRecord* out = find_call(site, true);
    ASSERT_NE(out, nullptr);
    EXPECT_FALSE(out->outcome.ok());
    EXPECT_TRUE(out->outcome.retryable()) << out->outcome.cause_text;
}

// A fine page at 4800 bit/s takes far longer than the watchdog's time here, with
// no T.30 frame while it runs; the image data moving keeps the call alive.
void slow_pages_are_not_hung_up(bool ecm) {
    TempDir tmp;
    SimulatedSite site(tmp.path());
    site.bank.call_stall_timeout = 10s;
    for (int i = 0; i < 2; ++i) {
        SessionConfig& o = site.bank.controller(site.port(i).DeviceId()).session_options();
        o.ecm = ecm;
        o.modulations = static_cast<int>(Modulation::V27ter);
    }
    site.port(1).put_Send(CallerRights::admin(), false);
    SendRequest req = prepare_send(fixture("documents/letter-fine-mmr.tif"), tmp.path(),
                                   SimulatedSite::number(1));
    // The longest time the sender's status stood still while sending.
    TimePoint changed = site.clock.now();
    std::string last;
    Duration longest{};
    site.exchange.on_tick([&] {
        const PortStatus s = site.port(0).GetStatus(site.clock);
        if (s.description == last) return;
        if (s.device_status == Fps::Sending)
            longest = std::max(longest, Duration(site.clock.now() - changed));
        changed = site.clock.now();
        last = s.description;
    });
    site.queue.send(req);
    ASSERT_TRUE(site.run_until_idle(30min));
    const CallRecord* out = find_call(site, true);
    const CallRecord* in = find_call(site, false);
    ASSERT_NE(out, nullptr);
    ASSERT_NE(in, nullptr);
    EXPECT_TRUE(out->outcome.ok()) << out->outcome.cause_text;
    EXPECT_TRUE(in->outcome.ok()) << in->outcome.cause_text;
    EXPECT_EQ(in->pages, 3);
    EXPECT_EQ(in->session.bit_rate, 4800);
    EXPECT_GT(longest, 2 * site.bank.call_stall_timeout) << "no page ran long enough";
}

TEST(SimulatedStall, SlowNonEcmPageIsNotHungUp) {
    slow_pages_are_not_hung_up(false);
}

TEST(SimulatedStall, SlowEcmPageIsNotHungUp) {
    slow_pages_are_not_hung_up(true);
}

}  // namespace
}  // namespace faxemu
