// faxd's StatusPublisher: it reads only the ports whose status changed, and
// publishes what it did before (a port when what a client shows of it
// changes; the sending job's device status to the scheduler).
#include "tools/faxd/status_publisher.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <vector>

#include "core/sqlite_store.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu::faxd {
namespace {

using nlohmann::json;

class FaxdStatusPublisherTest : public ::testing::Test {
  protected:
    static constexpr int kPorts = 3200;

    FaxdStatusPublisherTest() {
        for (int i = 1; i <= kPorts; ++i) server.add_port("port" + std::to_string(i), "");
    }

    // The port.status notifications of one publish(), by device id.
    std::map<std::int32_t, json> publish() {
        sent.clear();
        publisher.publish();
        std::map<std::int32_t, json> out;
        for (const auto& [method, params] : sent) {
            EXPECT_EQ(method, "port.status");
            out[params.at("status").at("device_id").get<std::int32_t>()] = params.at("status");
        }
        return out;
    }

    test::TempDir dir;
    VirtualClock clock;
    FaxServer server;
    SqliteStore store{dir.path() / "queue.db"};
    Scheduler scheduler{server, store, clock};
    std::map<std::int32_t, std::int64_t> sending;  // device id -> job id
    std::vector<std::pair<std::string, json>> sent;
    StatusPublisher publisher{server, clock, scheduler,
                              [this](std::int32_t device) -> std::optional<std::int64_t> {
                                  const auto it = sending.find(device);
                                  if (it == sending.end()) return std::nullopt;
                                  return it->second;
                              },
                              [this](const std::string& method, const json& params) {
                                  sent.emplace_back(method, params);
                              }};
};

TEST_F(FaxdStatusPublisherTest, OnlyChangedPortsAreRead) {
    EXPECT_EQ(publish().size(), std::size_t{kPorts});  // each port's first status
    EXPECT_EQ(publisher.visited(), std::uint64_t{kPorts});

    // Idle ticks read nothing.
    for (int tick = 0; tick < 100; ++tick) EXPECT_TRUE(publish().empty());
    EXPECT_EQ(publisher.visited(), std::uint64_t{kPorts});

    // One port changes, many times between two ticks: it is read once, and
    // published with its latest status.
    Port& p = server.port(1234);
    for (int page = 1; page <= 5; ++page)
        p.update_status([&](PortStatus& s) {
            s.device_status = Fps::Sending;
            s.current_page = page;
            s.description = "Sending page " + std::to_string(page);
        });
    const auto published = publish();
    ASSERT_EQ(published.size(), 1u);
    EXPECT_EQ(published.at(1234).at("current_page"), 5);
    EXPECT_EQ(published.at(1234).at("description"), "Sending page 5");
    EXPECT_EQ(publisher.visited(), std::uint64_t{kPorts} + 1);

    // A change of what clients are not shown anew (the bit rate alone) is read
    // but not published, as before.
    p.update_status([](PortStatus& s) { s.bit_rate = 9600; });
    EXPECT_TRUE(publish().empty());
    EXPECT_EQ(publisher.visited(), std::uint64_t{kPorts} + 2);
}

TEST_F(FaxdStatusPublisherTest, ARemovedPortIsNotPublished) {
    publish();
    Port& p = server.port(7);
    p.update_status([](PortStatus& s) { s.description = "going"; });
    server.remove_port(7);
    EXPECT_TRUE(publish().empty());
    p.update_status([](PortStatus& s) { s.description = "gone"; });
    EXPECT_TRUE(publish().empty());
}

TEST_F(FaxdStatusPublisherTest, AChangedPortIsPublishedAgain) {
    publish();
    publisher.republish(server.port(5));  // a reload changed it
    const auto published = publish();
    ASSERT_EQ(published.size(), 1u);
    EXPECT_EQ(published.at(5).at("device_name"), "port5");
}

TEST_F(FaxdStatusPublisherTest, TheSendingJobHearsItsPortsStatus) {
    publish();
    Job job;
    job.user_name = "alice";
    job.fax_number = "5551002";
    job.document = dir.path() / "doc.tif";
    job.page_count = 1;
    const std::int64_t id = scheduler.submit(job).id;
    const auto d = scheduler.next([](std::int32_t) { return true; });
    ASSERT_TRUE(d);
    scheduler.attempt_started(id, d->device_id);
    sending[d->device_id] = id;
    server.port(d->device_id).update_status([](PortStatus& s) {
        s.device_status = Fps::Dialing;
        s.description = "Dialing";
    });
    EXPECT_EQ(publish().size(), 1u);
    EXPECT_EQ(scheduler.job(id)->device_status, Fps::Dialing);
}

}  // namespace
}  // namespace faxemu::faxd
