#include "core/rpc_server.hpp"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <asio.hpp>
#include <asio/ssl.hpp>

#include "core/error.hpp"
#include "core/login_backoff.hpp"
#include "core/outbox.hpp"
#include "core/protocol/json_rpc.hpp"
#include "core/refusal.hpp"
#include "core/tls_server_context.hpp"
#include "core/users.hpp"

namespace faxemu {

namespace {

using rpc::RpcError;
using Session = RpcServer::Session;
using json = nlohmann::json;
using Socket = asio::generic::stream_protocol::socket;
using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

int code_of(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidParameter:
            return rpc::kInvalidValue;
        case ErrorCode::AccessDenied:
            return rpc::kAccessDenied;
        case ErrorCode::BadDocument:
            return rpc::kBadDocument;
        case ErrorCode::NotFound:
            return rpc::kNotFound;
        case ErrorCode::DeviceInUse:
            return rpc::kDeviceInUse;
        case ErrorCode::Io:
            return rpc::kIoError;
    }
    return rpc::kInternalError;
}

// nlohmann's "[json.exception.type_error.302] " tag means nothing to a client.
std::string without_exception_tag(const char* what) {
    std::string text = what;
    if (!text.empty() && text.front() == '[') {
        const auto end = text.find("] ");
        if (end != std::string::npos) text.erase(0, end + 2);
    }
    return text;
}

// A back-off's wait as whole seconds, rounded up, for messages and Retry-After.
std::int64_t seconds_of(std::chrono::steady_clock::duration wait) {
    return std::chrono::ceil<std::chrono::seconds>(wait).count();
}

// The login/whoami answer (PROTOCOL.md "Sessions").
json describe(const Session& session) {
    json rights = json::array();
    const std::string names = right_names(session.rights.mask);
    for (std::size_t start = 0; start < names.size();) {
        const auto bar = std::min(names.find('|', start), names.size());
        rights.push_back(names.substr(start, bar - start));
        start = bar + 1;
    }
    return {{"user", session.user},
            {"role", session.role},
            {"rights", std::move(rights)},
            {"can_modify", session.rights.has(access::ConfigSet)},
            {"authenticated", session.authenticated}};
}

// User names come from the network: quoted and escaped, they cannot forge log lines.
std::string printable(const std::string& text) {
    return json(text).dump(-1, ' ', true, json::error_handler_t::replace);
}

std::string user_name_of(uid_t uid) {
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found)
        return found->pw_name;
    return "uid " + std::to_string(uid);
}

// The uid of a Unix-socket peer, where the system can tell.
std::optional<uid_t> peer_uid([[maybe_unused]] int fd) {
#if defined(SO_PEERCRED)
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0)
        return credentials.uid;
#endif
    return std::nullopt;
}

// What a session reads and writes: a plain socket or TLS. Type-erased so that
// the session logic exists once for every transport.
class Stream {
  public:
    virtual ~Stream() = default;
    // Before the first read: the TLS handshake; nothing for a plain socket.
    virtual asio::awaitable<void> start(asio::error_code& error) = 0;
    virtual asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer,
                                                   asio::error_code& error) = 0;
    virtual asio::awaitable<void> write(asio::const_buffer buffer, asio::error_code& error) = 0;
    virtual void close() = 0;
    virtual bool encrypted() const = 0;
};

template <typename AsioStream>
class StreamOf final : public Stream {
  public:
    explicit StreamOf(AsioStream stream) : stream_(std::move(stream)) {}

    asio::awaitable<void> start(asio::error_code& error) override {
        if constexpr (std::is_same_v<AsioStream, TlsStream>) {
            co_await stream_.async_handshake(asio::ssl::stream_base::server,
                                             asio::redirect_error(asio::use_awaitable, error));
        }
        co_return;
    }
    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer,
                                           asio::error_code& error) override {
        co_return co_await stream_.async_read_some(
            buffer, asio::redirect_error(asio::use_awaitable, error));
    }
    asio::awaitable<void> write(asio::const_buffer buffer, asio::error_code& error) override {
        co_await asio::async_write(stream_, buffer,
                                   asio::redirect_error(asio::use_awaitable, error));
    }
    // No TLS close_notify: the session is over either way, and a peer that
    // stopped reading must not hold the close up.
    void close() override {
        asio::error_code ignored;
        stream_.lowest_layer().close(ignored);
    }
    bool encrypted() const override { return std::is_same_v<AsioStream, TlsStream>; }

  private:
    AsioStream stream_;
};

