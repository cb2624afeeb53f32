// Faults on the line and in the modem end in the right status and cause: busy,
// no answer, a drop mid-page, a modem that is silent, answers garbage, offers
// the wrong class or vanishes; a call hung up locally; a missed call.
#include <gtest/gtest.h>

#include <spandsp.h>

#include "class2_rig.hpp"
#include "core/image_compare.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::Class2Rig;
using test::fax_document;
using test::kFarNumber;
using test::kModemNumber;
using test::session;
using test::TempDir;

Class2Options modem(Class2Set set = Class2Set::Both) {
    Class2Options o;
    o.classes = set;
    return o;
}

Class2DeviceConfig config(std::optional<Class2Variant> v = std::nullopt) {
    Class2DeviceConfig c;
    c.variant = v;
    return c;
}

OutboundCall call_to(const std::string& number, const std::filesystem::path& doc) {
    OutboundCall c;
    c.number = number;
    c.document = doc;
    c.session = session("HOST TSID");
    return c;
}

class Class2Faults : public ::testing::TestWithParam<Class2Variant> {
  protected:
    Class2Variant v() const { return GetParam(); }
    Class2Set set() const {
        return v() == Class2Variant::Class2 ? Class2Set::Class2 : Class2Set::Class20;
    }
    std::string hng() const { return v() == Class2Variant::Class2 ? "+FHNG:" : "+FHS:"; }
};

