#include "core/protocol/client.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <asio.hpp>
#if defined(FAXEMU_CLIENT_TLS)
#include <asio/ssl.hpp>
#endif
#if defined(FAXEMU_CLIENT_SCHANNEL)
#include "core/protocol/windows/schannel_tls.hpp"
#endif

namespace faxemu::rpc {

namespace {

// Where to connect, from a "host:port" / "unix:/path" / "tls://host:port" address.
struct Target {
    bool local = false;
    bool tls = false;
    std::string ca_file;  // tls
    std::string path;     // local
    std::string host;     // TCP
    std::string port;
};

RpcError bad_address(const std::string& address, const std::string& why) {
    return RpcError(kInvalidValue, "invalid faxd address \"" + address + "\": " + why);
}

Target parse_address(const std::string& full_address) {
    Target target;
    std::string address = full_address;
    if (address.rfind("tls://", 0) == 0) {
#if defined(FAXEMU_CLIENT_TLS) || defined(FAXEMU_CLIENT_SCHANNEL)
        target.tls = true;
        address.erase(0, 6);
#else
        throw bad_address(full_address, "this build of the client has no TLS");
#endif
    }
    if (!target.tls && address.rfind("unix:", 0) == 0) {
#if defined(ASIO_HAS_LOCAL_SOCKETS) && !defined(_WIN32)
        target.local = true;
        target.path = address.substr(5);
        if (target.path.empty()) throw bad_address(full_address, "no socket path after \"unix:\"");
        return target;
#else
        throw bad_address(full_address, "Unix sockets are not available on this system");
#endif
    }
    std::string port;
    if (!address.empty() && address.front() == '[') {
        // "[v6]:port": the brackets keep the address's colons apart from the port's.
        const auto close = address.find(']');
        if (close == std::string::npos) throw bad_address(full_address, "missing ']'");
        target.host = address.substr(1, close - 1);
        const std::string rest = address.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') throw bad_address(full_address, "expected ':' after ']'");
            port = rest.substr(1);
        }
    } else if (const auto colon = address.find(':');
               colon != std::string::npos && address.find(':', colon + 1) == std::string::npos) {
        target.host = address.substr(0, colon);
        port = address.substr(colon + 1);
    } else {
        target.host = address;  // no port, or a bare IPv6 address
    }
    if (target.host.empty()) throw bad_address(full_address, "no host name");
    if (port.empty()) {
        target.port = std::to_string(FaxClient::kDefaultPort);
        return target;
    }
    unsigned long number = 0;
    for (const char c : port) {
        if (c < '0' || c > '9' || number > 65535)
            throw bad_address(full_address, "bad port number");
        number = number * 10 + static_cast<unsigned long>(c - '0');
    }
    if (number == 0 || number > 65535) throw bad_address(full_address, "bad port number");
    target.port = port;
    return target;
}

}  // namespace

// One connection: its io_context and thread, the reader and writer coroutines,
// and the calls waiting for answers. The coroutines run on the connection's own
// thread; call() reaches them only through asio::post and the locked table of
// pending calls.
class FaxClient::Connection {
    // An answer as plain data: the caller's thread makes the RpcError, so that no
    // exception object is shared between threads.
    struct Outcome {
        json result;
        bool failed = false;
        int code = 0;
        std::string message;
        json data;
    };

