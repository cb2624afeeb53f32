#include "core/fax_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/refusal.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;

using test::code_of;

class FaxServerSettingsTest : public ::testing::Test {
  protected:
    FaxServer server;
    const CallerRights admin = CallerRights::admin();

    // Applies one edit to the current settings; true if accepted. On refusal the
    // settings must be untouched.
    bool accepts(const std::function<void(ServerSettings&)>& edit) {
        auto before = server.settings();
        auto s = before;
        edit(s);
        try {
            server.set_settings(admin, s);
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidParameter) << e.what();
            EXPECT_EQ(server.settings(), before);
            return false;
        }
        EXPECT_EQ(server.settings(), s);
        return true;
    }
};

TEST_F(FaxServerSettingsTest, DefaultsAreValid) {
    EXPECT_NO_THROW(validate(ServerSettings{}));
}

TEST_F(FaxServerSettingsTest, NumericBoundaries) {
    EXPECT_FALSE(accepts([](auto& s) { s.retries = -1; }));
    EXPECT_TRUE(accepts([](auto& s) { s.retries = 0; }));
    EXPECT_TRUE(accepts([](auto& s) { s.retries = 99; }));
    EXPECT_FALSE(accepts([](auto& s) { s.retries = 100; }));
    EXPECT_FALSE(accepts([](auto& s) { s.retry_delay = -1; }));
    EXPECT_TRUE(accepts([](auto& s) { s.retry_delay = 0; }));
    EXPECT_TRUE(accepts([](auto& s) { s.retry_delay = 1440; }));
    EXPECT_FALSE(accepts([](auto& s) { s.retry_delay = 1441; }));
    EXPECT_FALSE(accepts([](auto& s) { s.dirty_days = -1; }));
    EXPECT_TRUE(accepts([](auto& s) { s.dirty_days = 0; }));
    EXPECT_TRUE(accepts([](auto& s) { s.dirty_days = 3650; }));
    EXPECT_FALSE(accepts([](auto& s) { s.dirty_days = 3651; }));
}

TEST_F(FaxServerSettingsTest, DiscountTimeBoundaries) {
    using Field = short ServerSettings::*;
    for (Field hour :
         {&ServerSettings::discount_rate_start_hour, &ServerSettings::discount_rate_end_hour}) {
        EXPECT_FALSE(accepts([&](auto& s) { s.*hour = -1; }));
        EXPECT_TRUE(accepts([&](auto& s) { s.*hour = 0; }));
        EXPECT_TRUE(accepts([&](auto& s) { s.*hour = 23; }));
        EXPECT_FALSE(accepts([&](auto& s) { s.*hour = 24; }));
    }
    for (Field minute :
         {&ServerSettings::discount_rate_start_minute, &ServerSettings::discount_rate_end_minute}) {
        EXPECT_FALSE(accepts([&](auto& s) { s.*minute = -1; }));
        EXPECT_TRUE(accepts([&](auto& s) { s.*minute = 0; }));
        EXPECT_TRUE(accepts([&](auto& s) { s.*minute = 59; }));
        EXPECT_FALSE(accepts([&](auto& s) { s.*minute = 60; }));
    }
}

TEST_F(FaxServerSettingsTest, ArchiveDirectoryRequiredOnlyWhenArchiving) {
    EXPECT_TRUE(accepts([](auto& s) { s.archive_directory = ""; }));
    EXPECT_FALSE(accepts([](auto& s) { s.archive_outbound_faxes = true; }));
    EXPECT_TRUE(accepts([](auto& s) {
        s.archive_outbound_faxes = true;
        s.archive_directory = "/var/spool/faxemu/archive";
    }));
    EXPECT_FALSE(accepts([](auto& s) { s.archive_directory = ""; }));
    EXPECT_FALSE(accepts([](auto& s) { s.archive_directory = "/srv/a\nb"; }));
    EXPECT_FALSE(accepts([](auto& s) { s.server_mapi_profile = std::string("p\0q", 3); }));
}

