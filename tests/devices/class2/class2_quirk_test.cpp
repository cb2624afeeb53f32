// Modem quirks as data: each workaround in Class2DriverQuirks against the
// virtual modem with the firmware bug it answers; without the workaround the
// call fails in a way that names the problem, with it the pages arrive intact.
#include <gtest/gtest.h>

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

struct Result {
    CallOutcome outcome;
    ImageComparison image;
    std::string trace;
};

// Sends `fixture` through a Class 2 device to the simulated far end.
Result send(Class2Options modem, Class2DeviceConfig config, const std::string& fixture,
            std::uint64_t* lost = nullptr) {
    TempDir tmp;
    Class2Rig rig(std::move(modem), std::move(config));
    EXPECT_TRUE(rig.bring_up());
    EXPECT_EQ(rig.device->status(), Class2State::Ready) << rig.device->unavailable_reason();
    const auto doc = fax_document(fixture, tmp.path());
    const auto rx = tmp.path() / "far.tif";
    rig.far_host.answer_with(InboundCall{rx, session("FAR")});
    OutboundCall call;
    call.number = kFarNumber;
    call.document = doc;
    call.session = session("HOST");
    rig.device->dial(call);
    EXPECT_TRUE(rig.run_until_idle()) << rig.trace_text();
    if (lost) *lost = rig.engine().bytes_lost_before_xon();
    Result r{rig.host.outcome.value_or(CallOutcome{}), {}, rig.trace_text()};
    if (std::filesystem::exists(rx) && r.outcome.ok()) r.image = compare_fax_images(doc, rx);
    return r;
}

// The simulated far end sends `fixture` to a Class 2 device.
Result receive(Class2Options modem, Class2DeviceConfig config, const std::string& fixture) {
    TempDir tmp;
    Class2Rig rig(std::move(modem), std::move(config));
    EXPECT_TRUE(rig.bring_up());
    EXPECT_EQ(rig.device->status(), Class2State::Ready) << rig.device->unavailable_reason();
    const auto doc = fax_document(fixture, tmp.path());
    const auto rx = tmp.path() / "host.tif";
    rig.host.answer_with(InboundCall{rx, session("HOST")});
    OutboundCall call;
    call.number = kModemNumber;
    call.document = doc;
    call.session = session("FAR");
    rig.far.dial(call);
    EXPECT_TRUE(rig.run_until_idle()) << rig.trace_text();
    Result r{rig.host.outcome.value_or(CallOutcome{}), {}, rig.trace_text()};
    if (std::filesystem::exists(rx)) {
        try {
            r.image = compare_fax_images(doc, rx);
        } catch (const std::exception& e) {
            r.image.detail = e.what();
        }
    }
    return r;
}

Class2Options class2_modem() {
    Class2Options o;
    o.classes = Class2Set::Class2;
    return o;
}

// HylaFAX Class2DDISCmd: a modem that ignores +FDIS after ATD keeps the fine
// session of the dial-time capabilities for a standard page.
TEST(Class2Quirks, SessionBeforeDial) {
    Class2Options m;
    m.quirks.ignore_fdis_after_dial = true;
    Class2DeviceConfig plain;
    Result without = send(m, plain, "short-std-mmr.tif");
    EXPECT_FALSE(without.outcome.ok());
    EXPECT_EQ(without.outcome.failure, FailureClass::Incompatible);
    EXPECT_NE(without.outcome.cause_text.find("session_before_dial"), std::string::npos)
        << without.outcome.cause_text;

    Class2DeviceConfig fixed;
    fixed.quirks.session_before_dial = true;
    Result with = send(m, fixed, "short-std-mmr.tif");
    EXPECT_TRUE(with.outcome.ok()) << with.outcome.cause_text << "\n" << with.trace;
    EXPECT_TRUE(with.image.equal) << with.image.detail;
}

