#include "core/port.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;

class PortTest : public ::testing::Test {
  protected:
    Port port{2, "Modem1", "555-0100", 3};
    const CallerRights admin = CallerRights::admin();
    int changes = 0;

    void SetUp() override {
        port.on_changed([this](const Port& p) {
            EXPECT_EQ(&p, &port);
            ++changes;
        });
    }

    // Runs f, expects FaxError with `code`, returns its message.
    template <typename F>
    std::string error_of(F f, ErrorCode code) {
        try {
            f();
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), code) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "no FaxError";
        return {};
    }
};

TEST_F(PortTest, IdentityAndDefaults) {
    EXPECT_EQ(port.Name(), "Modem1");
    EXPECT_EQ(port.DeviceId(), 2);
    EXPECT_EQ(port.Priority(), 3);
    EXPECT_EQ(port.number, "555-0100");
    EXPECT_EQ(port.device_kind, "simulated");
    EXPECT_EQ(port.Rings(), 2);
    EXPECT_EQ(port.Csid(), "");
    EXPECT_EQ(port.Tsid(), "");
    EXPECT_TRUE(port.Send());
    EXPECT_FALSE(port.Receive());
}

TEST_F(PortTest, RingsBoundaries) {
    const auto msg = error_of([&] { port.put_Rings(admin, 0); }, ErrorCode::InvalidParameter);
    EXPECT_NE(msg.find("Modem1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1..99"), std::string::npos) << msg;
    EXPECT_EQ(port.Rings(), 2);
    port.put_Rings(admin, 1);
    EXPECT_EQ(port.Rings(), 1);
    port.put_Rings(admin, 99);
    EXPECT_EQ(port.Rings(), 99);
    error_of([&] { port.put_Rings(admin, 100); }, ErrorCode::InvalidParameter);
    error_of([&] { port.put_Rings(admin, -1); }, ErrorCode::InvalidParameter);
    EXPECT_EQ(port.Rings(), 99);
    EXPECT_EQ(changes, 2);
}

