// Fuzzes TIFF ingest (core/document): what faxd does with a document a client
// submits (job.submit): open and decode every page, then write it as TIFF-F,
// converting pages that are not fax-shaped. Bad input must give a FaxError,
// never a crash or another exception.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/document.hpp"
#include "core/error.hpp"
#include "tests/fuzz/input_file.hpp"

namespace {

namespace fs = std::filesystem;

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
    const std::string& path = faxemu::fuzz::input_file(data, size);
    try {
        const faxemu::Document doc = faxemu::Document::open(path);
        if (doc.page_count() == 0) std::abort();
        (void)doc.fax_shaped();
        (void)doc.write_fax_tiff(output());
    } catch (const faxemu::FaxError&) {
    }
    return 0;
}
