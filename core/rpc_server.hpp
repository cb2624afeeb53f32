// faxd's side of the control protocol (core/protocol/PROTOCOL.md): JSON-RPC 2.0,
// one message per line, over TCP, TLS and a Unix socket, on an io_context the caller
// owns and runs on one thread.
//
// Each connection is a session: a reader coroutine that answers requests in
// order and a writer coroutine that drains the session's bounded queue of
// outgoing lines. Handlers run on the io thread and return the result or throw
// FaxError / RpcError; nothing they throw ends the session or the server.
//
// Threads: notify_all may be called from any thread. Everything else is meant
// for the io thread, or for before/after the io_context runs (set-up,
// teardown). The io_context and the UsersFile must outlive the server.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "core/caller_rights.hpp"

namespace faxemu {

class UsersFile;

class RpcServer {
  public:
    using json = nlohmann::json;

    struct Limits {
        // A longer line is answered kTooLarge and skipped. Before login only a
        // login fits, so a stranger cannot make faxd hold megabytes.
        std::size_t max_message_bytes = 48u << 20;
        std::size_t max_message_bytes_before_login = 16u << 10;
        // Sessions per kind; one more is accepted and closed at once. Each kind
        // has its own budget so that strangers cannot crowd out users, nor
        // anyone the local admin (root or faxd's own user on the Unix socket),
        // who is never refused.
        std::size_t max_unauthenticated = 64;  // TCP/TLS sessions not logged in yet
        std::size_t max_authenticated = 256;   // TCP/TLS sessions logged in
        std::size_t max_local = 64;            // other users' Unix-socket sessions
        // Outgoing lines queued for one session before it counts as stuck and is
        // dropped (a client that reads nothing must not hold the others back):
        // answers and other notifications, and (counted apart) state
        // notifications, of which a session holds one per key (keep_latest),
        // so that a burst of them never drops a client that reads.
        std::size_t max_queued_messages = 4096;
        std::size_t max_queued_states = 65536;
        std::size_t max_queued_bytes = 64u << 20;
        // A session that has not logged in by then (TLS handshake included) is
        // closed, so idle strangers cannot use up max_unauthenticated.
        std::chrono::milliseconds login_timeout = std::chrono::seconds(10);
        // Login back-off, per client address and per user name (known or not):
        // after `login_free_failures` failures in a row, each further attempt
        // within a wait is refused without a password check; the wait starts at
        // login_backoff and doubles per failure up to login_backoff_max. A
        // success clears both; failures older than login_forget are forgotten.
        int login_free_failures = 3;
        std::chrono::milliseconds login_backoff = std::chrono::seconds(1);
        std::chrono::milliseconds login_backoff_max = std::chrono::minutes(5);
        std::chrono::milliseconds login_forget = std::chrono::minutes(15);
    };

    // Who is on the other end, as handlers see it.
    struct Session {
        std::string user;  // "" until authenticated
        std::string role;  // viewer, sender or admin
        CallerRights rights;
        bool authenticated = false;
        std::uint64_t id = 0;  // unique per server, for logs
        std::string peer;      // "tcp 127.0.0.1:51234", "tls ..." or "unix uid 1000", for logs
        std::string address;   // "127.0.0.1" or "unix uid 1000": whom the login back-off counts
        bool local = false;    // on the Unix socket
        // Which notifications the session is sent (faxd's session.subscribe);
        // null: all of them.
        std::shared_ptr<const std::function<bool(const std::string& method, const json& params)>>
            wants;
    };

    using Handler = std::function<json(Session& session, const json& params)>;

    RpcServer(asio::io_context& io, const UsersFile& users, Limits limits);
    RpcServer(asio::io_context& io, const UsersFile& users);
    ~RpcServer();  // stop()s
    RpcServer(const RpcServer&) = delete;
    RpcServer& operator=(const RpcServer&) = delete;

    // Throws FaxError(Io) naming the address when it cannot listen.
    void listen_tcp(const std::string& host, std::uint16_t port);  // port 0: any free port
    std::uint16_t tcp_port() const;  // of the first TCP listener (also after stop); 0 if none
    // TLS (1.2 or later) over TCP, with the same sessions as listen_tcp. The
    // files are PEM: the certificate chain and its private key. Throws
    // FaxError(Io) naming the file that cannot be loaded or the address.
    void listen_tls(const std::string& host, std::uint16_t port,
                    const std::filesystem::path& cert_file, const std::filesystem::path& key_file);
    std::uint16_t tls_port() const;  // of the first TLS listener; 0 if none
    // Replaces a stale socket file, but refuses (FaxError Io) if a server answers
    // there or the path is not a socket. The socket is made mode 0660.
    void listen_unix(const std::filesystem::path& path);

    // Registers `method`; params arrive as an object (`{}` when absent). The
    // built-in session.login and session.whoami cannot be replaced.
    void handle(std::string method, Handler fn);

    // Sends a notification to every authenticated session that wants it
    // (Session::wants) and every sink. Thread-safe.
    void notify_all(const std::string& method, const json& params);

    // Notifications of `method` carry the latest state of the thing named by
    // the value at `key` in their params (port.status: "/status/device_id"):
    // a session not yet sent one of them gets the newer one in its place
    // (Outbox). Before the io_context runs.
    void keep_latest(std::string method, json::json_pointer key);
    // What a notification replaces in a queue: method and key value; "" when
    // it is not a state notification (for sinks that queue, too).
    std::string state_key(const std::string& method, const json& params) const;

    // --- seams for another transport (faxd's web console) ---

    // Also told of every notification, on the io thread (before the sessions'
    // queues take it). A sink must not block. Before the io_context runs.
    using NotificationSink = std::function<void(const std::string& method, const json& params)>;
    void add_notification_sink(NotificationSink sink);

    // On the io thread: runs the registered handler of `method` for `session`
    // as a request would, and returns its answer as JSON-RPC without an id:
    // {"result": ...} or {"error": {"code", "message"[, "data"]}}. The
    // session must be authenticated; session.login and session.whoami are not
    // callable here.
    json call(Session& session, const std::string& method, const json& params);

    // A login with the control protocol's own password check and back-off
    // (one count per address and per user across both transports). `done`
    // runs later on the io thread (never if the server stops first) with the
    // authenticated session, or why not. Callable on the io thread.
    struct LoginResult {
        std::optional<Session> session;                   // set when logged in
        std::optional<std::chrono::seconds> retry_after;  // set when the back-off refused
        std::string message;                              // why not
    };
    void authenticate(std::string address, std::string user, std::string password,
                      std::function<void(LoginResult)> done);

    // Closes the listeners (removing the Unix socket file) and every session.
    void stop();

    std::size_t session_count() const;

  private:
    struct State;
    std::shared_ptr<State> state_;  // shared with the coroutines, which may outlive this
};

}  // namespace faxemu
