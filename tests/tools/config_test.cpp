#include "tools/faxd/config.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace faxemu::faxd {
namespace {

const std::string kPort = R"(
[[port]]
name = "p"
number = "5551001"
)";

std::string error_of(const std::string& toml) {
    try {
        parse_config(toml, "test.toml");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(FaxdConfig, TlsListenerSettings) {
    const Config c = parse_config(R"([control]
tls_listen = "127.0.0.1:4576"
tls_cert = "/etc/faxd/cert.pem"
tls_key = "/etc/faxd/key.pem"
)" + kPort,
                                  "test.toml");
    EXPECT_EQ(c.tls_listen, "127.0.0.1:4576");
    EXPECT_EQ(c.tls_cert, "/etc/faxd/cert.pem");
    EXPECT_EQ(c.tls_key, "/etc/faxd/key.pem");
    EXPECT_TRUE(parse_config(kPort, "test.toml").tls_listen.empty());  // off by default
}

TEST(FaxdConfig, TlsListenNeedsCertificateAndKey) {
    EXPECT_NE(
        error_of("[control]\ntls_listen = \"127.0.0.1:4576\"\n" + kPort).find("control.tls_cert"),
        std::string::npos);
    EXPECT_NE(error_of("[control]\ntls_listen = \"127.0.0.1:4576\"\ntls_cert = \"c.pem\"\n" + kPort)
                  .find("control.tls_key"),
              std::string::npos);
}

}  // namespace
}  // namespace faxemu::faxd
