// The web console from the tests' side: a browser's requests (cookie, CSRF
// token, JSON) over http_get.hpp, and a WebSocket that reads the server's
// text frames (RFC 6455, only what /api/events sends) with a deadline.
#pragma once

#include <poll.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "tests/tools/http_get.hpp"

namespace faxemu::test {

// A logged-in (or not) browser of the console on `port`.
struct WebBrowser {
    std::uint16_t port = 0;
    std::string cookie;  // "faxemu_session=..."
    std::string csrf;

    HttpAnswer get(const std::string& path) const {
        HttpHeaders h;
        if (!cookie.empty()) h.emplace_back("Cookie", cookie);
        return http_request(port, "GET", path, h);
    }
    // A POST with the session's cookie and CSRF token (unless told otherwise).
    HttpAnswer post(const std::string& path, const nlohmann::json& body,
                    std::optional<std::string> csrf_token = std::nullopt) const {
        HttpHeaders h{{"Content-Type", "application/json"}};
        if (!cookie.empty()) h.emplace_back("Cookie", cookie);
        const std::string token = csrf_token.value_or(csrf);
        if (!token.empty()) h.emplace_back("X-CSRF-Token", token);
        return http_request(port, "POST", path, h, body.dump());
    }
    // POST /api/login; on success keeps the cookie and CSRF token.
    HttpAnswer login(const std::string& user, const std::string& password) {
        HttpAnswer a =
            http_request(port, "POST", "/api/login", {{"Content-Type", "application/json"}},
                         nlohmann::json{{"user", user}, {"password", password}}.dump());
        if (a.status == 200) {
            const std::string set = a.headers.at("set-cookie");
            cookie = set.substr(0, set.find(';'));
            csrf = nlohmann::json::parse(a.body).at("csrf");
        }
        return a;
    }
    // POST /api/call: the answer's status and its JSON body.
    std::pair<int, nlohmann::json> call(const std::string& method,
                                        const nlohmann::json& params = nlohmann::json::object()) {
        const HttpAnswer a = post("/api/call", {{"method", method}, {"params", params}});
        return {a.status, nlohmann::json::parse(a.body, nullptr, false)};
    }
};

// A WebSocket client that only reads text frames (the server sends nothing else
// but close and ping, which end or are skipped).
class WebSocketReader {
  public:
    // The upgrade's HTTP status: 101 when open.
    int open(std::uint16_t port, const std::string& path, const std::string& cookie,
             const std::string& origin) {
        return open(std::make_unique<TcpStream>(port), port, path, cookie, origin);
    }
    // The same over another stream (TLS) to `port`.
    int open(std::unique_ptr<ByteStream> stream, std::uint16_t port, const std::string& path,
             const std::string& cookie, const std::string& origin) {
        stream_ = std::move(stream);
        const std::string host = "127.0.0.1:" + std::to_string(port);
        std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n";
        if (!cookie.empty()) request += "Cookie: " + cookie + "\r\n";
        if (!origin.empty()) request += "Origin: " + origin + "\r\n";
        request += "\r\n";
        stream_->send(request);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (buffer_.find("\r\n\r\n") == std::string::npos)
            if (!fill(deadline)) return 0;
        const int status = std::stoi(buffer_.substr(9, 3));
        buffer_.erase(0, buffer_.find("\r\n\r\n") + 4);
        return status;
    }

    // The next text frame, or nullopt at the deadline or when the server closed.
    std::optional<std::string> next(std::chrono::steady_clock::time_point deadline) {
        for (;;) {
            while (buffer_.size() < 2 || buffer_.size() < frame_size())
                if (!fill(deadline)) return std::nullopt;
            const auto opcode = static_cast<unsigned char>(buffer_[0]) & 0x0f;
            const std::size_t header = header_size();
            std::string payload = buffer_.substr(header, frame_size() - header);
            buffer_.erase(0, frame_size());
            if (opcode == 0x8) return std::nullopt;  // close
            if (opcode == 0x1) return payload;
        }
    }

  private:
    std::size_t header_size() const {
        const auto len = static_cast<unsigned char>(buffer_[1]) & 0x7f;
        return len == 126 ? 4 : len == 127 ? 10 : 2;
    }
    std::size_t frame_size() const {
        if (buffer_.size() < 2) return 2;
        const auto len = static_cast<unsigned char>(buffer_[1]) & 0x7f;
        const std::size_t header = header_size();
        if (buffer_.size() < header) return header;
        std::size_t size = len;
        if (len >= 126) {
            size = 0;
            for (std::size_t i = 2; i < header; ++i)
                size = (size << 8) | static_cast<unsigned char>(buffer_[i]);
        }
        return header + size;
    }
    bool fill(std::chrono::steady_clock::time_point deadline) {
        const std::string more = stream_->receive(deadline);
        buffer_ += more;
        return !more.empty();
    }

    std::unique_ptr<ByteStream> stream_;
    std::string buffer_;
};

}  // namespace faxemu::test
