#include "tools/faxd/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu::faxd {
namespace {

const std::string kPort = R"(
[[port]]
name = "p"
number = "5551001"
)";

std::string error_of(const std::string& toml) {
    try {
        parse_config(toml, "test.toml");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

// A misspelt key would otherwise be ignored without a word.
TEST(FaxdConfig, AnUnknownKeyIsNamedWithItsLineAndTheKeyMeant) {
    EXPECT_EQ(error_of("[server]\nretires = 3\n" + kPort),
              "test.toml:2: server.retires: unknown key (did you mean \"retries\"?)");
    EXPECT_EQ(error_of(kPort + "ringz = 2\n"),
              "test.toml:5: port[1].ringz: unknown key (did you mean \"rings\"?)");
    EXPECT_EQ(error_of("[sever]\nspool = \"/x\"\n" + kPort),
              "test.toml:1: sever: unknown key (did you mean \"server\"?)");
    EXPECT_EQ(error_of(kPort + "[[port.routing]]\nguid = \"x\"\nenable = true\n"),
              "test.toml:7: port[1].routing[1].enable: unknown key (did you mean \"enabled\"?)");
    EXPECT_EQ(error_of("[server]\nwidget = 1\n" + kPort),
              "test.toml:2: server.widget: unknown key");
    // A bad value names its line too.
    EXPECT_EQ(error_of("[server]\n\nworkers = 0\n" + kPort),
              "test.toml:3: server.workers: must be 1 to 64");
}

// `faxd check-config` says what is wrong, and faxd refuses to start on it.
TEST(FaxdConfig, CheckConfigAndStartRefuseAMisspeltKey) {
    test::TempDir dir;
    const auto file = dir.path() / "faxd.toml";
    std::ofstream(file) << "[server]\nretires = 3\n" << kPort;
    std::string out;
    EXPECT_EQ(test::run({FAXD_PATH, "check-config", file.string()}, out, dir.path()), 1);
    EXPECT_NE(
        out.find(file.string() + ":2: server.retires: unknown key (did you mean \"retries\"?)"),
        std::string::npos)
        << out;
    EXPECT_EQ(test::run({FAXD_PATH, "--config", file.string(), "--listen", ""}, out, dir.path()),
              1);
    EXPECT_NE(out.find("server.retires: unknown key"), std::string::npos) << out;

    std::ofstream(file) << "[server]\nretries = 3\n" << kPort;
    EXPECT_EQ(test::run({FAXD_PATH, "check-config", file.string()}, out, dir.path()), 0) << out;
    EXPECT_NE(out.find(": ok: 1 port(s)"), std::string::npos) << out;
    EXPECT_EQ(test::run({FAXD_PATH, "--version"}, out, dir.path()), 0) << out;
    EXPECT_EQ(out.rfind("faxd ", 0), 0u) << out;
}

TEST(FaxdConfig, TlsListenerSettings) {
    const Config c = parse_config(R"([control]
tls_listen = "127.0.0.1:4576"
tls_cert = "/etc/faxd/cert.pem"
tls_key = "/etc/faxd/key.pem"
)" + kPort,
                                  "test.toml");
    EXPECT_EQ(c.tls_listen, "127.0.0.1:4576");
    EXPECT_EQ(c.tls_cert, "/etc/faxd/cert.pem");
    EXPECT_EQ(c.tls_key, "/etc/faxd/key.pem");
    EXPECT_TRUE(parse_config(kPort, "test.toml").tls_listen.empty());  // off by default
}

// [metrics] listen: off unless set; HOST:PORT checked with its line; no other keys.
TEST(FaxdConfig, MetricsListenAndLogTarget) {
    EXPECT_EQ(parse_config(kPort, "test.toml").metrics_listen, "");
    EXPECT_EQ(parse_config("[metrics]\nlisten = \"127.0.0.1:9464\"\n" + kPort, "test.toml")
                  .metrics_listen,
              "127.0.0.1:9464");
    EXPECT_EQ(error_of("[metrics]\nlisten = \"127.0.0.1\"\n" + kPort),
              "test.toml:2: metrics.listen: not HOST:PORT (e.g. \"127.0.0.1:9464\")");
    EXPECT_EQ(error_of("[metrics]\nlisten = \"127.0.0.1:70000\"\n" + kPort),
              "test.toml:2: metrics.listen: not HOST:PORT (e.g. \"127.0.0.1:9464\")");
    EXPECT_EQ(error_of("[metrics]\nlisen = \"127.0.0.1:9464\"\n" + kPort),
              "test.toml:2: metrics.lisen: unknown key (did you mean \"listen\"?)");
    EXPECT_EQ(parse_config(kPort, "test.toml").log_target, "auto");
    EXPECT_EQ(parse_config("[server]\nlog_target = \"syslog\"\n" + kPort, "test.toml").log_target,
              "syslog");
    EXPECT_EQ(error_of("[server]\nlog_target = \"journal\"\n" + kPort),
              "test.toml:2: server.log_target: one of auto, stderr, journald, syslog");
}

TEST(FaxdConfig, TlsListenNeedsCertificateAndKey) {
    EXPECT_NE(
        error_of("[control]\ntls_listen = \"127.0.0.1:4576\"\n" + kPort).find("control.tls_cert"),
        std::string::npos);
    EXPECT_NE(error_of("[control]\ntls_listen = \"127.0.0.1:4576\"\ntls_cert = \"c.pem\"\n" + kPort)
                  .find("control.tls_key"),
              std::string::npos);
}

TEST(FaxdConfig, ModemPortSettings) {
    const Config c = parse_config(R"([[port]]
name = "modem"
kind = "modem"
device = "/dev/ttyUSB0"
class = "2.0"
baud = 57600
flow_control = "rtscts"
lock_dir = "/run/lock"
[port.quirks]
tm_connect_delay_ms = 80
bit_order = "reversed"
dle_bug = true
)",
                                  "test.toml");
    ASSERT_EQ(c.ports.size(), 1u);
    const PortConfig& p = c.ports[0];
    EXPECT_EQ(p.kind, "modem");
    EXPECT_EQ(p.device, "/dev/ttyUSB0");
    EXPECT_EQ(p.modem_class, "2.0");
    EXPECT_EQ(p.baud, 57600);
    EXPECT_EQ(p.flow_control, "rtscts");
    EXPECT_EQ(p.lock_dir, "/run/lock");
    EXPECT_EQ(p.quirks.at("tm_connect_delay_ms"), "80");
    EXPECT_EQ(p.quirks.at("bit_order"), "reversed");
    EXPECT_EQ(p.quirks.at("dle_bug"), "true");
}

