// The fuzz input as a file, for code under test that reads a path (the users
// file, a submitted TIFF): a memfd, rewritten for every input, read through
// /proc/self/fd, so that no disk is touched and nothing is left behind.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace faxemu::fuzz {

// Writes the input and returns the path that reads it.
inline const std::string& input_file(const std::uint8_t* data, std::size_t size) {
    static const int fd = ::memfd_create("fuzz-input", 0);
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (fd < 0 || ::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
        std::abort();
    return path;
}

}  // namespace faxemu::fuzz