// One client connection. Touched only on the io thread.
struct Connection {
    Connection(std::unique_ptr<Stream> s, const asio::any_io_executor& executor,
               std::size_t max_line, Outbox::Limits queue)
        : stream(std::move(s)),
          wake(executor),
          login_timer(executor),
          lines(max_line),
          outbox(queue) {
        wake.expires_at(asio::steady_timer::time_point::max());
    }

    Session session;
    std::unique_ptr<Stream> stream;
    asio::steady_timer wake;         // the writer sleeps on it while the outbox is empty
    asio::steady_timer login_timer;  // closes a session that never logs in
    rpc::LineBuffer lines;
    Outbox outbox;
    bool draining = false;  // the peer stopped sending: answer what is queued, then close
    bool checking_password = false;
    bool login_expired = false;  // the login deadline passed during a password check
    bool local_admin = false;    // root or faxd's own user on the Unix socket: never refused
    bool closed = false;
};

// Which session budget a connection draws on (Limits).
enum class Kind { LocalAdmin, Local, Unauthenticated, Authenticated };

Kind kind_of(const Connection& c) {
    if (c.session.local) return c.local_admin ? Kind::LocalAdmin : Kind::Local;
    return c.session.authenticated ? Kind::Authenticated : Kind::Unauthenticated;
}

const char* name_of(Kind kind) {
    switch (kind) {
        case Kind::LocalAdmin:
            return "local admin";
        case Kind::Local:
            return "local (max_local)";
        case Kind::Unauthenticated:
            return "not logged in (max_unauthenticated)";
        case Kind::Authenticated:
            return "logged in (max_authenticated)";
    }
    return "?";
}

// What the password check and back-off said of one login, on either transport.
struct LoginVerdict {
    std::optional<User> user;                              // set when the login succeeded
    std::optional<LoginBackoff::Clock::duration> backoff;  // set when refused unchecked
};

}  // namespace

struct RpcServer::State : std::enable_shared_from_this<RpcServer::State> {
    State(asio::io_context& context, const UsersFile& user_list, Limits l)
        : io(context),
          users(user_list),
          limits(l),
          backoff(LoginBackoff::Policy{l.login_free_failures, l.login_backoff, l.login_backoff_max,
                                       l.login_forget}) {
        // The dummy hash for unknown users is made on first use: make it now, so
        // that the first unknown name is not slower to refuse than a wrong password.
        asio::post(hashing, [] { UsersFile::verify_hash(std::nullopt, ""); });
    }

    asio::io_context& io;
    const UsersFile& users;
    const Limits limits;
    std::map<std::string, Handler, std::less<>> handlers;
    std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> tcp_acceptors;
    std::uint16_t first_tcp_port = 0;  // kept after stop(), for messages
    std::uint16_t first_tls_port = 0;
#if defined(ASIO_HAS_LOCAL_SOCKETS) && !defined(_WIN32)
    std::shared_ptr<asio::local::stream_protocol::acceptor> unix_acceptor;
#endif
    std::filesystem::path unix_path;
    std::map<std::uint64_t, std::shared_ptr<Connection>> sessions;
    LoginBackoff backoff;  // shared by session.login and the web console's login
    std::vector<NotificationSink> sinks;
    std::map<std::string, json::json_pointer, std::less<>> state_keys;  // keep_latest
    std::uint64_t next_session_id = 1;
    bool stopped = false;
    // Password checks cost ~0.1 s of CPU each: off the io thread, which also
    // carries the ports.
    asio::thread_pool hashing{2};

    // --- sessions ---

    std::size_t count(Kind kind) const {
        return static_cast<std::size_t>(
            std::count_if(sessions.begin(), sessions.end(),
                          [&](const auto& s) { return kind_of(*s.second) == kind; }));
    }

    // The most sessions of a kind; none for the local admin.
    std::optional<std::size_t> limit_of(Kind kind) const {
        switch (kind) {
            case Kind::LocalAdmin:
                return std::nullopt;
            case Kind::Local:
                return limits.max_local;
            case Kind::Unauthenticated:
                return limits.max_unauthenticated;
            case Kind::Authenticated:
                return limits.max_authenticated;
        }
        return std::nullopt;
    }

