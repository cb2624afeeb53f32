// Each modem quirk the virtual modem emulates, against the driver's workaround:
// the call fails (or shows the bug) with the workaround off and goes through,
// pixel for pixel, with it on.
#include <gtest/gtest.h>

#include <spandsp.h>

#include <iostream>

#include "class1_rig.hpp"
#include "core/image_compare.hpp"

namespace faxemu {
namespace {

using test::Class1Rig;
using test::DeviceRecorder;
using test::fax_document;
using test::TempDir;

struct Result {
    std::optional<CallOutcome> ours;
    std::optional<CallOutcome> theirs;
    bool image_equal = false;
    std::string image_detail;
    std::string remote_ident;  // as our T.30 decoded it
    int fcerrors = 0;
    int bogus_connects = 0;
    int frames_with_dle = 0;
    bool ok() const { return ours && ours->ok() && theirs && theirs->ok() && image_equal; }
};

// One call between our Class1Device (on a modem with `bugs`) and a simulated port.
Result call(const Class1Quirks& bugs, const Class1DriverQuirks& workaround, bool we_send, bool ecm,
            const std::string& doc = "short-std-mmr.tif",
            const std::string& peer_ident = "+1 555 2000") {
    TempDir tmp;
    Class1Rig rig;
    Class1Options options;
    options.quirks = bugs;
    auto& m = rig.add_modem("5551000", options, workaround);
    Result r;
    if (!rig.bring_up() || !m.device->idle()) {
        ADD_FAILURE() << "modem not ready: " << m.device->unavailable_reason();
        return r;
    }
    rig.after_step.push_back([&] {
        if (Class1FrontEnd* fe = m.device->front_end()) {
            r.fcerrors = fe->fcerrors();
            r.bogus_connects = fe->bogus_connects();
            r.frames_with_dle = fe->frames_with_dle();
        }
    });
    SimulatedDevice peer(rig.exchange, "5552000");
    DeviceRecorder pl;
    peer.set_listener(&pl);
    pl.device = &peer;
    SessionConfig ours;
    ours.local_ident = "+1 555 1000";
    ours.ecm = ecm;
    SessionConfig theirs;
    theirs.local_ident = peer_ident;
    theirs.ecm = ecm;
    const std::filesystem::path document = fax_document(doc, tmp.path());
    const std::filesystem::path rx = tmp.path() / "rx.tif";
    if (we_send) {
        pl.answer_with(InboundCall{rx, theirs});
        m.device->dial(OutboundCall{"5552000", document, 0, -1, ours});
    } else {
        m.listener.answer_with(InboundCall{rx, ours});
        peer.dial(OutboundCall{"5551000", document, 0, -1, theirs});
    }
    rig.run_until([&] { return m.listener.outcome && pl.outcome; }, std::chrono::minutes(10));
    if (getenv("C1_DEBUG"))
        std::cout << "lost to overflow: " << m.engine->bytes_lost_to_overflow()
                  << ", queued: " << m.engine->queued_from_host() << ", cts " << m.engine->cts()
                  << "\n";
    r.ours = m.listener.outcome;
    r.theirs = pl.outcome;
    for (const auto& e : m.listener.events) r.remote_ident = e.remote_ident;
    try {
        ImageComparison cmp = compare_fax_images(document, rx);
        r.image_equal = cmp.equal;
        r.image_detail = cmp.detail;
    } catch (const std::exception& e) {
        r.image_detail = e.what();  // nothing (readable) was received
    }
    return r;
}

std::string why(const Result& r) {
    return (r.ours ? r.ours->cause_text : "no outcome") + " / " +
           (r.theirs ? r.theirs->cause_text : "no outcome") + " / " + r.image_detail;
}

TEST(Class1Quirks, EarlyFtmConnectNeedsTmConnectDelay) {
    Class1Quirks bug;
    bug.early_ftm_connect = true;
    Class1DriverQuirks off;
    Class1DriverQuirks on;
    on.tm_connect_delay = std::chrono::milliseconds(1500);
    for (bool ecm : {false, true}) {
        Result bad = call(bug, off, true, ecm);
        EXPECT_FALSE(bad.ok()) << "ecm " << ecm;
        Result good = call(bug, on, true, ecm);
        EXPECT_TRUE(good.ok()) << "ecm " << ecm << ": " << why(good);
    }
}

TEST(Class1Quirks, FcerrorAfterV21NeedsFrsBeforeData) {
    Class1Quirks bug;
    bug.frm_fcerror_after_v21 = true;
    // Without +FRS the modem answers +FCERROR to +FRM; with no retries the TCF and
    // the pages are missed and the call fails.
    Class1DriverQuirks off;
    off.fcerror_retries = 0;
    Result bad = call(bug, off, false, false);
    EXPECT_FALSE(bad.ok());
    EXPECT_GT(bad.fcerrors, 0);
    // The default retries ride over it, but the modem still says +FCERROR each time.
    Result retried = call(bug, Class1DriverQuirks{}, false, false);
    EXPECT_TRUE(retried.ok()) << why(retried);
    EXPECT_GT(retried.fcerrors, 0);
    // AT+FRS=1 before +FRM: no +FCERROR at all.
    Class1DriverQuirks on;
    on.frs_before_data = 1;
    on.fcerror_retries = 0;
    for (bool ecm : {false, true}) {
        Result good = call(bug, on, false, ecm);
        EXPECT_TRUE(good.ok()) << "ecm " << ecm << ": " << why(good);
        EXPECT_EQ(good.fcerrors, 0);
    }
}

TEST(Class1Quirks, BogusFrhConnectNeedsRhConnectBug) {
    Class1Quirks bug;
    bug.frh_bogus_connect = true;
    Class1DriverQuirks on;
    on.rh_connect_bug = true;
    for (bool we_send : {true, false}) {
        Result bad = call(bug, Class1DriverQuirks{}, we_send, true);
        EXPECT_FALSE(bad.ok()) << "we send " << we_send;
        Result good = call(bug, on, we_send, true);
        EXPECT_TRUE(good.ok()) << "we send " << we_send << ": " << why(good);
        EXPECT_GT(good.bogus_connects, 0);
    }
}

TEST(Class1Quirks, ModemNeedingFlowControlNeedsXonXoff) {
    Class1Quirks bug;
    bug.flow_overflow_slack = 512;  // room for what is on its way when XOFF goes out
    Class1DriverQuirks off;
    off.flow_control = FlowControl::None;
    Class1DriverQuirks on;
    on.flow_control = FlowControl::XonXoff;
    for (bool ecm : {false, true}) {
        Result bad = call(bug, off, true, ecm, "letter-fine-mr.tif");
        EXPECT_FALSE(bad.ok()) << "ecm " << ecm;
        Result good = call(bug, on, true, ecm, "letter-fine-mr.tif");
        EXPECT_TRUE(good.ok()) << "ecm " << ecm << ": " << why(good);
    }
}

TEST(Class1Quirks, ReversedBitOrderNeedsBitOrderSetting) {
    Class1Quirks bug;
    bug.reversed_bit_order = true;
    Class1DriverQuirks on;
    on.bit_order = BitOrder::Reversed;
    for (bool we_send : {true, false}) {
        for (bool ecm : {false, true}) {
            Result bad = call(bug, Class1DriverQuirks{}, we_send, ecm);
            EXPECT_FALSE(bad.ok()) << "we send " << we_send << " ecm " << ecm;
            Result good = call(bug, on, we_send, ecm);
            EXPECT_TRUE(good.ok()) << "we send " << we_send << " ecm " << ecm << ": " << why(good);
        }
    }
}

// A DLE (0x10) in the far end's CSI: the buggy modem passes it undoubled.
TEST(Class1Quirks, UndoubledDleNeedsDleBug) {
    Class1Quirks bug;
    bug.no_dle_doubling_in_frames = true;
    Class1DriverQuirks on;
    on.dle_bug = true;
    const std::string ident =
        "+1 555\x10"
        "2000";
    Result bad = call(bug, Class1DriverQuirks{}, true, false, "short-std-mmr.tif", ident);
    EXPECT_NE(bad.remote_ident, ident);
    Result good = call(bug, on, true, false, "short-std-mmr.tif", ident);
    EXPECT_TRUE(good.ok()) << why(good);
    EXPECT_EQ(good.remote_ident, ident);
    EXPECT_GT(good.frames_with_dle, 0);
    // And a modem that does double DLE is not disturbed by the setting.
    Result normal = call(Class1Quirks{}, on, true, false, "short-std-mmr.tif", ident);
    EXPECT_TRUE(normal.ok()) << why(normal);
    EXPECT_EQ(normal.remote_ident, ident);
}

}  // namespace
}  // namespace faxemu
