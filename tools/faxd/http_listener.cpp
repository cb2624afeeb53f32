// Built as C++17 with Asio's deprecated names: see http_listener.hpp.
#include "tools/faxd/http_listener.hpp"

#include <spdlog/spdlog.h>

#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <stdexcept>
#include <thread>

namespace faxemu::faxd {

namespace {

using Server = websocketpp::server<websocketpp::config::asio>;
using ConnectionPtr = Server::connection_ptr;
using Headers = std::vector<std::pair<std::string, std::string>>;

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

HttpRequest request_of(const ConnectionPtr& con) {
    const auto& raw = con->get_request();
    HttpRequest request{raw.get_method(),
                        con->get_resource(),
                        path_of(con->get_resource()),
                        raw.get_body(),
                        {},
                        {}};
    for (const auto& [name, value] : raw.get_headers()) request.headers[lower(name)] = value;
    asio::error_code ec;
    const auto remote = con->get_raw_socket().remote_endpoint(ec);
    if (!ec) request.remote_address = remote.address().to_string();
    return request;
}

}  // namespace

struct HttpListener::Impl {
    struct Route {
        std::vector<std::string> methods;
        HttpHandler handler;
    };

    // Responders, which may outlive the listener, hold it weakly: a post to a
    // stopped or destroyed io_context is dropped.
    std::shared_ptr<asio::io_context> io = std::make_shared<asio::io_context>();
    Server server;
    std::map<std::string, Route> routes;
    std::map<std::string, Route> prefix_routes;
    std::map<std::string, WebSocketAdmit> websocket_paths;
    Headers default_headers;
    std::size_t max_unsent_bytes = 8u << 20;
    // Open WebSockets and the key each was admitted under, and those admitted
    // whose handshake is not done yet; on the listener's thread.
    using Sockets = std::map<websocketpp::connection_hdl, std::string,
                             std::owner_less<websocketpp::connection_hdl>>;
    Sockets sockets;
    Sockets opening;
    std::atomic<std::size_t> socket_count{0};
    std::thread thread;
    std::uint16_t port = 0;
    bool started = false;

    const Route* find_route(const std::string& path) const {
        if (const auto exact = routes.find(path); exact != routes.end()) return &exact->second;
        const Route* best = nullptr;
        std::size_t best_length = 0;
        for (const auto& [prefix, route] : prefix_routes) {
            if (path.compare(0, prefix.size(), prefix) == 0 && prefix.size() >= best_length) {
                best = &route;
                best_length = prefix.size();
            }
        }
        return best;
    }