    bool full(Kind kind) const {
        const auto limit = limit_of(kind);
        return limit && count(kind) >= *limit;
    }

    // `address`: whom the login back-off counts; `local`: on the Unix socket.
    void start(std::unique_ptr<Stream> stream, std::string peer, std::string address, bool local,
               std::optional<std::string> local_admin) {
        auto c = std::make_shared<Connection>(
            std::move(stream), io.get_executor(),
            local_admin ? limits.max_message_bytes
                        : std::min(limits.max_message_bytes, limits.max_message_bytes_before_login),
            Outbox::Limits{limits.max_queued_messages, limits.max_queued_states,
                           limits.max_queued_bytes});
        c->session.peer = std::move(peer);
        c->session.address = std::move(address);
        c->session.local = local;
        c->local_admin = local_admin.has_value();
        if (local_admin) {
            c->session.user = *local_admin;
            c->session.role = "admin";
            c->session.rights = CallerRights::admin();
            c->session.authenticated = true;
        }
        const Kind kind = kind_of(*c);
        if (full(kind)) {
            spdlog::warn("control: refused {}: already {} sessions {}", c->session.peer,
                         count(kind), name_of(kind));
            c->stream->close();
            return;
        }
        c->session.id = next_session_id++;
        sessions.emplace(c->session.id, c);
        spdlog::info("session {} ({}): opened{}", c->session.id, c->session.peer,
                     local_admin ? " as local admin " + printable(*local_admin) : "");
        auto self = shared_from_this();
        asio::co_spawn(io, read_loop(self, c), asio::detached);
        asio::co_spawn(io, write_loop(self, c), asio::detached);
        if (!c->session.authenticated) asio::co_spawn(io, login_deadline(self, c), asio::detached);
    }

    void close(const std::shared_ptr<Connection>& c, const std::string& why) {
        if (c->closed) return;
        c->closed = true;
        c->stream->close();
        c->wake.cancel();
        c->login_timer.cancel();
        sessions.erase(c->session.id);
        spdlog::info("session {} ({}): closed{}{}", c->session.id, c->session.peer,
                     why.empty() ? "" : ": ", why);
    }

    // `key`: a state notification's (state_key), replacing an unsent one.
    void send(const std::shared_ptr<Connection>& c, std::string line, const std::string& key = {}) {
        if (c->closed) return;
        // One message always fits, so a big answer to a reading client goes through.
        if (!c->outbox.push(std::move(line), key)) {
            spdlog::warn("session {} ({}): dropped: it left {} messages ({} bytes) unread",
                         c->session.id, c->session.peer, c->outbox.size(), c->outbox.bytes());
            close(c, "");
            return;
        }
        c->wake.cancel_one();
    }

    // A session ends when its socket does, whatever went wrong in between: an
    // exception that escaped a coroutine would otherwise leave the other half
    // waiting forever and the session's slot taken.
    static asio::awaitable<void> read_loop(std::shared_ptr<State> self,
                                           std::shared_ptr<Connection> c) {
        try {
            co_await read_lines(self, c);
        } catch (const std::exception& e) {
            spdlog::error("session {} ({}): reading failed: {}", c->session.id, c->session.peer,
                          e.what());
            self->close(c, "internal error");
        }
    }

    static asio::awaitable<void> read_lines(std::shared_ptr<State> self,
                                            std::shared_ptr<Connection> c) {
        {
            asio::error_code error;
            co_await c->stream->start(error);
            if (c->closed) co_return;
            if (error) {
                // Only this session ends: a stranger speaking plain TCP, a client
                // that does not trust the certificate, an old TLS version.
                spdlog::warn("session {} ({}): TLS handshake failed: {}", c->session.id,
                             c->session.peer, error.message());
                self->close(c, "");
                co_return;
            }
        }
        std::vector<char> buffer(64 * 1024);
        for (;;) {
            asio::error_code error;
            const std::size_t n = co_await c->stream->read_some(asio::buffer(buffer), error);
            if (c->closed) co_return;
            // A TLS peer that closes without close_notify has still stopped sending.
            if (error == asio::error::eof ||
                (c->stream->encrypted() && error == asio::ssl::error::stream_truncated)) {
                // A half-closed peer still gets its answers; a partial line is dropped.
                c->draining = true;
                c->wake.cancel();
                co_return;
            }
            if (error) {
                self->close(c, error.message());
                co_return;
            }
            c->lines.append({buffer.data(), n});
            while (auto line = c->lines.next()) {
                co_await self->serve(c, *line);
                if (c->closed || c->draining) co_return;
            }
        }
    }

