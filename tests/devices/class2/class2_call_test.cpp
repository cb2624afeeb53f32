// End-to-end calls through a Class 2 / 2.0 host driver: Class2Device on a pty
// with the virtual Class 2 modem, real T.30 (spandsp) on the virtual exchange to
// a simulated fax at the far end, on virtual time. Every page is compared pixel
// for pixel with what was sent.
#include <gtest/gtest.h>

#include <spandsp.h>

#include <cstdlib>
#include <iostream>

#include "class2_rig.hpp"
#include "core/image_compare.hpp"
#include "devices/virtual_class2/multi_class_engine.hpp"

namespace faxemu {
namespace {

using test::Class2Rig;
using test::fax_document;
using test::kFarNumber;
using test::kModemNumber;
using test::session;
using test::TempDir;

struct CallCase {
    Class2Variant variant;
    Modulation modulation;
    bool ecm;
    const char* resolution;  // "std" or "fine"
};

std::string modulation_name(Modulation m) {
    return m == Modulation::V17 ? "V.17" : m == Modulation::V29 ? "V.29" : "V.27ter";
}
int modulation_rate(Modulation m) {
    return m == Modulation::V17 ? 14400 : m == Modulation::V29 ? 9600 : 4800;
}

void PrintTo(const CallCase& c, std::ostream* os) {
    *os << to_string(c.variant) << " " << modulation_name(c.modulation)
        << (c.ecm ? " ECM " : " no ECM ") << c.resolution;
}

Class2Options modem_for(Class2Variant v) {
    Class2Options o;
    o.classes = v == Class2Variant::Class2 ? Class2Set::Class2 : Class2Set::Class20;
    return o;
}

Class2DeviceConfig config_for(Class2Variant v) {
    Class2DeviceConfig c;
    c.variant = v;
    return c;
}

class Class2Calls : public ::testing::TestWithParam<CallCase> {};

TEST_P(Class2Calls, SendsPixelIdentical) {
    const CallCase& cc = GetParam();
    TempDir tmp;
    Class2Rig rig(modem_for(cc.variant), config_for(cc.variant));
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(rig.device->status(), Class2State::Ready) << rig.device->unavailable_reason() << "\n"
                                                        << rig.trace_text();
    EXPECT_EQ(rig.device->variant(), cc.variant);

    const auto doc = fax_document(std::string("short-") + cc.resolution + "-mmr.tif", tmp.path());
    const auto received = tmp.path() / "far-received.tif";
    const int modulations = static_cast<int>(cc.modulation);
    rig.far_host.answer_with(InboundCall{received, session("FAR CSID", modulations, cc.ecm)});
    OutboundCall call;
    call.number = kFarNumber;
    call.document = doc;
    call.session = session("CLASS2 TSID", modulations, cc.ecm);
    const TimePoint dialled = rig.clock.now();
    rig.device->dial(call);
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();

    const CallOutcome& out = *rig.host.outcome;
    EXPECT_TRUE(out.ok()) << out.cause_text << "\n" << rig.trace_text();
    EXPECT_EQ(out.status, Fps::Completed);
    EXPECT_EQ(out.t30_cause, T30_ERR_OK);
    EXPECT_EQ(out.pages_done, 1);
    EXPECT_EQ(rig.host.connected, 1);
    EXPECT_TRUE(rig.host.finished_reported());
    ASSERT_TRUE(rig.far_host.outcome);
    EXPECT_TRUE(rig.far_host.outcome->ok()) << rig.far_host.outcome->cause_text;
    // The session as the simulated port reports it, from +FDCS.
    ASSERT_TRUE(rig.host.negotiated);
    EXPECT_EQ(rig.host.negotiated->bit_rate, modulation_rate(cc.modulation));
    EXPECT_EQ(rig.host.negotiated->modulation, modulation_name(cc.modulation));
    EXPECT_EQ(rig.host.negotiated->ecm, cc.ecm);
    EXPECT_EQ(rig.host.negotiated->compression, cc.ecm ? "MMR" : "MR");
    EXPECT_EQ(rig.host.negotiated->resolution,
              std::string(cc.resolution) == "std" ? "standard" : "fine");
    // ... and it is what the far end saw.
    ASSERT_TRUE(rig.far_host.negotiated);
    EXPECT_EQ(rig.far_host.negotiated->bit_rate, rig.host.negotiated->bit_rate);
    EXPECT_EQ(rig.far_host.negotiated->modulation, rig.host.negotiated->modulation);
    EXPECT_EQ(rig.far_host.negotiated->ecm, rig.host.negotiated->ecm);
    EXPECT_EQ(rig.far_host.negotiated->resolution, rig.host.negotiated->resolution);
    EXPECT_EQ(rig.host.remote_ident, "FAR CSID");
    EXPECT_EQ(rig.far_host.remote_ident, "CLASS2 TSID");
    ImageComparison cmp = compare_fax_images(doc, received);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    if (std::getenv("FAXEMU_TRACE"))
        std::cerr << rig.trace_text() << "line time of the call: "
                  << std::chrono::duration<double>(rig.clock.now() - dialled).count() << " s\n";
}

TEST_P(Class2Calls, ReceivesPixelIdentical) {
    const CallCase& cc = GetParam();
    TempDir tmp;
    Class2Rig rig(modem_for(cc.variant), config_for(cc.variant));
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(rig.device->status(), Class2State::Ready) << rig.device->unavailable_reason() << "\n"
                                                        << rig.trace_text();

    const auto doc = fax_document(std::string("short-") + cc.resolution + "-mmr.tif", tmp.path());
    const auto received = tmp.path() / "class2-received.tif";
    const int modulations = static_cast<int>(cc.modulation);
    rig.host.answer_with(InboundCall{received, session("CLASS2 CSID", modulations, cc.ecm)}, 2);
    OutboundCall call;
    call.number = kModemNumber;
    call.document = doc;
    call.session = session("FAR TSID", modulations, cc.ecm);
    rig.far.dial(call);
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();

    const CallOutcome& in = *rig.host.outcome;
    EXPECT_TRUE(in.ok()) << in.cause_text << "\n" << rig.trace_text();
    EXPECT_EQ(in.pages_done, 1);
    EXPECT_EQ(rig.host.rings, (std::vector<int>{1, 2}));
    ASSERT_TRUE(rig.far_host.outcome);
    EXPECT_TRUE(rig.far_host.outcome->ok()) << rig.far_host.outcome->cause_text;
    ASSERT_TRUE(rig.host.negotiated);
    EXPECT_EQ(rig.host.negotiated->bit_rate, modulation_rate(cc.modulation));
    // A receiver cannot tell V.17 at 9600 from V.29; here the rate says it.
    if (cc.modulation != Modulation::V29) {
        EXPECT_EQ(rig.host.negotiated->modulation, modulation_name(cc.modulation));
    }
    EXPECT_EQ(rig.host.negotiated->ecm, cc.ecm);
    EXPECT_EQ(rig.host.negotiated->resolution,
              std::string(cc.resolution) == "std" ? "standard" : "fine");
    EXPECT_EQ(rig.host.remote_ident, "FAR TSID");
    EXPECT_EQ(rig.far_host.remote_ident, "CLASS2 CSID");
    ASSERT_FALSE(rig.host.events.empty());
    EXPECT_TRUE(rig.host.events.back().kind == SessionEvent::Kind::Finished);
    ImageComparison cmp = compare_fax_images(doc, received);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    if (std::getenv("FAXEMU_TRACE")) std::cerr << rig.trace_text();
}

std::vector<CallCase> all_cases() {
    std::vector<CallCase> cases;
    for (Class2Variant v : {Class2Variant::Class2, Class2Variant::Class20})
        for (Modulation m : {Modulation::V17, Modulation::V29, Modulation::V27ter})
            for (bool ecm : {true, false})
                for (const char* res : {"std", "fine"}) cases.push_back({v, m, ecm, res});
    return cases;
}

std::string case_name(const ::testing::TestParamInfo<CallCase>& info) {
    const CallCase& c = info.param;
    std::string n = c.variant == Class2Variant::Class2 ? "Class2_" : "Class20_";
    n += c.modulation == Modulation::V17   ? "V17_"
         : c.modulation == Modulation::V29 ? "V29_"
                                           : "V27ter_";
    n += c.ecm ? "ECM_" : "noECM_";
    return n + c.resolution;
}

INSTANTIATE_TEST_SUITE_P(Matrix, Class2Calls, ::testing::ValuesIn(all_cases()), case_name);

// Several pages, with a change of resolution: +FDIS before the second page's +FDT,
// EOM between the pages.
class Class2MultiPage : public ::testing::TestWithParam<Class2Variant> {};

TEST_P(Class2MultiPage, MixedResolutionBothWays) {
    const Class2Variant v = GetParam();
    TempDir tmp;
    Class2Rig rig(modem_for(v), config_for(v));
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(rig.device->status(), Class2State::Ready) << rig.device->unavailable_reason();
    const auto doc = fax_document("mixed-res.tif", tmp.path());

    // Send.
    const auto far_rx = tmp.path() / "far-received.tif";
    rig.far_host.answer_with(InboundCall{far_rx, session("FAR")});
    OutboundCall call;
    call.number = kFarNumber;
    call.document = doc;
    call.session = session("HOST");
    rig.device->dial(call);
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();
    EXPECT_TRUE(rig.host.outcome->ok()) << rig.host.outcome->cause_text << "\n" << rig.trace_text();
    EXPECT_EQ(rig.host.outcome->pages_done, 2);
    EXPECT_EQ(rig.host.pages_done(), 2);
    ImageComparison sent = compare_fax_images(doc, far_rx);
    EXPECT_TRUE(sent.equal) << sent.detail;

    // Receive.
    rig.host = test::DeviceRecorder{};
    rig.host.device = rig.device.get();
    rig.far_host = test::DeviceRecorder{};
    rig.far_host.device = &rig.far;
    const auto host_rx = tmp.path() / "host-received.tif";
    rig.host.answer_with(InboundCall{host_rx, session("HOST")});
    call.number = kModemNumber;
    call.session = session("FAR");
    rig.far.dial(call);
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();
    EXPECT_TRUE(rig.host.outcome->ok()) << rig.host.outcome->cause_text << "\n" << rig.trace_text();
    EXPECT_EQ(rig.host.outcome->pages_done, 2);
    int last_pages = 0;
    for (const auto& e : rig.host.events)
        if (e.kind == SessionEvent::Kind::PageDone && e.last_page) ++last_pages;
    EXPECT_EQ(last_pages, 1);
    ImageComparison got = compare_fax_images(doc, host_rx);
    EXPECT_TRUE(got.equal) << got.detail;
}

INSTANTIATE_TEST_SUITE_P(Classes, Class2MultiPage,
                         ::testing::Values(Class2Variant::Class2, Class2Variant::Class20),
                         [](const ::testing::TestParamInfo<Class2Variant>& i) {
                             return std::string(i.param == Class2Variant::Class2 ? "Class2"
                                                                                 : "Class20");
                         });

// Pages of one format go out as T.30 intends: MPS between them, one phase B
// (DCS and training) for the whole document, not EOM and a new DIS/DCS per page
// (issue 12: 3 pages took 26 s of line time where Class 1 takes 10 s).
struct MpsCase {
    Class2Variant variant;
    bool ecm;
};

class Class2Mps : public ::testing::TestWithParam<MpsCase> {};

TEST_P(Class2Mps, ThreePagesTrainOnce) {
    const MpsCase& mc = GetParam();
    TempDir tmp;
    Class2Rig rig(modem_for(mc.variant), config_for(mc.variant));
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(rig.device->status(), Class2State::Ready) << rig.device->unavailable_reason();
    const auto doc = fax_document("letter-fine-mmr.tif", tmp.path());
    const auto far_rx = tmp.path() / "far-received.tif";
    rig.far_host.answer_with(InboundCall{far_rx, session("FAR", kAllModulations, mc.ecm)});
    OutboundCall call;
    call.number = kFarNumber;
    call.document = doc;
    call.session = session("HOST", kAllModulations, mc.ecm);
    const TimePoint dialled = rig.clock.now();
    rig.device->dial(call);
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();
    if (std::getenv("FAXEMU_TRACE"))
        std::cerr << "line time of the 3-page call: "
                  << std::chrono::duration<double>(rig.clock.now() - dialled).count() << " s\n";
    EXPECT_TRUE(rig.host.outcome->ok()) << rig.host.outcome->cause_text << "\n" << rig.trace_text();
    EXPECT_EQ(rig.host.outcome->pages_done, 3);
    ASSERT_TRUE(rig.far_host.outcome);
    EXPECT_EQ(rig.far_host.outcome->pages_done, 3);
    int phase_b = 0;
    for (const auto& e : rig.far_host.events)
        if (e.kind == SessionEvent::Kind::Negotiated) ++phase_b;
    EXPECT_EQ(phase_b, 1) << "the far end went through phase B once per page:\n"
                          << rig.trace_text();
    ImageComparison sent = compare_fax_images(doc, far_rx);
    EXPECT_TRUE(sent.equal) << sent.detail;
}

INSTANTIATE_TEST_SUITE_P(
    Classes, Class2Mps,
    ::testing::Values(MpsCase{Class2Variant::Class2, true}, MpsCase{Class2Variant::Class2, false},
                      MpsCase{Class2Variant::Class20, true},
                      MpsCase{Class2Variant::Class20, false}),
    [](const ::testing::TestParamInfo<MpsCase>& i) {
        return std::string(i.param.variant == Class2Variant::Class2 ? "Class2" : "Class20") +
               (i.param.ecm ? "Ecm" : "NoEcm");
    });

// Without a configured class the driver picks 2.0 when the modem offers both.
TEST(Class2Device, PicksClass20WhenOffered) {
    Class2Rig rig;
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(rig.device->status(), Class2State::Ready) << rig.device->unavailable_reason();
    EXPECT_EQ(rig.device->variant(), Class2Variant::Class20);
    EXPECT_EQ(rig.engine().fax_class(), "2.0");
    EXPECT_NE(rig.device->modem_description().find("Class 2.0 modem"), std::string::npos)
        << rig.device->modem_description();
    EXPECT_TRUE(rig.device->health().available);
}

// A modem that answers +FCLASS=? with 0,1,2,2.0 (as most real ones): the driver
// takes Class 2.0, or Class 2 when configured so, and the calls go through.
class Class2OnMultiClass : public ::testing::TestWithParam<std::optional<Class2Variant>> {};

TEST_P(Class2OnMultiClass, SendsAndReceives) {
    TempDir tmp;
    Class2DeviceConfig c;
    c.variant = GetParam();
    Class2Rig rig(
        [](VirtualExchange& x) {
            return std::make_unique<MultiClassEngine>(x, kModemNumber, Class1Options{},
                                                      Class2Options{});
        },
        c);
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(rig.device->status(), Class2State::Ready) << rig.device->unavailable_reason();
    EXPECT_EQ(rig.device->variant(), GetParam().value_or(Class2Variant::Class20));
    const auto doc = fax_document("short-fine-mmr.tif", tmp.path());

    const auto far_rx = tmp.path() / "far.tif";
    rig.far_host.answer_with(InboundCall{far_rx, session("FAR")});
    OutboundCall call;
    call.number = kFarNumber;
    call.document = doc;
    call.session = session("HOST");
    rig.device->dial(call);
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();
    EXPECT_TRUE(rig.host.outcome->ok()) << rig.host.outcome->cause_text << rig.trace_text();
    ImageComparison sent = compare_fax_images(doc, far_rx);
    EXPECT_TRUE(sent.equal) << sent.detail;

    rig.host = test::DeviceRecorder{};
    rig.host.device = rig.device.get();
    rig.far_host = test::DeviceRecorder{};
    rig.far_host.device = &rig.far;
    const auto host_rx = tmp.path() / "host.tif";
    rig.host.answer_with(InboundCall{host_rx, session("HOST")});
    call.number = kModemNumber;
    call.session = session("FAR");
    rig.far.dial(call);
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();
    EXPECT_TRUE(rig.host.outcome->ok()) << rig.host.outcome->cause_text << rig.trace_text();
    ImageComparison got = compare_fax_images(doc, host_rx);
    EXPECT_TRUE(got.equal) << got.detail;
}

INSTANTIATE_TEST_SUITE_P(Choice, Class2OnMultiClass,
                         ::testing::Values(std::nullopt, Class2Variant::Class2,
                                           Class2Variant::Class20),
                         [](const ::testing::TestParamInfo<std::optional<Class2Variant>>& i) {
                             if (!i.param) return std::string("Auto");
                             return std::string(*i.param == Class2Variant::Class2 ? "Class2"
                                                                                  : "Class20");
                         });

// A document that cannot be read fails the call before dialling, for good.
TEST(Class2Device, UnreadableDocument) {
    TempDir tmp;
    Class2Rig rig;
    ASSERT_TRUE(rig.bring_up());
    OutboundCall call;
    call.number = kFarNumber;
    call.document = tmp.path() / "missing.tif";
    call.session = session("HOST");
    rig.device->dial(call);
    ASSERT_TRUE(rig.run_until([&] { return rig.host.outcome && rig.device->idle(); },
                              std::chrono::minutes(1)));
    EXPECT_EQ(rig.host.outcome->failure, FailureClass::Document);
    EXPECT_FALSE(rig.host.outcome->retryable());
    EXPECT_NE(rig.host.outcome->cause_text.find("missing.tif"), std::string::npos);
    EXPECT_TRUE(rig.far_host.rings.empty());
}

}  // namespace
}  // namespace faxemu