TEST_F(PortTest, StationIdLength) {
    const std::string twenty = "+1 555 0100 FAXEMU!";  // 19
    ASSERT_EQ(twenty.size() + 1, 20u);
    port.put_Csid(admin, twenty + "~");
    EXPECT_EQ(port.Csid(), twenty + "~");
    port.put_Tsid(admin, twenty + " ");
    EXPECT_EQ(port.Tsid(), twenty + " ");
    const auto msg =
        error_of([&] { port.put_Csid(admin, std::string(21, '1')); }, ErrorCode::InvalidParameter);
    EXPECT_NE(msg.find("20"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Csid"), std::string::npos) << msg;
    error_of([&] { port.put_Tsid(admin, std::string(21, '1')); }, ErrorCode::InvalidParameter);
    EXPECT_EQ(port.Csid(), twenty + "~");
    EXPECT_EQ(port.Tsid(), twenty + " ");
    port.put_Csid(admin, "");
    EXPECT_EQ(port.Csid(), "");
}

TEST_F(PortTest, StationIdCharacters) {
    port.put_Csid(admin, "ok");
    port.put_Tsid(admin, "ok");
    const std::vector<std::string> bad_ids{"a\x01",       "tab\there", "del\x7f",
                                           "caf\xc3\xa9", {"n\0l", 3}, "\x1f"};
    for (const auto& bad : bad_ids) {
        const auto msg = error_of([&] { port.put_Csid(admin, bad); }, ErrorCode::InvalidParameter);
        EXPECT_NE(msg.find("0x20-0x7E"), std::string::npos) << msg;
        error_of([&] { port.put_Tsid(admin, bad); }, ErrorCode::InvalidParameter);
    }
    EXPECT_EQ(port.Csid(), "ok");
    EXPECT_EQ(port.Tsid(), "ok");
    port.put_Csid(admin, " !~");
    EXPECT_EQ(port.Csid(), " !~");
}

TEST_F(PortTest, SendReceive) {
    port.put_Send(admin, false);
    port.put_Receive(admin, true);
    EXPECT_FALSE(port.Send());
    EXPECT_TRUE(port.Receive());
    EXPECT_EQ(changes, 2);
}

TEST_F(PortTest, CanModifyNeedsPortSet) {
    EXPECT_TRUE(port.CanModify(admin));
    EXPECT_TRUE(port.CanModify(CallerRights{access::PortSet}));
    EXPECT_FALSE(port.CanModify(CallerRights::viewer()));
    EXPECT_FALSE(port.CanModify(CallerRights::sender()));
}

TEST_F(PortTest, ViewerDeniedOnEverySetterAndPortUnchanged) {
    port.put_Csid(admin, "CSID");
    port.put_Tsid(admin, "TSID");
    auto* folder = port.routing_method(kFolderRoutingGuid);
    ASSERT_NE(folder, nullptr);
    folder->put_RoutingData(admin, "/srv/fax");
    const int before = changes;
    const auto viewer = CallerRights::viewer();
    // Valid values, so only the right can be the reason.
    const std::pair<const char*, std::function<void()>> setters[] = {
        {"Rings", [&] { port.put_Rings(viewer, 5); }},
        {"Csid", [&] { port.put_Csid(viewer, "OTHER"); }},
        {"Tsid", [&] { port.put_Tsid(viewer, "OTHER"); }},
        {"Send", [&] { port.put_Send(viewer, false); }},
        {"Receive", [&] { port.put_Receive(viewer, true); }},
        {"Enable", [&] { folder->put_Enable(viewer, true); }},
        {"RoutingData", [&] { folder->put_RoutingData(viewer, "/tmp"); }},
    };
    for (const auto& [what, set] : setters) {
        const auto msg = error_of(set, ErrorCode::AccessDenied);
        EXPECT_NE(msg.find("Modem1"), std::string::npos) << what << ": " << msg;
        EXPECT_NE(msg.find(what), std::string::npos) << msg;
        EXPECT_NE(msg.find("FAX_PORT_SET"), std::string::npos) << msg;
    }
    EXPECT_EQ(port.Rings(), 2);
    EXPECT_EQ(port.Csid(), "CSID");
    EXPECT_EQ(port.Tsid(), "TSID");
    EXPECT_TRUE(port.Send());
    EXPECT_FALSE(port.Receive());
    EXPECT_FALSE(folder->Enable());
    EXPECT_EQ(folder->RoutingData(), "/srv/fax");
    EXPECT_EQ(changes, before);
}

TEST_F(PortTest, RightsCheckedBeforeValidation) {
    error_of([&] { port.put_Rings(CallerRights::viewer(), 0); }, ErrorCode::AccessDenied);
    error_of([&] { port.put_Csid(CallerRights::viewer(), std::string(30, 'x')); },
             ErrorCode::AccessDenied);
}

TEST_F(PortTest, ChangedOnlyOnRealChange) {
    port.put_Rings(admin, 2);  // the default
    port.put_Send(admin, true);
    EXPECT_EQ(changes, 0);
    port.put_Rings(admin, 4);
    EXPECT_EQ(changes, 1);
}

TEST_F(PortTest, ListenerMayReadThePort) {
    std::int32_t seen = 0;
    port.on_changed([&](const Port& p) { seen = p.Rings(); });
    port.put_Rings(admin, 7);
    EXPECT_EQ(seen, 7);
}

TEST_F(PortTest, RoutingMethodsOnePerStandardMethodAllDisabled) {
    const auto methods = port.GetRoutingMethods();
    const auto standard = standard_routing_methods();
    ASSERT_EQ(methods.size(), standard.size());
    for (std::size_t i = 0; i < methods.size(); ++i) {
        EXPECT_EQ(methods[i]->Guid(), standard[i].guid);
        EXPECT_EQ(methods[i]->DeviceId(), 2);
        EXPECT_EQ(methods[i]->DeviceName(), "Modem1");
        EXPECT_FALSE(methods[i]->Enable());
        EXPECT_EQ(methods[i]->RoutingData(), "");
    }
    EXPECT_EQ(port.routing_method("{6BBF7BFE-9AF2-11D0-ABF7-00C04FD91A4E}"), methods[2]);
    EXPECT_EQ(port.routing_method("{00000000-0000-0000-0000-000000000000}"), nullptr);
}

TEST_F(PortTest, RoutingMethodChangeNotifiesPort) {
    auto* email = port.routing_method(kEmailRoutingGuid);
    email->put_RoutingData(admin, "fax@example.com");
    email->put_Enable(admin, true);
    EXPECT_EQ(changes, 2);
    const Port& cport = port;
    EXPECT_TRUE(cport.GetRoutingMethods()[2]->Enable());
}

TEST_F(PortTest, StatusSnapshotElapsedFromVirtualClock) {
    VirtualClock clock;
    auto idle = port.GetStatus(clock);
    EXPECT_EQ(idle.device_id, 2);
    EXPECT_EQ(idle.device_name, "Modem1");
    EXPECT_EQ(idle.device_status, Fps::Available);
    EXPECT_EQ(idle.elapsed_time, Duration::zero());

    const auto started = clock.now();
    port.update_status([&](PortStatus& s) {
        s.device_status = Fps::Sending;
        s.send = true;
        s.start_time = started;
        s.current_page = 1;
        s.device_id = 99;  // identity is not the engine's to change
        s.device_name = "other";
    });
    clock.advance(90s);
    auto snap = port.GetStatus(clock);
    EXPECT_EQ(snap.device_status, Fps::Sending);
    EXPECT_TRUE(snap.send);
    EXPECT_EQ(snap.start_time, started);
    EXPECT_EQ(snap.elapsed_time, Duration{90s});
    EXPECT_EQ(snap.device_id, 2);
    EXPECT_EQ(snap.device_name, "Modem1");

    // A snapshot is a copy: later updates do not reach it.
    port.update_status([](PortStatus& s) { s.current_page = 2; });
    clock.advance(1500ms);
    EXPECT_EQ(snap.current_page, 1);
    EXPECT_EQ(port.GetStatus(clock).current_page, 2);
    EXPECT_EQ(port.GetStatus(clock).elapsed_time, Duration{91500ms});
}

TEST_F(PortTest, StatusElapsedNeverNegative) {
    VirtualClock clock;
    port.update_status([&](PortStatus& s) { s.start_time = clock.now() + 5s; });
    EXPECT_EQ(port.GetStatus(clock).elapsed_time, Duration::zero());
}

}  // namespace
}  // namespace faxemu