    static asio::awaitable<void> write_loop(std::shared_ptr<State> self,
                                            std::shared_ptr<Connection> c) {
        try {
            co_await write_lines(c);
        } catch (const std::exception& e) {
            spdlog::error("session {} ({}): writing failed: {}", c->session.id, c->session.peer,
                          e.what());
        }
        self->close(c, "");
    }

    static asio::awaitable<void> write_lines(std::shared_ptr<Connection> c) {
        while (!c->closed) {
            asio::error_code error;
            if (c->outbox.empty()) {
                if (c->draining) break;
                co_await c->wake.async_wait(asio::redirect_error(asio::use_awaitable, error));
                continue;
            }
            const std::string line = c->outbox.take();
            co_await c->stream->write(asio::buffer(line), error);
            if (error || c->closed) break;
        }
    }

    static asio::awaitable<void> login_deadline(std::shared_ptr<State> self,
                                                std::shared_ptr<Connection> c) {
        c->login_timer.expires_after(self->limits.login_timeout);
        asio::error_code error;
        co_await c->login_timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
        if (error || c->closed || c->session.authenticated) co_return;
        if (c->checking_password) {
            c->login_expired = true;  // the check decides
            co_return;
        }
        spdlog::warn("session {} ({}): no login within {} ms", c->session.id, c->session.peer,
                     self->limits.login_timeout.count());
        self->close(c, "");
    }

    // --- requests ---

    asio::awaitable<void> serve(std::shared_ptr<Connection> c, const rpc::LineBuffer::Line& line) {
        if (line.too_large) {
            const bool before_login = !c->session.authenticated;
            const std::size_t limit = before_login ? std::min(limits.max_message_bytes,
                                                              limits.max_message_bytes_before_login)
                                                   : limits.max_message_bytes;
            send(c,
                 rpc::to_line(rpc::make_error(
                     rpc::peek_id(line.text), rpc::kTooLarge,
                     "message over " + std::to_string(limit) + " bytes (" +
                         (before_login ? "max_message_bytes_before_login" : "max_message_bytes") +
                         ") skipped")));
            co_return;
        }
        if (line.text.find_first_not_of(" \t\r") == std::string::npos) co_return;
        auto message = rpc::parse_message(line.text);
        if (auto* request = std::get_if<rpc::Request>(&message)) {
            json answer = co_await dispatch(c, request->method, request->params);
            answer["id"] = std::move(request->id);
            send(c, rpc::to_line(answer));
        } else if (auto* notification = std::get_if<rpc::Notification>(&message)) {
            // JSON-RPC: a notification is carried out but never answered.
            co_await dispatch(c, notification->method, notification->params);
        } else if (auto* malformed = std::get_if<rpc::Malformed>(&message)) {
            send(c,
                 rpc::to_line(rpc::make_error(malformed->id, malformed->code, malformed->message)));
        } else if (auto* response = std::get_if<rpc::Response>(&message)) {
            send(c,
                 rpc::to_line(rpc::make_error(response->id, rpc::kInvalidRequest,
                                              "faxd asks nothing; a response is not a request")));
        }
    }

    // The answer to one call, without its id.
    asio::awaitable<json> dispatch(std::shared_ptr<Connection> c, const std::string& method,
                                   json& params) {
        const json no_id = nullptr;
        if (params.is_null()) params = json::object();
        if (!params.is_object()) {
            co_return rpc::make_error(no_id, rpc::kInvalidParams,
                                      "params of " + method + " must be an object");
        }
        if (method == "session.login") co_return co_await login(c, params);
        if (method == "session.whoami") co_return rpc::make_result(no_id, describe(c->session));
        if (!c->session.authenticated) {
            co_return rpc::make_error(no_id, rpc::kUnauthenticated,
                                      method + ": log in first (session.login)");
        }
        co_return invoke(c->session, method, params);
    }

