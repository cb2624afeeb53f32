// SIGHUP to a real faxd: the configuration file is read again; ports are added,
// removed or changed without dropping the call in progress on another, a busy
// port is drained first, values set through the API still win, a broken file
// changes nothing and settings that need a restart are named and kept.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>

#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"
#include "core/job.hpp"
#include "faxd_harness.hpp"
#include "faxd_process.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::FaxdProcess;
using test::json;

// A client that keeps the port.status notifications it gets and wakes whoever
// waits on it at each notification.
class Watched {
  public:
    explicit Watched(std::unique_ptr<rpc::FaxClient> client) : client_(std::move(client)) {
        client_->set_notification_handler([this](const std::string& method, const json& params) {
            std::lock_guard lock(mutex_);
            if (method == "port.status") statuses_.push_back(params["status"]);
            cv_.notify_all();
        });
    }
    rpc::FaxClient& operator*() { return *client_; }
    rpc::FaxClient* operator->() { return client_.get(); }

    // Waits until `done()` (asked at every notification and every 100 ms) or the deadline.
    bool wait_for(const std::function<bool()>& done, std::chrono::seconds deadline = 120s) {
        const auto end = std::chrono::steady_clock::now() + deadline;
        while (!done()) {
            if (std::chrono::steady_clock::now() >= end) return false;
            std::unique_lock lock(mutex_);
            cv_.wait_for(lock, 100ms);
        }
        return true;
    }
    // Whether a port.status notification for `device_id` came (with `removed`, if asked).
    bool saw_status(std::int32_t device_id, bool removed = false) {
        std::lock_guard lock(mutex_);
        for (const json& s : statuses_)
            if (s["device_id"] == device_id && s.value("removed", false) == removed) return true;
        return false;
    }
    json job(std::int64_t id) { return client_->call("job.get", {{"job_id", id}}); }
    bool job_completed(std::int64_t id) {
        return job(id)["state"] == to_string(JobState::Completed);
    }
    std::set<std::string> port_names() {
        std::set<std::string> names;
        for (const json& p : client_->call("ports.list")) names.insert(p["name"]);
        return names;
    }

  private:
    std::unique_ptr<rpc::FaxClient> client_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<json> statuses_;
};

void rewrite(const FaxdProcess& faxd, const std::string& ports) {
    std::ofstream(faxd.config(), std::ios::trunc) << faxd.settings_text() << ports;
}

const std::string kPortThree = "[[port]]\nname = \"three\"\nnumber = \"5551003\"\n";

// Submits the three-page letter to `number`, and waits until its first page
// is confirmed: the call is in progress.
std::int64_t letter_in_progress(Watched& c, const std::string& number) {
    const std::int64_t id =
        (*c).call("job.submit", {{"number", number},
                                 {"document", test::document_base64(test::fixture(
                                                  "documents/letter-fine-mmr.tif"))}})["job_id"];
    EXPECT_TRUE(c.wait_for([&] { return c.job(id)["pages_sent"] == 1; }))
        << "the call did not get going: " << c.job(id).dump(2);
    return id;
}

// Where `text` is in faxd's log (npos if not).
std::size_t in_log(const FaxdProcess& faxd, const std::string& text) {
    return test::read_text(faxd.log()).find(text);
}

TEST(FaxdReload, SighupAddsAPortWithoutDroppingTheCallOnAnother) {
    test::TempDir tmp;
    const auto source = test::fixture("documents/letter-fine-mmr.tif");
    FaxdProcess faxd(tmp.path(), 10.0);  // 10x real time: the letter's call lasts seconds
    Watched c(faxd.client());
    const std::int64_t id = letter_in_progress(c, "5551002");

    rewrite(faxd, FaxdProcess::kPortsText + kPortThree);
    faxd.hangup();
    ASSERT_TRUE(c.wait_for([&] { return c.port_names().count("three") == 1; }, 30s))
        << test::read_text(faxd.log());
    EXPECT_TRUE(c.wait_for([&] { return c.saw_status(3); }, 30s)) << "no port.status for port 3";

    ASSERT_TRUE(c.wait_for([&] { return c.job_completed(id); })) << c.job(id).dump(2);
    const json job = c.job(id);
    EXPECT_EQ(job["attempts_list"].size(), 1u) << "the call was dropped: " << job.dump(2);
    const auto added = in_log(faxd, "port 3 \"three\" added");
    const auto completed = in_log(faxd, "job " + std::to_string(id) + ": call on port");
    ASSERT_NE(added, std::string::npos) << test::read_text(faxd.log());
    EXPECT_LT(added, completed) << "the reload came after the call, not during it";

    const json fax = c->call("received.list")[0];
    EXPECT_EQ(fax["status"], "completed");
    EXPECT_EQ(fax["pages"], 3);
    const auto delivered = tmp.path() / "delivered.tif";
    test::fetch_received(*c, fax["id"], delivered);
    const ImageComparison cmp = compare_fax_images_below_band(source, delivered, kPageHeaderBandMm);
    EXPECT_TRUE(cmp.equal) << cmp.detail;

    // The new port takes a fax.
    const std::int64_t to_three =
        c->call("job.submit",
                {{"number", "5551003"},
                 {"document",
                  test::document_base64(test::fixture("documents/short-std-mmr.tif"))}})["job_id"];
    ASSERT_TRUE(c.wait_for([&] { return c.job_completed(to_three); })) << c.job(to_three).dump(2);
    bool on_three = false;
    for (const json& f : c->call("received.list"))
        on_three |= f["device_id"] == 3 && f["port_name"] == "three" && f["status"] == "completed";
    EXPECT_TRUE(on_three) << c->call("received.list").dump(2);
}

