// What the protocol tests share: a set of users, a server running on its own
// io thread, and a raw socket client for bytes FaxClient would never send.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <asio.hpp>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/protocol/json_rpc.hpp"
#include "core/refusal.hpp"
#include "core/rpc_server.hpp"
#include "core/users.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu::test {

using nlohmann::json;

// Longer than anything should take; only a bug waits this long.
inline constexpr auto kDeadline = std::chrono::seconds(20);

// alice (admin), bob (viewer), carol (sender); password "<name>-pw". Hashed once
// per program: Argon2 is slow on purpose.
inline const UsersFile& test_users() {
    static const UsersFile users = [] {
        UsersFile u;
        u.add("alice", "admin", "alice-pw");
        u.add("bob", "viewer", "bob-pw");
        u.add("carol", "sender", "carol-pw");
        return u;
    }();
    return users;
}

// Values set by another thread, awaited with a deadline.
template <typename T>
class Awaited {
  public:
    void set(T value) {
        std::lock_guard lock(mutex_);
        values_.push_back(std::move(value));
        changed_.notify_all();
    }
    // Waits until at least `n` values have arrived; false on the deadline.
    bool wait_for_count(std::size_t n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kDeadline, [&] { return values_.size() >= n; });
    }
    std::vector<T> values() {
        std::lock_guard lock(mutex_);
        return values_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<T> values_;
};

// The methods the protocol tests call:
//   test.echo   {...}              -> {params, user, role, rights (mask)}
//   test.add    {a: int, b: int}   -> a + b
//   test.fail   {kind}             -> throws: a FaxError ErrorCode name, "reason" (a NotFound
//                                     Refusal, reason::kJobDeleted), "rpc", "std", "other"
//   test.notify {count, size}      -> count; first sends `count` test.event notifications
//   test.block  {}                 -> true once `gate` is ready (holds up the io thread);
//                                     counts itself in `blocked` first
//   test.states {ports, rounds, size}-> ports * rounds; first sends, round by round, a
//                                     port.status {status: {device_id, round, blob}} per port
//                                     (port.status keeps the latest per device_id)
//   test.mute   {methods}          -> true; the session is sent only notifications of `methods`
inline void install_test_handlers(RpcServer& server, std::shared_future<void> gate,
                                  Awaited<int>& blocked) {
    using Session = RpcServer::Session;
    server.handle("test.echo", [](Session& s, const json& params) -> json {
        return {{"params", params}, {"user", s.user}, {"role", s.role}, {"rights", s.rights.mask}};
    });
    server.handle("test.add", [](Session&, const json& params) -> json {
        return params.at("a").get<int>() + params.at("b").get<int>();
    });
    server.handle("test.fail", [](Session&, const json& params) -> json {
        const auto kind = params.at("kind").get<std::string>();
        static const std::map<std::string, ErrorCode> codes = {
            {"InvalidParameter", ErrorCode::InvalidParameter},
            {"AccessDenied", ErrorCode::AccessDenied},
            {"BadDocument", ErrorCode::BadDocument},
            {"NotFound", ErrorCode::NotFound},
            {"DeviceInUse", ErrorCode::DeviceInUse},
            {"Io", ErrorCode::Io},
        };
        if (const auto it = codes.find(kind); it != codes.end())
            throw FaxError(it->second, "failed with " + kind);
        if (kind == "reason")
            throw Refusal(ErrorCode::NotFound, "failed with a reason", reason::kJobDeleted);
        if (kind == "rpc") throw rpc::RpcError(-32099, "custom failure", {{"detail", 1}});
        if (kind == "std") throw std::runtime_error("plain failure");
        throw 42;
    });
    server.handle("test.notify", [&server](Session&, const json& params) -> json {
        const int count = params.at("count").get<int>();
        const std::string blob(params.value("size", 0), 'n');
        for (int i = 0; i < count; ++i) server.notify_all("test.event", {{"i", i}, {"blob", blob}});
        return count;
    });
    server.keep_latest("port.status", json::json_pointer("/status/device_id"));
    server.handle("test.states", [&server](Session&, const json& params) -> json {
        const int ports = params.at("ports").get<int>();
        const int rounds = params.at("rounds").get<int>();
        const std::string blob(params.value("size", 0), 's');
        for (int round = 0; round < rounds; ++round)
            for (int port = 0; port < ports; ++port)
                server.notify_all(
                    "port.status",
                    {{"status", {{"device_id", port}, {"round", round}, {"blob", blob}}}});
        return ports * rounds;
    });
    server.handle("test.mute", [](Session& s, const json& params) -> json {
        const auto methods = params.value("methods", std::vector<std::string>{});
        s.wants = std::make_shared<const std::function<bool(const std::string&, const json&)>>(
            [methods](const std::string& method, const json&) {
                return std::find(methods.begin(), methods.end(), method) != methods.end();
            });
        return true;
    });
    server.handle("test.block", [gate, &blocked](Session&, const json&) -> json {
        blocked.set(1);
        return gate.wait_for(kDeadline) == std::future_status::ready;
    });
}

