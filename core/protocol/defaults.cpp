#include "core/protocol/defaults.hpp"

#include <cstdlib>

#ifndef _WIN32
#include <unistd.h>
#endif

namespace faxemu::rpc {

std::filesystem::path default_spool() {
    if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x)
        return std::filesystem::path(x) / "faxemu";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::filesystem::path(h) / ".local" / "state" / "faxemu";
#ifndef _WIN32
    return std::filesystem::temp_directory_path() / ("faxemu-" + std::to_string(::getuid()));
#else
    return std::filesystem::temp_directory_path() / "faxemu";
#endif
}

std::filesystem::path socket_in(const std::filesystem::path& spool) {
    return spool / "faxd.sock";
}

std::filesystem::path config_from_environment() {
    const char* file = std::getenv("FAXD_CONFIG");
    return file ? file : "";
}

std::string default_address() {
#ifndef _WIN32
    return "unix:" + socket_in(default_spool()).string();
#else
    return "127.0.0.1:" + std::to_string(kDefaultTcpPort);
#endif
}

}  // namespace faxemu::rpc
