// Fuzzes the users file reader (core/users): faxd reads it at start and on
// reload, and a damaged or hand-edited file must give an error naming the file,
// never anything else (UsersFile::load throws FaxError only).
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "core/users.hpp"
#include "tests/fuzz/input_file.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off);  // the "readable by group or others" warning
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = faxemu::fuzz::input_file(data, size);
    try {
        const faxemu::UsersFile users = faxemu::UsersFile::load(path);
        (void)users.size();
    } catch (const faxemu::FaxError& e) {
        if (std::string(e.what()).find(path) == std::string::npos) std::abort();
    }
    return 0;
}
