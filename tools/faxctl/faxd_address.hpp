// Where faxctl finds faxd: the way faxd says. faxd started with a config file
// listens where that file says (its [control] socket, else the socket in its
// [server] spool); given the same file, faxctl connects there. faxmail finds
// and logs in to faxd the same way.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/protocol/client.hpp"

namespace faxemu::faxctl {

// The address to connect to, from the first given of: `server` (--server),
// $FAXEMU_SERVER, `config` (--config, else $FAXD_CONFIG), faxd's default.
// Throws std::runtime_error naming the file if `config` cannot be read.
std::string faxd_address(const std::string& server, std::filesystem::path config);

// faxd's configuration file as TOML, for the few keys a client reads from it.
// Throws std::runtime_error naming the file and line when it cannot be read.
toml::table read_faxd_config(const std::filesystem::path& config);

// How a client reaches faxd and who it is there (the global options of
// faxctl and faxmail).
struct FaxdLogin {
    std::string server;         // --server, else $FAXEMU_SERVER, else as `config` says
    std::string config;         // --config, else $FAXD_CONFIG
    std::string user;           // --user, else $FAXEMU_USER; none: no login
    std::string password_file;  // first line is the password; else $FAXEMU_PASSWORD
    std::string tls_ca;         // for tls://, else $FAXEMU_TLS_CA
};

// Connected, and logged in when a user is given. Throws what FaxClient's
// connect and login throw, and std::runtime_error for an unreadable file.
std::unique_ptr<rpc::FaxClient> connect_to_faxd(const FaxdLogin& login);

}  // namespace faxemu::faxctl
