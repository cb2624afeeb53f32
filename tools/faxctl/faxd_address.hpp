// Where faxctl finds faxd: the way faxd says. faxd started with a config file
// listens where that file says (its [control] socket, else the socket in its
// [server] spool); given the same file, faxctl connects there.
#pragma once

#include <filesystem>
#include <string>

namespace faxemu::faxctl {

// The address to connect to, from the first given of: `server` (--server),
// $FAXEMU_SERVER, `config` (--config, else $FAXD_CONFIG), faxd's default.
// Throws std::runtime_error naming the file if `config` cannot be read.
std::string faxd_address(const std::string& server, std::filesystem::path config);

}  // namespace faxemu::faxctl
