#include "devices/serial/modem_probe.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "tests/devices/serial/fake_modem.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::FakeModem;

TEST(ModemProbeParse, FclassLists) {
    using V = std::vector<std::string>;
    EXPECT_EQ(parse_fclass_list("0,1,2,2.0"), (V{"0", "1", "2", "2.0"}));
    EXPECT_EQ(parse_fclass_list("0,1,1.0"), (V{"0", "1", "1.0"}));
    EXPECT_EQ(parse_fclass_list("(0,1,2,2.0,8)"), (V{"0", "1", "2", "2.0", "8"}));
    EXPECT_EQ(parse_fclass_list("0-2"), (V{"0", "1", "2"}));
    EXPECT_EQ(parse_fclass_list("+FCLASS: (0-1),2.0"), (V{"0", "1", "2.0"}));
    EXPECT_EQ(parse_fclass_list(" 0, 1 ,2.1 "), (V{"0", "1", "2.1"}));
    EXPECT_EQ(parse_fclass_list(""), V{});
}

TEST(ModemProbeParse, CodeLists) {
    using V = std::vector<int>;
    EXPECT_EQ(parse_code_list("24,48,72,73,74,96,97,98,121,122,145,146"),
              (V{24, 48, 72, 73, 74, 96, 97, 98, 121, 122, 145, 146}));
    EXPECT_EQ(parse_code_list("(3)"), V{3});
    EXPECT_EQ(parse_code_list("72-74,24"), (V{24, 72, 73, 74}));
    EXPECT_EQ(parse_code_list("+FTM: 24,48\n96"), (V{24, 48, 96}));
    EXPECT_EQ(parse_code_list("x,,"), V{});
}

// A crash of the fuzz target tests/fuzz/class2.cpp: a range ending at the largest
// int overflowed the loop's counter (undefined behaviour; endless in practice).
TEST(ModemProbeParse, RangeEndingAtTheLargestInt) {
    const auto file = std::filesystem::path(FAXEMU_SOURCE_DIR) /
                      "fixtures/fuzz/regressions/class2/range-at-int-max";
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << file;
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    EXPECT_EQ(parse_fclass_list(text), (std::vector<std::string>{"2147483646", "2147483647"}));
    EXPECT_EQ(parse_code_list(text), (std::vector<int>{2147483646, 2147483647}));
}

TEST(ModemProbeParse, IdentityAnswers) {
    EXPECT_EQ(clean_identity({"+FMI: \"U.S. Robotics\""}), "U.S. Robotics");
    EXPECT_EQ(clean_identity({"  ROCKWELL  "}), "ROCKWELL");
    EXPECT_EQ(clean_identity({"Model", "56K"}), "Model 56K");
}

TEST(ModemProbeParse, Describe) {
    ModemIdentity id;
    id.device = "/dev/ttyS0";
    id.manufacturer = "U.S. Robotics";
    id.model = "Courier";
    id.classes = {"0", "1", "2.0"};
    id.class1_ftm = {24, 48, 72, 96, 145, 146};
    EXPECT_EQ(id.describe(),
              "U.S. Robotics Courier on /dev/ttyS0: classes 0,1,2.0; Class 1 up to 14400 bit/s "
              "(V.17)");
    EXPECT_EQ(id.class1_max_bit_rate(), 14400);
    id.class1_ftm = {24, 48, 72, 96};
    EXPECT_EQ(id.class1_max_bit_rate(), 9600);
    EXPECT_NE(id.describe().find("(V.29)"), std::string::npos);
}

// A scripted modem: exact command -> reply body lines ("" = just OK); "ERROR";
// missing commands answer ERROR. The modem echoes until ATE0 (as after ATZ).
class ScriptedModem {
  public:
    ScriptedModem(FakeModem& modem, std::map<std::string, std::string> replies)
        : replies_(std::move(replies)) {
        modem.set_script([this](const std::string& c) -> std::optional<std::string> {
            std::string out = echo_ ? c + "\r" : "";
            if (c.rfind("ATE0", 0) == 0) echo_ = false;
            const auto it = replies_.find(c);
            if (it == replies_.end() || it->second == "ERROR") return out + "\r\nERROR\r\n";
            if (!it->second.empty()) out += "\r\n" + it->second + "\r\n";
            return out + "\r\nOK\r\n";
        });
    }

  private:
    std::map<std::string, std::string> replies_;
    bool echo_ = true;
};

class ModemProbeTest : public ::testing::Test {
  protected:
    ModemProbeTest() : modem(io), line(io, modem.slave_path()), at(line, clock) { line.open(); }

