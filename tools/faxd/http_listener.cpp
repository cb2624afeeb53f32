// Built as C++17 with Asio's deprecated names: see http_listener.hpp.
#include "tools/faxd/http_listener.hpp"

#include <spdlog/spdlog.h>

#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <stdexcept>
#include <thread>

namespace faxemu::faxd {

namespace {

using Server = websocketpp::server<websocketpp::config::asio>;
using ConnectionPtr = Server::connection_ptr;

// Requests carry no bodies worth more (the console's uploads will set their own).
constexpr std::size_t kMaxBodyBytes = 64 * 1024;

void send(const ConnectionPtr& con, const HttpResponse& r) {
    con->set_status(static_cast<websocketpp::http::status_code::value>(r.status));
    con->replace_header("Content-Type", r.content_type);
    con->replace_header("Cache-Control", "no-store");
    for (const auto& [name, value] : r.headers) con->replace_header(name, value);
    con->set_body(r.body);
    websocketpp::lib::error_code ec;
    con->send_http_response(ec);
    if (ec) spdlog::debug("http: answer not sent: {}", ec.message());
}

std::string path_of(const std::string& target) {
    return target.substr(0, target.find('?'));
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
    std::thread thread;
    std::uint16_t port = 0;
    bool started = false;

    void on_http(websocketpp::connection_hdl hdl) {
        const ConnectionPtr con = server.get_con_from_hdl(hdl);
        con->defer_http_response();
        const auto& raw = con->get_request();
        HttpRequest request{raw.get_method(), con->get_resource(), path_of(con->get_resource()),
                            raw.get_body()};
        auto answered = std::make_shared<std::atomic<bool>>(false);
        // Weak: a handler the io_context holds must not keep it alive, or
        // neither is ever freed.
        HttpResponder respond = [weak_io = std::weak_ptr<asio::io_context>(io), con,
                                 answered](HttpResponse r) {
            if (answered->exchange(true)) return;
            if (const auto live = weak_io.lock())
                asio::post(*live, [con, r = std::move(r)] { send(con, r); });
        };
        const auto route = routes.find(request.path);
        if (route == routes.end()) {
            respond({404, "text/plain; charset=utf-8", "not found\n", {}});
            return;
        }
        const auto& methods = route->second.methods;
        if (std::find(methods.begin(), methods.end(), request.method) == methods.end()) {
            std::string allow;
            for (const auto& m : methods) allow += (allow.empty() ? "" : ", ") + m;
            respond({405, "text/plain; charset=utf-8", "method not allowed\n", {{"Allow", allow}}});
            return;
        }
        try {
            route->second.handler(request, respond);
        } catch (const std::exception& e) {
            spdlog::error("http: {} {}: {}", request.method, request.path, e.what());
            respond({500, "text/plain; charset=utf-8", "internal error\n", {}});
        }
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
    s.set_max_http_body_size(kMaxBodyBytes);
    s.set_http_handler([this](websocketpp::connection_hdl hdl) { impl_->on_http(hdl); });
}

HttpListener::~HttpListener() {
    stop();
}

void HttpListener::route(std::string path, std::vector<std::string> methods, HttpHandler handler) {
    impl_->routes[std::move(path)] = {std::move(methods), std::move(handler)};
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
        impl->io->stop();
    });
    impl_->thread.join();
}

}  // namespace faxemu::faxd