TEST(FaxdConfig, ModemPortMistakesNameTheKey) {
    const std::string head = "[[port]]\nname = \"m\"\nkind = \"modem\"\n";
    EXPECT_NE(error_of(head).find("port[1].device"), std::string::npos);
    EXPECT_NE(error_of(head + "device = \"/dev/ttyS0\"\nclass = \"3\"\n").find("port[1].class"),
              std::string::npos);
    EXPECT_NE(error_of(head + "device = \"/dev/ttyS0\"\nflow_control = \"dtr\"\n")
                  .find("port[1].flow_control"),
              std::string::npos);
    EXPECT_NE(error_of(head + "device = \"/dev/ttyS0\"\n[port.quirks]\nx = 1.5\n")
                  .find("port[1].quirks.x"),
              std::string::npos);
    EXPECT_NE(error_of("[[port]]\nname = \"x\"\nkind = \"isdn\"\n").find("simulated, modem"),
              std::string::npos);
    const std::string two = head + "device = \"/dev/ttyS0\"\n[[port]]\nname = \"n\"\nkind = " +
                            "\"modem\"\ndevice = \"/dev/ttyS0\"\n";
    EXPECT_NE(error_of(two).find("used twice"), std::string::npos);
}

}  // namespace
}  // namespace faxemu::faxd