  public:
    Connection(std::string address, std::size_t max_message_bytes, NotificationHandler handler)
        : address_(std::move(address)),
          lines_(max_message_bytes),
          max_message_bytes_(max_message_bytes),
          handler_(std::move(handler)) {
        wake_.expires_at(asio::steady_timer::time_point::max());
    }
    ~Connection() { close(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void open(const Target& target, std::chrono::milliseconds timeout) {
#if defined(FAXEMU_CLIENT_TLS)
        if (target.tls) prepare_tls(target.ca_file);
#endif
        auto connected = asio::co_spawn(io_, connect_to(target), asio::use_future);
        thread_ = std::thread([this] { io_.run(); });
        const bool in_time = connected.wait_for(timeout) == std::future_status::ready;
        if (!in_time) asio::post(io_, [this] { shut(); });
        try {
            connected.get();
        } catch (const std::system_error& e) {
            close();
            throw RpcError(kIoError, "faxd at " + address_ + ": cannot connect: " +
                                         (handshaking_ ? "TLS handshake failed: " : "") +
                                         (in_time ? e.code().message() : "timed out"));
        } catch (const RpcError& e) {
            // The TLS session's own verdict (a bad CA file, a refused certificate).
            close();
            throw RpcError(e.code(), "faxd at " + address_ + ": cannot connect: " + e.what());
        }
        if (!in_time) {
            close();
            throw RpcError(kIoError, "faxd at " + address_ + ": cannot connect: timed out");
        }
    }

    bool alive() const {
        std::lock_guard lock(mutex_);
        return !failure_;
    }

    void set_handler(NotificationHandler handler) {
        std::lock_guard lock(mutex_);
        handler_ = std::move(handler);
    }

    json call(const std::string& method, const json& params, std::chrono::milliseconds timeout) {
        if (io_.get_executor().running_in_this_thread())
            throw std::logic_error("FaxClient::call from the notification handler would deadlock");
        auto answer = std::make_shared<std::promise<Outcome>>();
        auto future = answer->get_future();
        std::int64_t id = 0;
        {
            std::lock_guard lock(mutex_);
            if (failure_) throw RpcError(kIoError, *failure_);
            id = next_id_++;
            pending_.emplace(id, answer);
        }
        asio::post(io_, [this, line = to_line(make_request(id, method, params))]() mutable {
            if (shut_) return;
            outbox_.push_back(std::move(line));
            wake_.cancel_one();
        });
        if (future.wait_for(timeout) == std::future_status::timeout) {
            std::lock_guard lock(mutex_);
            // Unless the answer arrived meanwhile, forget the call: a late answer is dropped.
            if (pending_.erase(id) == 1) {
                throw RpcError(kIoError, "faxd at " + address_ + ": no answer to " + method +
                                             " within " + std::to_string(timeout.count()) + " ms");
            }
        }
        Outcome outcome = future.get();
        if (outcome.failed) throw RpcError(outcome.code, outcome.message, std::move(outcome.data));
        return std::move(outcome.result);
    }

    bool on_own_thread() {
        return io_.get_executor().running_in_this_thread();
    }

    // Idempotent. From the notification handler it only starts the close (a
    // thread cannot join itself); a later close from another thread finishes it.
    void close() {
        if (thread_.joinable()) {
            asio::post(io_, [this] { shut(); });
            if (io_.get_executor().running_in_this_thread()) return;
            thread_.join();
        }
        shut();  // the io thread is gone: safe here, and covers a run that never shut
    }

  private:
#if defined(FAXEMU_CLIENT_TLS)
    // The CA file is the only trust anchor: faxd's certificates are typically
    // from a private CA, and the system's store would add nothing but risk.
    void prepare_tls(const std::string& ca_file) {
        if (!std::ifstream(ca_file))
            throw RpcError(kInvalidValue, "TLS CA file " + ca_file + ": cannot read the file");
        tls_context_.emplace(asio::ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(tls_context_->native_handle(), TLS1_2_VERSION);
        asio::error_code error;
        tls_context_->load_verify_file(ca_file, error);
        if (error) throw RpcError(kInvalidValue, "TLS CA file " + ca_file + ": " + error.message());
        tls_context_->set_verify_mode(asio::ssl::verify_peer);
    }

    asio::awaitable<void> handshake(const std::string& host) {
        tls_.emplace(socket_, *tls_context_);
        tls_->set_verify_callback(asio::ssl::host_name_verification(host));
        asio::error_code not_an_address;
        asio::ip::make_address(host, not_an_address);
        // SNI carries names only, never addresses (RFC 6066).
        if (not_an_address) SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());
        handshaking_ = true;
        co_await tls_->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
        handshaking_ = false;
    }
#endif

#if defined(FAXEMU_CLIENT_SCHANNEL)
    // The handshake's records go over the socket as the session makes them.
    asio::awaitable<void> schannel_handshake(const Target& target) {
        handshaking_ = true;
        auto session = std::make_unique<SchannelSession>(target.host, target.ca_file);
        std::vector<char> buffer(16 * 1024);
        std::string received;
        for (;;) {
            const std::string out = session->handshake(received);
            if (!out.empty())
                co_await asio::async_write(socket_, asio::buffer(out), asio::use_awaitable);
            if (session->done()) break;
            const std::size_t n =
                co_await socket_.async_read_some(asio::buffer(buffer), asio::use_awaitable);
            received.assign(buffer.data(), n);
        }
        schannel_ = std::move(session);
        handshaking_ = false;
    }

    // Application data from the TLS records read into `buffer` (decrypted in
    // plain_ first, as a read may end mid-record or hold several records).
    asio::awaitable<std::size_t> schannel_read_some(asio::mutable_buffer buffer,
                                                    asio::error_code& error) {
        std::string_view fresh;
        while (plain_.empty()) {
            try {
                plain_ += schannel_->decrypt(fresh);
            } catch (const RpcError&) {
                error = asio::error::connection_aborted;
                co_return 0;
            }
            if (!plain_.empty()) break;
            if (schannel_->closed()) {
                error = asio::error::eof;
                co_return 0;
            }
            const std::size_t n = co_await socket_.async_read_some(
                buffer, asio::redirect_error(asio::use_awaitable, error));
            if (error) co_return 0;
            fresh = std::string_view(static_cast<const char*>(buffer.data()), n);
        }
        const std::size_t n = std::min(plain_.size(), buffer.size());
        std::memcpy(buffer.data(), plain_.data(), n);
        plain_.erase(0, n);
        co_return n;
    }
#endif

    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, asio::error_code& error) {
#if defined(FAXEMU_CLIENT_SCHANNEL)
        if (schannel_) co_return co_await schannel_read_some(buffer, error);
#endif
#if defined(FAXEMU_CLIENT_TLS)
        if (tls_)
            co_return co_await tls_->async_read_some(
                buffer, asio::redirect_error(asio::use_awaitable, error));
#endif
        co_return co_await socket_.async_read_some(
            buffer, asio::redirect_error(asio::use_awaitable, error));
    }

    asio::awaitable<void> write(asio::const_buffer buffer, asio::error_code& error) {
#if defined(FAXEMU_CLIENT_SCHANNEL)
        if (schannel_) {
            std::string records;
            try {
                records = schannel_->encrypt(
                    std::string_view(static_cast<const char*>(buffer.data()), buffer.size()));
            } catch (const RpcError&) {
                error = asio::error::connection_aborted;
                co_return;
            }
            co_await asio::async_write(socket_, asio::buffer(records),
                                       asio::redirect_error(asio::use_awaitable, error));
            co_return;
        }
#endif
#if defined(FAXEMU_CLIENT_TLS)
        if (tls_) {
            co_await asio::async_write(*tls_, buffer,
                                       asio::redirect_error(asio::use_awaitable, error));
            co_return;
        }
#endif
        co_await asio::async_write(socket_, buffer,
                                   asio::redirect_error(asio::use_awaitable, error));
    }

    asio::awaitable<void> connect_to(Target target) {
        if (target.local) {
#if defined(ASIO_HAS_LOCAL_SOCKETS) && !defined(_WIN32)
            co_await socket_.async_connect(asio::local::stream_protocol::endpoint(target.path),
                                           asio::use_awaitable);
#endif
        } else {
            const auto endpoints =
                co_await resolver_.async_resolve(target.host, target.port, asio::use_awaitable);
            asio::error_code error = asio::error::host_not_found;
            for (const auto& entry : endpoints) {
                if (shut_) break;
                asio::error_code ignored;
                socket_.close(ignored);
                error = {};
                co_await socket_.async_connect(
                    asio::generic::stream_protocol::endpoint(entry.endpoint()),
                    asio::redirect_error(asio::use_awaitable, error));
                if (!error) break;
            }
            if (error) throw std::system_error(error);
            socket_.set_option(asio::ip::tcp::no_delay(true));  // small request/answer lines
#if defined(FAXEMU_CLIENT_TLS)
            if (target.tls && !shut_) co_await handshake(target.host);
#endif
#if defined(FAXEMU_CLIENT_SCHANNEL)
            if (target.tls && !shut_) co_await schannel_handshake(target);
#endif
        }
        if (shut_) throw std::system_error(asio::error::operation_aborted);
        asio::co_spawn(io_, read_loop(), asio::detached);
        asio::co_spawn(io_, write_loop(), asio::detached);
    }

    asio::awaitable<void> read_loop() {
        std::vector<char> buffer(64 * 1024);
        for (;;) {
            asio::error_code error;
            const std::size_t n = co_await read_some(asio::buffer(buffer), error);
            if (error) break;
            lines_.append({buffer.data(), n});
            while (auto line = lines_.next()) deliver(*line);
        }
        shut();
    }

    asio::awaitable<void> write_loop() {
        while (!shut_) {
            asio::error_code error;
            if (outbox_.empty()) {
                co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, error));
                continue;
            }
            co_await write(asio::buffer(outbox_.front()), error);
            if (error) break;
            outbox_.pop_front();
        }
        shut();
    }

    void deliver(const LineBuffer::Line& line) {
        if (line.too_large) {
            answer(
                peek_id(line.text), nullptr,
                RpcError(kTooLarge, "faxd at " + address_ + ": an answer over " +
                                        std::to_string(max_message_bytes_) + " bytes was skipped"));
            return;
        }
        if (line.text.find_first_not_of(" \t\r") == std::string::npos) return;
        auto message = parse_message(line.text);
        if (auto* response = std::get_if<Response>(&message)) {
            answer(response->id, std::move(response->result), std::move(response->error));
        } else if (auto* notification = std::get_if<Notification>(&message)) {
            NotificationHandler handler;
            {
                std::lock_guard lock(mutex_);
                handler = handler_;
            }
            if (!handler) return;
            try {
                handler(notification->method, notification->params);
            } catch (...) {
                // The handler's failure is its own; the connection carries on.
            }
        }
        // The server sends no requests; anything else is not ours to answer.
    }

    void answer(const json& id, json result, std::optional<RpcError> error) {
        if (!id.is_number_integer()) return;
        std::shared_ptr<std::promise<Outcome>> waiting;
        {
            std::lock_guard lock(mutex_);
            const auto it = pending_.find(id.get<std::int64_t>());
            if (it == pending_.end()) return;  // timed out meanwhile
            waiting = std::move(it->second);
            pending_.erase(it);
        }
        if (error)
            waiting->set_value(Outcome{nullptr, true, error->code(), error->what(), error->data()});
        else
            waiting->set_value(Outcome{std::move(result), false, 0, {}, nullptr});
    }

    // On the io thread (or after it ended): stop everything, fail waiting calls.
    void shut() {
        if (!shut_) {
            shut_ = true;
            asio::error_code ignored;
            socket_.close(ignored);
            resolver_.cancel();
            wake_.cancel();
        }
        std::map<std::int64_t, std::shared_ptr<std::promise<Outcome>>> failed;
        std::string message;
        {
            std::lock_guard lock(mutex_);
            if (!failure_) failure_ = "faxd at " + address_ + ": connection closed";
            message = *failure_;
            failed.swap(pending_);
        }
        for (auto& [id, waiting] : failed)
            waiting->set_value(Outcome{nullptr, true, kIoError, message, nullptr});
    }

    const std::string address_;
    asio::io_context io_;
    asio::generic::stream_protocol::socket socket_{io_};