    // Runs the registered handler of `method`: the answer without its id.
    json invoke(Session& session, const std::string& method, const json& params) {
        const json no_id = nullptr;
        const auto handler = handlers.find(method);
        if (handler == handlers.end())
            return rpc::make_error(no_id, rpc::kMethodNotFound,
                                   "unknown method " + printable(method));
        try {
            return rpc::make_result(no_id, handler->second(session, params));
        } catch (const RpcError& e) {
            return rpc::make_error(no_id, e.code(), e.what(), e.data());
        } catch (const FaxError& e) {
            const auto* refusal = dynamic_cast<const Refusal*>(&e);
            return rpc::make_error(no_id, code_of(e.code()), e.what(),
                                   refusal ? json{{"reason", refusal->reason()}} : json());
        } catch (const json::exception& e) {
            // Handlers read params with at()/get<>(): a missing or mistyped one lands here.
            return rpc::make_error(no_id, rpc::kInvalidParams,
                                   method + ": " + without_exception_tag(e.what()));
        } catch (const std::exception& e) {
            spdlog::warn("session {} ({}): {} failed: {}", session.id, session.peer, method,
                         e.what());
            return rpc::make_error(no_id, rpc::kInternalError, method + " failed: " + e.what());
        } catch (...) {
            spdlog::warn("session {} ({}): {} failed", session.id, session.peer, method);
            return rpc::make_error(no_id, rpc::kInternalError, method + " failed");
        }
    }

    asio::awaitable<json> login(std::shared_ptr<Connection> c, const json& params) {
        const json no_id = nullptr;
        const auto user = params.find("user");
        const auto password = params.find("password");
        if (user == params.end() || !user->is_string() || password == params.end() ||
            !password->is_string()) {
            co_return rpc::make_error(no_id, rpc::kInvalidParams,
                                      "session.login needs user and password strings");
        }
        const auto name = user->get<std::string>();
        c->checking_password = true;
        const LoginVerdict verdict =
            co_await verify(c->session.address, name, password->get<std::string>());
        c->checking_password = false;
        if (verdict.backoff) {
            spdlog::warn("session {} ({}): login as {} refused: back-off after failed logins",
                         c->session.id, c->session.peer, printable(name));
            co_return rpc::make_error(no_id, rpc::kAccessDenied,
                                      "login refused: too many failed logins; try again in " +
                                          std::to_string(seconds_of(*verdict.backoff)) + " s");
        }
        if (stopped || c->closed) co_return json::object();  // nobody to answer
        const auto& found = verdict.user;
        if (!found) {
            spdlog::warn("session {} ({}): failed login as {}", c->session.id, c->session.peer,
                         printable(name));
            if (c->login_expired && !c->session.authenticated) {
                // Past the login deadline: this answer is the last.
                c->draining = true;
                c->wake.cancel();
            }
            co_return rpc::make_error(no_id, rpc::kAccessDenied,
                                      "login failed: unknown user or wrong password");
        }
        if (!c->session.authenticated && !c->session.local && full(Kind::Authenticated)) {
            spdlog::warn("session {} ({}): login as {} refused: already {} sessions {}",
                         c->session.id, c->session.peer, printable(found->name),
                         count(Kind::Authenticated), name_of(Kind::Authenticated));
            c->draining = true;
            c->wake.cancel();
            co_return rpc::make_error(no_id, rpc::kTooLarge,
                                      "login refused: faxd has too many sessions; try later");
        }
        c->session.user = found->name;
        c->session.role = found->role;
        c->session.rights = found->rights;
        c->session.authenticated = true;
        c->lines.set_max_line(limits.max_message_bytes);
        c->login_timer.cancel();
        spdlog::info("session {} ({}): logged in as {} ({})", c->session.id, c->session.peer,
                     printable(found->name), found->role);
        co_return rpc::make_result(no_id, describe(c->session));
    }

    // --- login back-off ---

