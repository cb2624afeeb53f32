#include "core/tls_server_context.hpp"

#include <openssl/ssl.h>

#include <fstream>
#include <string>

#include "core/error.hpp"

namespace faxemu {

std::shared_ptr<asio::ssl::context> tls_server_context(const std::filesystem::path& cert_file,
                                                       const std::filesystem::path& key_file) {
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    context->set_options(asio::ssl::context::default_workarounds |
                         asio::ssl::context::single_dh_use);
    const auto load = [](const std::filesystem::path& file, const char* what, auto&& use) {
        // OpenSSL's own message for a missing file says neither which nor why.
        if (!std::ifstream(file))
            throw FaxError(ErrorCode::Io,
                           std::string(what) + " " + file.string() + ": cannot read the file");
        asio::error_code error;
        use(file.string(), error);
        if (error)
            throw FaxError(ErrorCode::Io,
                           std::string(what) + " " + file.string() + ": " + error.message());
    };
    load(cert_file, "TLS certificate", [&](const std::string& f, asio::error_code& e) {
        context->use_certificate_chain_file(f, e);
    });
    // Also checks that the key belongs to the certificate.
    load(key_file, "TLS key", [&](const std::string& f, asio::error_code& e) {
        context->use_private_key_file(f, asio::ssl::context::pem, e);
    });
    return context;
}

}  // namespace faxemu
