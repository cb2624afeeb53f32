// Real T.30 through the Class 1 driver: Class1Device <-> virtual T.31 modem on a
// pty <-> virtual exchange <-> a simulated port or a second Class1Device. Every
// received page is compared pixel for pixel with what was sent.
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

constexpr auto kCallLimit = std::chrono::minutes(15);

SessionConfig session(const std::string& ident, bool ecm, int modulations) {
    SessionConfig s;
    s.local_ident = ident;
    s.ecm = ecm;
    s.modulations = modulations;
    return s;
}

// A simulated port on the exchange that answers on the first ring.
struct SimulatedPeer {
    SimulatedPeer(VirtualExchange& x, const std::string& number, const std::filesystem::path& rx,
                  SessionConfig cfg)
        : device(x, number) {
        device.set_listener(&listener);
        listener.device = &device;
        listener.answer_with(InboundCall{rx, std::move(cfg)});
    }
    SimulatedDevice device;
    DeviceRecorder listener;
};

TEST(Class1Device, ProbesTheVirtualModem) {
    Class1Rig rig;
    auto& m = rig.add_modem("5551000");
    ASSERT_TRUE(rig.bring_up());
    EXPECT_EQ(m.device->status(), Class1State::Ready) << m.device->unavailable_reason();
    EXPECT_TRUE(m.device->idle());
    EXPECT_EQ(m.device->modem_modulations(),
              T30_SUPPORT_V17 | T30_SUPPORT_V29 | T30_SUPPORT_V27TER);
    EXPECT_NE(m.device->modem_description().find("faxemu"), std::string::npos)
        << m.device->modem_description();
}

struct SendCase {
    const char* doc;
    bool ecm;
    int modulations;
    int bit_rate;
    const char* modulation;
};

void send_to_simulated(const SendCase& c) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000");
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(m.device->status(), Class1State::Ready) << m.device->unavailable_reason();
    SimulatedPeer peer(rig.exchange, "5552000", tmp.path() / "rx.tif",
                       session("+1 555 2000", c.ecm, kAllModulations));
    OutboundCall call;
    call.number = "5552000";
    call.document = fax_document(c.doc, tmp.path());
    call.session = session("+1 555 1000", c.ecm, c.modulations);
    const TimePoint start = rig.clock.now();
    m.device->dial(call);
    ASSERT_TRUE(
        rig.run_until([&] { return m.listener.outcome && peer.listener.outcome; }, kCallLimit));
    const int pages = static_cast<int>(read_bilevel_pages(call.document).size());
    EXPECT_EQ(m.listener.outcome->pages_done, pages);
    EXPECT_EQ(peer.listener.outcome->pages_done, pages);
    std::cout
        << c.doc << (c.ecm ? " ECM " : " ") << c.modulation << ": " << pages << " page(s) in "
        << std::chrono::duration_cast<std::chrono::milliseconds>(rig.clock.now() - start).count()
        << " ms of line time\n";
    EXPECT_TRUE(m.listener.outcome->ok()) << m.listener.outcome->cause_text;
    EXPECT_TRUE(peer.listener.outcome->ok()) << peer.listener.outcome->cause_text;
    ASSERT_TRUE(m.listener.negotiated.has_value());
    EXPECT_EQ(m.listener.negotiated->bit_rate, c.bit_rate);
    EXPECT_EQ(m.listener.negotiated->modulation, c.modulation);
    EXPECT_EQ(m.listener.negotiated->ecm, c.ecm);
    EXPECT_EQ(m.listener.connected, 1);
    ImageComparison cmp = compare_fax_images(call.document, tmp.path() / "rx.tif");
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    EXPECT_TRUE(m.device->idle());
}

TEST(Class1Device, SendsV17NonEcmToASimulatedPort) {
    send_to_simulated({"short-std-mmr.tif", false, kAllModulations, 14400, "V.17"});
}

TEST(Class1Device, SendsV29EcmFine) {
    send_to_simulated(
        {"letter-fine-mmr.tif", true, static_cast<int>(Modulation::V29), 9600, "V.29"});
}

TEST(Class1Device, SendsV27terNonEcmStandard) {
    send_to_simulated(
        {"letter-std-mh.tif", false, static_cast<int>(Modulation::V27ter), 4800, "V.27ter"});
}

TEST(Class1Device, SendsV17EcmStandard) {
    send_to_simulated({"letter-std-mr.tif", true, kAllModulations, 14400, "V.17"});
}

