// The engine factory: class names, key=value options, and errors naming the modem.
#include <gtest/gtest.h>

#include <stdexcept>

#include "devices/virtual_modem/class1_engine.hpp"
#include "devices/virtual_modem/engine_factory.hpp"

namespace faxemu {
namespace {

TEST(EngineFactory, MakesAClass1EngineWithFaultsAndQuirks) {
    VirtualClock clock;
    VirtualExchange exchange(clock);
    EngineSpec spec;
    spec.number = "5550001";
    spec.options = EngineOptions({{"busy", "1"},
                                  {"drop_after_pages", "2"},
                                  {"noise", "27:-56"},
                                  {"frh_bogus_connect", "yes"},
                                  {"flow_overflow", "128"},
                                  {"model", "FaxBlaster"}});
    auto engine = make_engine(exchange, spec);
    auto* c1 = dynamic_cast<Class1Engine*>(engine.get());
    ASSERT_NE(c1, nullptr);
    EXPECT_EQ(c1->number(), "5550001");
    const Class1Options& o = c1->options();
    EXPECT_TRUE(o.faults.busy);
    EXPECT_EQ(o.faults.drop_after_pages, 2);
    ASSERT_TRUE(o.faults.noise.has_value());
    EXPECT_FLOAT_EQ(o.faults.noise->attenuation_db, 27);
    EXPECT_FLOAT_EQ(o.faults.noise->noise_dbm0, -56);
    EXPECT_TRUE(o.quirks.frh_bogus_connect);
    EXPECT_EQ(o.quirks.flow_overflow_slack, 128u);
    EXPECT_EQ(o.identity.model, "FaxBlaster");
    EXPECT_FALSE(o.quirks.reversed_bit_order);
}

TEST(EngineFactory, ErrorsNameTheModem) {
    VirtualClock clock;
    VirtualExchange exchange(clock);
    auto message = [&](EngineSpec spec) -> std::string {
        try {
            make_engine(exchange, std::move(spec));
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "";
    };
    EngineSpec unknown_class;
    unknown_class.number = "5550007";
    unknown_class.modem_class = "3";
    EXPECT_NE(message(unknown_class).find("modem 5550007: unknown class '3'"), std::string::npos)
        << message(unknown_class);

    EngineSpec typo;
    typo.number = "5550008";
    typo.options = EngineOptions(std::map<std::string, std::string>{{"bussy", "1"}});
    EXPECT_NE(message(typo).find("modem 5550008: unknown option(s) for class 1: bussy"),
              std::string::npos)
        << message(typo);

    EngineSpec bad_number;
    bad_number.number = "5550009";
    bad_number.options =
        EngineOptions(std::map<std::string, std::string>{{"silent_after", "many"}});
    EXPECT_NE(message(bad_number).find("modem 5550009: option silent_after=many"),
              std::string::npos)
        << message(bad_number);
}

TEST(EngineFactory, OtherLibrariesRegisterClasses) {
    VirtualClock clock;
    VirtualExchange exchange(clock);
    // A library documents the keys its maker reads (faxmodem --help lists them).
    document_engine_options("test-class", {{"extra", "", "a key only test-class reads"}});
    register_engine_class("test-class", [](VirtualExchange& x, EngineSpec& spec) {
        spec.options.take("extra");
        return std::unique_ptr<ModemEngine>(std::make_unique<Class1Engine>(x, spec.number));
    });
    const auto classes = engine_classes();
    EXPECT_NE(std::find(classes.begin(), classes.end(), "test-class"), classes.end());
    EngineSpec spec;
    spec.modem_class = "test-class";
    spec.number = "5550010";
    spec.options = EngineOptions(std::map<std::string, std::string>{{"extra", "1"}});
    EXPECT_EQ(make_engine(exchange, spec)->number(), "5550010");
}

}  // namespace
}  // namespace faxemu