TEST(FaxdReload, ABusyPortIsRemovedOnlyWhenItsCallEnds) {
    test::TempDir tmp;
    FaxdProcess faxd(tmp.path(), 10.0);
    Watched c(faxd.client());
    const std::int64_t id = letter_in_progress(c, "5551002");  // port "one" dials "two"
    ASSERT_EQ(c.job(id)["device_id"], 1);

    rewrite(faxd, "[[port]]\nname = \"two\"\nnumber = \"5551002\"\ncsid = \"TWO\"\n");
    faxd.hangup();
    ASSERT_TRUE(test::wait_for_text(
        faxd.log(), "port 1 \"one\" is in a call: it takes no new work and is removed", 30s))
        << test::read_text(faxd.log());
    EXPECT_EQ(in_log(faxd, "port 1 \"one\" removed"), std::string::npos);

    ASSERT_TRUE(c.wait_for([&] { return c.job_completed(id); })) << c.job(id).dump(2);
    EXPECT_EQ(c.job(id)["attempts_list"].size(), 1u) << c.job(id).dump(2);
    ASSERT_TRUE(c.wait_for([&] { return c.port_names() == std::set<std::string>{"two"}; }, 30s))
        << c->call("ports.list").dump(2);
    EXPECT_TRUE(c.wait_for([&] { return c.saw_status(1, true); }, 30s))
        << "no port.status telling port 1 is gone";
    EXPECT_NE(in_log(faxd, "port 1 \"one\" removed"), std::string::npos);
    EXPECT_EQ(c->call("received.list")[0]["status"], "completed");
}

TEST(FaxdReload, ABrokenFileIsRefusedAndTheRunningPortsKept) {
    test::TempDir tmp;
    FaxdProcess faxd(tmp.path(), 0);
    Watched c(faxd.client());
    rewrite(faxd, std::string(FaxdProcess::kPortsText) + kPortThree + "rigns = 3\n");
    faxd.hangup();
    // The misspelt key's line: after the settings and the two ports, the third's fourth.
    const std::string before = faxd.settings_text() + FaxdProcess::kPortsText;
    const auto line = std::count(before.begin(), before.end(), '\n') + 4;
    const std::string error =
        faxd.config().string() + ":" + std::to_string(line) + ": port[3].rigns: unknown key";
    ASSERT_TRUE(test::wait_for_text(faxd.log(), error, 30s)) << test::read_text(faxd.log());
    EXPECT_NE(in_log(faxd, "configuration was not reloaded"), std::string::npos);
    EXPECT_EQ(c.port_names(), (std::set<std::string>{"one", "two"}));
    // And faxd works on.
    const std::int64_t id = test::submit_short_fax(*c)["job_id"];
    EXPECT_TRUE(c.wait_for([&] { return c.job_completed(id); })) << c.job(id).dump(2);
}

TEST(FaxdReload, SettingsThatNeedARestartAreNamedAndKept) {
    test::TempDir tmp;
    FaxdProcess faxd(tmp.path(), 0);
    Watched c(faxd.client());
    std::string settings = faxd.settings_text();
    settings.replace(settings.find("speed = 0"), 9, "speed = 1");
    std::ofstream(faxd.config(), std::ios::trunc)
        << settings << FaxdProcess::kPortsText << kPortThree;
    faxd.hangup();
    ASSERT_TRUE(test::wait_for_text(faxd.log(), "configuration reloaded", 30s))
        << test::read_text(faxd.log());
    EXPECT_NE(in_log(faxd, "line.speed has changed, but only a restart applies it"),
              std::string::npos)
        << test::read_text(faxd.log());
    EXPECT_EQ(c.port_names(), (std::set<std::string>{"one", "two", "three"}));
    // Still unpaced: a fax goes through at once.
    const std::int64_t id = test::submit_short_fax(*c)["job_id"];
    EXPECT_TRUE(c.wait_for([&] { return c.job_completed(id); }, 30s)) << c.job(id).dump(2);
}

TEST(FaxdReload, ValuesSetThroughTheApiWinOverTheFile) {
    test::TempDir tmp;
    FaxdProcess faxd(tmp.path(), 0);
    Watched c(faxd.client());
    c->call("port.set", {{"device_id", 1}, {"tsid", "API"}});
    rewrite(faxd,
            "[[port]]\nname = \"one\"\nnumber = \"5551001\"\ntsid = \"FILE\"\n"
            "[[port]]\nname = \"two\"\nnumber = \"5551002\"\ncsid = \"NEW\"\n");
    faxd.hangup();
    ASSERT_TRUE(test::wait_for_text(faxd.log(), "configuration reloaded", 30s))
        << test::read_text(faxd.log());
    EXPECT_EQ(c->call("port.get", {{"device_id", 1}})["tsid"], "API");
    EXPECT_EQ(c->call("port.get", {{"device_id", 2}})["csid"], "NEW");
    EXPECT_NE(in_log(faxd, "port 2 \"two\" changed: csid"), std::string::npos)
        << test::read_text(faxd.log());
    EXPECT_NE(in_log(faxd, "port 1 \"one\" changed: tsid (tsid as saved through the API"),
              std::string::npos)
        << test::read_text(faxd.log());
}

}  // namespace
}  // namespace faxemu
