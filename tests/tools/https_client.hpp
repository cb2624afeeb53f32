// HTTPS from the tests' side: a TLS ByteStream (OpenSSL) to 127.0.0.1 that
// checks the server's certificate against a CA file, so that http_get.hpp's
// requests and web_client.hpp's WebSocket run over TLS too.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <filesystem>

#include "tests/tools/http_get.hpp"

namespace faxemu::test {

class TlsStream final : public ByteStream {
  public:
    TlsStream(std::uint16_t port, const std::filesystem::path& ca_file)
        : context_(SSL_CTX_new(TLS_client_method())), fd_(connect_loopback(port)) {
        if (!context_ || SSL_CTX_load_verify_locations(context_, ca_file.c_str(), nullptr) != 1)
            throw std::runtime_error("cannot load the CA " + ca_file.string());
        SSL_CTX_set_verify(context_, SSL_VERIFY_PEER, nullptr);
        ssl_ = SSL_new(context_);
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
        SSL_set_fd(ssl_, fd_);
        if (SSL_connect(ssl_) != 1) {
            char why[256];
            ERR_error_string_n(ERR_get_error(), why, sizeof why);
            throw std::runtime_error(std::string("TLS handshake failed: ") + why);
        }
    }
    ~TlsStream() override {
        if (ssl_) SSL_free(ssl_);
        ::close(fd_);
        SSL_CTX_free(context_);
    }
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    void send(const std::string& bytes) override {
        for (std::size_t sent = 0; sent < bytes.size();) {
            const int n =
                SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
            if (n <= 0) return;
            sent += static_cast<std::size_t>(n);
        }
    }
    std::string receive(std::chrono::steady_clock::time_point deadline) override {
        // Bytes OpenSSL already holds are not on the socket for poll to see.
        if (SSL_pending(ssl_) == 0 && !readable_by(fd_, deadline)) return "";
        char buf[16384];
        const int n = SSL_read(ssl_, buf, sizeof buf);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }

  private:
    SSL_CTX* context_;
    int fd_;
    SSL* ssl_ = nullptr;
};

inline HttpAnswer https_request(std::uint16_t port, const std::filesystem::path& ca_file,
                                const std::string& method, const std::string& path,
                                const HttpHeaders& headers = {}, const std::string& body = {}) {
    TlsStream stream(port, ca_file);
    stream.send(http_request_text(method, path, headers, body));
    return parse_http_answer(read_to_end(stream));
}

}  // namespace faxemu::test
