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

std::string default_address() {
#ifndef _WIN32
    return "unix:" + (default_spool() / "faxd.sock").string();
#else
    return "127.0.0.1:" + std::to_string(kDefaultTcpPort);
#endif
}

}  // namespace faxemu::rpc
