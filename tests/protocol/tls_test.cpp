// The control protocol over TLS: the same sessions as TCP, behind a certificate
// the client checks against its CA file. The certificates are made here, with
// OpenSSL's C API, so that none is kept in the tree to expire.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/protocol/client.hpp"
#include "tests/protocol/rpc_test_support.hpp"

namespace faxemu::test {
namespace {

using rpc::FaxClient;
using rpc::RpcError;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

Key new_key() {
    Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    check(key != nullptr, "EVP_EC_gen");
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    check(extension != nullptr, "X509V3_EXT_conf_nid");
    const int added = X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
    check(added == 1, "X509_add_ext");
}

// A certificate for `key` named `common_name`, signed by the issuer (itself when
// `issuer` is null: a CA).
Cert new_cert(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key) {
    static long serial = 1;
    Cert cert(X509_new(), X509_free);
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    X509* signer = issuer ? issuer : cert.get();
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1,
          "X509_set_issuer_name");
    add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (!issuer) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
        add_extension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
        add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid");
    }
    check(X509_sign(cert.get(), issuer ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

void write_pem(const std::filesystem::path& file, X509* cert, EVP_PKEY* key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new_file(file.c_str(), "w"), BIO_free);
    check(out != nullptr, "BIO_new_file");
    if (cert) check(PEM_write_bio_X509(out.get(), cert) == 1, "PEM_write_bio_X509");
    if (key)
        check(PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
              "PEM_write_bio_PrivateKey");
}

// A CA and a server certificate from it for localhost and 127.0.0.1, plus a
// second CA that signed nothing the server has.
struct TlsFiles {
    std::filesystem::path ca, server_cert, server_key, other_ca, other_key;

    explicit TlsFiles(const std::filesystem::path& dir)
        : ca(dir / "ca.pem"),
          server_cert(dir / "server.pem"),
          server_key(dir / "server.key"),
          other_ca(dir / "other-ca.pem"),
          other_key(dir / "other-ca.key") {
        const Key ca_key = new_key();
        const Cert ca_cert = new_cert(ca_key.get(), "faxemu test CA", nullptr, nullptr);
        const Key key = new_key();
        const Cert cert = new_cert(key.get(), "localhost", ca_cert.get(), ca_key.get());
        const Key stranger_key = new_key();
        const Cert stranger = new_cert(stranger_key.get(), "faxemu other CA", nullptr, nullptr);
        write_pem(ca, ca_cert.get(), nullptr);
        write_pem(server_cert, cert.get(), nullptr);
        write_pem(server_key, nullptr, key.get());
        write_pem(other_ca, stranger.get(), nullptr);
        write_pem(other_key, nullptr, stranger_key.get());
    }
};

class TlsRpc : public ServerTest {
  protected:
    void listen_more(RpcServer& server) override {
        files_.emplace(dir_.path());
        server.listen_tls("127.0.0.1", 0, files_->server_cert, files_->server_key);
    }

    const TlsFiles& files() const { return *files_; }
    std::string tls_address(const std::string& host = "127.0.0.1") {
        return "tls://" + host + ":" + std::to_string(harness().server().tls_port());
    }
    std::unique_ptr<FaxClient> logged_in(const std::string& user) {
        auto client = std::make_unique<FaxClient>();
        client->set_tls_ca(files().ca.string());
        client->connect(tls_address());
        client->login(user, user + "-pw");
        return client;
    }
    std::size_t sessions() {
        return harness().on_io([this] { return harness().server().session_count(); });
    }

  private:
    std::optional<TlsFiles> files_;
};

TEST_F(TlsRpc, ClientLogsInAndCalls) {
    auto alice = logged_in("alice");
    EXPECT_EQ(alice->call("test.add", {{"a", 2}, {"b", 3}}), 5);
    EXPECT_EQ(alice->call("session.whoami").at("user"), "alice");

    // The certificate names localhost too; a name is checked like an address.
    FaxClient bob;
    bob.set_tls_ca(files().ca.string());
    bob.connect(tls_address("localhost"));
    EXPECT_FALSE(bob.call("session.whoami").at("authenticated").get<bool>());
}

TEST_F(TlsRpc, SameSessionRulesAsTcp) {
    FaxClient client;
    client.set_tls_ca(files().ca.string());
    client.connect(tls_address());
    try {
        client.call("test.add", {{"a", 1}, {"b", 1}});
        ADD_FAILURE() << "a call before login succeeded";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code(), rpc::kUnauthenticated);
    }
    EXPECT_THROW(client.login("alice", "wrong"), RpcError);
    client.login("carol", "carol-pw");
    EXPECT_EQ(client.call("test.add", {{"a", 1}, {"b", 1}}), 2);
}

TEST_F(TlsRpc, ClientWithTheWrongCaIsRefused) {
    auto alice = logged_in("alice");
    FaxClient stranger;
    stranger.set_tls_ca(files().other_ca.string());
    try {
        stranger.connect(tls_address());
        ADD_FAILURE() << "a certificate from another CA was accepted";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code(), rpc::kIoError);
        EXPECT_NE(std::string(e.what()).find("TLS handshake failed"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(stranger.connected());
    // The others are served as before.
    EXPECT_EQ(alice->call("test.add", {{"a", 1}, {"b", 2}}), 3);
    EXPECT_EQ(logged_in("bob")->call("session.whoami").at("user"), "bob");
}

TEST_F(TlsRpc, PlainTcpClientOnTheTlsPortIsRefused) {
    auto alice = logged_in("alice");
    {
        RawClient plain = RawClient::tcp(harness().server().tls_port());
        plain.send_json({{"jsonrpc", "2.0"},
                         {"id", 1},
                         {"method", "session.login"},
                         {"params", {{"user", "alice"}, {"password", "alice-pw"}}}});
        plain.drain_until_eof();  // at most a TLS alert, then the server closes
    }
    EXPECT_EQ(sessions(), 1u);  // only alice's
    EXPECT_EQ(alice->call("test.add", {{"a", 4}, {"b", 5}}), 9);
    // The plain TCP port is unchanged.
    FaxClient tcp;
    tcp.connect(harness().tcp_address());
    EXPECT_EQ(tcp.login("bob", "bob-pw").at("user"), "bob");
}

TEST_F(TlsRpc, TlsAddressNeedsAReadableCaFile) {
    FaxClient client;
    client.set_tls_ca("");
    if (std::getenv("FAXEMU_TLS_CA") == nullptr) {
        try {
            client.connect(tls_address());
            ADD_FAILURE() << "tls:// without a CA file connected";
        } catch (const RpcError& e) {
            EXPECT_EQ(e.code(), rpc::kInvalidValue);
        }
    }
    const auto missing = dir_.path() / "no-such-ca.pem";
    client.set_tls_ca(missing.string());
    try {
        client.connect(tls_address());
        ADD_FAILURE() << "a missing CA file was accepted";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code(), rpc::kInvalidValue);
        EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
    }
}

TEST_F(TlsRpc, ServerLoadErrorsNameTheFile) {
    asio::io_context io;
    RpcServer server(io, test_users());
    const auto missing = dir_.path() / "missing.pem";
    const auto message_of = [&](const std::filesystem::path& cert,
                                const std::filesystem::path& key) {
        try {
            server.listen_tls("127.0.0.1", 0, cert, key);
        } catch (const FaxError& e) {
            return std::string(e.what());
        }
        ADD_FAILURE() << "listen_tls accepted " << cert << " and " << key;
        return std::string();
    };
    EXPECT_NE(message_of(missing, files().server_key).find(missing.string()), std::string::npos);
    EXPECT_NE(message_of(files().server_cert, missing).find(missing.string()), std::string::npos);
    // A key that is not the certificate's.
    EXPECT_NE(message_of(files().server_cert, files().other_key).find(files().other_key.string()),
              std::string::npos);
    // Not PEM at all.
    const auto garbage = dir_.path() / "garbage.pem";
    std::ofstream(garbage) << "not a certificate\n";
    EXPECT_NE(message_of(garbage, files().server_key).find(garbage.string()), std::string::npos);
}

}  // namespace
}  // namespace faxemu::test
