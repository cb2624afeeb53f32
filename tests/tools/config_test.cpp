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
    // [web] listen likewise.
    EXPECT_EQ(parse_config(kPort, "test.toml").web_listen, "");
    EXPECT_EQ(parse_config("[web]\nlisten = \"127.0.0.1:8080\"\n" + kPort, "test.toml").web_listen,
              "127.0.0.1:8080");
    EXPECT_EQ(error_of("[web]\nlisten = \"8080\"\n" + kPort),
              "test.toml:2: web.listen: not HOST:PORT (e.g. \"127.0.0.1:8080\")");
    EXPECT_EQ(error_of("[web]\ntls = true\n" + kPort), "test.toml:2: web.tls: unknown key");
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

TEST(FaxdConfig, WebTlsNeedsCertificateAndKey) {
    const Config c = parse_config(
        "[web]\nlisten = \"127.0.0.1:8443\"\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n" + kPort,
        "test.toml");
    EXPECT_EQ(c.web_tls_cert, "c.pem");
    EXPECT_EQ(c.web_tls_key, "k.pem");
    EXPECT_NE(error_of("[web]\ntls_cert = \"c.pem\"\n" + kPort).find("web.tls_key"),
              std::string::npos);
    EXPECT_NE(error_of("[web]\ntls_key = \"k.pem\"\n" + kPort).find("web.tls_cert"),
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

// Issue 15: [faxcom] drive_map names the Windows folders clients may give.
TEST(FaxdConfig, DriveMapMapsWindowsFoldersToAbsoluteLocalOnes) {
    EXPECT_TRUE(parse_config(kPort, "test.toml").drive_map.empty());
    const Config c = parse_config(
        "[faxcom]\ndrive_map = { \"C:\\\\faxes\" = \"/srv/fax\", '\\\\srv\\share' = "
        "\"/mnt/share\" }\n" +
            kPort,
        "t");
    ASSERT_EQ(c.drive_map.size(), 2u);
    EXPECT_EQ(c.drive_map[0], (DriveMapping{"C:\\faxes", "/srv/fax"}));
    EXPECT_EQ(c.drive_map[1], (DriveMapping{"\\\\srv\\share", "/mnt/share"}));
    for (const char* bad :
         {"drive_map = { \"C:\\\\faxes\" = \"srv/fax\" }",
          "drive_map = { \"faxes\" = \"/srv/fax\" }", "drive_map = { \"C:\\\\faxes\" = 1 }",
          "drive_map = \"C:\"", "drivemap = {}"}) {
        const std::string why = error_of(std::string("[faxcom]\n") + bad + "\n" + kPort);
        EXPECT_NE(why.find("faxcom.drive"), std::string::npos) << bad << ": " << why;
    }
    // A port's store-in-folder data may name a mapped Windows folder only.
    const std::string routed = kPort + R"([[port.routing]]
guid = "{92041a90-9af2-11d0-abf7-00c04fd91a4e}"
data = 'C:\faxes\in'
)";
    EXPECT_NE(error_of(routed).find("drive_map"), std::string::npos) << error_of(routed);
    EXPECT_EQ(error_of("[faxcom]\ndrive_map = { 'C:\\faxes' = '/srv/fax' }\n" + routed), "");
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

// Issue 14: retries per failure class; what is not set follows [server].
TEST(FaxdConfig, RetryPerFailureClass) {
    const RetryPolicy defaults = parse_config(kPort, "test.toml").retry;
    EXPECT_EQ(defaults, RetryPolicy{});
    EXPECT_EQ(defaults.no_carrier.retries, 1);
    const auto c =
        parse_config("[retry]\nbusy_retries = 12\nbusy_delay = 60\nno_answer_delay = 300\n" + kPort,
                     "test.toml");
    EXPECT_EQ(c.retry.busy, (ClassRetry{12, std::chrono::seconds(60)}));
    EXPECT_EQ(c.retry.no_answer, (ClassRetry{std::nullopt, std::chrono::seconds(300)}));
    EXPECT_EQ(c.retry.no_carrier, RetryPolicy{}.no_carrier);
    EXPECT_EQ(error_of("[retry]\nbusy_retries = 100\n" + kPort),
              "test.toml:2: retry.busy_retries: must be 0 to 99");
    EXPECT_EQ(error_of("[retry]\nno_answer_delay = -1\n" + kPort),
              "test.toml:2: retry.no_answer_delay: must be 0 to 86400 seconds");
    EXPECT_EQ(error_of("[retry]\nbusy_delays = 3\n" + kPort),
              "test.toml:2: retry.busy_delays: unknown key (did you mean \"busy_delay\"?)");
}

// Issue 14: ports in groups, for faxctl send --port GROUP.
TEST(FaxdConfig, PortGroups) {
    const std::string two =
        kPort + "group = \"fast\"\n[[port]]\nname = \"q\"\nnumber = \"5551002\"\n";
    const auto c = parse_config(two, "test.toml");
    EXPECT_EQ(c.ports[0].group, "fast");
    EXPECT_EQ(c.ports[1].group, "");
    EXPECT_EQ(
        error_of(kPort + "group = \"fast\"\n[[port]]\nname = \"fast\"\nnumber = \"5551002\"\n"),
        "test.toml:7: port[2].name: \"fast\" is a port group's name");
    EXPECT_EQ(error_of(kPort + "[[port]]\nname = \"q\"\nnumber = \"5551002\"\ngroup = \"p\"\n"),
              "test.toml:8: port[2].group: \"p\" is a port's name");
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

// Issue 14: dial rules as HylaFAX's DialStringRules, with a port's own
// outside-line prefix.
TEST(FaxdConfig, DialingRulesAndAPortsOutsideLinePrefix) {
    EXPECT_FALSE(parse_config(kPort, "t").dialing.knows_location());
    const Config c = parse_config(
        "[dialing]\ncountry_code = \"44\"\narea_code = \"20\"\nlong_distance_prefix = "
        "\"0\"\ninternational_prefix = \"00\"\noutside_line_prefix = \"9,\"\n" +
            kPort + "outside_line_prefix = \"\"\n[[port]]\nname = \"q\"\nnumber = \"5551002\"\n",
        "t");
    EXPECT_EQ(c.dialing.country_code, "44");
    EXPECT_EQ(c.dialing.international_prefix, "00");
    EXPECT_EQ(dial_rules_of(c, c.ports[0]).dial_string("020 7946 0000"), "79460000");
    EXPECT_EQ(dial_rules_of(c, c.ports[1]).dial_string("020 7946 0000"), "9,79460000");
    EXPECT_EQ(error_of("[dialing]\narea_code = \"20\"\n" + kPort),
              "test.toml: dialing.country_code: needed when area_code or a prefix is set");
    EXPECT_EQ(error_of("[dialing]\ncountry_code = \"+44\"\n" + kPort),
              "test.toml:2: dialing.country_code: \"+44\" must hold digits only");
    EXPECT_EQ(error_of(kPort + "outside_line_prefix = \"9;\"\n"),
              "test.toml:5: port[1].outside_line_prefix: \"9;\" may hold digits, the pause "
              "\",\", * and # only");
    EXPECT_EQ(error_of("[dialing]\ncontry_code = \"1\"\n" + kPort),
              "test.toml:2: dialing.contry_code: unknown key (did you mean \"country_code\"?)");
}

TEST(FaxdConfig, AccountingLogAndReceivedRetention) {
    const Config none = parse_config(kPort, "t");
    EXPECT_TRUE(none.accounting_log.empty());
    EXPECT_EQ(none.received_retention, std::chrono::seconds(0));  // kept for ever
    EXPECT_EQ(
        parse_config("[server]\naccounting_log = \"/var/log/fax\"\n" + kPort, "t").accounting_log,
        "/var/log/fax");
    EXPECT_EQ(parse_config("[received]\nretention = \"30d\"\n" + kPort, "t").received_retention,
              std::chrono::hours(24 * 30));
    EXPECT_EQ(parse_config("[received]\nretention = 7\n" + kPort, "t").received_retention,
              std::chrono::hours(24 * 7));
    EXPECT_EQ(parse_config("[received]\nretention = \"12h\"\n" + kPort, "t").received_retention,
              std::chrono::hours(12));
    EXPECT_EQ(error_of("[received]\nretention = \"a month\"\n" + kPort),
              "test.toml:2: received.retention: \"a month\" is not a period such as \"30d\" or "
              "\"12h\"");
    EXPECT_EQ(error_of("[received]\nretention = -1\n" + kPort),
              "test.toml:2: received.retention: out of range");
    EXPECT_EQ(error_of("[received]\nretension = 3\n" + kPort),
              "test.toml:2: received.retension: unknown key (did you mean \"retention\"?)");
}

}  // namespace
}  // namespace faxemu::faxd