namespace faxemu::faxd {
namespace {

TEST(FaxdConfig, FileModesAreOctal) {
    EXPECT_EQ(parse_config(kPort, "test.toml").modes.file, 0640u);
    EXPECT_EQ(parse_config(kPort, "test.toml").modes.dir, 0750u);
    Config c = parse_config("[server]\nfile_mode = 0o600\ndir_mode = \"0700\"\n" + kPort, "t");
    EXPECT_EQ(c.modes.file, 0600u);
    EXPECT_EQ(c.modes.dir, 0700u);
    // 640 written in decimal would be 0o1200: refused, not guessed.
    EXPECT_NE(error_of("[server]\nfile_mode = 640\n" + kPort).find("server.file_mode"),
              std::string::npos);
    EXPECT_NE(error_of("[server]\nfile_mode = 0o440\n" + kPort).find("server.file_mode"),
              std::string::npos);
    EXPECT_NE(error_of("[server]\ndir_mode = 0o640\n" + kPort).find("server.dir_mode"),
              std::string::npos);
    EXPECT_NE(error_of("[server]\ndir_mode = \"rwx\"\n" + kPort).find("server.dir_mode"),
              std::string::npos);
}

TEST(FaxdConfig, AllowedProgramsAreAbsoluteAndGuardRunProgramRouting) {
    EXPECT_TRUE(parse_config(kPort, "test.toml").routing.allowed_programs.empty());
    const Config c = parse_config(
        "[routing]\nallowed_programs = [\"/usr/local/bin/fax-to-erp\"]\n" + kPort, "t");
    EXPECT_EQ(c.routing.allowed_programs, std::vector<std::string>{"/usr/local/bin/fax-to-erp"});
    EXPECT_NE(error_of("[routing]\nallowed_programs = [\"fax-to-erp\"]\n" + kPort)
                  .find("routing.allowed_programs"),
              std::string::npos);
    const std::string routed = kPort + R"([[port.routing]]
guid = "{41e2186d-d53b-41f5-a1fa-f96789e7fac2}"
enabled = true
data = "/bin/sh -c id"
)";
    const std::string why = error_of(routed);
    EXPECT_NE(why.find("port[1].routing[1].data"), std::string::npos) << why;
    EXPECT_NE(why.find("routing.allowed_programs"), std::string::npos) << why;
    EXPECT_EQ(error_of("[routing]\nallowed_programs = [\"/bin/sh\"]\n" + routed), "");
}

// Issue 14: how many calls to one number at once (1 unless set).
TEST(FaxdConfig, MaxCallsPerNumber) {
    EXPECT_EQ(parse_config(kPort, "test.toml").max_calls_per_number, 1);
    EXPECT_EQ(parse_config("[server]\nmax_calls_per_number = 2\n" + kPort, "test.toml")
                  .max_calls_per_number,
              2);
    EXPECT_EQ(error_of("[server]\nmax_calls_per_number = 0\n" + kPort),
              "test.toml:2: server.max_calls_per_number: must be 1 to 64");
}

// Issue 11, finding 9: how long a call may stand still before it is hung up.
TEST(FaxdConfig, CallStallTimeout) {
    EXPECT_EQ(parse_config(kPort, "test.toml").call_stall_timeout, std::chrono::seconds(120));
    EXPECT_EQ(parse_config("[server]\ncall_stall_timeout = 300\n" + kPort, "test.toml")
                  .call_stall_timeout,
              std::chrono::seconds(300));
    EXPECT_EQ(
        parse_config("[server]\ncall_stall_timeout = 0\n" + kPort, "test.toml").call_stall_timeout,
        std::chrono::seconds(0));
    EXPECT_EQ(error_of("[server]\ncall_stall_timeout = 5\n" + kPort),
              "test.toml:2: server.call_stall_timeout: must be 0 (never) or at least 30 seconds");
    EXPECT_EQ(error_of("[server]\ncall_stall_timeout = \"2m\"\n" + kPort),
              "test.toml:2: server.call_stall_timeout: expected a number of seconds");
}

TEST(FaxdConfig, TheExampleConfigurationParses) {
    EXPECT_NO_THROW(load_config(std::string(FAXEMU_SOURCE_DIR) + "/fixtures/faxd.toml"));
}

// faxmail reads [faxmail] allowed_senders from faxd's file; faxd checks it.
TEST(FaxdConfig, FaxmailSendersAreCheckedAndAMisspeltKeyNamed) {
    EXPECT_TRUE(parse_config(kPort, "t").faxmail_allowed_senders.empty());
    const Config c = parse_config(
        "[faxmail]\nallowed_senders = [\"*@example.com\", \"boss@x.org\"]\n" + kPort, "t");
    EXPECT_EQ(c.faxmail_allowed_senders, (std::vector<std::string>{"*@example.com", "boss@x.org"}));
    EXPECT_EQ(error_of("[faxmail]\nallowed_senders = [\"boss\"]\n" + kPort),
              "test.toml:2: faxmail.allowed_senders: \"boss\" has no '@' (e.g. \"*@example.com\")");
    EXPECT_EQ(
        error_of("[faxmail]\nallowed_sender = []\n" + kPort),
        "test.toml:2: faxmail.allowed_sender: unknown key (did you mean \"allowed_senders\"?)");
}

}  // namespace
}  // namespace faxemu::faxd
