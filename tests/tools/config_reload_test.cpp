// What a reloaded configuration may change while faxd runs, and what it names
// and keeps until a restart (tools/faxd/config_reload.hpp).
#include <gtest/gtest.h>

#include "tools/faxd/config_reload.hpp"

namespace faxemu::faxd {
namespace {

using Keys = std::vector<std::string>;

TEST(ConfigReload, SettingsOnlyARestartAppliesAreNamedAndKept) {
    const Config running = default_config();
    Config next = running;
    next.spool = "/elsewhere";
    next.socket = "/run/other.sock";
    next.line_speed = 2;
    next.control_limits.login_timeout = std::chrono::seconds(99);
    next.routing.allowed_programs = {"/usr/bin/true"};
    next.web_listen = "127.0.0.1:8080";
    // These apply at once.
    next.log_level = "debug";
    next.max_calls_per_number = 3;
    next.routing_max_tries = 9;
    next.ports.pop_back();
    EXPECT_EQ(keep_restart_only_settings(running, next),
              (Keys{"server.spool", "web.listen", "control.socket", "control.login_timeout",
                    "line.speed", "routing.allowed_programs"}));
    EXPECT_EQ(next.web_listen, "");
    EXPECT_EQ(next.spool, running.spool);
    EXPECT_EQ(next.socket, running.socket);
    EXPECT_EQ(next.line_speed, running.line_speed);
    EXPECT_EQ(next.control_limits.login_timeout, running.control_limits.login_timeout);
    EXPECT_TRUE(next.routing.allowed_programs.empty());
    EXPECT_EQ(next.log_level, "debug");
    EXPECT_EQ(next.max_calls_per_number, 3);
    EXPECT_EQ(next.routing_max_tries, 9);
    EXPECT_EQ(next.ports.size(), 1u);
    EXPECT_TRUE(keep_restart_only_settings(running, next).empty());
}

TEST(ConfigReload, PortDifferencesNameTheKeysAndWhetherTheDeviceGoes) {
    const PortConfig a = default_config().ports[0];
    EXPECT_TRUE(port_differences(a, a).empty());
    EXPECT_FALSE(needs_new_device(a, a));

    PortConfig settings = a;
    settings.rings = 5;
    settings.csid = "NEW";
    settings.routing.push_back({"{92041a90-9af2-11d0-abf7-00c04fd91a4e}", true, "/srv/faxes"});
    EXPECT_EQ(port_differences(a, settings), (Keys{"rings", "csid", "routing"}));
    EXPECT_FALSE(needs_new_device(a, settings));

    PortConfig line = a;
    line.number = "5559999";
    EXPECT_EQ(port_differences(a, line), (Keys{"number"}));
    EXPECT_TRUE(needs_new_device(a, line));

    PortConfig modem = a;
    modem.kind = "modem";
    modem.device = "/dev/ttyS0";
    modem.quirks["fdt_delay"] = "1";
    EXPECT_EQ(port_differences(a, modem), (Keys{"kind", "device", "quirks"}));
    EXPECT_TRUE(needs_new_device(a, modem));
}

}  // namespace
}  // namespace faxemu::faxd
