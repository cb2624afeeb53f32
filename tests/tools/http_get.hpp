// A plain HTTP/1.1 GET (or another method) over a real TCP socket to faxd's
// metrics listener or web console, for the tests: sends one request (with
// extra headers and a body if given) with Connection: close and splits what
// comes back into status, headers and body.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
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

inline HttpAnswer http_request(std::uint16_t port, const std::string& method,
                               const std::string& path, const HttpHeaders& headers = {},
                               const std::string& body = {}) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};  // a listener that never answers fails the test, not hangs it
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
    std::string request =
        method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST")
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n" + body;
    for (std::size_t sent = 0; sent < request.size();) {
        const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string raw;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, n);
    ::close(fd);

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

inline HttpAnswer http_get(std::uint16_t port, const std::string& path) {
    return http_request(port, "GET", path);
}

}  // namespace faxemu::test