    ProbeResult run(ModemProbe& probe) {
        const TimePoint start = clock.now();
        std::optional<ProbeResult> got;
        probe.start([&](const ProbeResult& r) { got = r; });
        for (int i = 0; i < 100000 && !got; ++i) {
            if (line.is_open())
                EXPECT_TRUE(test::settle(io, line, modem));
            else
                test::run_until(io, [] { return true; });
            at.poll();
            if (!got) clock.advance(20ms);
        }
        elapsed = clock.now() - start;
        EXPECT_TRUE(got.has_value());
        EXPECT_FALSE(probe.running());
        return got.value_or(ProbeResult{});
    }
    ProbeResult run() {
        ModemProbe probe(at);
        return run(probe);
    }

    asio::io_context io;
    VirtualClock clock;
    FakeModem modem;
    SerialLine line;
    AtChannel at;
    Duration elapsed{};
};

TEST_F(ModemProbeTest, Class1OnlyModem) {
    ScriptedModem script(modem, {
                                    {"ATZ", ""},
                                    {"ATE0V1Q0", ""},
                                    {"ATI", "5601"},
                                    {"AT+FMI?", "U.S. Robotics"},
                                    {"AT+FMM?", "Sportster 56K"},
                                    {"AT+FMR?", "rev 8.4"},
                                    {"AT+FCLASS=?", "0,1"},
                                    {"AT+FCLASS=1", ""},
                                    {"AT+FTM=?", "24,48,72,73,74,96,97,98,121,122,145,146"},
                                    {"AT+FRM=?", "24,48,72,73,74,96,97,98,121,122,145,146"},
                                    {"AT+FTH=?", "3"},
                                    {"AT+FRH=?", "3"},
                                    {"AT+FCLASS=0", ""},
                                });
    const ProbeResult r = run();
    ASSERT_TRUE(r.ok()) << r.failure.message;
    const ModemIdentity& id = *r.identity;
    EXPECT_EQ(id.device, modem.slave_path());
    EXPECT_EQ(id.manufacturer, "U.S. Robotics");
    EXPECT_EQ(id.model, "Sportster 56K");
    EXPECT_EQ(id.revision, "rev 8.4");
    EXPECT_EQ(id.ati, std::vector<std::string>{"5601"});
    EXPECT_EQ(id.classes, (std::vector<std::string>{"0", "1"}));
    EXPECT_TRUE(id.supports("1"));
    EXPECT_FALSE(id.supports("2"));
    EXPECT_EQ(id.class1_ftm.size(), 12u);
    EXPECT_EQ(id.class1_frm.size(), 12u);
    EXPECT_EQ(id.class1_fth, std::vector<int>{3});
    EXPECT_EQ(id.class1_frh, std::vector<int>{3});
    EXPECT_EQ(id.describe(), "U.S. Robotics Sportster 56K rev 8.4 on " + modem.slave_path() +
                                 ": classes 0,1; Class 1 up to 14400 bit/s (V.17)");
    // The modem is left in Class 0 and the Class 2 fallbacks were not needed.
    EXPECT_EQ(modem.commands().back(), "AT+FCLASS=0");
    for (const auto& c : modem.commands()) EXPECT_NE(c, "AT+FMFR?");
}

TEST_F(ModemProbeTest, Class1And2And20ModemWithClass2NamesAndAddedSteps) {
    ScriptedModem script(modem, {
                                    {"ATZ", ""},
                                    {"ATE0V1Q0", ""},
                                    {"ATI", "144"},
                                    {"AT+FMFR?", "ROCKWELL"},
                                    {"AT+FMDL?", "RC144AC"},
                                    {"AT+FREV?", "V1.400"},
                                    {"AT+FCLASS=?", "(0,1,2,2.0)"},
                                    {"AT+FCLASS=1", ""},
                                    {"AT+FTM=?", "24,48,72,96"},
                                    {"AT+FRM=?", "24,48,72,96"},
                                    {"AT+FTH=?", "3"},
                                    {"AT+FRH=?", "3"},
                                    {"AT+FCLASS=0", ""},
                                    {"AT+FCLASS=2", ""},
                                    {"AT+FDCC=?", "(0,1),(0-3),(0-4),(0-2),(0,1),(0),(0),(0-7)"},
                                });
    ModemProbe probe(at);
    const auto class2 = [](const ModemIdentity& id) { return id.supports("2"); };
    probe.add_step({"AT+FCLASS=2", class2, {}});
    probe.add_step({"AT+FDCC=?", class2, {}});
    probe.add_step({"AT+FCC=?", [](const ModemIdentity& id) { return id.supports("2.1"); }, {}});
    const ProbeResult r = run(probe);
    ASSERT_TRUE(r.ok()) << r.failure.message;
    const ModemIdentity& id = *r.identity;
    EXPECT_EQ(id.manufacturer, "ROCKWELL");
    EXPECT_EQ(id.model, "RC144AC");
    EXPECT_EQ(id.revision, "V1.400");
    EXPECT_EQ(id.classes, (std::vector<std::string>{"0", "1", "2", "2.0"}));
    EXPECT_EQ(id.class1_max_bit_rate(), 9600);
    EXPECT_EQ(id.extra.at("AT+FDCC=?"), "(0,1),(0-3),(0-4),(0-2),(0,1),(0),(0),(0-7)");
    EXPECT_EQ(id.extra.count("AT+FCC=?"), 0u);  // its condition did not hold
    EXPECT_EQ(modem.commands().back(), "AT+FDCC=?");
}