    void on_http(websocketpp::connection_hdl hdl) {
        const ConnectionPtr con = server.get_con_from_hdl(hdl);
        con->defer_http_response();
        const HttpRequest request = request_of(con);
        auto answered = std::make_shared<std::atomic<bool>>(false);
        // Weak: a handler the io_context holds must not keep it alive, or
        // neither is ever freed.
        HttpResponder respond = [weak_io = std::weak_ptr<asio::io_context>(io), con, answered,
                                 defaults = default_headers](HttpResponse r) {
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
        const ConnectionPtr con = server.get_con_from_hdl(hdl);
        const HttpRequest request = request_of(con);
        const auto endpoint = websocket_paths.find(request.path);
        WebSocketAdmission admission{std::nullopt, {404, "text/plain; charset=utf-8", "", {}}};
        try {
            if (endpoint != websocket_paths.end()) admission = endpoint->second(request);
        } catch (const std::exception& e) {
            spdlog::error("http: WebSocket {}: {}", request.path, e.what());
            admission = {std::nullopt, {500, "text/plain; charset=utf-8", "", {}}};
        }
        if (!admission.key) {
            const HttpResponse& r = admission.refusal;
            con->set_status(static_cast<websocketpp::http::status_code::value>(r.status));
            for (const auto& [name, value] : default_headers) con->replace_header(name, value);
            for (const auto& [name, value] : r.headers) con->replace_header(name, value);
            if (!r.body.empty()) {
                con->replace_header("Content-Type", r.content_type);
                con->set_body(r.body);
            }
            return false;
        }
        opening[hdl] = *admission.key;
        return true;
    }

    void on_open(websocketpp::connection_hdl hdl) {
        const auto it = opening.find(hdl);
        if (it == opening.end()) return;
        sockets[hdl] = it->second;
        opening.erase(it);
        socket_count = sockets.size();
    }

    void forget(websocketpp::connection_hdl hdl) {
        opening.erase(hdl);
        sockets.erase(hdl);
        socket_count = sockets.size();
    }

    void close_socket(websocketpp::connection_hdl hdl, websocketpp::close::status::value code,
                      const std::string& why) {
        websocketpp::lib::error_code ec;
        server.close(hdl, code, why, ec);
        forget(hdl);
    }

    void send_to_all(const std::string& text) {
        std::vector<websocketpp::connection_hdl> slow;
        for (const auto& [hdl, key] : sockets) {
            websocketpp::lib::error_code ec;
            const ConnectionPtr con = server.get_con_from_hdl(hdl, ec);
            if (ec || con->get_state() != websocketpp::session::state::open) continue;
            if (con->get_buffered_amount() + text.size() > max_unsent_bytes) {
                slow.push_back(hdl);
                continue;
            }
            con->send(text, websocketpp::frame::opcode::text);
        }
        for (const auto& hdl : slow) {
            spdlog::warn("http: WebSocket dropped: its peer left over {} bytes unread",
                         max_unsent_bytes);
            // Closing cannot wait for a handshake the peer will not read.
            websocketpp::lib::error_code ec;
            if (const ConnectionPtr con = server.get_con_from_hdl(hdl, ec); !ec) con->terminate(ec);
            forget(hdl);
        }
    }

    void close_key(const std::string& key) {
        std::vector<websocketpp::connection_hdl> matching;
        for (const auto& [hdl, k] : sockets)
            if (k == key) matching.push_back(hdl);
        for (const auto& hdl : matching)
            close_socket(hdl, websocketpp::close::status::policy_violation, "logged out");
    }
};

HttpListener::HttpListener() : impl_(std::make_unique<Impl>()) {
    Server& s = impl_->server;
    // websocketpp's own logs would go to stdout; faxd logs what matters itself.
    s.clear_access_channels(websocketpp::log::alevel::all);
    s.clear_error_channels(websocketpp::log::elevel::all);
    s.init_asio(impl_->io.get());
    s.set_reuse_addr(true);
    s.set_user_agent("faxd");
    s.set_max_http_body_size(64 * 1024);
    s.set_http_handler([this](websocketpp::connection_hdl hdl) { impl_->on_http(hdl); });
    s.set_validate_handler(
        [this](websocketpp::connection_hdl hdl) { return impl_->on_validate(hdl); });
    s.set_open_handler([this](websocketpp::connection_hdl hdl) { impl_->on_open(hdl); });
    s.set_close_handler([this](websocketpp::connection_hdl hdl) { impl_->forget(hdl); });
    s.set_fail_handler([this](websocketpp::connection_hdl hdl) { impl_->forget(hdl); });
}

HttpListener::~HttpListener() {
    stop();
}

void HttpListener::route(std::string path, std::vector<std::string> methods, HttpHandler handler) {
    impl_->routes[std::move(path)] = {std::move(methods), std::move(handler)};
}

void HttpListener::route_prefix(std::string prefix, std::vector<std::string> methods,
                                HttpHandler handler) {
    impl_->prefix_routes[std::move(prefix)] = {std::move(methods), std::move(handler)};
}

void HttpListener::set_default_headers(std::vector<std::pair<std::string, std::string>> headers) {
    impl_->default_headers = std::move(headers);
}

void HttpListener::set_max_body_bytes(std::size_t bytes) {
    impl_->server.set_max_http_body_size(bytes);
}

void HttpListener::websocket(std::string path, WebSocketAdmit admit) {
    impl_->websocket_paths[std::move(path)] = std::move(admit);
}

void HttpListener::set_max_unsent_bytes(std::size_t bytes) {
    impl_->max_unsent_bytes = bytes;
}

std::size_t HttpListener::websocket_count() const {
    return impl_->socket_count;
}

void HttpListener::send_to_websockets(std::string text) {
    asio::post(*impl_->io,
               [impl = impl_.get(), text = std::move(text)] { impl->send_to_all(text); });
}

void HttpListener::close_websockets(std::string key) {
    asio::post(*impl_->io, [impl = impl_.get(), key = std::move(key)] { impl->close_key(key); });
}

void HttpListener::start(const std::string& host, std::uint16_t port) {
    Server& s = impl_->server;
    const std::string address = host + ":" + std::to_string(port);
    websocketpp::lib::error_code ec;
    try {  // the resolver throws on a host it cannot resolve
        s.listen(host, std::to_string(port), ec);
    } catch (const std::exception& e) {
        throw std::runtime_error("http: cannot listen on " + address + ": " + e.what());
    }
    if (!ec) s.start_accept(ec);
    if (ec) throw std::runtime_error("http: cannot listen on " + address + ": " + ec.message());
    asio::error_code local_ec;
    impl_->port = s.get_local_endpoint(local_ec).port();
    impl_->started = true;
    impl_->thread = std::thread([io = impl_->io] { io->run(); });
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
        websocketpp::lib::error_code ec;
        impl->server.stop_listening(ec);
        // Open WebSockets would keep the loop busy; they end with faxd. A
        // termination calls the close handler, which forgets the socket: copy.
        std::vector<websocketpp::connection_hdl> open;
        for (const auto& [hdl, key] : impl->sockets) open.push_back(hdl);
        for (const auto& hdl : open) {
            if (const ConnectionPtr con = impl->server.get_con_from_hdl(hdl, ec); !ec)
                con->terminate(ec);
        }
        impl->sockets.clear();
        impl->opening.clear();
        impl->socket_count = 0;
        impl->io->stop();
    });
    impl_->thread.join();
}

}  // namespace faxemu::faxd