    // The back-off, then the password check (an unknown user against a dummy
    // hash: the same work, the same time), counted in the back-off.
    asio::awaitable<LoginVerdict> verify(std::string address, std::string name,
                                         std::string password) {
        if (const auto wait = backoff.wait_left(address, name)) {
            // No password check: an attacker learns nothing, and costs nothing.
            co_return LoginVerdict{std::nullopt, wait};
        }
        const bool ok = co_await check_password(users.password_hash(name), std::move(password));
        auto found = ok ? users.find(name) : std::nullopt;
        if (found)
            backoff.succeeded(address, name);
        else
            backoff.failed(address, name);
        co_return LoginVerdict{std::move(found), std::nullopt};
    }

    static asio::awaitable<void> authenticate(std::shared_ptr<State> self, std::string address,
                                              std::string name, std::string password,
                                              std::function<void(LoginResult)> done) {
        LoginResult result;
        try {
            const LoginVerdict verdict = co_await self->verify(address, name, std::move(password));
            if (verdict.backoff) {
                result.retry_after = std::chrono::seconds(seconds_of(*verdict.backoff));
                result.message = "login refused: too many failed logins; try again in " +
                                 std::to_string(result.retry_after->count()) + " s";
                spdlog::warn("web ({}): login as {} refused: back-off after failed logins", address,
                             printable(name));
            } else if (!verdict.user) {
                result.message = "login failed: unknown user or wrong password";
                spdlog::warn("web ({}): failed login as {}", address, printable(name));
            } else {
                Session s;
                s.user = verdict.user->name;
                s.role = verdict.user->role;
                s.rights = verdict.user->rights;
                s.authenticated = true;
                s.id = self->next_session_id++;
                s.peer = "web " + address;
                s.address = address;
                result.session = std::move(s);
                spdlog::info("web ({}): logged in as {} ({})", address, printable(name),
                             verdict.user->role);
            }
        } catch (const std::exception& e) {
            result.message = std::string("login failed: ") + e.what();
        }
        if (self->stopped) co_return;
        done(std::move(result));
    }

    // Runs the Argon2 check on the hashing pool and resumes on the io thread. Not
    // a coroutine itself: g++ 12 mishandles a lambda temporary inside co_await.
    asio::awaitable<bool> check_password(std::optional<std::string> hash, std::string password) {
        auto initiation = [this, hash = std::move(hash),
                           password = std::move(password)](auto handler) mutable {
            auto work = asio::make_work_guard(asio::get_associated_executor(handler));
            asio::post(
                hashing, [work = std::move(work), hash = std::move(hash),
                          password = std::move(password), handler = std::move(handler)]() mutable {
                    bool ok = false;
                    try {
                        ok = UsersFile::verify_hash(hash, password);
                    } catch (const std::exception& e) {
                        spdlog::warn("control: password check failed: {}", e.what());
                    }
                    asio::post(work.get_executor(), [handler = std::move(handler), ok]() mutable {
                        std::move(handler)(ok);
                    });
                });
        };
        return asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
            std::move(initiation), asio::use_awaitable);
    }

    void broadcast(const std::string& line, const std::string& method, const json& params) {
        if (stopped) return;
        for (const auto& sink : sinks) sink(method, params);
        std::vector<std::shared_ptr<Connection>> targets;
        for (const auto& [id, c] : sessions) {
            const auto& wants = c->session.wants;
            if (c->session.authenticated && (!wants || (*wants)(method, params)))
                targets.push_back(c);
        }
        const std::string key = state_key(method, params);
        for (const auto& c : targets) send(c, line, key);  // send may drop c from sessions
    }

    std::string state_key(const std::string& method, const json& params) const {
        const auto found = state_keys.find(method);
        if (found == state_keys.end() || !params.contains(found->second)) return {};
        return method + '\n' + params.at(found->second).dump();
    }

    // --- listeners ---

    // `tls`: null for plain TCP.
    static asio::awaitable<void> accept_tcp(std::shared_ptr<State> self,
                                            std::shared_ptr<asio::ip::tcp::acceptor> acceptor,
                                            std::shared_ptr<asio::ssl::context> tls) {
        for (;;) {
            asio::error_code error;
            asio::ip::tcp::socket socket =
                co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, error));
            if (self->stopped || !acceptor->is_open()) co_return;
            if (error) {
                co_await self->after_accept_error(error);
                continue;
            }
            asio::error_code ignored;
            socket.set_option(asio::ip::tcp::no_delay(true), ignored);
            const auto remote = socket.remote_endpoint(ignored);
            std::string address = remote.address().to_string();
            std::string peer =
                (tls ? "tls " : "tcp ") + address + ":" + std::to_string(remote.port());
            std::unique_ptr<Stream> stream;
            if (tls)
                stream = std::make_unique<StreamOf<TlsStream>>(TlsStream(std::move(socket), *tls));
            else
                stream = std::make_unique<StreamOf<Socket>>(Socket(std::move(socket)));
            self->start(std::move(stream), std::move(peer), std::move(address), false,
                        std::nullopt);
        }
    }

