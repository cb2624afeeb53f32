// The control protocol over TLS: the same sessions as TCP, behind a certificate
// the client checks against its CA file (made by tls_certificates.hpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/protocol/client.hpp"
#include "tests/protocol/rpc_test_support.hpp"
#include "tests/support/tls_certificates.hpp"

namespace faxemu::test {
namespace {

using rpc::FaxClient;
using rpc::RpcError;

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
