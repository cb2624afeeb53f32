// A blocking client of faxd's control protocol, for tools and the COM shim.
// The connection is served by an io_context on a background thread; call()
// sends a request and waits for the answer with the same id, so several
// threads may call at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/protocol/json_rpc.hpp"

namespace faxemu::rpc {

class FaxClient {
  public:
    using NotificationHandler = std::function<void(const std::string& method, const json& params)>;

    static constexpr std::uint16_t kDefaultPort = 4575;
    static constexpr std::size_t kDefaultMaxMessageBytes = 256u << 20;

    // `max_message_bytes`: the longest answer accepted; a longer one fails its call
    // with kTooLarge and the connection stays usable.
    explicit FaxClient(std::size_t max_message_bytes = kDefaultMaxMessageBytes);
    ~FaxClient();  // closes
    FaxClient(const FaxClient&) = delete;
    FaxClient& operator=(const FaxClient&) = delete;

    // `address`: "host:port", "host" (port 4575), "[::1]:port", "unix:/path"
    // (not on Windows), or "tls://host:port" (TLS 1.2 or later; only where the
    // library is built with FAXEMU_CLIENT_TLS (OpenSSL) or, on Windows,
    // FAXEMU_CLIENT_SCHANNEL). Closes any previous connection first. Throws
    // RpcError: kInvalidValue for a malformed address or a tls:// one without
    // a CA file (Schannel: no CA file means the Windows trust store), kIoError
    // when it cannot connect (also when the server's certificate is not signed
    // by the CA or names another host).
    void connect(const std::string& address,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
    bool connected() const;

    // The PEM file of the CA that signed faxd's certificate, the one trust anchor
    // for tls:// addresses. Empty (the default): $FAXEMU_TLS_CA. Takes effect at
    // the next connect().
    void set_tls_ca(const std::string& ca_file);
    const std::string& address() const { return address_; }

    // The result of `method`. Throws RpcError with the server's code and message,
    // or kIoError when the connection is closed or no answer came within
    // `timeout`. Must not be called from the notification handler (it would
    // wait on its own thread): that throws std::logic_error.
    json call(const std::string& method, const json& params = json::object(),
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // session.login; returns {user, role, rights, can_modify}.
    json login(const std::string& user, const std::string& password);

    // Called on the client's reader thread for each notification from the server;
    // exceptions it throws are swallowed. Keep it short; never call() from it.
    void set_notification_handler(NotificationHandler handler);

    // Closes the connection; calls still waiting fail with kIoError. Idempotent.
    void close();

  private:
    class Connection;

    std::shared_ptr<Connection> current() const;

    std::size_t max_message_bytes_;
    std::string address_;
    mutable std::mutex mutex_;  // guards connection_, handler_ and tls_ca_
    std::string tls_ca_;
    std::shared_ptr<Connection> connection_;
    std::shared_ptr<Connection> retired_;  // closed from its own thread, not yet joined
    std::shared_ptr<NotificationHandler> handler_;
};

}  // namespace faxemu::rpc