// The simulated port calls; the Class 1 device answers after two rings and receives.
void receive_from_simulated(const SendCase& c) {
    TempDir tmp;
    Class1Rig rig;
    auto& m = rig.add_modem("5551000", [] {
        Class1Options o;
        o.caller_id = true;
        return o;
    }());
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(m.device->status(), Class1State::Ready) << m.device->unavailable_reason();
    m.listener.inbound =
        InboundCall{tmp.path() / "rx.tif", session("+1 555 1000", c.ecm, c.modulations)};
    m.listener.answer_on_ring = 2;
    SimulatedDevice sender(rig.exchange, "5552000");
    DeviceRecorder sl;
    sender.set_listener(&sl);
    OutboundCall call;
    call.number = "5551000";
    call.document = fax_document(c.doc, tmp.path());
    call.session = session("+1 555 2000", c.ecm, kAllModulations);
    sender.dial(call);
    ASSERT_TRUE(rig.run_until([&] { return m.listener.outcome && sl.outcome; }, kCallLimit));
    EXPECT_TRUE(m.listener.outcome->ok()) << m.listener.outcome->cause_text;
    EXPECT_TRUE(sl.outcome->ok()) << sl.outcome->cause_text;
    EXPECT_EQ(m.listener.rings, (std::vector<int>{1, 2}));
    EXPECT_EQ(m.listener.caller_ids.back(), "5552000");
    ASSERT_TRUE(m.listener.negotiated.has_value());
    EXPECT_EQ(m.listener.negotiated->bit_rate, c.bit_rate);
    EXPECT_EQ(m.listener.negotiated->modulation, c.modulation);
    EXPECT_EQ(m.listener.negotiated->ecm, c.ecm);
    const int pages = static_cast<int>(read_bilevel_pages(call.document).size());
    EXPECT_EQ(m.listener.outcome->pages_done, pages);
    ImageComparison cmp = compare_fax_images(call.document, tmp.path() / "rx.tif");
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    EXPECT_TRUE(m.device->idle());
}

TEST(Class1Device, ReceivesV17NonEcmFine) {
    receive_from_simulated({"letter-fine-mr.tif", false, kAllModulations, 14400, "V.17"});
}

TEST(Class1Device, ReceivesV17EcmStandard) {
    receive_from_simulated({"letter-std-mmr.tif", true, kAllModulations, 14400, "V.17"});
}

TEST(Class1Device, ReceivesV29NonEcmStandard) {
    receive_from_simulated(
        {"letter-std-mh.tif", false, static_cast<int>(Modulation::V29), 9600, "V.29"});
}

TEST(Class1Device, ReceivesV27terEcmFine) {
    receive_from_simulated(
        {"short-fine-mmr.tif", true, static_cast<int>(Modulation::V27ter), 4800, "V.27ter"});
}

// Both ends are Class 1 devices on virtual modems.
void class1_to_class1(const SendCase& c) {
    TempDir tmp;
    Class1Rig rig;
    auto& a = rig.add_modem("5551000");
    auto& b = rig.add_modem("5551001");
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(a.device->status(), Class1State::Ready) << a.device->unavailable_reason();
    ASSERT_EQ(b.device->status(), Class1State::Ready) << b.device->unavailable_reason();
    b.listener.inbound =
        InboundCall{tmp.path() / "rx.tif", session("+1 555 1001", c.ecm, kAllModulations)};
    b.listener.answer_on_ring = 1;
    OutboundCall call;
    call.number = "5551001";
    call.document = fax_document(c.doc, tmp.path());
    call.session = session("+1 555 1000", c.ecm, c.modulations);
    a.device->dial(call);
    ASSERT_TRUE(
        rig.run_until([&] { return a.listener.outcome && b.listener.outcome; }, kCallLimit));
    EXPECT_TRUE(a.listener.outcome->ok()) << a.listener.outcome->cause_text;
    EXPECT_TRUE(b.listener.outcome->ok()) << b.listener.outcome->cause_text;
    ASSERT_TRUE(a.listener.negotiated.has_value());
    ASSERT_TRUE(b.listener.negotiated.has_value());
    EXPECT_EQ(a.listener.negotiated->bit_rate, c.bit_rate);
    EXPECT_EQ(b.listener.negotiated->modulation, c.modulation);
    EXPECT_EQ(b.listener.negotiated->ecm, c.ecm);
    ASSERT_FALSE(a.listener.events.empty());
    EXPECT_EQ(a.listener.events.back().remote_ident, "+1 555 1001");
    ASSERT_FALSE(b.listener.events.empty());
    EXPECT_EQ(b.listener.events.back().remote_ident, "+1 555 1000");
    ImageComparison cmp = compare_fax_images(call.document, tmp.path() / "rx.tif");
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

TEST(Class1ToClass1, V17EcmFine) {
    class1_to_class1({"letter-fine-mmr.tif", true, kAllModulations, 14400, "V.17"});
}

TEST(Class1ToClass1, V29NonEcmStandard) {
    class1_to_class1({"letter-std-mr.tif", false, static_cast<int>(Modulation::V29), 9600, "V.29"});
}

TEST(Class1ToClass1, V27terNonEcmFine) {
    class1_to_class1(
        {"short-fine-mmr.tif", false, static_cast<int>(Modulation::V27ter), 4800, "V.27ter"});
}

}  // namespace
}  // namespace faxemu