// Issue 15: ArchiveDirectory = "C:\faxarchive" from a legacy client is a
// folder of the Windows server: mapped through [faxcom] drive_map, or refused.
TEST_F(FaxServerSettingsTest, AWindowsArchiveDirectoryIsMappedOrRefused) {
    auto s = server.settings();
    s.archive_outbound_faxes = true;
    for (const char* windows : {"C:\\faxarchive", "\\\\server\\faxes\\out", "C:archive"}) {
        s.archive_directory = windows;
        try {
            server.set_settings(admin, s);
            ADD_FAILURE() << "accepted " << windows;
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
            EXPECT_NE(std::string(e.what()).find("ArchiveDirectory"), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find("drive_map"), std::string::npos) << e.what();
            // A Refusal: the shim's own HRESULT
            const auto* refusal = dynamic_cast<const Refusal*>(&e);
            ASSERT_NE(refusal, nullptr);
            EXPECT_STREQ(refusal->reason(), reason::kWindowsPath);
        }
    }
    server.set_drive_map(DriveMap(std::vector<DriveMapping>{{"C:\\faxes", "/srv/fax"}}));
    s.archive_directory = "c:\\FAXES\\2026";
    server.set_settings(admin, s);
    EXPECT_EQ(server.settings().archive_directory, "/srv/fax/2026");
    s.archive_directory = "archive\\2026";  // relative stays refused
    EXPECT_THROW(server.set_settings(admin, s), FaxError);
    EXPECT_EQ(server.settings().archive_directory, "/srv/fax/2026");
}

