// The all-classes modem: +FCLASS=? lists 0,1,2,2.0 and the class chosen decides
// which engine (spandsp's T.31 or the Class 2 layer) serves the host.
#include <gtest/gtest.h>

#include <map>

#include "class2_rig.hpp"
#include "core/image_compare.hpp"
#include "devices/class2_protocol/t4_stream.hpp"
#include "devices/virtual_class2/multi_class_engine.hpp"
#include "devices/virtual_class2/register_engines.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::fixture;
using test::ScriptedHost;
using test::TempDir;
using namespace std::chrono_literals;

struct MultiRig {
    MultiRig()
        : exchange(clock),
          far(exchange, "200"),
          modem(exchange, "100", Class1Options{}, test::traced()),
          attachment(exchange, modem),
          host(exchange, modem) {}
    VirtualClock clock;
    VirtualExchange exchange;
    test::SimulatedEnd far;
    MultiClassEngine modem;
    LineAttachment attachment;
    ScriptedHost host;
};

TEST(MultiClassEngine, ListsEveryClassAndRoutesByTheChosenOne) {
    MultiRig rig;
    ScriptedHost& h = rig.host;
    EXPECT_EQ(h.command("E0").back(), "OK");
    auto classes = h.command("+FCLASS=?");
    EXPECT_TRUE(ScriptedHost::has(classes, "0,1,2,2.0")) << h.transcript();
    EXPECT_EQ(h.command("+FCLASS=1").back(), "OK");
    EXPECT_FALSE(rig.modem.class2_active());
    // T.31 answers its modulation list; the Class 2 layer would say ERROR.
    auto ftm = h.command("+FTM=?");
    EXPECT_EQ(ftm.back(), "OK") << h.transcript();
    EXPECT_TRUE(ScriptedHost::find(ftm, "").find("24") != std::string::npos) << h.transcript();
    EXPECT_EQ(h.command("+FCLASS=2.0").back(), "OK");
    EXPECT_TRUE(rig.modem.class2_active());
    EXPECT_TRUE(ScriptedHost::has(h.command("+FCC=?"), "(0,1),(0-5)"));
    EXPECT_EQ(h.command("+FTM=?").back(), "ERROR");
}

TEST(MultiClassEngine, SendsInClass2) {
    TempDir tmp;
    MultiRig rig;
    InboundCall in;
    in.rx_file = tmp.path() / "rx.tif";
    rig.far.listener.answer_with(in);
    ScriptedHost& h = rig.host;
    ASSERT_EQ(h.command("E0").back(), "OK");
    ASSERT_EQ(h.command("+FCLASS=2").back(), "OK");
    ASSERT_EQ(h.command("+FDCC=1,5,0,2,1,0,0,0").back(), "OK");
    ASSERT_EQ(h.command("D200", 90s).back(), "OK") << h.transcript();
    const auto source = fixture("documents/short-fine-mmr.tif");
    auto fdt = h.command("+FDT", 30s);
    ASSERT_EQ(fdt.back(), "CONNECT");
    ASSERT_TRUE(h.wait_byte(0x11, 5s));
    auto data = ScriptedHost::stuff(
        T4PageEncoder(source, 0, 0)
            .encode_next(ScriptedHost::find(fdt, "+FDCS:")[8] - '0', Class2BitOrder::Direct));
    data.push_back(0x10);
    data.push_back(0x03);
    h.write(data);
    ASSERT_EQ(h.wait_final(60s).back(), "OK");
    auto r = h.command("+FET=2", 120s);
    EXPECT_EQ(ScriptedHost::find(r, "+FPTS:"), "1");
    ASSERT_TRUE(rig.exchange.run_until([&] { return rig.far.listener.outcome.has_value(); }, 30s));
    const ImageComparison cmp = compare_fax_images(source, in.rx_file);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

TEST(EngineFactory, MakesTheClass2Engines) {
    register_virtual_class2_engines();
    VirtualClock clock;
    VirtualExchange exchange(clock);
    for (const char* cls : {"2", "2.0", "all"}) {
        EngineSpec spec;
        spec.modem_class = cls;
        spec.number = std::string("10") + cls;
        spec.options =
            EngineOptions(std::map<std::string, std::string>{{"late_xon", "500"}, {"busy", "1"}});
        EXPECT_NE(make_engine(exchange, spec), nullptr) << cls;
    }
    EngineSpec bad;
    bad.modem_class = "2";
    bad.number = "109";
    bad.options = EngineOptions(std::map<std::string, std::string>{{"early_ftm_connect", "1"}});
    EXPECT_THROW(make_engine(exchange, bad), std::invalid_argument);
    bad.options = EngineOptions(std::map<std::string, std::string>{{"rx_trigger", "dc7"}});
    EXPECT_THROW(make_engine(exchange, bad), std::invalid_argument);
}

}  // namespace
}  // namespace faxemu
