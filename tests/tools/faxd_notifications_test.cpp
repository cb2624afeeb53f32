// faxd's notifications as clients get them: session.subscribe chooses which
// (tools/faxd/notifications.hpp); a client that does not subscribe gets all.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/job.hpp"
#include "tests/tools/faxd_harness.hpp"

namespace faxemu {
namespace {

using test::FaxdHarness;
using test::json;
using test::rpc_code_of;

// What a client was sent, from the io thread of its FaxClient.
class Received {
  public:
    void listen(rpc::FaxClient& client) {
        client.set_notification_handler([this](const std::string& method, const json& params) {
            std::lock_guard lock(mutex_);
            got_.emplace_back(method, params);
        });
    }
    void clear() {
        std::lock_guard lock(mutex_);
        got_.clear();
    }
    std::vector<std::pair<std::string, json>> got() {
        std::lock_guard lock(mutex_);
        return got_;
    }

  private:
    std::mutex mutex_;
    std::vector<std::pair<std::string, json>> got_;
};

bool ended(rpc::FaxClient& c, std::int64_t id) {
    const std::string s = c.call("job.get", {{"job_id", id}})["state"];
    return s == to_string(JobState::Completed) || s == to_string(JobState::Failed) ||
           s == to_string(JobState::RetriesExceeded);
}

TEST(FaxdNotifications, ASessionGetsWhatItSubscribedTo) {
    FaxdHarness faxd([](faxd::Config& c) { c.server.branding = false; });
    auto admin = faxd.client("admin");  // never subscribes: everything
    auto port2 = faxd.client("viewer");
    auto own = faxd.client("sender");
    Received port2_got;
    Received own_got;
    port2_got.listen(*port2);
    own_got.listen(*own);

    EXPECT_EQ(rpc_code_of([&] {
                  port2->call("session.subscribe", {{"topics", {"port.stat"}}});
              }),
              rpc::kInvalidParams);
    EXPECT_EQ(rpc_code_of([&] {
                  own->call("session.subscribe", {{"own_jobs", 1}});
              }),
              rpc::kInvalidParams);
    const json answer = port2->call("session.subscribe",
                                    {{"topics", {"port.status"}}, {"ports", {"Simulated port 2"}}});
    EXPECT_EQ(
        answer,
        json({{"topics", {"port.status"}}, {"ports", {"Simulated port 2"}}, {"own_jobs", false}}));
    EXPECT_EQ(own->call("session.subscribe", {{"topics", {"job.changed"}}, {"own_jobs", true}})
                  .at("topics"),
              json({"job.changed"}));
    // What was queued before the subscriptions came before their answers.
    port2_got.clear();
    own_got.clear();

    const std::int64_t mine = test::submit_short_fax(*own)["job_id"];
    const std::int64_t theirs = test::submit_short_fax(*admin)["job_id"];
    ASSERT_TRUE(
        test::wait_for(*admin, [&] { return ended(*admin, mine) && ended(*admin, theirs); }));
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        const json faxes = admin->call("received.list");
        return faxes.size() == 2 && faxes[0]["status"] == "completed" &&
               faxes[1]["status"] == "completed";
    }));
    port2->call("session.whoami");  // anything queued before comes before this answer
    own->call("session.whoami");

    std::set<std::string> port2_methods;
    for (const auto& [method, params] : port2_got.got()) {
        port2_methods.insert(method);
        EXPECT_EQ(params["status"]["device_name"], "Simulated port 2") << params.dump();
    }
    EXPECT_EQ(port2_methods, std::set<std::string>{"port.status"});  // it received two faxes
    std::set<std::int64_t> own_jobs;
    for (const auto& [method, params] : own_got.got()) {
        EXPECT_EQ(method, "job.changed");
        own_jobs.insert(params["job"]["job_id"].get<std::int64_t>());
    }
    EXPECT_EQ(own_jobs, std::set<std::int64_t>{mine});

    // An empty subscription is everything again.
    EXPECT_EQ(own->call("session.subscribe").at("topics").size(), 3u);
}

}  // namespace
}  // namespace faxemu
