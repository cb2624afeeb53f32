// Built as C++17 with Asio's deprecated names: see http_listener.hpp.
#include "tools/faxd/http_listener.hpp"

#include <spdlog/spdlog.h>

#include <websocketpp/config/asio.hpp>
#include <websocketpp/server.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include "core/outbox.hpp"
#include "core/tls_server_context.hpp"

namespace faxemu::faxd {

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

template <typename ConnectionPtr>
void send(const ConnectionPtr& con, const HttpResponse& r, const Headers& defaults) {
    con->set_status(static_cast<websocketpp::http::status_code::value>(r.status));
    con->replace_header("Content-Type", r.content_type);
    con->replace_header("Cache-Control", "no-store");
    for (const auto& [name, value] : defaults) con->replace_header(name, value);
    for (const auto& [name, value] : r.headers) con->replace_header(name, value);
    con->set_body(r.body);
    websocketpp::lib::error_code ec;
    con->send_http_response(ec);
    if (ec) spdlog::debug("http: answer not sent: {}", ec.message());
}

std::string path_of(const std::string& target) {
    return target.substr(0, target.find('?'));
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The body limit of the requests parsed on this thread: each listener parses
// on its own thread, which sets it (websocketpp makes the parser, not faxd).
thread_local const HttpBodyLimit* body_limit_here = nullptr;

// websocketpp's request parser, which also asks body_limit_here once the
// headers are read: websocketpp checks a Content-Length against its one
// maximum only, before the body; this checks it against the request's own
// limit right after (within the read that ended the headers).
class LimitedRequest : public websocketpp::http::parser::request {
  public:
    std::size_t consume(char const* buf, std::size_t len) {
        const std::size_t used = request::consume(buf, len);
        if (!checked_ && (ready() || m_body_bytes_needed > 0)) {
            checked_ = true;
            check_limit();
        }
        return used;
    }

  private:
    void check_limit() const {
        const std::string length = get_header("Content-Length");
        if (length.empty() || !body_limit_here || !*body_limit_here) return;
        HttpRequest headers;
        headers.method = get_method();
        headers.target = get_uri();
        headers.path = path_of(headers.target);
        for (const auto& [name, value] : get_headers()) headers.headers[lower(name)] = value;
        std::size_t limit = 0;
        try {
            limit = (*body_limit_here)(headers);
        } catch (const std::exception& e) {
            spdlog::error("http: the body limit of {} {}: {}", headers.method, headers.path,
                          e.what());
        }
        if (std::strtoull(length.c_str(), nullptr, 10) > limit)
            throw websocketpp::http::exception(
                "HTTP message body too large",
                websocketpp::http::status_code::request_entity_too_large);
    }

    bool checked_ = false;
};

// websocketpp's Asio configuration (`Base`: plain or TLS) with LimitedRequest.
template <typename Base>
struct LimitedConfig : Base {
    typedef LimitedConfig type;
    typedef LimitedRequest request_type;
    struct transport_config : Base::transport_config {
        typedef LimitedRequest request_type;
    };
    typedef websocketpp::transport::asio::endpoint<transport_config> transport_type;
};
using PlainConfig = LimitedConfig<websocketpp::config::asio>;
using TlsConfig = LimitedConfig<websocketpp::config::asio_tls>;

template <typename ConnectionPtr>
HttpRequest request_of(const ConnectionPtr& con, bool secure) {
    const auto& raw = con->get_request();
    HttpRequest request{raw.get_method(),
                        con->get_resource(),
                        path_of(con->get_resource()),
                        raw.get_body(),
                        {},
                        {},
                        secure};
    for (const auto& [name, value] : raw.get_headers()) request.headers[lower(name)] = value;
    asio::error_code ec;
    const auto remote = con->get_raw_socket().remote_endpoint(ec);
    if (!ec) request.remote_address = remote.address().to_string();
    return request;
}

struct Route {
    std::vector<std::string> methods;
    HttpHandler handler;
};

// What is set before start(), whichever protocol the listener speaks.
struct Settings {
    std::map<std::string, Route> routes;
    std::map<std::string, Route> prefix_routes;
    std::map<std::string, WebSocketAdmit> websocket_paths;
    Headers default_headers;
    std::size_t max_unsent_bytes = 8u << 20;
    std::size_t max_body_bytes = 64 * 1024;
    HttpBodyLimit body_limit;
    std::shared_ptr<asio::ssl::context> tls;  // null: plain HTTP
};

// The websocketpp server of one protocol, behind what HttpListener needs of it.
class Endpoint {
  public:
    virtual ~Endpoint() = default;
    virtual void listen(const std::string& host, std::uint16_t port) = 0;  // throws
    virtual std::uint16_t local_port() = 0;
    // On the listener's thread:
    virtual void send_to_all(const std::string& text, const std::string& key) = 0;
    virtual void close_key(const std::string& key) = 0;
    virtual void shut() = 0;  // stops listening and ends every connection
    std::atomic<std::size_t> socket_count{0};
};

template <typename Config>
class EndpointOf final : public Endpoint {
    using Server = websocketpp::server<Config>;
    using ConnectionPtr = typename Server::connection_ptr;
    static constexpr bool kSecure = std::is_same_v<Config, TlsConfig>;

  public:
    EndpointOf(const Settings& settings, std::shared_ptr<asio::io_context> io)
        : settings_(settings), io_(std::move(io)) {
        Server& s = server_;
        // websocketpp's own logs would go to stdout; faxd logs what matters itself.
        s.clear_access_channels(websocketpp::log::alevel::all);
        s.clear_error_channels(websocketpp::log::elevel::all);
        s.init_asio(io_.get());
        s.set_reuse_addr(true);
        s.set_user_agent("faxd");
        s.set_max_http_body_size(settings_.max_body_bytes);
        s.set_http_handler([this](websocketpp::connection_hdl hdl) { on_http(hdl); });
        s.set_validate_handler(
            [this](websocketpp::connection_hdl hdl) { return on_validate(hdl); });
        s.set_open_handler([this](websocketpp::connection_hdl hdl) { on_open(hdl); });
        s.set_close_handler([this](websocketpp::connection_hdl hdl) { forget(hdl); });
        s.set_fail_handler([this](websocketpp::connection_hdl hdl) { forget(hdl); });
        if constexpr (kSecure)
            s.set_tls_init_handler(
                [tls = settings_.tls](websocketpp::connection_hdl) { return tls; });
    }

    void listen(const std::string& host, std::uint16_t port) override {
        const std::string address = host + ":" + std::to_string(port);
        websocketpp::lib::error_code ec;
        try {  // the resolver throws on a host it cannot resolve
            server_.listen(host, std::to_string(port), ec);
        } catch (const std::exception& e) {
            throw std::runtime_error("http: cannot listen on " + address + ": " + e.what());
        }
        if (!ec) server_.start_accept(ec);
        if (ec) throw std::runtime_error("http: cannot listen on " + address + ": " + ec.message());
    }

    std::uint16_t local_port() override {
        asio::error_code ec;
        return server_.get_local_endpoint(ec).port();
    }

    void send_to_all(const std::string& text, const std::string& key) override {
        std::vector<websocketpp::connection_hdl> slow;
        for (const auto& [hdl, admitted] : sockets_) {
            websocketpp::lib::error_code ec;
            const ConnectionPtr con = server_.get_con_from_hdl(hdl, ec);
            if (ec || con->get_state() != websocketpp::session::state::open) continue;
            auto waiting = queues_.find(hdl);
            if (waiting == queues_.end() && con->get_buffered_amount() < kHandOffBytes) {
                con->send(text, websocketpp::frame::opcode::text);
                continue;
            }
            if (waiting == queues_.end())
                waiting =
                    queues_.emplace(hdl, Outbox({4096, 65536, settings_.max_unsent_bytes})).first;
            if (!waiting->second.push(text, key)) slow.push_back(hdl);
        }
        for (const auto& hdl : slow) {
            spdlog::warn("http: WebSocket dropped: its peer left over {} bytes unread",
                         settings_.max_unsent_bytes);
            // Closing cannot wait for a handshake the peer will not read.
            websocketpp::lib::error_code ec;
            if (const ConnectionPtr con = server_.get_con_from_hdl(hdl, ec); !ec)
                con->terminate(ec);
            forget(hdl);
        }
        if (!queues_.empty()) hand_off_later();
    }

    void close_key(const std::string& key) override {
        std::vector<websocketpp::connection_hdl> matching;
        for (const auto& [hdl, k] : sockets_)
            if (k == key) matching.push_back(hdl);
        for (const auto& hdl : matching) {
            websocketpp::lib::error_code ec;
            server_.close(hdl, websocketpp::close::status::policy_violation, "logged out", ec);
            forget(hdl);
        }
    }

    void shut() override {
        websocketpp::lib::error_code ec;
        server_.stop_listening(ec);
        // Open WebSockets would keep the loop busy; they end with faxd. A
        // termination calls the close handler, which forgets the socket: copy.
        std::vector<websocketpp::connection_hdl> open;
        for (const auto& [hdl, key] : sockets_) open.push_back(hdl);
        for (const auto& hdl : open) {
            if (const ConnectionPtr con = server_.get_con_from_hdl(hdl, ec); !ec)
                con->terminate(ec);
        }
        sockets_.clear();
        opening_.clear();
        queues_.clear();
        hand_off_timer_.cancel();
        socket_count = 0;
    }

  private:
    const Route* find_route(const std::string& path) const {
        if (const auto exact = settings_.routes.find(path); exact != settings_.routes.end())
            return &exact->second;
        const Route* best = nullptr;
        std::size_t best_length = 0;
        for (const auto& [prefix, route] : settings_.prefix_routes) {
            if (path.compare(0, prefix.size(), prefix) == 0 && prefix.size() >= best_length) {
                best = &route;
                best_length = prefix.size();
            }
        }
        return best;
    }

    void on_http(websocketpp::connection_hdl hdl) {
        const ConnectionPtr con = server_.get_con_from_hdl(hdl);
        con->defer_http_response();
        const HttpRequest request = request_of(con, kSecure);
        auto answered = std::make_shared<std::atomic<bool>>(false);
        // Weak: a handler the io_context holds must not keep it alive, or
        // neither is ever freed.
        HttpResponder respond = [weak_io = std::weak_ptr<asio::io_context>(io_), con, answered,
                                 defaults = settings_.default_headers](HttpResponse r) {
            if (answered->exchange(true)) return;
            if (const auto live = weak_io.lock())
                asio::post(*live, [con, r = std::move(r), defaults] { send(con, r, defaults); });
        };
        const Route* route = find_route(request.path);
        if (!route) {
            respond({404, "text/plain; charset=utf-8", "not found\n", {}});
            return;
        }
        const auto& methods = route->methods;
        if (std::find(methods.begin(), methods.end(), request.method) == methods.end()) {
            std::string allow;
            for (const auto& m : methods) allow += (allow.empty() ? "" : ", ") + m;
            respond({405, "text/plain; charset=utf-8", "method not allowed\n", {{"Allow", allow}}});
            return;
        }
        try {
            route->handler(request, respond);
        } catch (const std::exception& e) {
            spdlog::error("http: {} {}: {}", request.method, request.path, e.what());
            respond({500, "text/plain; charset=utf-8", "internal error\n", {}});
        }
    }

    // The upgrade: refused unless the path is a WebSocket endpoint that admits it.
    bool on_validate(websocketpp::connection_hdl hdl) {
        const ConnectionPtr con = server_.get_con_from_hdl(hdl);
        const HttpRequest request = request_of(con, kSecure);
        const auto endpoint = settings_.websocket_paths.find(request.path);
        WebSocketAdmission admission{std::nullopt, {404, "text/plain; charset=utf-8", "", {}}};
        try {
            if (endpoint != settings_.websocket_paths.end()) admission = endpoint->second(request);
        } catch (const std::exception& e) {
            spdlog::error("http: WebSocket {}: {}", request.path, e.what());
            admission = {std::nullopt, {500, "text/plain; charset=utf-8", "", {}}};
        }
        if (!admission.key) {
            const HttpResponse& r = admission.refusal;
            con->set_status(static_cast<websocketpp::http::status_code::value>(r.status));
            for (const auto& [name, value] : settings_.default_headers)
                con->replace_header(name, value);
            for (const auto& [name, value] : r.headers) con->replace_header(name, value);
            if (!r.body.empty()) {
                con->replace_header("Content-Type", r.content_type);
                con->set_body(r.body);
            }
            return false;
        }
        opening_[hdl] = *admission.key;
        return true;
    }

    void on_open(websocketpp::connection_hdl hdl) {
        const auto it = opening_.find(hdl);
        if (it == opening_.end()) return;
        sockets_[hdl] = it->second;
        opening_.erase(it);
        socket_count = sockets_.size();
    }

    void forget(websocketpp::connection_hdl hdl) {
        opening_.erase(hdl);
        sockets_.erase(hdl);
        queues_.erase(hdl);
        socket_count = sockets_.size();
    }

    // websocketpp says nothing when it has written a frame: while frames wait,
    // look every 10 ms which sockets can take more.
    void hand_off_later() {
        if (handing_off_) return;
        handing_off_ = true;
        hand_off_timer_.expires_after(std::chrono::milliseconds(10));
        hand_off_timer_.async_wait([this](const asio::error_code& ec) {
            handing_off_ = false;
            if (!ec) hand_off();
        });
    }

    void hand_off() {
        for (auto it = queues_.begin(); it != queues_.end();) {
            websocketpp::lib::error_code ec;
            const ConnectionPtr con = server_.get_con_from_hdl(it->first, ec);
            if (ec || con->get_state() != websocketpp::session::state::open) {
                it = queues_.erase(it);
                continue;
            }
            Outbox& waiting = it->second;
            while (!waiting.empty() && con->get_buffered_amount() < kHandOffBytes)
                con->send(waiting.take(), websocketpp::frame::opcode::text);
            it = waiting.empty() ? queues_.erase(it) : std::next(it);
        }
        if (!queues_.empty()) hand_off_later();
    }

    const Settings& settings_;
    // Responders, which may outlive the listener, hold it weakly: a post to a
    // stopped or destroyed io_context is dropped.
    std::shared_ptr<asio::io_context> io_;
    Server server_;
    // Open WebSockets and the key each was admitted under, and those admitted
    // whose handshake is not done yet; on the listener's thread.
    using Sockets = std::map<websocketpp::connection_hdl, std::string,
                             std::owner_less<websocketpp::connection_hdl>>;
    Sockets sockets_;
    Sockets opening_;
    // Frames go to websocketpp while it holds less than this for the socket;
    // the rest wait in the socket's queue, where states still coalesce.
    static constexpr std::size_t kHandOffBytes = 64 * 1024;
    std::map<websocketpp::connection_hdl, Outbox, std::owner_less<websocketpp::connection_hdl>>
        queues_;
    asio::steady_timer hand_off_timer_{*io_};
    bool handing_off_ = false;
};

}  // namespace

struct HttpListener::Impl {
    std::shared_ptr<asio::io_context> io = std::make_shared<asio::io_context>();
    Settings settings;
    std::unique_ptr<Endpoint> endpoint;  // from start()
    std::thread thread;
    std::uint16_t port = 0;
    bool started = false;
};

HttpListener::HttpListener() : impl_(std::make_unique<Impl>()) {}

HttpListener::~HttpListener() {
    stop();
}

void HttpListener::route(std::string path, std::vector<std::string> methods, HttpHandler handler) {
    impl_->settings.routes[std::move(path)] = {std::move(methods), std::move(handler)};
}

void HttpListener::route_prefix(std::string prefix, std::vector<std::string> methods,
                                HttpHandler handler) {
    impl_->settings.prefix_routes[std::move(prefix)] = {std::move(methods), std::move(handler)};
}

void HttpListener::set_default_headers(std::vector<std::pair<std::string, std::string>> headers) {
    impl_->settings.default_headers = std::move(headers);
}

void HttpListener::set_max_body_bytes(std::size_t bytes) {
    impl_->settings.max_body_bytes = bytes;
}

void HttpListener::set_body_limit(HttpBodyLimit limit) {
    impl_->settings.body_limit = std::move(limit);
}

void HttpListener::use_tls(const std::filesystem::path& cert_file,
                           const std::filesystem::path& key_file) {
    impl_->settings.tls = tls_server_context(cert_file, key_file);
}

bool HttpListener::tls() const {
    return impl_->settings.tls != nullptr;
}

void HttpListener::websocket(std::string path, WebSocketAdmit admit) {
    impl_->settings.websocket_paths[std::move(path)] = std::move(admit);
}

void HttpListener::set_max_unsent_bytes(std::size_t bytes) {
    impl_->settings.max_unsent_bytes = bytes;
}

std::size_t HttpListener::websocket_count() const {
    return impl_->endpoint ? impl_->endpoint->socket_count.load() : 0;
}

void HttpListener::send_to_websockets(std::string text, std::string key) {
    if (!impl_->endpoint) return;
    asio::post(*impl_->io, [endpoint = impl_->endpoint.get(), text = std::move(text),
                            key = std::move(key)] { endpoint->send_to_all(text, key); });
}

void HttpListener::close_websockets(std::string key) {
    if (!impl_->endpoint) return;
    asio::post(*impl_->io, [endpoint = impl_->endpoint.get(), key = std::move(key)] {
        endpoint->close_key(key);
    });
}

void HttpListener::start(const std::string& host, std::uint16_t port) {
    Impl& i = *impl_;
    if (i.settings.tls)
        i.endpoint = std::make_unique<EndpointOf<TlsConfig>>(i.settings, i.io);
    else
        i.endpoint = std::make_unique<EndpointOf<PlainConfig>>(i.settings, i.io);
    i.endpoint->listen(host, port);
    i.port = i.endpoint->local_port();
    i.started = true;
    i.thread = std::thread([io = i.io, limit = &i.settings.body_limit] {
        body_limit_here = limit;
        io->run();
    });
}

std::uint16_t HttpListener::port() const {
    return impl_->port;
}

void HttpListener::after(std::chrono::milliseconds delay, std::function<void()> fn) {
    asio::post(*impl_->io,
               [weak_io = std::weak_ptr<asio::io_context>(impl_->io), delay, fn = std::move(fn)] {
                   const auto io = weak_io.lock();
                   if (!io) return;
                   auto timer = std::make_shared<asio::steady_timer>(*io, delay);
                   timer->async_wait([timer, fn](const asio::error_code& ec) {
                       if (!ec) fn();
                   });
               });
}

void HttpListener::stop() {
    if (!impl_->started) return;
    impl_->started = false;
    asio::post(*impl_->io, [impl = impl_.get()] {
        impl->endpoint->shut();
        impl->io->stop();
    });
    impl_->thread.join();
}

}  // namespace faxemu::faxd
