// faxd's accounting log (one line per call, as HylaFAX's xferfaxlog) and the
// retention of received faxes, end to end on the simulated ports.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/sqlite_store.hpp"
#include "faxd_harness.hpp"

namespace faxemu {
namespace {

using test::FaxdHarness;
using test::json;

std::vector<std::vector<std::string>> lines_of(const std::filesystem::path& file) {
    std::vector<std::vector<std::string>> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> fields;
        std::size_t from = 0;
        for (std::size_t tab; (tab = line.find('\t', from)) != std::string::npos; from = tab + 1)
            fields.push_back(line.substr(from, tab - from));
        fields.push_back(line.substr(from));
        out.push_back(fields);
    }
    return out;
}

TEST(FaxdAccounting, ASendBetweenTheTwoPortsIsTwoLines) {
    FaxdHarness faxd;
    auto sender = faxd.client("sender");
    auto admin = faxd.client("admin");
    const std::int64_t id = test::submit_short_fax(*sender)["job_id"];
    json job, faxes;
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        job = admin->call("job.get", {{"job_id", id}});
        faxes = admin->call("received.list");
        return job["state"] == to_string(JobState::Completed) && faxes.size() == 1 &&
               faxes[0]["status"] == "completed";
    })) << job.dump(2);
    faxd.stop();  // the log's writer has written every line when faxd is gone

    const auto lines = lines_of(faxd.config.spool / "log" / "xferfaxlog");
    ASSERT_EQ(lines.size(), 2u);
    const std::string pages = std::to_string(job["pages_sent"].get<int>());
    // Both ends of the call end in the same line tick: either line may come first.
    const auto& send = lines[0][1] == "SEND" ? lines[0] : lines[1];
    const auto& recv = lines[0][1] == "SEND" ? lines[1] : lines[0];
    ASSERT_EQ(send.size(), 14u);
    ASSERT_EQ(recv.size(), 14u);
    EXPECT_EQ(send[1], "SEND");
    EXPECT_EQ(send[2], std::to_string(id));
    EXPECT_EQ(send[3], "sender");
    EXPECT_EQ(send[4], "5551002");
    EXPECT_EQ(send[5], "5551002");  // no dial rules: dialled as given
    EXPECT_EQ(send[6], "+1 555 1002");
    EXPECT_EQ(send[7], "Simulated port 1");
    EXPECT_EQ(send[8], pages);
    EXPECT_GT(std::stoi(send[10]), 0);  // trained at some rate
    EXPECT_FALSE(send[11].empty());
    EXPECT_EQ(send[12], "ok");
    EXPECT_EQ(recv[1], "RECV");
    EXPECT_EQ(recv[2], std::to_string(faxes[0]["id"].get<std::int64_t>()));
    EXPECT_EQ(recv[3], "");
    EXPECT_EQ(recv[5], "");
    EXPECT_EQ(recv[6], "+1 555 1001");
    EXPECT_EQ(recv[7], "Simulated port 2");
    EXPECT_EQ(recv[8], pages);
    EXPECT_EQ(recv[10], send[10]);
    EXPECT_EQ(recv[12], "ok");
    EXPECT_EQ(send[0].size(), std::string("2026-12-07T13:40:05Z").size());
    EXPECT_EQ(send[0].back(), 'Z');
}

TEST(FaxdAccounting, TheLogGoesWhereTheConfigSays) {
    std::filesystem::path where;
    FaxdHarness faxd([&](faxd::Config& c) {
        where = c.spool.parent_path() / "accounting.log";
        c.accounting_log = where;
    });
    auto admin = faxd.client("admin");
    const std::int64_t id = test::submit_short_fax(*admin)["job_id"];
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        return admin->call("job.get", {{"job_id", id}})["state"] == to_string(JobState::Completed);
    }));
    faxd.stop();
    const auto lines = lines_of(where);
    ASSERT_GE(lines.size(), 1u);
    EXPECT_FALSE(std::filesystem::exists(faxd.config.spool / "log" / "xferfaxlog"));
}

// A fax that ended long before the retention is removed when faxd starts.
TEST(FaxdRetention, OldReceivedFaxesAreRemovedAtStart) {
    std::filesystem::path old_file, new_file;
    std::int64_t kept = 0;
    FaxdHarness faxd([&](faxd::Config& c) {
        c.received_retention = std::chrono::hours(24 * 30);
        std::filesystem::create_directories(c.spool / "received");
        SqliteStore store(c.spool / "faxd.db");
        const auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
        for (const auto& [name, age] : {std::pair{"old.tif", std::chrono::hours(24 * 31)},
                                        std::pair{"new.tif", std::chrono::hours(24 * 29)}}) {
            ReceivedFax f;
            f.port_name = "Simulated port 2";
            f.device_id = 2;
            f.file = (c.spool / "received" / name).string();
            std::ofstream(f.file) << "pages";
            f.start = now - age;
            f.end = now - age;
            f.status = "completed";
            kept = store.add_received(f);  // the newer, added last
        }
        old_file = c.spool / "received" / "old.tif";
        new_file = c.spool / "received" / "new.tif";
    });
    auto admin = faxd.client("admin");
    const json faxes = admin->call("received.list");
    ASSERT_EQ(faxes.size(), 1u) << faxes.dump(2);
    EXPECT_EQ(faxes[0]["id"], kept);
    EXPECT_FALSE(std::filesystem::exists(old_file));
    EXPECT_TRUE(std::filesystem::exists(new_file));
}

}  // namespace
}  // namespace faxemu
