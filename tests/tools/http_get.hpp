// A plain HTTP/1.1 GET (or another method) over a real TCP socket to faxd's
// metrics listener or web console, for the tests: sends one request (with
// extra headers and a body if given) with Connection: close and splits what
// comes back into status, headers and body. The stream under it (ByteStream)
// is TCP here, TLS in https_client.hpp.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace faxemu::test {

struct HttpAnswer {
    int status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// A TCP connection to 127.0.0.1:`port` whose reads give up after 10 s: a
// listener that never answers fails the test, not hangs it.
inline int connect_loopback(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
    return fd;
}

// The request as sent: with Connection: close, so the answer ends with the connection.
inline std::string http_request_text(const std::string& method, const std::string& path,
                                     const HttpHeaders& headers, const std::string& body) {
    std::string request =
        method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST")
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return request + "\r\n" + body;
}

// Everything the server sent until it closed, split into status, headers and body.
inline HttpAnswer parse_http_answer(const std::string& raw) {
    HttpAnswer answer;
    const auto head_end = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos)
        throw std::runtime_error("not an HTTP answer: " + raw);
    answer.status = std::stoi(raw.substr(9, 3));
    for (std::size_t at = raw.find("\r\n") + 2; at < head_end;) {
        const auto end = raw.find("\r\n", at);
        const std::string line = raw.substr(at, end - at);
        const auto colon = line.find(':');
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        answer.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
        at = end + 2;
    }
    answer.body = raw.substr(head_end + 4);
    if (answer.headers.count("content-length") &&
        std::stoul(answer.headers["content-length"]) != answer.body.size())
        throw std::runtime_error("body shorter or longer than its Content-Length");
    return answer;
}

// A connection's bytes both ways: plain TCP here, TLS in https_client.hpp.
class ByteStream {
  public:
    virtual ~ByteStream() = default;
    virtual void send(const std::string& bytes) = 0;
    // What arrives next; "" when the peer closed or at the deadline.
    virtual std::string receive(std::chrono::steady_clock::time_point deadline) = 0;
};

// Whether `fd` has something to read (or was closed) before `deadline`.
inline bool readable_by(int fd, std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(left.count())) > 0;
}

class TcpStream final : public ByteStream {
  public:
    explicit TcpStream(std::uint16_t port) : fd_(connect_loopback(port)) {}
    ~TcpStream() override { ::close(fd_); }
    TcpStream(const TcpStream&) = delete;
    TcpStream& operator=(const TcpStream&) = delete;

    void send(const std::string& bytes) override {
        for (std::size_t sent = 0; sent < bytes.size();) {
            const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<std::size_t>(n);
        }
    }
    std::string receive(std::chrono::steady_clock::time_point deadline) override {
        if (!readable_by(fd_, deadline)) return "";
        char buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }

  private:
    int fd_;
};

// What `stream` receives until the peer closes it (at most 30 s).
inline std::string read_to_end(ByteStream& stream) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::string raw;
    for (std::string part; !(part = stream.receive(deadline)).empty();) raw += part;
    return raw;
}

inline HttpAnswer http_request(std::uint16_t port, const std::string& method,
                               const std::string& path, const HttpHeaders& headers = {},
                               const std::string& body = {}) {
    TcpStream stream(port);
    stream.send(http_request_text(method, path, headers, body));
    return parse_http_answer(read_to_end(stream));
}

inline HttpAnswer http_get(std::uint16_t port, const std::string& path) {
    return http_request(port, "GET", path);
}

}  // namespace faxemu::test
