#include "core/received_retention.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/sqlite_store.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;

class ReceivedRetentionTest : public ::testing::Test {
  protected:
    // A fax received on port 1 that ended at the clock's now, with a file.
    std::int64_t receive(const std::string& name, bool routing_due = false) {
        ReceivedFax f;
        f.device_id = 1;
        f.port_name = "p";
        f.file = (dir.path() / name).string();
        std::ofstream(f.file) << "pages";
        f.start = clock.now() - 1min;
        f.end = clock.now();
        f.status = "completed";
        f.pages = 1;
        if (routing_due) {
            RoutingOutcome o;
            o.guid = "{92041a90-9af2-11d0-abf7-00c04fd91a4e}";
            o.tries = 1;
            o.next_try = clock.now() + 5min;  // failed once, to be tried again
            f.routing.push_back(o);
        }
        return store.add_received(f);
    }
    std::vector<std::int64_t> ids() const {
        std::vector<std::int64_t> out;
        for (const ReceivedFax& f : store.received_faxes()) out.push_back(f.id);
        return out;
    }

    test::TempDir dir;
    VirtualClock clock;
    SqliteStore store{dir.path() / "faxd.db"};
};

TEST_F(ReceivedRetentionTest, FaxesPastTheRetentionGoWithTheirFiles) {
    const auto old = receive("old.tif");
    clock.advance(20 * 24h);
    const auto recent = receive("recent.tif");
    clock.advance(10 * 24h + 1s);  // old ended 30 days and a second ago
    const auto purged = purge_received(store, clock.now(), 30 * 24h);
    ASSERT_EQ(purged.size(), 1u);
    EXPECT_EQ(purged[0].id, old);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "old.tif"));
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "recent.tif"));
    EXPECT_EQ(ids(), std::vector<std::int64_t>{recent});
    EXPECT_TRUE(purge_received(store, clock.now(), 30 * 24h).empty());
}

TEST_F(ReceivedRetentionTest, NothingGoesWithoutARetention) {
    receive("a.tif");
    clock.advance(3650 * 24h);
    EXPECT_TRUE(purge_received(store, clock.now(), Duration::zero()).empty());
    EXPECT_EQ(ids().size(), 1u);
}

TEST_F(ReceivedRetentionTest, AFaxStillBeingRoutedOrReceivedStays) {
    const auto routing = receive("routing.tif", true);
    ReceivedFax receiving;
    receiving.port_name = "p";
    receiving.start = clock.now();
    receiving.status = "receiving";
    const auto in_call = store.add_received(receiving);
    clock.advance(40 * 24h);
    EXPECT_TRUE(purge_received(store, clock.now(), 30 * 24h).empty());
    EXPECT_EQ(ids(), (std::vector<std::int64_t>{routing, in_call}));
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "routing.tif"));
    // Routing done: the fax may go at the next check.
    auto f = *store.received(routing);
    f.routing[0].done = true;
    f.routing[0].next_try.reset();
    store.update_received(f);
    const auto purged = purge_received(store, clock.now(), 30 * 24h);
    ASSERT_EQ(purged.size(), 1u);
    EXPECT_EQ(purged[0].id, routing);
    EXPECT_EQ(ids(), std::vector<std::int64_t>{in_call});
}

// A crash between removing the file and the record: the record goes next time.
TEST_F(ReceivedRetentionTest, ARecordWhoseFileIsGoneIsRemovedToo) {
    const auto id = receive("gone.tif");
    std::filesystem::remove(dir.path() / "gone.tif");
    clock.advance(31 * 24h);
    ASSERT_EQ(purge_received(store, clock.now(), 30 * 24h).size(), 1u);
    EXPECT_FALSE(store.received(id).has_value());
}

}  // namespace
}  // namespace faxemu
