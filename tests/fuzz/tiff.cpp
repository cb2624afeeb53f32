// Fuzzes TIFF ingest (core/document): what faxd does with a document a client
// submits (job.submit): open and decode every page, then write it as TIFF-F,
// converting pages that are not fax-shaped. Bad input must give a FaxError,
// never a crash or another exception.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/document.hpp"
#include "core/error.hpp"

namespace {

namespace fs = std::filesystem;

// The input as a file, in memory: a memfd read through /proc/self/fd.
const std::string& write_input(const std::uint8_t* data, std::size_t size) {
    static const int fd = [] {
        const int fd = ::memfd_create("document.tif", 0);
        if (fd < 0) std::abort();
        return fd;
    }();
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
        std::abort();
    return path;
}

// Where the converted document goes: a private folder, in memory when /dev/shm
// is, removed at exit. Never freed: the exit handler runs after static
// destructors.
const fs::path& output() {
    static const fs::path* const out = [] {
        const fs::path base =
            fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        const auto* path =
            new fs::path(base / ("faxemu-fuzz-tiff-" + std::to_string(::getpid())) / "out.tif");
        fs::create_directories(path->parent_path());
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all(output().parent_path(), ignored);
        });
        return path;
    }();
    return *out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = write_input(data, size);
    try {
        const faxemu::Document doc = faxemu::Document::open(path);
        if (doc.page_count() == 0) std::abort();
        (void)doc.fax_shaped();
        (void)doc.write_fax_tiff(output());
    } catch (const faxemu::FaxError&) {
    }
    return 0;
}