#if defined(ASIO_HAS_LOCAL_SOCKETS) && !defined(_WIN32)
    static asio::awaitable<void> accept_unix(
        std::shared_ptr<State> self,
        std::shared_ptr<asio::local::stream_protocol::acceptor> acceptor) {
        for (;;) {
            asio::error_code error;
            asio::local::stream_protocol::socket socket =
                co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, error));
            if (self->stopped || !acceptor->is_open()) co_return;
            if (error) {
                co_await self->after_accept_error(error);
                continue;
            }
            const auto uid = peer_uid(socket.native_handle());
            std::string peer = uid ? "unix uid " + std::to_string(*uid) : std::string("unix");
            // Root, or faxd's own user, could read the spool anyway.
            std::optional<std::string> admin;
            if (uid && (*uid == 0 || *uid == ::getuid())) admin = user_name_of(*uid);
            std::string address = peer;
            self->start(std::make_unique<StreamOf<Socket>>(Socket(std::move(socket))),
                        std::move(peer), std::move(address), true, std::move(admin));
        }
    }
#endif

    // `tls`: null for plain TCP.
    void listen(const std::string& host, std::uint16_t port,
                std::shared_ptr<asio::ssl::context> tls) {
        const std::string where = (tls ? "tls://" : "") + host + ":" + std::to_string(port);
        try {
            asio::ip::tcp::resolver resolver(io);
            const auto found =
                resolver.resolve(host, std::to_string(port), asio::ip::tcp::resolver::passive);
            const asio::ip::tcp::endpoint endpoint = found.begin()->endpoint();
            auto acceptor = std::make_shared<asio::ip::tcp::acceptor>(io);
            acceptor->open(endpoint.protocol());
            acceptor->set_option(asio::socket_base::reuse_address(true));
            acceptor->bind(endpoint);
            acceptor->listen();
            tcp_acceptors.push_back(acceptor);
            auto& first_port = tls ? first_tls_port : first_tcp_port;
            if (first_port == 0) first_port = acceptor->local_endpoint().port();
            asio::co_spawn(io, accept_tcp(shared_from_this(), acceptor, std::move(tls)),
                           asio::detached);
            spdlog::info("control: listening on {}", where);
        } catch (const std::system_error& e) {
            throw FaxError(ErrorCode::Io, "cannot listen on " + where + ": " + e.code().message());
        }
    }

    // Out of descriptors (EMFILE) fails every accept at once: pause rather than spin.
    asio::awaitable<void> after_accept_error(const asio::error_code& error) {
        spdlog::warn("control: accept failed: {}", error.message());
        asio::steady_timer pause(io, std::chrono::milliseconds(100));
        asio::error_code ignored;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }

    void stop() {
        if (stopped) return;
        stopped = true;
        asio::error_code ignored;
        for (auto& acceptor : tcp_acceptors) acceptor->close(ignored);
#if defined(ASIO_HAS_LOCAL_SOCKETS) && !defined(_WIN32)
        if (unix_acceptor) {
            unix_acceptor->close(ignored);
            std::error_code gone;
            std::filesystem::remove(unix_path, gone);
        }
#endif
        std::vector<std::shared_ptr<Connection>> all;
        for (const auto& [id, c] : sessions) all.push_back(c);
        for (const auto& c : all) close(c, "server stopping");
    }
};

RpcServer::RpcServer(asio::io_context& io, const UsersFile& users, Limits limits)
    : state_(std::make_shared<State>(io, users, limits)) {}

RpcServer::RpcServer(asio::io_context& io, const UsersFile& users)
    : RpcServer(io, users, Limits{}) {}

