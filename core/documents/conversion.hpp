// The document pipeline's entry: turns what a client submitted (any type the
// detector knows: TIFF as it is or rescaled, PDF and PostScript through
// Ghostscript, text through Pango/Cairo, images through libvips) into a
// fax-shaped TIFF-F, within limits on pages, pixels, time and memory. Runs on
// a worker thread, never on the thread that serves clients; every error names
// the document by the name the client gave it, never by its path in the spool.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/documents/document_type.hpp"

namespace faxemu {

// faxd's [documents] settings (fixtures/faxd.toml).
struct ConversionLimits {
    std::int32_t max_pages = 500;
    std::uint64_t max_page_pixels = 50'000'000;  // before conversion (a 600 dpi Legal page is 43 M)
    std::chrono::seconds max_time{120};          // the whole conversion
    std::uint64_t max_memory_bytes = 1ull << 30;  // Ghostscript's address space
};

// Vertical resolution of rendered pages (all are 204 dpi across, 1728 pels).
enum class FaxResolution { Standard, Fine, Superfine };  // 98, 196, 391 lpi

// Rows per inch of a resolution: 98, 196 or 391.
double rows_per_inch(FaxResolution resolution);
// "standard", "fine", "superfine": job.submit's names, also in a stored submission.
const char* to_string(FaxResolution resolution);
std::optional<FaxResolution> fax_resolution_from_string(std::string_view name);

struct ConversionRequest {
    std::filesystem::path input;
    std::string name;                // the client's name for it, in every error
    std::filesystem::path output;    // the TIFF-F to write, atomically
    std::filesystem::path work_dir;  // for intermediate files; made and removed here
    FaxResolution resolution = FaxResolution::Fine;
    // letter, a4 or legal: text and images are laid out on it, and PostScript
    // that sets no page size gets it
    std::string paper = "letter";
    ConversionLimits limits;
    std::optional<mode_t> mode;  // the output's permissions, whatever the umask
    // Told of the pages converted so far, and of the document's pages once
    // known (a PDF's before they are rendered; others' when they are done).
    std::function<void(std::int32_t pages_done, std::optional<std::int32_t> pages_total)> on_pages;
};

struct ConversionResult {
    DocumentType type = DocumentType::Unknown;
    std::int32_t page_count = 0;
    std::int64_t size = 0;           // bytes of the output
    std::vector<std::string> notes;  // what was changed on which page, for the log
};

// Thrown when the stop token fired: the conversion did not end, and should run
// again later (faxd converts jobs left converting at its next start).
class ConversionCancelled : public std::runtime_error {
  public:
    ConversionCancelled() : std::runtime_error("conversion cancelled") {}
};

// Throws FaxError(BadDocument, "\"NAME\": [page N: ]reason") for a document
// that cannot be faxed (unknown or unsupported type, empty, corrupt,
// encrypted, over a limit, Ghostscript failing or running out of time),
// FaxError(Io) when the spool fails, ConversionCancelled when `stop` fires.
ConversionResult convert_document(const ConversionRequest& request, std::stop_token stop = {});

}  // namespace faxemu