#if defined(FAXEMU_CLIENT_TLS)
    // Declared after socket_ and io_, destroyed before them.
    std::optional<asio::ssl::context> tls_context_;
    std::optional<asio::ssl::stream<asio::generic::stream_protocol::socket&>> tls_;
#endif
#if defined(FAXEMU_CLIENT_SCHANNEL)
    std::unique_ptr<SchannelSession> schannel_;  // io thread
    std::string plain_;                          // decrypted, not read yet
#endif
    bool handshaking_ = false;  // io thread; read by open() once the connect is over
    asio::ip::tcp::resolver resolver_{io_};
    asio::steady_timer wake_{io_};  // the writer waits on it while the outbox is empty
    std::thread thread_;

    // io thread only
    LineBuffer lines_;
    const std::size_t max_message_bytes_;
    std::deque<std::string> outbox_;
    bool shut_ = false;

    mutable std::mutex mutex_;  // guards what call() and the io thread share
    std::map<std::int64_t, std::shared_ptr<std::promise<Outcome>>> pending_;
    std::optional<std::string> failure_;  // set once the connection is gone
    std::int64_t next_id_ = 1;
    NotificationHandler handler_;
};

FaxClient::FaxClient(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

FaxClient::~FaxClient() {
    close();
}

void FaxClient::connect(const std::string& address, std::chrono::milliseconds timeout) {
    close();
    Target target = parse_address(address);
    NotificationHandler handler;
    {
        std::lock_guard lock(mutex_);
        if (handler_) handler = *handler_;
        target.ca_file = tls_ca_;
    }
#if !defined(FAXEMU_CLIENT_SCHANNEL)  // Schannel: no CA file means the Windows trust store
    if (target.tls && target.ca_file.empty()) {
        if (const char* ca = std::getenv("FAXEMU_TLS_CA")) target.ca_file = ca;
        if (target.ca_file.empty())
            throw bad_address(address,
                              "tls:// needs the CA file that signed faxd's certificate "
                              "(FaxClient::set_tls_ca or $FAXEMU_TLS_CA)");
    }
#else
    if (target.tls && target.ca_file.empty())
        if (const char* ca = std::getenv("FAXEMU_TLS_CA")) target.ca_file = ca;
#endif
    auto connection = std::make_shared<Connection>(address, max_message_bytes_, handler);
    connection->open(target, timeout);
    std::lock_guard lock(mutex_);
    connection_ = std::move(connection);
    address_ = address;
}

void FaxClient::set_tls_ca(const std::string& ca_file) {
    std::lock_guard lock(mutex_);
    tls_ca_ = ca_file;
}

bool FaxClient::connected() const {
    auto connection = current();
    return connection && connection->alive();
}

std::shared_ptr<FaxClient::Connection> FaxClient::current() const {
    std::lock_guard lock(mutex_);
    return connection_;
}

json FaxClient::call(const std::string& method, const json& params,
                     std::chrono::milliseconds timeout) {
    std::shared_ptr<Connection> connection;
    std::string address;
    {
        std::lock_guard lock(mutex_);
        connection = connection_;
        address = address_;
    }
    if (!connection) {
        throw RpcError(kIoError, address.empty() ? std::string("not connected to faxd")
                                                 : "faxd at " + address + ": connection closed");
    }
    return connection->call(method, params, timeout);
}

json FaxClient::login(const std::string& user, const std::string& password) {
    return call("session.login", {{"user", user}, {"password", password}});
}

void FaxClient::set_notification_handler(NotificationHandler handler) {
    std::shared_ptr<Connection> connection;
    {
        std::lock_guard lock(mutex_);
        handler_ = std::make_shared<NotificationHandler>(handler);
        connection = connection_;
    }
    if (connection) connection->set_handler(std::move(handler));
}

void FaxClient::close() {
    std::shared_ptr<Connection> connection;
    std::shared_ptr<Connection> retired;
    {
        std::lock_guard lock(mutex_);
        connection.swap(connection_);
        if (connection && connection->on_own_thread()) {
            // Closing from the notification handler: the thread cannot join itself,
            // so the connection waits here until a close from another thread.
            connection->close();
            retired_ = std::move(connection);
            return;
        }
        retired.swap(retired_);
    }
    if (connection) connection->close();
    if (retired) retired->close();
}

}  // namespace faxemu::rpc