TEST_P(Class2Faults, Busy) {
    TempDir tmp;
    Class2Options m = modem(set());
    m.faults.busy = true;
    Class2Rig rig(m, config(v()));
    ASSERT_TRUE(rig.bring_up());
    rig.device->dial(call_to(kFarNumber, fax_document("short-std-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return rig.host.outcome && rig.device->idle(); }, 3min))
        << rig.trace_text();
    const CallOutcome& o = *rig.host.outcome;
    EXPECT_EQ(o.status, Fps::Busy);
    EXPECT_EQ(o.failure, FailureClass::Busy);
    EXPECT_TRUE(o.retryable());
    EXPECT_EQ(rig.host.connected, 0);
    EXPECT_TRUE(rig.host.events.empty());
}

TEST_P(Class2Faults, NoAnswer) {
    TempDir tmp;
    Class2Rig rig(modem(set()), config(v()));
    ASSERT_TRUE(rig.bring_up());
    // The far end rings and nobody picks up: the exchange gives up after T0.
    rig.device->dial(call_to(kFarNumber, fax_document("short-std-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return rig.host.outcome && rig.device->idle(); }, 3min))
        << rig.trace_text();
    const CallOutcome& o = *rig.host.outcome;
    EXPECT_EQ(o.status, Fps::NoAnswer) << o.cause_text;
    EXPECT_EQ(o.failure, FailureClass::NoAnswer);
    EXPECT_TRUE(o.retryable());
    EXPECT_FALSE(rig.far_host.rings.empty());
}

TEST_P(Class2Faults, LineDropsDuringTheSecondPageSent) {
    TempDir tmp;
    Class2Options o = modem(set());
    o.faults.drop_after_pages = 1;
    Class2Rig rig(o, config(v()));
    ASSERT_TRUE(rig.bring_up());
    rig.far_host.answer_with(InboundCall{tmp.path() / "far.tif", session("FAR")});
    rig.device->dial(call_to(kFarNumber, fax_document("mixed-res.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();
    const CallOutcome& out = *rig.host.outcome;
    EXPECT_FALSE(out.ok());
    EXPECT_TRUE(out.retryable());
    EXPECT_EQ(out.pages_done, 1) << out.cause_text;
    // The modem says phase C of the transmission failed.
    EXPECT_EQ(out.cause_text, "Unspecified transmit phase C error (" + hng() + "40)")
        << rig.trace_text();
    EXPECT_EQ(out.failure, FailureClass::Protocol);
    EXPECT_EQ(out.status, Fps::FatalError);
    EXPECT_TRUE(rig.host.finished_reported());
    EXPECT_EQ(rig.device->status(), Class2State::Ready);
}

TEST_P(Class2Faults, LineDropsDuringTheSecondPageReceived) {
    TempDir tmp;
    Class2Options o = modem(set());
    o.faults.drop_after_pages = 1;
    Class2Rig rig(o, config(v()));
    ASSERT_TRUE(rig.bring_up());
    const auto doc = fax_document("mixed-res.tif", tmp.path());
    const auto rx = tmp.path() / "host.tif";
    rig.host.answer_with(InboundCall{rx, session("HOST CSID")});
    rig.far.dial(call_to(kModemNumber, doc));
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();
    const CallOutcome& in = *rig.host.outcome;
    EXPECT_FALSE(in.ok()) << rig.trace_text();
    EXPECT_EQ(in.pages_done, 1) << in.cause_text;
    EXPECT_EQ(in.cause_text,
              "Unspecified receive phase C error (e.g. too long between TCF and "
              "+FDR) (" +
                  hng() + "90)")
        << rig.trace_text();
    // The page that arrived is in the file, complete.
    const auto pages = read_bilevel_pages(rx);
    ASSERT_EQ(pages.size(), 1u);
    const auto sent = read_bilevel_pages(doc);
    EXPECT_EQ(pages[0].bits, sent[0].bits);
}

TEST_P(Class2Faults, HangupDuringTheCallAborts) {
    TempDir tmp;
    Class2Rig rig(modem(set()), config(v()));
    ASSERT_TRUE(rig.bring_up());
    rig.far_host.answer_with(InboundCall{tmp.path() / "far.tif", session("FAR")});
    rig.device->dial(call_to(kFarNumber, fax_document("mixed-res.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return rig.host.pages_done() == 1; }, 3min))
        << rig.trace_text();
    rig.device->hangup();
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();
    const CallOutcome& out = *rig.host.outcome;
    EXPECT_EQ(out.failure, FailureClass::Aborted);
    EXPECT_EQ(out.status, Fps::Aborting);
    EXPECT_FALSE(out.retryable());
    EXPECT_EQ(out.pages_done, 1);
    ASSERT_TRUE(rig.far_host.outcome);
    EXPECT_FALSE(rig.far_host.outcome->ok());
    EXPECT_EQ(rig.engine().last_hangup_code(), 2);  // +FK: call aborted
    EXPECT_EQ(rig.device->status(), Class2State::Ready);
}

// A port may hang up from inside any event the device tells it of.
class HangUpWhenNegotiated : public test::DeviceRecorder {
  public:
    void on_session_event(const SessionEvent& e) override {
        DeviceRecorder::on_session_event(e);
        if (e.kind == SessionEvent::Kind::Negotiated && device && !hung_up) {
            hung_up = true;
            device->hangup();
        }
    }
    bool hung_up = false;
};

TEST_P(Class2Faults, HangupFromInsideAnEventAbortsBeforeThePageGoesOut) {
    TempDir tmp;
    Class2Rig rig(modem(set()), config(v()));
    HangUpWhenNegotiated host;
    host.device = rig.device.get();
    rig.device->set_listener(&host);
    ASSERT_TRUE(rig.bring_up());
    rig.far_host.answer_with(InboundCall{tmp.path() / "far.tif", session("FAR")});
    rig.device->dial(call_to(kFarNumber, fax_document("mixed-res.tif", tmp.path())));
    ASSERT_TRUE(
        rig.run_until([&] { return host.outcome && rig.device->idle() && rig.far.idle(); }, 3min))
        << rig.trace_text();
    EXPECT_TRUE(host.hung_up);
    EXPECT_EQ(host.calls_ended, 1);
    EXPECT_EQ(host.outcome->failure, FailureClass::Aborted) << host.outcome->cause_text;
    EXPECT_EQ(host.outcome->pages_done, 0);
    EXPECT_EQ(host.pages_done(), 0);
    EXPECT_EQ(rig.engine().last_hangup_code(), 2);  // +FK: call aborted
    EXPECT_EQ(rig.device->status(), Class2State::Ready);
}

TEST_P(Class2Faults, ModemSilentAfterConnectEndsCallAndGoesUnavailable) {
    TempDir tmp;
    Class2Options o = modem(set());
    o.faults.silent_after_connect = true;
    Class2DeviceConfig c = config(v());
    c.dial_timeout = 90s;
    Class2Rig rig(o, c);
    ASSERT_TRUE(rig.bring_up());
    rig.far_host.answer_with(InboundCall{tmp.path() / "far.tif", session("FAR")});
    rig.device->dial(call_to(kFarNumber, fax_document("short-std-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return rig.host.outcome.has_value(); }, 5min))
        << rig.trace_text();
    const CallOutcome& out = *rig.host.outcome;
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.failure, FailureClass::Protocol);
    EXPECT_NE(out.cause_text.find("Class 2 modem 5550100: no answer from the modem to"),
              std::string::npos)
        << out.cause_text;
    EXPECT_EQ(rig.device->status(), Class2State::Unavailable);
    EXPECT_FALSE(rig.device->health().available);
    EXPECT_NE(rig.device->unavailable_reason().find(rig.device->config().device.string()),
              std::string::npos)
        << rig.device->unavailable_reason();
}

TEST_P(Class2Faults, ModemVanishesDuringACall) {
    TempDir tmp;
    Class2Rig rig(modem(set()), config(v()));
    ASSERT_TRUE(rig.bring_up());
    rig.far_host.answer_with(InboundCall{tmp.path() / "far.tif", session("FAR")});
    rig.device->dial(call_to(kFarNumber, fax_document("mixed-res.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return rig.host.pages_done() == 1; }, 3min))
        << rig.trace_text();
    rig.unplug();
    ASSERT_TRUE(rig.run_until([&] { return rig.host.outcome.has_value(); }, 2min))
        << rig.trace_text();
    const CallOutcome& out = *rig.host.outcome;
    EXPECT_EQ(out.failure, FailureClass::LineDropped) << out.cause_text;
    EXPECT_EQ(out.pages_done, 1);
    EXPECT_TRUE(out.retryable());
    EXPECT_EQ(rig.device->status(), Class2State::Unavailable);
    EXPECT_NE(rig.device->unavailable_reason().find(rig.device->config().device.string()),
              std::string::npos)
        << rig.device->unavailable_reason();
}

INSTANTIATE_TEST_SUITE_P(Classes, Class2Faults,
                         ::testing::Values(Class2Variant::Class2, Class2Variant::Class20),
                         [](const ::testing::TestParamInfo<Class2Variant>& i) {
                             return std::string(i.param == Class2Variant::Class2 ? "Class2"
                                                                                 : "Class20");
                         });

TEST(Class2Unavailable, SilentModemIsRetriedOnTheClock) {
    Class2Options o;
    o.faults.silent_after_commands = 0;
    Class2DeviceConfig c;
    c.retry_delay = 30s;
    Class2Rig rig(o, c);
    ASSERT_TRUE(rig.bring_up(2min));
    EXPECT_EQ(rig.device->status(), Class2State::Unavailable);
    EXPECT_FALSE(rig.device->health().available);
    const std::string reason = rig.device->unavailable_reason();
    EXPECT_NE(reason.find(rig.device->config().device.string()), std::string::npos) << reason;
    const TimePoint first = rig.clock.now();
    auto opens = [&] {
        int n = 0;
        for (const auto& t : rig.trace)
            if (t.find(": opening") != std::string::npos) ++n;
        return n;
    };
    EXPECT_EQ(opens(), 1);
    // Nothing happens before the retry delay; then it tries again (and fails again).
    ASSERT_TRUE(rig.run_until([&] { return opens() == 2; }, 2min));
    EXPECT_GE(rig.clock.now() - first, 29s);
    EXPECT_THROW(rig.device->dial(OutboundCall{}), std::logic_error);
}

TEST(Class2Unavailable, GarbageModem) {
    Class2Options o;
    o.faults.garbage_after_commands = 0;
    Class2Rig rig(o);
    ASSERT_TRUE(rig.bring_up(2min));
    EXPECT_EQ(rig.device->status(), Class2State::Unavailable) << rig.trace_text();
    EXPECT_FALSE(rig.device->unavailable_reason().empty());
    EXPECT_NE(rig.device->unavailable_reason().find(rig.device->config().device.string()),
              std::string::npos)
        << rig.device->unavailable_reason();
}

TEST(Class2Unavailable, ModemWithoutTheConfiguredClass) {
    Class2Rig rig(modem(Class2Set::Class2), config(Class2Variant::Class20));
    ASSERT_TRUE(rig.bring_up());
    EXPECT_EQ(rig.device->status(), Class2State::Unavailable);
    EXPECT_NE(rig.device->unavailable_reason().find("offers fax classes 0,2, not Class 2.0"),
              std::string::npos)
        << rig.device->unavailable_reason();
}

TEST(Class2Unavailable, VanishedWhileIdleAndBack) {
    Class2Rig rig;
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(rig.device->status(), Class2State::Ready);
    rig.unplug();
    ASSERT_TRUE(
        rig.run_until([&] { return rig.device->status() == Class2State::Unavailable; }, 2min))
        << rig.trace_text();
    EXPECT_NE(rig.device->unavailable_reason().find(rig.device->config().device.string()),
              std::string::npos)
        << rig.device->unavailable_reason();
}

TEST(Class2Device, RingsCallerIdAndAMissedCall) {
    TempDir tmp;
    Class2Options o;
    o.caller_id = true;
    Class2Rig rig(o);
    ASSERT_TRUE(rig.bring_up());
    // Nobody answers here: the caller gives up, the port sees a missed call.
    rig.far.dial(call_to(kModemNumber, fax_document("short-std-mmr.tif", tmp.path())));
    ASSERT_TRUE(rig.run_until([&] { return rig.host.outcome.has_value(); }, 3min))
        << rig.trace_text();
    ASSERT_GE(rig.host.rings.size(), 3u);
    EXPECT_EQ(rig.host.rings[0], 1);
    EXPECT_EQ(rig.host.rings[2], 3);
    EXPECT_EQ(rig.host.caller_ids[1], kFarNumber);
    EXPECT_EQ(rig.host.outcome->failure, FailureClass::NoAnswer);
    EXPECT_EQ(rig.device->status(), Class2State::Ready);
    EXPECT_EQ(rig.host.connected, 0);
}

}  // namespace
}  // namespace faxemu
