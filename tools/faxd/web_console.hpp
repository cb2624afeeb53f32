// faxd's web console ([web] listen; issue 16): its pages (web_assets.hpp) and a
// JSON API that is the control protocol over HTTP, on faxd's HttpListener.
// The contract with the pages is PROTOCOL.md's "Over HTTP: the web console".
//
// Nothing is implemented twice: logins go through RpcServer::authenticate
// (the same users file and one login back-off for both transports), every
// call through RpcServer::call (the same handlers and rights), live updates
// come from RpcServer's notifications, received faxes from received.fetch.
// HTTP requests arrive on the listener's thread; whatever touches faxd's
// state is posted to faxd's io_context and answered from there.
#pragma once

#include <asio/io_context.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/rpc_server.hpp"
#include "tools/faxd/http_listener.hpp"
#include "tools/faxd/web_sessions.hpp"

namespace faxemu::faxd {

class WebConsole {
  public:
    // Before `io` runs (it registers a notification sink on `rpc`). `io` and
    // `rpc` must outlive this.
    WebConsole(asio::io_context& io, RpcServer& rpc);
    ~WebConsole();
    WebConsole(const WebConsole&) = delete;
    WebConsole& operator=(const WebConsole&) = delete;

    // Before start(): HTTPS with this PEM certificate chain and key ([web]
    // tls_cert, tls_key; cookies then Secure). Throws FaxError naming a file.
    void use_tls(const std::filesystem::path& cert_file, const std::filesystem::path& key_file);
    bool tls() const { return http_.tls(); }
    // Throws std::runtime_error naming the address when it cannot listen.
    void start(const std::string& host, std::uint16_t port);
    void stop();  // idempotent; open WebSockets close
    std::uint16_t port() const { return http_.port(); }

  private:
    void add_routes();
    void serve_asset(const HttpRequest& request, const HttpResponder& respond);
    void login(const HttpRequest& request, const HttpResponder& respond);
    void call(const HttpRequest& request, const HttpResponder& respond);
    void received(const HttpRequest& request, const HttpResponder& respond);
    WebSocketAdmission admit_events(const HttpRequest& request);
    // The session of the request's cookie; for a POST also its CSRF token.
    // Answers 401/403 itself and returns nullopt when there is none.
    std::optional<WebSession> session_of(const HttpRequest& request, const HttpResponder& respond);
    // Runs `answer` on faxd's io thread and sends what it returns; 503 if the
    // loop has not run it within a deadline.
    void on_loop(const HttpResponder& respond, std::function<HttpResponse()> answer);
    void sweep_idle_sessions();

    asio::io_context& io_;
    RpcServer& rpc_;
    WebSessions sessions_;
    HttpListener http_;  // last: stopped first, before what its handlers touch
};

}  // namespace faxemu::faxd