// An RpcServer listening on an ephemeral TCP port and a Unix socket, its
// io_context run by a thread of its own. Destruction stops the server on the io
// thread and expects the io_context to run out of work: a session that lingers
// fails the test instead of hanging it.
class ServerHarness {
  public:
    ServerHarness(const std::filesystem::path& socket_path, RpcServer::Limits limits,
                  const std::function<void(RpcServer&)>& setup)
        : socket_path_(socket_path) {
        server_ = std::make_unique<RpcServer>(io_, test_users(), limits);
        setup(*server_);
        server_->listen_tcp("127.0.0.1", 0);
        server_->listen_unix(socket_path);
        finished_ = ran_.get_future();
        thread_ = std::thread([this] {
            io_.run();
            ran_.set_value();
        });
    }

    ~ServerHarness() {
        asio::post(io_, [this] { server_->stop(); });
        guard_.reset();
        if (finished_.wait_for(kDeadline) != std::future_status::ready) {
            ADD_FAILURE() << "the io_context still had work after stop()";
            io_.stop();
        }
        thread_.join();
        server_.reset();
    }

    RpcServer& server() { return *server_; }
    std::string tcp_address() const { return "127.0.0.1:" + std::to_string(server_->tcp_port()); }
    std::string unix_address() const { return "unix:" + socket_path_.string(); }
    std::uint16_t tcp_port() const { return server_->tcp_port(); }
    const std::filesystem::path& socket_path() const { return socket_path_; }

    // Runs `fn` on the io thread and returns its result.
    template <typename Fn>
    auto on_io(Fn fn) -> decltype(fn()) {
        // Shared: a task that runs after the deadline must still find itself.
        auto task = std::make_shared<std::packaged_task<decltype(fn())()>>(std::move(fn));
        auto result = task->get_future();
        asio::post(io_, [task] { (*task)(); });
        if (result.wait_for(kDeadline) != std::future_status::ready)
            throw std::runtime_error("the io thread did not run a task in time");
        return result.get();
    }

  private:
    std::filesystem::path socket_path_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
    std::unique_ptr<RpcServer> server_;
    std::promise<void> ran_;
    std::future<void> finished_;
    std::thread thread_;
};

// A test with a running server: small limits so that overflows are cheap to cause.
class ServerTest : public ::testing::Test {
  protected:
    virtual RpcServer::Limits limits() const {
        RpcServer::Limits l;
        l.max_message_bytes = 64 * 1024;
        l.max_queued_messages = 32;
        l.max_queued_states = 1000;
        l.max_queued_bytes = 256 * 1024;
        return l;
    }
    void SetUp() override {
        harness_.emplace(dir_.path() / "faxd.sock", limits(), [this](RpcServer& server) {
            install_test_handlers(server, gate_.get_future().share(), blocked_);
            listen_more(server);
        });
    }
    // Before the TCP and Unix listeners: for more of them, such as TLS.
    virtual void listen_more(RpcServer&) {}
    void TearDown() override {
        open_gate();
        harness_.reset();
    }
    void open_gate() {
        if (!gate_open_) gate_.set_value();
        gate_open_ = true;
    }
    ServerHarness& harness() { return *harness_; }

    TempDir dir_;
    Awaited<int> blocked_;  // one value per test.block call the server has begun

  private:
    std::promise<void> gate_;
    bool gate_open_ = false;
    std::optional<ServerHarness> harness_;
};

// A plain socket for malformed, partial and oversize input. Reads wait with poll()
// up to kDeadline, so a missing answer fails instead of hanging.
class RawClient {
  public:
    static RawClient tcp(std::uint16_t port) {
        RawClient c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        c.connect_to(reinterpret_cast<const sockaddr*>(&address), sizeof address);
        return c;
    }
    static RawClient unix_socket(const std::filesystem::path& path) {
        RawClient c(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
        c.connect_to(reinterpret_cast<const sockaddr*>(&address), sizeof address);
        return c;
    }

    RawClient(RawClient&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    ~RawClient() { close(); }

    void send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::runtime_error("send failed: " + std::string(strerror(errno)));
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    void send_json(const json& message) { send(message.dump() + "\n"); }
    void shutdown_send() { ::shutdown(fd_, SHUT_WR); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    // The next line, or nullopt at end of stream. Throws on the deadline.
    std::optional<std::string> read_line() {
        for (;;) {
            const auto newline = buffer_.find('\n');
            if (newline != std::string::npos) {
                std::string line = buffer_.substr(0, newline);
                buffer_.erase(0, newline + 1);
                return line;
            }
            if (!fill()) return std::nullopt;
        }
    }
    json read_json() {
        auto line = read_line();
        if (!line) throw std::runtime_error("connection closed before an answer");
        return json::parse(*line);
    }
    // Every byte until the server closes; returns how many.
    std::size_t drain_until_eof() {
        std::size_t total = buffer_.size();
        buffer_.clear();
        while (fill()) {
            total += buffer_.size();
            buffer_.clear();
        }
        return total;
    }

  private:
    explicit RawClient(int fd) : fd_(fd) {
        if (fd_ < 0) throw std::runtime_error("socket failed");
    }
    void connect_to(const sockaddr* address, socklen_t length) {
        if (::connect(fd_, address, length) != 0)
            throw std::runtime_error("connect failed: " + std::string(strerror(errno)));
    }
    // Appends what arrives; false at end of stream (or reset).
    bool fill() {
        pollfd p{fd_, POLLIN, 0};
        const int ready =
            ::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kDeadline).count()));
        if (ready <= 0) throw std::runtime_error("no data from the server in time");
        char chunk[65536];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::string buffer_;
};

}  // namespace faxemu::test
