#include "core/port_status_changes.hpp"

#include <gtest/gtest.h>

#include "core/fax_server.hpp"

namespace faxemu {
namespace {

TEST(PortStatusChanges, APortIsDrainedOnceAfterItsStatusChanged) {
    FaxServer server;
    Port& a = server.add_port("a", "1");
    Port& b = server.add_port("b", "2");
    PortStatusChanges& changes = server.status_changes();
    // A new port's first status is news.
    EXPECT_EQ(changes.drain(), (std::vector<Port*>{&a, &b}));
    EXPECT_TRUE(changes.drain().empty());

    b.update_status([](PortStatus& s) { s.current_page = 1; });
    a.update_status([](PortStatus& s) { s.current_page = 1; });
    b.update_status([](PortStatus& s) { s.current_page = 2; });
    EXPECT_EQ(changes.drain(), (std::vector<Port*>{&b, &a}));
    // Reading the status is not a change.
    (void)a.GetStatus(SystemClock());
    EXPECT_TRUE(changes.drain().empty());
}

TEST(PortStatusChanges, ARemovedPortIsNotDrained) {
    FaxServer server;
    Port& a = server.add_port("a", "1");
    server.add_port("b", "2");
    server.status_changes().drain();
    a.update_status([](PortStatus& s) { s.current_page = 1; });
    server.remove_port(a.DeviceId());
    EXPECT_TRUE(server.status_changes().drain().empty());
    a.update_status([](PortStatus& s) { s.current_page = 2; });
    EXPECT_TRUE(server.status_changes().drain().empty());
}

}  // namespace
}  // namespace faxemu
