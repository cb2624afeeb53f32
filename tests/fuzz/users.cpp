// Fuzzes the users file reader (core/users): faxd reads it at start and on
// reload, and a damaged or hand-edited file must give an error naming the file,
// never anything else (UsersFile::load throws FaxError only).
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "core/users.hpp"

namespace {

// The input as a file, in memory: a memfd read through /proc/self/fd.
const std::string& write_input(const std::uint8_t* data, std::size_t size) {
    static const int fd = [] {
        spdlog::set_level(spdlog::level::off);  // the "readable by others" warning
        const int fd = ::memfd_create("users.json", 0);
        if (fd < 0) std::abort();
        return fd;
    }();
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
        std::abort();
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = write_input(data, size);
    try {
        const faxemu::UsersFile users = faxemu::UsersFile::load(path);
        (void)users.size();
    } catch (const faxemu::FaxError& e) {
        if (std::string(e.what()).find(path) == std::string::npos) std::abort();
    }
    return 0;
}
