// A faxd running in the test process on its own thread, with a temporary spool,
// an ephemeral TCP port and a users file of three users (admin, sender, viewer).
#pragma once

#include <condition_variable>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/protocol/base64.hpp"
#include "core/protocol/client.hpp"
#include "core/protocol/json_rpc.hpp"
#include "core/routing_method.hpp"
#include "core/users.hpp"
#include "tests/support/test_support.hpp"
#include "tools/faxd/daemon.hpp"

namespace faxemu::test {

using json = nlohmann::json;

inline constexpr char kPassword[] = "correct horse";

class FaxdHarness {
  public:
    explicit FaxdHarness(const std::function<void(faxd::Config&)>& adjust = {}) {
        config = faxd::default_config();
        config.spool = tmp.path() / "spool";
        config.listen = "127.0.0.1:0";
        config.log_level = "warn";
        UsersFile users;
        users.add("admin", "admin", kPassword);
        users.add("sender", "sender", kPassword);
        users.add("viewer", "viewer", kPassword);
        config.users = tmp.path() / "users.json";
        users.save(config.users);
        if (adjust) adjust(config);
        start();
    }
    ~FaxdHarness() { stop(); }

    void start() {
        daemon = std::make_unique<faxd::Daemon>(config);
        thread = std::thread([this] { daemon->run(); });
    }
    void stop() {
        if (!daemon) return;
        daemon->stop();
        thread.join();
        daemon.reset();
    }

    // A client logged in as `user` over TCP.
    std::unique_ptr<rpc::FaxClient> client(const std::string& user = "admin") {
        auto c = std::make_unique<rpc::FaxClient>();
        c->connect("127.0.0.1:" + std::to_string(daemon->tcp_port()));
        if (!user.empty()) c->login(user, kPassword);
        return c;
    }

    TempDir tmp;
    faxd::Config config;
    std::unique_ptr<faxd::Daemon> daemon;
    std::thread thread;
};

// Waits until `done()` (asked again at every notification, and at least every
// 100 ms) or the deadline; true if done.
inline bool wait_for(rpc::FaxClient& client, const std::function<bool()>& done,
                     std::chrono::seconds deadline = std::chrono::seconds(60)) {
    auto state = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
    client.set_notification_handler([state](const std::string&, const json&) {
        std::lock_guard lock(state->first);
        state->second.notify_all();
    });
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= end) return false;
        std::unique_lock lock(state->first);
        state->second.wait_for(lock, std::chrono::milliseconds(100));
    }
    return true;
}

// The first received fax once `done(fax)` holds for it (with its routing
// begun), or null at the deadline.
inline json wait_for_received(rpc::FaxClient& client,
                              const std::function<bool(const json&)>& done) {
    json fax;
    const bool ok = wait_for(client, [&] {
        json list = client.call("received.list");
        if (list.empty() || list[0]["routing"].empty()) return false;
        fax = list[0];
        return done(fax);
    });
    return ok ? fax : json();
}

// The first received fax once its reception has completed, or null at the deadline.
inline json wait_for_first_reception(rpc::FaxClient& client) {
    json fax;
    const bool ok = wait_for(client, [&] {
        const json list = client.call("received.list");
        if (list.empty()) return false;
        fax = list[0];
        return fax["status"] == "completed";
    });
    return ok ? fax : json();
}

// Port 2 (5551002) stores what it receives in `folder`, made fresh here (the
// folder routing method). Returns `folder`.
inline std::filesystem::path route_port2_to_folder(rpc::FaxClient& admin,
                                                   const std::filesystem::path& folder) {
    std::filesystem::create_directories(folder);
    admin.call("routing.set", {{"device_id", 2},
                               {"guid", std::string(kFolderRoutingGuid)},
                               {"data", folder.string()},
                               {"enable", true}});
    return folder;
}

// A file as job.submit wants it.
inline std::string document_base64(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    return rpc::base64_encode(bytes);
}

// The RpcError code of a call that must fail; 0 if it succeeded.
// Submits the one-page short-std-mmr fixture for port 2 (5551002); the job's answer.
inline json submit_short_fax(rpc::FaxClient& client) {
    return client.call("job.submit",
                       {{"number", "5551002"},
                        {"document", document_base64(fixture("documents/short-std-mmr.tif"))}});
}

inline int rpc_code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const rpc::RpcError& e) {
        return e.code();
    }
    return 0;
}

// Fetches received fax `id` whole into `file`.
inline void fetch_received(rpc::FaxClient& client, std::int64_t id,
                           const std::filesystem::path& file) {
    std::ofstream out(file, std::ios::binary);
    for (std::int64_t offset = 0;;) {
        const json part = client.call("received.fetch", {{"id", id}, {"offset", offset}});
        const auto data = rpc::base64_decode(part["data"].get<std::string>());
        if (!data) throw std::runtime_error("received.fetch: bad base64");
        out.write(reinterpret_cast<const char*>(data->data()),
                  static_cast<std::streamsize>(data->size()));
        offset += static_cast<std::int64_t>(data->size());
        if (part["eof"]) break;
    }
}

}  // namespace faxemu::test
