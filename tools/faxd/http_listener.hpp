// faxd's HTTP listener: the metrics and health endpoints, and the web
// console's routes and its WebSocket (web_console.hpp). websocketpp (Debian's
// libwebsocketpp-dev, standalone Asio) parses HTTP and carries the WebSocket.
//
// Why no Asio or websocketpp type appears here: websocketpp 0.8.2 does not
// compile as C++20 (template-ids on its constructors) nor with
// ASIO_NO_DEPRECATED, which the rest of faxd uses. Its one translation unit,
// http_listener.cpp, is built as C++17 with Asio's deprecated names, and
// talks to the rest of faxd only through the plain types below.
//
// One listener speaks either HTTP or, with use_tls(), HTTPS on its address.
//
// The listener runs its own io_context on its own thread, so a busy or stuck
// faxd loop cannot stop it answering (a health check then says so, rather
// than hanging). Handlers run on that thread and answer through their
// HttpResponder, at once or later from any thread (e.g. after posting work
// to faxd's loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faxemu::faxd {

struct HttpRequest {
    std::string method;  // "GET", "POST", ...
    std::string target;  // as sent: path and query
    std::string path;    // the target without its query
    std::string body;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string remote_address;                  // the peer's IP address
    bool secure = false;                         // it came over TLS (HTTPS, wss)

    // The header's value, "" when absent; `name` in lower case.
    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // more headers
};

// Decides at the upgrade, on the listener's thread, whether a WebSocket may
// open: the key the socket is known by (e.g. the session it belongs to), or
// the HTTP answer that refuses it.
struct WebSocketAdmission {
    std::optional<std::string> key;
    HttpResponse refusal;
};
using WebSocketAdmit = std::function<WebSocketAdmission(const HttpRequest&)>;

// Answers the request once; callable from any thread. Answers after the
// listener stopped are dropped.
using HttpResponder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(const HttpRequest&, HttpResponder)>;
// The largest body a request may carry, decided from its request line and
// headers alone (HttpRequest without body, remote_address nor secure) before
// its body is read.
using HttpBodyLimit = std::function<std::size_t(const HttpRequest&)>;

class HttpListener {
  public:
    HttpListener();
    ~HttpListener();  // stops
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    // Before start(): `path` (exact, without query) answered by `handler` for
    // the listed methods. Another method on it is 405 with Allow; a path with
    // no route is 404.
    void route(std::string path, std::vector<std::string> methods, HttpHandler handler);
    // Before start(): every path that starts with `prefix` and has no exact
    // route; the longest prefix wins.
    void route_prefix(std::string prefix, std::vector<std::string> methods, HttpHandler handler);
    // Before start(): headers every answer carries (also 404, 405 and errors).
    void set_default_headers(std::vector<std::pair<std::string, std::string>> headers);
    // Before start(): the largest request body taken (default 64 KiB); a
    // larger one is refused 413 by websocketpp.
    void set_max_body_bytes(std::size_t bytes);
    // Before start(): a smaller limit per request (within the one above), so
    // that e.g. a request without a session cannot make faxd hold a large
    // body: one whose Content-Length is larger is answered 413 once its
    // headers are read, with at most one read buffer (16 KiB) of its body.
    void set_body_limit(HttpBodyLimit limit);
    // Before start(): HTTPS (and WebSockets over TLS) instead of HTTP, with
    // this PEM certificate chain and key (core/tls_server_context.hpp).
    // Throws FaxError naming a file that cannot be used.
    void use_tls(const std::filesystem::path& cert_file, const std::filesystem::path& key_file);
    bool tls() const;

    // Before start(): a WebSocket endpoint at `path`, for frames from faxd to
    // the peer only (what the peer sends is ignored). An upgrade elsewhere is
    // refused.
    void websocket(std::string path, WebSocketAdmit admit);
    // Any thread: a text frame to every open WebSocket. Frames a peer has not
    // taken yet wait in its queue (core/outbox.hpp), where a frame with a
    // `key` (a state notification's, RpcServer::state_key) replaces the
    // waiting one of the same key, so that a slow browser that reads is not
    // dropped by a burst. A socket whose peer left more than
    // `max_unsent_bytes` (or 4096 frames without a key) unread is closed
    // instead, so that it holds neither faxd nor its memory.
    void send_to_websockets(std::string text, std::string key = {});
    // Any thread: closes the WebSockets admitted under `key`.
    void close_websockets(std::string key);
    // Before start(): the `max_unsent_bytes` above (default 8 MiB).
    void set_max_unsent_bytes(std::size_t bytes);
    std::size_t websocket_count() const;  // open now (any thread)

    // Binds HOST:PORT (port 0: any free one) and serves on the listener's own
    // thread. Throws std::runtime_error naming the address when it cannot bind.
    void start(const std::string& host, std::uint16_t port);
    std::uint16_t port() const;  // the bound port, once started
    // Runs `fn` on the listener's thread after `delay` (deadlines of answers
    // that wait for someone else); dropped if the listener stops first.
    void after(std::chrono::milliseconds delay, std::function<void()> fn);
    // Closes the socket and connections and joins the thread; idempotent.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace faxemu::faxd