TEST_F(ModemProbeTest, SilentDeviceIsNoAnswerAfterResetAndBareAt) {
    modem.set_script([](const std::string&) { return std::nullopt; });
    const ProbeResult r = run();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure.reason, ModemUnavailable::Reason::NoAnswer);
    EXPECT_NE(r.failure.message.find(modem.slave_path()), std::string::npos) << r.failure.message;
    EXPECT_EQ(modem.commands(), (std::vector<std::string>{"ATZ", "AT"}));
    // 5 s for ATZ + 5 s for AT, in virtual time (one 20 ms step of slack each).
    EXPECT_GE(elapsed, 10s);
    EXPECT_LE(elapsed, 10s + 40ms);
}

TEST_F(ModemProbeTest, ModemThatNeedsAWakeUpAtAfterSilentReset) {
    std::map<std::string, std::string> replies{
        {"AT", ""}, {"ATE0V1Q0", ""}, {"AT+FCLASS=?", "0,1,1.0"}};
    bool first = true;
    modem.set_script([&](const std::string& c) -> std::optional<std::string> {
        if (first) {  // swallows the first command
            first = false;
            return std::nullopt;
        }
        return replies.count(c)
                   ? "\r\n" + replies[c] + (replies[c].empty() ? "" : "\r\n\r\n") + "OK\r\n"
                   : "\r\nERROR\r\n";
    });
    ModemProbe probe(at, ModemProbe::Options{.query_class1_modulations = false});
    const ProbeResult r = run(probe);
    ASSERT_TRUE(r.ok()) << r.failure.message;
    EXPECT_EQ(r.identity->classes, (std::vector<std::string>{"0", "1", "1.0"}));
    EXPECT_TRUE(r.identity->class1_ftm.empty());
    EXPECT_EQ(r.identity->manufacturer, "");
    EXPECT_NE(r.identity->describe().find("classes 0,1,1.0"), std::string::npos);
}

TEST_F(ModemProbeTest, GarbageDeviceIsReportedAsGarbage) {
    modem.set_script([](const std::string&) -> std::optional<std::string> {
        return std::string("\xc3\x9f\x80\xff\r\n\xfe\xfe\r\n", 10);
    });
    const ProbeResult r = run();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure.reason, ModemUnavailable::Reason::Garbage);
    EXPECT_NE(r.failure.message.find(modem.slave_path()), std::string::npos) << r.failure.message;
}

TEST_F(ModemProbeTest, ErrorToEverythingIsRejected) {
    ScriptedModem script(modem, {});
    const ProbeResult r = run();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure.reason, ModemUnavailable::Reason::Rejected);
    EXPECT_NE(r.failure.message.find("ERROR"), std::string::npos) << r.failure.message;
}

TEST_F(ModemProbeTest, DataOnlyModemIsNotFax) {
    ScriptedModem script(modem,
                         {{"ATZ", ""}, {"ATE0V1Q0", ""}, {"ATI", "28800"}, {"AT+FCLASS=?", "0"}});
    const ProbeResult r = run();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure.reason, ModemUnavailable::Reason::NotFax);
    EXPECT_NE(r.failure.message.find("no fax class"), std::string::npos) << r.failure.message;
}

TEST_F(ModemProbeTest, DeviceVanishingMidProbe) {
    modem.set_script([&](const std::string& c) -> std::optional<std::string> {
        if (c == "ATI") {
            modem.vanish();
            return std::nullopt;
        }
        return std::string("\r\nOK\r\n");
    });
    const ProbeResult r = run();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure.reason, ModemUnavailable::Reason::Vanished);
    EXPECT_NE(r.failure.message.find(modem.slave_path()), std::string::npos) << r.failure.message;
}

}  // namespace
}  // namespace faxemu
