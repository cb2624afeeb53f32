#include "tools/faxctl/faxd_address.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "core/protocol/defaults.hpp"

namespace faxemu::faxctl {

std::string faxd_address(const std::string& server, std::filesystem::path config) {
    if (!server.empty()) return server;
    if (const char* env = std::getenv("FAXEMU_SERVER"); env && *env) return env;
    if (config.empty()) config = rpc::config_from_environment();
    if (config.empty()) return rpc::default_address();
    toml::table root;
    try {
        root = toml::parse_file(config.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << config.string() << ":" << e.source().begin.line << ": " << e.description()
            << " (faxd check-config says more)";
        throw std::runtime_error(msg.str());
    }
    // Only the two keys that say where faxd listens; faxd checks the rest.
    if (const auto socket = root["control"]["socket"].value<std::string>();
        socket && !socket->empty())
        return "unix:" + *socket;
    const auto spool = root["server"]["spool"].value<std::string>();
    return "unix:" + rpc::socket_in(spool && !spool->empty() ? std::filesystem::path(*spool)
                                                             : rpc::default_spool())
                         .string();
}

}  // namespace faxemu::faxctl
