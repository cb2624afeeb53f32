// The probe against the real virtual Class 1 modem: spandsp's T.31 behind B's
// PtyModem, on virtual time with the settle-then-step loop faxd's tests use.
#include <gtest/gtest.h>

#include "devices/serial/modem_probe.hpp"
#include "devices/virtual_modem/class1_engine.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "devices/virtual_modem/pty_modem.hpp"
#include "tests/devices/serial/fake_modem.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;

class VirtualModemProbeTest : public ::testing::Test {
  protected:
    void make_modem(Class1Options options = {}) {
        modem = std::make_unique<PtyModem>(
            io, std::make_unique<Class1Engine>(exchange, "5550001", std::move(options)),
            dir.path() / "ttyFAX0");
        attachment = std::make_unique<LineAttachment>(exchange, modem->engine());
        line = std::make_unique<SerialLine>(io, modem->device_path());
        at = std::make_unique<AtChannel>(*line, clock);
        line->open();
    }

    // No bytes in flight either way (completed counts on both sides equal).
    bool settle() { return test::settle(io, *line, *modem); }

    ProbeResult probe(ModemProbe::Options options = {}) {
        ModemProbe p(*at, options);
        std::optional<ProbeResult> got;
        p.start([&](const ProbeResult& r) { got = r; });
        const TimePoint start = clock.now();
        while (!got && clock.now() - start < 60s) {
            EXPECT_TRUE(settle());
            exchange.step();
            at->poll();
        }
        elapsed = clock.now() - start;
        EXPECT_TRUE(got.has_value());
        return got.value_or(ProbeResult{});
    }

    test::TempDir dir;
    asio::io_context io;
    VirtualClock clock;
    VirtualExchange exchange{clock};
    std::unique_ptr<PtyModem> modem;
    std::unique_ptr<LineAttachment> attachment;
    std::unique_ptr<SerialLine> line;
    std::unique_ptr<AtChannel> at;
    Duration elapsed{};
};

TEST_F(VirtualModemProbeTest, FindsSpandspT31Class1Modem) {
    make_modem();
    const ProbeResult r = probe();
    ASSERT_TRUE(r.ok()) << r.failure.message;
    const ModemIdentity& id = *r.identity;
    EXPECT_EQ(id.device, (dir.path() / "ttyFAX0").string());
    // spandsp's T.31 answers +FCLASS=? with 0,1,1.0 (reference/spandsp-0.0.6.md §5b).
    EXPECT_EQ(id.classes, (std::vector<std::string>{"0", "1", "1.0"}));
    EXPECT_EQ(id.manufacturer, "faxemu");
    EXPECT_EQ(id.model, "faxemu virtual Class 1 modem");
    EXPECT_EQ(id.revision, "1.0 (spandsp 0.0.6 T.31)");
    EXPECT_EQ(id.class1_fth, std::vector<int>{3});
    EXPECT_EQ(id.class1_frh, std::vector<int>{3});
    for (int code : {24, 48, 72, 96, 145, 146})
        EXPECT_NE(std::find(id.class1_ftm.begin(), id.class1_ftm.end(), code), id.class1_ftm.end())
            << code;
    EXPECT_EQ(id.class1_max_bit_rate(), 14400);
    EXPECT_NE(id.describe().find("Class 1 up to 14400 bit/s (V.17)"), std::string::npos)
        << id.describe();
    // The modem answers at once: the whole probe fits in a few 20 ms steps.
    EXPECT_LT(elapsed, 1s);
    std::cout << "probe: " << id.describe() << " (" << r.identity->ati.size()
              << " ATI lines, virtual time "
              << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms)\n";
}

TEST_F(VirtualModemProbeTest, SilentVirtualModemIsNoAnswer) {
    Class1Options options;
    options.faults.silent_after_commands = 0;
    make_modem(options);
    const ProbeResult r = probe();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure.reason, ModemUnavailable::Reason::NoAnswer);
    EXPECT_NE(r.failure.message.find("ttyFAX0"), std::string::npos) << r.failure.message;
}

TEST_F(VirtualModemProbeTest, GarbageVirtualModemIsGarbage) {
    Class1Options options;
    options.faults.garbage_after_commands = 0;
    make_modem(options);
    const ProbeResult r = probe();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure.reason, ModemUnavailable::Reason::Garbage) << r.failure.message;
}

}  // namespace
}  // namespace faxemu
