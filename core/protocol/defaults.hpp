// Where a client finds faxd when it is told nothing: the same defaults faxd uses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace faxemu::rpc {

inline constexpr std::uint16_t kDefaultTcpPort = 4575;  // HylaFAX has 4559

// $XDG_STATE_HOME/faxemu, else ~/.local/state/faxemu, else a per-user temp folder.
std::filesystem::path default_spool();
// faxd's Unix socket in `spool`, unless its configuration names another.
std::filesystem::path socket_in(const std::filesystem::path& spool);
// "unix:<default spool>/faxd.sock" where Unix sockets exist, else "127.0.0.1:4575".
std::string default_address();
// The faxd configuration file that faxd, and faxctl to find that faxd, use
// when given none: $FAXD_CONFIG, else empty (faxd's embedded default).
std::filesystem::path config_from_environment();

}  // namespace faxemu::rpc
