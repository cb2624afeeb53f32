// Fuzzes TIFF ingest (core/documents): what faxd does with a TIFF a client
// submits (job.submit): sniff its type, then convert_document, which opens and
// decodes every page within faxd's default limits and writes a TIFF-F. Bad
// input must give a FaxError naming the document by the client's name, never
// by its path, and never a crash or another exception. PDF and PostScript go
// to Ghostscript in a child process and are left out (a process per input), as
// are text and images other than bilevel TIFF: Pango and libvips draw those,
// no parser of ours.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>

#include "core/documents/conversion.hpp"
#include "core/documents/document_type.hpp"
#include "core/error.hpp"
#include "tests/fuzz/input_file.hpp"

namespace {

namespace fs = std::filesystem;

// A private folder for the output and the work files, in memory when /dev/shm
// is, removed at exit. Never freed: the exit handler runs after static
// destructors.
const fs::path& folder() {
    static const fs::path* const dir = [] {
        const fs::path base =
            fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        const auto* path = new fs::path(base / ("faxemu-fuzz-tiff-" + std::to_string(::getpid())));
        fs::create_directories(*path);
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all(folder(), ignored);
        });
        return path;
    }();
    return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto type = faxemu::sniff_document_type(std::span(data, size));
    if (type != faxemu::DocumentType::BilevelTiff && type != faxemu::DocumentType::Empty &&
        type != faxemu::DocumentType::Unknown)
        return 0;
    const std::string& path = faxemu::fuzz::input_file(data, size);
    faxemu::ConversionRequest request;
    request.input = path;
    request.name = "fuzz.tif";
    request.output = folder() / "out.tif";
    request.work_dir = folder() / "work";
    try {
        (void)faxemu::convert_document(request);
    } catch (const faxemu::FaxError& e) {
        const std::string what = e.what();
        if (what.find(request.name) == std::string::npos || what.find(path) != std::string::npos)
            std::abort();
    }
    return 0;
}