// HylaFAX Class2XmitWaitForXON: data sent between CONNECT and a late XON is lost.
TEST(Class2Quirks, WaitForXon) {
    Class2Options m = class2_modem();
    m.quirks.late_xon = 2s;
    Class2DeviceConfig waits;  // Class 2 waits for XON by default
    waits.variant = Class2Variant::Class2;
    std::uint64_t lost = 1;
    Result with = send(m, waits, "short-fine-mmr.tif", &lost);
    EXPECT_TRUE(with.outcome.ok()) << with.outcome.cause_text << "\n" << with.trace;
    EXPECT_TRUE(with.image.equal) << with.image.detail;
    EXPECT_EQ(lost, 0u);

    Class2DeviceConfig hasty = waits;
    hasty.quirks.wait_for_xon = false;
    hasty.page_timeout = 20s;
    Result without = send(m, hasty, "short-fine-mmr.tif", &lost);
    EXPECT_FALSE(without.outcome.ok());
    EXPECT_GT(lost, 0u);
}

// HylaFAX Class2RecvDataTrigger: a Class 2 modem that starts data only on DC2.
TEST(Class2Quirks, ReceiveDataTrigger) {
    Class2Options m = class2_modem();
    m.quirks.rx_trigger = 0x12;
    Class2DeviceConfig plain;
    plain.variant = Class2Variant::Class2;
    plain.receive_timeout = 20s;
    Result without = receive(m, plain, "short-std-mmr.tif");
    EXPECT_FALSE(without.outcome.ok());
    EXPECT_NE(without.outcome.cause_text.find("no page data"), std::string::npos)
        << without.outcome.cause_text;

    Class2DeviceConfig fixed = plain;
    fixed.quirks.rx_trigger = 0x12;
    Result with = receive(m, fixed, "short-std-mmr.tif");
    EXPECT_TRUE(with.outcome.ok()) << with.outcome.cause_text << "\n" << with.trace;
    EXPECT_TRUE(with.image.equal) << with.image.detail;
}

// HylaFAX ModemRecvFillOrder: received data arrives bit-reversed at +FBOR=0.
TEST(Class2Quirks, ReversedReceiveData) {
    Class2Options m = class2_modem();
    m.quirks.reversed_rx_bit_order = true;
    Class2DeviceConfig plain;
    plain.variant = Class2Variant::Class2;
    Result without = receive(m, plain, "short-std-mmr.tif");
    EXPECT_FALSE(without.image.equal) << "reversed data decoded as if it were not";

    Class2DeviceConfig fixed = plain;
    fixed.quirks.reversed_rx_data = true;
    Result with = receive(m, fixed, "short-std-mmr.tif");
    EXPECT_TRUE(with.outcome.ok()) << with.outcome.cause_text << "\n" << with.trace;
    EXPECT_TRUE(with.image.equal) << with.image.detail;
}

// +FBOR=1 / +FBO=1: page data MSB first both ways.
class Class2BitOrderReversed : public ::testing::TestWithParam<Class2Variant> {};

TEST_P(Class2BitOrderReversed, BothWays) {
    Class2Options m;
    Class2DeviceConfig c;
    c.variant = GetParam();
    c.quirks.bit_order = 1;
    Result out = send(m, c, "short-fine-mmr.tif");
    EXPECT_TRUE(out.outcome.ok()) << out.outcome.cause_text << "\n" << out.trace;
    EXPECT_TRUE(out.image.equal) << out.image.detail;
    Result in = receive(m, c, "short-fine-mmr.tif");
    EXPECT_TRUE(in.outcome.ok()) << in.outcome.cause_text << "\n" << in.trace;
    EXPECT_TRUE(in.image.equal) << in.image.detail;
}

INSTANTIATE_TEST_SUITE_P(Classes, Class2BitOrderReversed,
                         ::testing::Values(Class2Variant::Class2, Class2Variant::Class20),
                         [](const ::testing::TestParamInfo<Class2Variant>& i) {
                             return std::string(i.param == Class2Variant::Class2 ? "Class2"
                                                                                 : "Class20");
                         });

TEST(Class2Quirks, Describe) {
    EXPECT_EQ(describe(Class2DriverQuirks{}), "");
    Class2DriverQuirks q;
    q.session_before_dial = true;
    q.rx_trigger = 0x12;
    q.wait_for_xon = false;
    EXPECT_EQ(describe(q), "session before dial, no XON wait, receive trigger 0x12");
}

}  // namespace
}  // namespace faxemu