RpcServer::~RpcServer() {
    stop();
    // A check still running posts its answer to the io_context; wait for it here
    // so that nothing touches the io_context after its owner's teardown.
    state_->hashing.join();
}

void RpcServer::listen_tcp(const std::string& host, std::uint16_t port) {
    state_->listen(host, port, nullptr);
}

void RpcServer::listen_tls(const std::string& host, std::uint16_t port,
                           const std::filesystem::path& cert_file,
                           const std::filesystem::path& key_file) {
    state_->listen(host, port, tls_server_context(cert_file, key_file));
}

std::uint16_t RpcServer::tls_port() const {
    return state_->first_tls_port;
}

std::uint16_t RpcServer::tcp_port() const {
    return state_->first_tcp_port;
}

void RpcServer::listen_unix(const std::filesystem::path& path) {
    const std::string where = "unix:" + path.string();
#if defined(ASIO_HAS_LOCAL_SOCKETS) && !defined(_WIN32)
    namespace fs = std::filesystem;
    using asio::local::stream_protocol;
    std::error_code ec;
    const auto existing = fs::symlink_status(path, ec);
    if (fs::exists(existing)) {
        if (!fs::is_socket(existing))
            throw FaxError(ErrorCode::Io, "cannot listen on " + where + ": not a socket");
        // A socket nobody answers on is left over from a crash; a live one is not ours.
        stream_protocol::socket probe(state_->io);
        asio::error_code refused;
        probe.connect(stream_protocol::endpoint(path.string()), refused);
        if (!refused)
            throw FaxError(ErrorCode::Io,
                           "cannot listen on " + where + ": another server is listening there");
        fs::remove(path, ec);
    }
    try {
        auto acceptor = std::make_shared<stream_protocol::acceptor>(state_->io);
        const stream_protocol::endpoint endpoint(path.string());
        acceptor->open(endpoint.protocol());
        acceptor->bind(endpoint);
        acceptor->listen();
        fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write |
                                  fs::perms::group_read | fs::perms::group_write);
        state_->unix_acceptor = acceptor;
        state_->unix_path = path;
        asio::co_spawn(state_->io, State::accept_unix(state_, acceptor), asio::detached);
        spdlog::info("control: listening on {}", where);
    } catch (const std::system_error& e) {
        throw FaxError(ErrorCode::Io, "cannot listen on " + where + ": " + e.code().message());
    }
#else
    throw FaxError(ErrorCode::Io, "cannot listen on " + where + ": no Unix sockets here");
#endif
}

void RpcServer::handle(std::string method, Handler fn) {
    if (method == "session.login" || method == "session.whoami")
        throw FaxError(ErrorCode::InvalidParameter, method + " is built in");
    state_->handlers[std::move(method)] = std::move(fn);
}

void RpcServer::notify_all(const std::string& method, const json& params) {
    auto line = rpc::to_line(rpc::make_notification(method, params));
    asio::dispatch(state_->io, [state = state_, line = std::move(line), method, params] {
        state->broadcast(line, method, params);
    });
}

void RpcServer::keep_latest(std::string method, json::json_pointer key) {
    state_->state_keys.insert_or_assign(std::move(method), std::move(key));
}

std::string RpcServer::state_key(const std::string& method, const json& params) const {
    return state_->state_keys.empty() ? std::string() : state_->state_key(method, params);
}

void RpcServer::add_notification_sink(NotificationSink sink) {
    state_->sinks.push_back(std::move(sink));
}

RpcServer::json RpcServer::call(Session& session, const std::string& method, const json& params) {
    if (method == "session.login" || method == "session.whoami")
        return rpc::make_error(nullptr, rpc::kMethodNotFound,
                               method + " is the control protocol's own");
    if (!params.is_object())
        return rpc::make_error(nullptr, rpc::kInvalidParams,
                               "params of " + method + " must be an object");
    return state_->invoke(session, method, params);
}

void RpcServer::authenticate(std::string address, std::string user, std::string password,
                             std::function<void(LoginResult)> done) {
    asio::co_spawn(state_->io,
                   State::authenticate(state_, std::move(address), std::move(user),
                                       std::move(password), std::move(done)),
                   asio::detached);
}

void RpcServer::stop() {
    state_->stop();
}

std::size_t RpcServer::session_count() const {
    return state_->sessions.size();
}

}  // namespace faxemu
