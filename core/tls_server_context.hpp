// The server side of TLS, one way for every listener that speaks it: the
// control protocol's TLS address (rpc_server.cpp) and the web console's
// HTTPS (tools/faxd/http_listener.cpp). Kept free of C++20 so that the web
// listener, built as C++17 for websocketpp, includes it too.
#pragma once

#include <asio/ssl/context.hpp>

#include <filesystem>
#include <memory>

namespace faxemu {

// TLS 1.2 or later with the PEM certificate chain in `cert_file` and its
// private key in `key_file`. Throws FaxError (ErrorCode::Io) naming the file
// that cannot be read, or the key that does not belong to the certificate.
std::shared_ptr<asio::ssl::context> tls_server_context(const std::filesystem::path& cert_file,
                                                       const std::filesystem::path& key_file);

}  // namespace faxemu