TEST_F(FaxServerSettingsTest, ArchiveDirectoryMustBeAbsolute) {
    // faxcom: "fully qualified directory"; a relative one would follow faxd's working directory.
    for (const char* relative : {"archive", "./archive", "../srv/archive", "~/archive"}) {
        EXPECT_FALSE(accepts([&](auto& s) { s.archive_directory = relative; })) << relative;
        EXPECT_FALSE(accepts([&](auto& s) {
            s.archive_outbound_faxes = true;
            s.archive_directory = relative;
        })) << relative;
    }
    try {
        auto s = server.settings();
        s.archive_directory = "archive";
        server.set_settings(admin, s);
        ADD_FAILURE() << "accepted";
    } catch (const FaxError& e) {
        EXPECT_NE(std::string(e.what()).find("ArchiveDirectory"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("absolute"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(accepts([](auto& s) { s.archive_directory = "/srv/fax/archive"; }));
}

TEST_F(FaxServerSettingsTest, TextSettingsHaveALengthLimit) {
    EXPECT_TRUE(accepts([](auto& s) { s.archive_directory = "/" + std::string(4094, 'a'); }));
    EXPECT_FALSE(accepts([](auto& s) { s.archive_directory = "/" + std::string(4095, 'a'); }));
    EXPECT_TRUE(accepts([](auto& s) { s.server_mapi_profile = std::string(256, 'p'); }));
    EXPECT_FALSE(accepts([](auto& s) { s.server_mapi_profile = std::string(257, 'p'); }));
    EXPECT_FALSE(accepts([](auto& s) { s.server_mapi_profile = std::string(100'000, 'p'); }));
}

TEST_F(FaxServerSettingsTest, AllOrNothing) {
    EXPECT_FALSE(accepts([](auto& s) {
        s.retries = 5;
        s.branding = false;
        s.pause_server_queue = true;
        s.discount_rate_end_minute = 60;
    }));
    EXPECT_EQ(server.settings(), ServerSettings{});
}

TEST_F(FaxServerSettingsTest, ViewerDenied) {
    auto s = server.settings();
    s.retries = 7;
    EXPECT_EQ(code_of([&] { server.set_settings(CallerRights::viewer(), s); }),
              ErrorCode::AccessDenied);
    EXPECT_EQ(code_of([&] { server.set_settings(CallerRights{access::PortSet}, s); }),
              ErrorCode::AccessDenied);
    EXPECT_EQ(server.settings(), ServerSettings{});
    server.set_settings(CallerRights{access::ConfigSet}, s);
    EXPECT_EQ(server.settings().retries, 7);
}

std::chrono::hh_mm_ss<std::chrono::seconds> at(int h, int m, int s = 0) {
    return std::chrono::hh_mm_ss{std::chrono::hours{h} + std::chrono::minutes{m} +
                                 std::chrono::seconds{s}};
}

TEST_F(FaxServerSettingsTest, DiscountWindowWrapsPastMidnight) {
    auto s = server.settings();
    s.discount_rate_start_hour = 21;
    s.discount_rate_start_minute = 30;
    s.discount_rate_end_hour = 7;
    s.discount_rate_end_minute = 15;
    server.set_settings(admin, s);
    EXPECT_FALSE(server.in_discount_period(at(21, 29, 59)));
    EXPECT_TRUE(server.in_discount_period(at(21, 30)));
    EXPECT_TRUE(server.in_discount_period(at(23, 59, 59)));
    EXPECT_TRUE(server.in_discount_period(at(0, 0)));
    EXPECT_TRUE(server.in_discount_period(at(7, 14, 59)));
    EXPECT_FALSE(server.in_discount_period(at(7, 15)));
    EXPECT_FALSE(server.in_discount_period(at(12, 0)));
}

TEST_F(FaxServerSettingsTest, DiscountWindowWithinADay) {
    auto s = server.settings();
    s.discount_rate_start_hour = 9;
    s.discount_rate_start_minute = 0;
    s.discount_rate_end_hour = 17;
    s.discount_rate_end_minute = 30;
    server.set_settings(admin, s);
    EXPECT_FALSE(server.in_discount_period(at(8, 59, 59)));
    EXPECT_TRUE(server.in_discount_period(at(9, 0)));
    EXPECT_TRUE(server.in_discount_period(at(17, 29, 59)));
    EXPECT_FALSE(server.in_discount_period(at(17, 30)));
    EXPECT_FALSE(server.in_discount_period(at(0, 0)));
    EXPECT_FALSE(server.in_discount_period(at(23, 0)));
}

TEST_F(FaxServerSettingsTest, DiscountWindowStartEqualsEndIsWholeDay) {
    auto s = server.settings();
    s.discount_rate_start_hour = s.discount_rate_end_hour = 6;
    s.discount_rate_start_minute = s.discount_rate_end_minute = 0;
    server.set_settings(admin, s);
    for (int h = 0; h < 24; ++h) EXPECT_TRUE(server.in_discount_period(at(h, 0))) << h;
    EXPECT_TRUE(server.in_discount_period(at(5, 59, 59)));
}

class FaxServerPortsTest : public ::testing::Test {
  protected:
    FaxServer server;
    const CallerRights admin = CallerRights::admin();

    void SetUp() override {
        for (int i = 1; i <= 4; ++i)
            server.add_port("Port" + std::to_string(i), "555-010" + std::to_string(i));
    }

    // DeviceIds in priority order.
    std::vector<std::int32_t> order() const {
        std::vector<std::int32_t> ids;
        for (auto* p : server.ports_by_priority()) ids.push_back(p->DeviceId());
        return ids;
    }
    // Priorities of ports 1..n, which must be a permutation of 1..n.
    void expect_permutation() const {
        std::vector<std::int32_t> ranks;
        for (auto* p : server.ports()) ranks.push_back(p->Priority());
        std::sort(ranks.begin(), ranks.end());
        for (std::size_t i = 0; i < ranks.size(); ++i)
            EXPECT_EQ(ranks[i], static_cast<std::int32_t>(i + 1));
    }
};

TEST_F(FaxServerPortsTest, AddAssignsIdsAndLowestPriority) {
    const auto ports = server.ports();
    ASSERT_EQ(ports.size(), 4u);
    for (std::int32_t i = 0; i < 4; ++i) {
        EXPECT_EQ(ports[i]->DeviceId(), i + 1);
        EXPECT_EQ(ports[i]->Priority(), i + 1);
        EXPECT_EQ(ports[i]->Name(), "Port" + std::to_string(i + 1));
        EXPECT_EQ(&server.port(i + 1), ports[i]);
    }
    auto& fifth = server.add_port("Port5", "");
    EXPECT_EQ(fifth.DeviceId(), 5);
    EXPECT_EQ(fifth.Priority(), 5);
}

TEST_F(FaxServerPortsTest, PortNotFound) {
    for (std::int32_t id : {0, 5, -1}) {
        try {
            server.port(id);
            FAIL() << id;
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), ErrorCode::NotFound);
            EXPECT_EQ(std::string(e.what()), "no port with DeviceId " + std::to_string(id));
        }
    }
}

TEST_F(FaxServerPortsTest, FindByNumber) {
    EXPECT_EQ(server.find_port_by_number("555-0103"), &server.port(3));
    EXPECT_EQ(server.find_port_by_number("555-0109"), nullptr);
    EXPECT_EQ(server.find_port_by_number(""), nullptr);
    EXPECT_EQ(code_of([&] { server.add_port("Dup", "555-0102"); }), ErrorCode::InvalidParameter);
    EXPECT_EQ(server.ports().size(), 4u);
}

TEST_F(FaxServerPortsTest, PriorityMovesShiftTheOthers) {
    server.set_port_priority(admin, 4, 1);  // up to the top
    EXPECT_EQ(order(), (std::vector<std::int32_t>{4, 1, 2, 3}));
    expect_permutation();
    server.set_port_priority(admin, 4, 3);  // down again
    EXPECT_EQ(order(), (std::vector<std::int32_t>{1, 2, 4, 3}));
    expect_permutation();
    server.set_port_priority(admin, 1, 4);  // top to bottom
    EXPECT_EQ(order(), (std::vector<std::int32_t>{2, 4, 3, 1}));
    expect_permutation();
    server.set_port_priority(admin, 3, 2);
    EXPECT_EQ(order(), (std::vector<std::int32_t>{2, 3, 4, 1}));
    expect_permutation();
    server.set_port_priority(admin, 3, 2);  // no move
    EXPECT_EQ(order(), (std::vector<std::int32_t>{2, 3, 4, 1}));
    EXPECT_EQ(server.port(2).Priority(), 1);
    EXPECT_EQ(server.port(3).Priority(), 2);
    EXPECT_EQ(server.port(4).Priority(), 3);
    EXPECT_EQ(server.port(1).Priority(), 4);
}

TEST_F(FaxServerPortsTest, PriorityMatchesAReferenceModel) {
    // Every (port, rank) move, several rounds, against remove-and-insert on a list.
    std::vector<std::int32_t> model{1, 2, 3, 4};
    for (int round = 0; round < 3; ++round) {
        for (std::int32_t id = 1; id <= 4; ++id) {
            for (std::int32_t rank = 1; rank <= 4; ++rank) {
                const std::int32_t to = ((rank + id + round) % 4) + 1;
                server.set_port_priority(admin, id, to);
                model.erase(std::find(model.begin(), model.end(), id));
                model.insert(model.begin() + (to - 1), id);
                ASSERT_EQ(order(), model) << "port " << id << " to " << to;
                expect_permutation();
            }
        }
    }
}

TEST_F(FaxServerPortsTest, PriorityOutOfRangeOrDenied) {
    server.set_port_priority(admin, 2, 1);
    const auto before = order();
    for (std::int32_t bad : {0, 5, -1}) {
        try {
            server.set_port_priority(admin, 3, bad);
            FAIL() << bad;
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
            EXPECT_NE(std::string(e.what()).find("1..4"), std::string::npos) << e.what();
        }
    }
    try {
        server.set_port_priority(CallerRights::viewer(), 3, 1);
        FAIL() << "viewer allowed";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::AccessDenied);
        EXPECT_NE(std::string(e.what()).find("Port3"), std::string::npos) << e.what();
    }
    EXPECT_EQ(code_of([&] { server.set_port_priority(admin, 9, 1); }), ErrorCode::NotFound);
    EXPECT_EQ(order(), before);
    expect_permutation();
}

TEST_F(FaxServerPortsTest, PriorityChangeNotifiesOnlyMovedPorts) {
    std::vector<std::int32_t> notified;
    for (auto* p : server.ports())
        p->on_changed([&](const Port& changed) { notified.push_back(changed.DeviceId()); });
    server.set_port_priority(admin, 3, 1);  // 3 to the top, 1 and 2 shift; 4 stays
    std::sort(notified.begin(), notified.end());
    EXPECT_EQ(notified, (std::vector<std::int32_t>{1, 2, 3}));
    notified.clear();
    server.set_port_priority(admin, 3, 1);
    EXPECT_TRUE(notified.empty());
}

// A reloaded configuration takes a port away: the others keep their ids, the
// priorities stay 1..n, the id is not reused, and the old Port stays readable.
TEST_F(FaxServerPortsTest, RemoveKeepsIdsAndClosesTheRanks) {
    server.set_port_priority(admin, 4, 1);  // order 4, 1, 2, 3
    Port* removed = &server.port(1);
    server.remove_port(1);
    EXPECT_EQ(order(), (std::vector<std::int32_t>{4, 2, 3}));
    expect_permutation();
    EXPECT_EQ(code_of([&] { server.port(1); }), ErrorCode::NotFound);
    EXPECT_EQ(code_of([&] { server.remove_port(1); }), ErrorCode::NotFound);
    EXPECT_EQ(server.find_port_by_number("555-0101"), nullptr);
    EXPECT_EQ(removed->Name(), "Port1");                 // still allocated
    Port& added = server.add_port("Port5", "555-0101");  // its number is free again
    EXPECT_EQ(added.DeviceId(), 5);
    EXPECT_EQ(added.Priority(), 4);
    EXPECT_EQ(&server.port(5), &added);
}

TEST_F(FaxServerPortsTest, NumberChangeStaysUnique) {
    EXPECT_EQ(code_of([&] { server.set_port_number(2, "555-0103"); }), ErrorCode::InvalidParameter);
    EXPECT_EQ(server.port(2).number, "555-0102");
    server.set_port_number(2, "555-0102");  // its own number
    server.set_port_number(2, "555-0199");
    EXPECT_EQ(server.find_port_by_number("555-0199"), &server.port(2));
}

}  // namespace
}  // namespace faxemu
