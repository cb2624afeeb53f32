// Faults on the line and in the modem, injected by the virtual Class 1 modem: each
// ends in the outcome and cause a simulated port reports for the same fault, and a
// broken modem is reported unavailable (with its reason) and tried again later.
#include <gtest/gtest.h>

#include <spandsp.h>

#include <algorithm>
#include <iostream>

#include "class1_rig.hpp"
#include "core/image_compare.hpp"

namespace faxemu {
namespace {

using test::Class1Rig;
using test::DeviceRecorder;
using test::fax_document;
using test::TempDir;

constexpr auto kCallLimit = std::chrono::minutes(15);

Class1Options with_faults(const std::function<void(Class1Faults&)>& set) {
    Class1Options o;
    set(o.faults);
    if (getenv("C1_DEBUG"))
        o.on_event = [](const std::string& e) { std::cout << "modem: " << e << "\n"; };
    return o;
}

OutboundCall outbound(const std::string& to, const std::filesystem::path& doc) {
    OutboundCall call;
    call.number = to;
    call.document = doc;
    call.session.local_ident = "+1 555 1000";
    return call;
}

struct Peer {
    Peer(VirtualExchange& x, const std::string& number, const std::filesystem::path& rx)
        : device(x, number) {
        device.set_listener(&listener);
        listener.device = &device;
        listener.inbound = InboundCall{rx, SessionConfig{}};
        listener.inbound->session.local_ident = "+1 555 2000";
        listener.answer_on_ring = 1;
    }
    SimulatedDevice device;
    DeviceRecorder listener;
};

TEST(Class1Faults, BusyLine) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000", with_faults([](Class1Faults& f) { f.busy = true; }));
    ASSERT_TRUE(rig.bring_up());
    m.device->dial(outbound("5552000", fax_document("short-std-mmr.tif", tmp.path())));
    EXPECT_EQ(m.device->status(), Class1State::Dialing);
    ASSERT_TRUE(rig.run_until([&] { return m.listener.outcome.has_value(); }, kCallLimit));
    const CallOutcome& o = *m.listener.outcome;
    EXPECT_EQ(o.status, Fps::Busy);
    EXPECT_EQ(o.failure, FailureClass::Busy);
    EXPECT_TRUE(o.retryable());
    EXPECT_EQ(o.t30_cause, -1);
    EXPECT_EQ(m.listener.connected, 0);
    EXPECT_TRUE(m.device->idle());
}

TEST(Class1Faults, BusyBecauseTheCalledLineIsInACall) {
    TempDir tmp;
    Class1Rig rig;
    auto& a = rig.add_modem("5551000");
    auto& b = rig.add_modem("5551001");
    ASSERT_TRUE(rig.bring_up());
    Peer peer(rig.exchange, "5552000", tmp.path() / "rx.tif");
    a.device->dial(outbound("5552000", fax_document("letter-fine-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return a.listener.connected > 0; }, kCallLimit));
    b.device->dial(outbound("5552000", fax_document("short-std-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return b.listener.outcome.has_value(); }, kCallLimit));
    EXPECT_EQ(b.listener.outcome->status, Fps::Busy);
    EXPECT_EQ(b.listener.outcome->failure, FailureClass::Busy);
    ASSERT_TRUE(rig.run_until([&] { return a.listener.outcome.has_value(); }, kCallLimit));
    EXPECT_TRUE(a.listener.outcome->ok()) << a.listener.outcome->cause_text;
}

TEST(Class1Faults, NoAnswer) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000", with_faults([](Class1Faults& f) { f.no_answer = true; }));
    ASSERT_TRUE(rig.bring_up());
    const TimePoint start = rig.clock.now();
    m.device->dial(outbound("5552000", fax_document("short-std-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return m.listener.outcome.has_value(); }, kCallLimit));
    EXPECT_EQ(m.listener.outcome->status, Fps::NoAnswer);
    EXPECT_EQ(m.listener.outcome->failure, FailureClass::NoAnswer);
    EXPECT_TRUE(m.listener.outcome->retryable());
    EXPECT_GE(rig.clock.now() - start, rig.exchange.timing().no_answer_timeout);
}

TEST(Class1Faults, NobodyHasTheNumber) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000");
    ASSERT_TRUE(rig.bring_up());
    m.device->dial(outbound("5559999", fax_document("short-std-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return m.listener.outcome.has_value(); }, kCallLimit));
    EXPECT_EQ(m.listener.outcome->status, Fps::NoAnswer);
    EXPECT_TRUE(m.listener.outcome->retryable());
}

// The line drops during page 2: the sender ends with T30_ERR_CALLDROPPED after one
// page, the receiver keeps page 1, whole.
TEST(Class1Faults, LineDropMidPageWhileSending) {
    TempDir tmp;
    Class1Rig rig;
    auto& m =
        rig.add_modem("5551000", with_faults([](Class1Faults& f) { f.drop_after_pages = 1; }));
    ASSERT_TRUE(rig.bring_up());
    Peer peer(rig.exchange, "5552000", tmp.path() / "rx.tif");
    OutboundCall call = outbound("5552000", fax_document("letter-fine-mr.tif", tmp.path()));
    call.session.ecm = false;
    m.device->dial(call);
    ASSERT_TRUE(
        rig.run_until([&] { return m.listener.outcome && peer.listener.outcome; }, kCallLimit));
    const CallOutcome& o = *m.listener.outcome;
    EXPECT_EQ(o.status, Fps::Disconnected) << o.cause_text;
    EXPECT_EQ(o.failure, FailureClass::LineDropped);
    EXPECT_EQ(o.t30_cause, T30_ERR_CALLDROPPED);
    EXPECT_TRUE(o.retryable());
    EXPECT_EQ(o.pages_done, 1);
    EXPECT_EQ(peer.listener.outcome->t30_cause, T30_ERR_CALLDROPPED);
    auto sent = read_bilevel_pages(call.document);
    auto got = read_bilevel_pages(tmp.path() / "rx.tif");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].bits == sent[0].bits);
    EXPECT_TRUE(m.device->idle());
}

// The same seen by a Class 1 receiver: the modem says NO CARRIER mid-page and then
// hears nothing; the call ends as dropped and the complete page 1 is kept.
TEST(Class1Faults, LineDropMidPageWhileReceiving) {
    TempDir tmp;
    Class1Rig rig;
    auto& a =
        rig.add_modem("5551000", with_faults([](Class1Faults& f) { f.drop_after_pages = 1; }));
    auto& b = rig.add_modem("5551001");
    ASSERT_TRUE(rig.bring_up());
    b.listener.answer_with(InboundCall{tmp.path() / "rx.tif", SessionConfig{}});
    OutboundCall call = outbound("5551001", fax_document("letter-std-mmr.tif", tmp.path()));
    a.device->dial(call);
    ASSERT_TRUE(
        rig.run_until([&] { return a.listener.outcome && b.listener.outcome; }, kCallLimit));
    EXPECT_EQ(a.listener.outcome->t30_cause, T30_ERR_CALLDROPPED) << a.listener.outcome->cause_text;
    const CallOutcome& o = *b.listener.outcome;
    EXPECT_EQ(o.status, Fps::Disconnected) << o.cause_text;
    EXPECT_EQ(o.failure, FailureClass::LineDropped);
    EXPECT_EQ(o.t30_cause, T30_ERR_CALLDROPPED);
    EXPECT_EQ(o.pages_done, 1);
    auto sent = read_bilevel_pages(call.document);
    auto got = read_bilevel_pages(tmp.path() / "rx.tif");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].bits == sent[0].bits);
    EXPECT_TRUE(b.device->idle());
}

// The sender's carrier is lost for a second mid-page (no RTC reaches the modem,
// whose +FRM data ends in NO CARRIER) and the call goes on: spandsp 0.0.6 ends
// the page at the sender's MPS and calls it good; the Class 1 receiver must
// report the page as cut short.
TEST(Class1Faults, CarrierLostMidPageWhileReceiving) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000");
    ASSERT_TRUE(rig.bring_up());
    InboundCall in{tmp.path() / "rx.tif", SessionConfig{}};
    in.session.ecm = false;
    m.listener.answer_with(in);
    Peer peer(rig.exchange, "5552000", tmp.path() / "unused.tif");
    OutboundCall call = outbound("5551000", fax_document("letter-fine-mmr.tif", tmp.path()));
    call.session.ecm = false;
    peer.device.dial(call);
    ASSERT_TRUE(rig.run_until([&] { return m.listener.negotiated.has_value(); }, kCallLimit));
    // Page 1 starts about 3 s after the DCS and lasts longer than 11 s.
    rig.exchange.silence_call("5551000", std::chrono::seconds(10), std::chrono::seconds(1));
    ASSERT_TRUE(
        rig.run_until([&] { return m.listener.outcome && peer.listener.outcome; }, kCallLimit));
    EXPECT_TRUE(peer.listener.outcome->ok()) << peer.listener.outcome->cause_text;
    EXPECT_EQ(m.listener.outcome->pages_done, 3);
    std::vector<std::string> damage;
    for (const SessionEvent& e : m.listener.events)
        if (e.kind == SessionEvent::Kind::PageDone && !e.page_damage.empty())
            damage.push_back(e.page_damage);
    ASSERT_EQ(damage.size(), 1u) << "a page cut short was reported whole";
    EXPECT_EQ(damage[0].rfind("page 1 ended without RTC: the carrier was lost mid-page; rows may "
                              "be missing",
                              0),
              0u)
        << damage[0];
    auto sent = read_bilevel_pages(call.document);
    auto got = read_bilevel_pages(tmp.path() / "rx.tif");
    ASSERT_EQ(got.size(), 3u);
    EXPECT_LT(got[0].height, sent[0].height);
    EXPECT_TRUE(got[1].bits == sent[1].bits);
    EXPECT_TRUE(got[2].bits == sent[2].bits);
}

// A poor line: training at 14400 fails, T.30 steps down, the pages still arrive whole.
TEST(Class1Faults, NoisyLineFallsBack) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000", with_faults([](Class1Faults& f) {
                                f.noise = LineImpairment{22.0f, -51.0f};
                            }));
    ASSERT_TRUE(rig.bring_up());
    Peer peer(rig.exchange, "5552000", tmp.path() / "rx.tif");
    std::vector<int> rates;
    rig.after_step.push_back([&] {
        for (const auto& e : m.listener.events)
            if (e.kind == SessionEvent::Kind::Negotiated &&
                (rates.empty() || rates.back() != e.session.bit_rate) &&
                std::count(rates.begin(), rates.end(), e.session.bit_rate) == 0)
                rates.push_back(e.session.bit_rate);
    });
    OutboundCall call = outbound("5552000", fax_document("short-fine-mmr.tif", tmp.path()));
    m.device->dial(call);
    ASSERT_TRUE(
        rig.run_until([&] { return m.listener.outcome && peer.listener.outcome; }, kCallLimit));
    EXPECT_TRUE(m.listener.outcome->ok()) << m.listener.outcome->cause_text;
    ASSERT_GE(rates.size(), 2u);
    EXPECT_EQ(rates.front(), 14400);
    EXPECT_LT(m.listener.negotiated->bit_rate, 14400);
    ImageComparison cmp = compare_fax_images(call.document, tmp.path() / "rx.tif");
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

// A modem that answers nothing at all is unavailable, with a reason naming it; the
// device keeps trying on the clock and never throws.
TEST(Class1Faults, SilentModemIsUnavailableAndRetried) {
    Class1Rig rig;
    auto& m =
        rig.add_modem("5551000", with_faults([](Class1Faults& f) { f.silent_after_commands = 0; }));
    ASSERT_TRUE(rig.bring_up(std::chrono::minutes(1)));
    EXPECT_EQ(m.device->status(), Class1State::Unavailable);
    EXPECT_FALSE(m.device->idle());
    EXPECT_FALSE(m.device->available());
    const std::string reason = m.device->unavailable_reason();
    EXPECT_NE(reason.find(m.device->config().device.string()), std::string::npos) << reason;
    // Retried after retry_delay (and still unavailable).
    bool probed_again = false;
    rig.after_step.push_back([&] {
        if (m.device->status() == Class1State::Probing) probed_again = true;
    });
    rig.run_until([&] { return probed_again; },
                  m.device->config().retry_delay + std::chrono::seconds(1));
    EXPECT_TRUE(probed_again);
    ASSERT_TRUE(rig.bring_up(std::chrono::minutes(1)));
    EXPECT_EQ(m.device->status(), Class1State::Unavailable);
}

TEST(Class1Faults, GarbageModemIsUnavailable) {
    Class1Rig rig;
    auto& m = rig.add_modem("5551000",
                            with_faults([](Class1Faults& f) { f.garbage_after_commands = 0; }));
    ASSERT_TRUE(rig.bring_up(std::chrono::minutes(1)));
    EXPECT_EQ(m.device->status(), Class1State::Unavailable);
    EXPECT_FALSE(m.device->unavailable_reason().empty());
    std::cout << "garbage: " << m.device->unavailable_reason() << "\n";
}

// The modem stops answering as the call connects (no CONNECT to ATD): the call ends
// without T.30 and the device is reported unavailable, naming it.
TEST(Class1Faults, ModemGoesSilentAsTheCallConnects) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000",
                            with_faults([](Class1Faults& f) { f.silent_after_connect = true; }));
    ASSERT_TRUE(rig.bring_up());
    Peer peer(rig.exchange, "5552000", tmp.path() / "rx.tif");
    m.device->dial(outbound("5552000", fax_document("short-std-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return m.listener.outcome.has_value(); }, kCallLimit));
    const CallOutcome& o = *m.listener.outcome;
    EXPECT_FALSE(o.ok());
    EXPECT_TRUE(o.retryable());
    EXPECT_EQ(o.status, Fps::Unavailable);
    EXPECT_EQ(m.device->status(), Class1State::Unavailable);
    EXPECT_NE(m.device->unavailable_reason().find(m.device->config().device.string()),
              std::string::npos)
        << m.device->unavailable_reason();
}

// The modem stops answering in the middle of T.30 (its output is cut once the
// session is negotiated): the call ends as dropped (T30_ERR_CALLDROPPED, retryable),
// the device is then unavailable, and nothing hangs.
TEST(Class1Faults, ModemGoesSilentMidCall) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000");
    ASSERT_TRUE(rig.bring_up());
    Peer peer(rig.exchange, "5552000", tmp.path() / "rx.tif");
    m.device->dial(outbound("5552000", fax_document("letter-std-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return m.listener.negotiated.has_value(); }, kCallLimit));
    m.engine->set_host_writer([](const std::uint8_t*, std::size_t) {});
    ASSERT_TRUE(rig.run_until([&] { return m.listener.outcome.has_value(); }, kCallLimit));
    const CallOutcome& o = *m.listener.outcome;
    EXPECT_EQ(o.t30_cause, T30_ERR_CALLDROPPED) << o.cause_text;
    EXPECT_EQ(o.failure, FailureClass::LineDropped);
    EXPECT_TRUE(o.retryable());
    EXPECT_NE(o.cause_text.find("no answer"), std::string::npos) << o.cause_text;
    rig.step();
    EXPECT_EQ(m.device->status(), Class1State::Unavailable);
    EXPECT_NE(m.device->unavailable_reason().find(m.device->config().device.string()),
              std::string::npos)
        << m.device->unavailable_reason();
}

// hangup() in the middle of a page: the modem is stopped (DLE ETX ends its data,
// ATH hangs up), T.30 ends as dropped, and the device is ready for the next call.
TEST(Class1Faults, LocalHangupMidPage) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000");
    ASSERT_TRUE(rig.bring_up());
    Peer peer(rig.exchange, "5552000", tmp.path() / "rx.tif");
    m.device->dial(outbound("5552000", fax_document("letter-fine-mr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return m.listener.negotiated.has_value(); }, kCallLimit));
    rig.run_until([] { return false; }, std::chrono::seconds(4));  // into page 1
    m.device->hangup();
    ASSERT_TRUE(rig.run_until([&] { return m.listener.outcome.has_value(); }, kCallLimit));
    EXPECT_EQ(m.listener.outcome->t30_cause, T30_ERR_CALLDROPPED) << m.listener.outcome->cause_text;
    EXPECT_EQ(m.listener.outcome->status, Fps::Disconnected);
    rig.step();
    EXPECT_EQ(m.device->status(), Class1State::Ready) << m.device->unavailable_reason();
    ASSERT_TRUE(rig.run_until([&] { return peer.listener.outcome.has_value(); }, kCallLimit));
    EXPECT_FALSE(peer.listener.outcome->ok());
}

TEST(Class1Faults, LocalHangupWhileDialing) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000");
    ASSERT_TRUE(rig.bring_up());
    m.device->dial(outbound("5559999", fax_document("short-std-mmr.tif", tmp.path())));
    rig.run_until([] { return false; }, std::chrono::seconds(1));
    m.device->hangup();
    ASSERT_TRUE(rig.run_until([&] { return m.listener.outcome.has_value(); }, kCallLimit));
    EXPECT_EQ(m.listener.outcome->failure, FailureClass::Aborted);
    EXPECT_EQ(m.device->status(), Class1State::Ready) << m.device->unavailable_reason();
}

// The modem vanishes (the pty goes away, as a USB adapter unplugged).
TEST(Class1Faults, VanishedModemIsUnavailable) {
    Class1Rig rig;
    auto& m = rig.add_modem("5551000");
    ASSERT_TRUE(rig.bring_up());
    ASSERT_TRUE(m.device->idle());
    rig.unplug(m);
    rig.run_until([&] { return m.device->status() == Class1State::Unavailable; },
                  std::chrono::seconds(5));
    EXPECT_EQ(m.device->status(), Class1State::Unavailable);
    std::cout << "vanished: " << m.device->unavailable_reason() << "\n";
    // Retrying a device that is not there keeps it unavailable without throwing.
    rig.run_until([] { return false; }, m.device->config().retry_delay + std::chrono::seconds(1));
    EXPECT_EQ(m.device->status(), Class1State::Unavailable);
}

// health() says what the port shows: a Class 1 modem that went away is
// unavailable, with the reason naming the device, and the probed modem described.
TEST(Class1Faults, HealthSaysUnavailableAndWhy) {
    Class1Rig rig;
    auto& m = rig.add_modem("5551000");
    ASSERT_TRUE(rig.bring_up());
    DeviceHealth h = m.device->health();
    EXPECT_TRUE(h.available);
    EXPECT_EQ(h.description, m.device->modem_description());
    EXPECT_FALSE(h.description.empty());
    rig.unplug(m);
    rig.run_until([&] { return m.device->status() == Class1State::Unavailable; },
                  std::chrono::seconds(5));
    h = m.device->health();
    EXPECT_FALSE(h.available);
    EXPECT_NE(h.reason.find(m.device->config().device.string()), std::string::npos) << h.reason;
}

}  // namespace
}  // namespace faxemu
