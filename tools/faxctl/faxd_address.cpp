#include "tools/faxctl/faxd_address.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/protocol/defaults.hpp"

namespace faxemu::faxctl {

toml::table read_faxd_config(const std::filesystem::path& config) {
    try {
        return toml::parse_file(config.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << config.string() << ":" << e.source().begin.line << ": " << e.description()
            << " (faxd check-config says more)";
        throw std::runtime_error(msg.str());
    }
}

std::string faxd_address(const std::string& server, std::filesystem::path config) {
    if (!server.empty()) return server;
    if (const char* env = std::getenv("FAXEMU_SERVER"); env && *env) return env;
    if (config.empty()) config = rpc::config_from_environment();
    if (config.empty()) return rpc::default_address();
    const toml::table root = read_faxd_config(config);
    // Only the two keys that say where faxd listens; faxd checks the rest.
    if (const auto socket = root["control"]["socket"].value<std::string>();
        socket && !socket->empty())
        return "unix:" + *socket;
    const auto spool = root["server"]["spool"].value<std::string>();
    return "unix:" + rpc::socket_in(spool && !spool->empty() ? std::filesystem::path(*spool)
                                                             : rpc::default_spool())
                         .string();
}

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string read_password(const FaxdLogin& login) {
    if (!login.password_file.empty()) {
        std::ifstream in(login.password_file);
        if (!in) throw std::runtime_error(login.password_file + ": cannot read the password file");
        std::string line;
        std::getline(in, line);
        return line;
    }
    return env("FAXEMU_PASSWORD");
}

}  // namespace

std::unique_ptr<rpc::FaxClient> connect_to_faxd(const FaxdLogin& login) {
    auto client = std::make_unique<rpc::FaxClient>();
    if (!login.tls_ca.empty()) client->set_tls_ca(login.tls_ca);  // else $FAXEMU_TLS_CA
    client->connect(faxd_address(login.server, login.config));
    const std::string user = !login.user.empty() ? login.user : env("FAXEMU_USER");
    if (!user.empty()) client->login(user, read_password(login));
    return client;
}

}  // namespace faxemu::faxctl
