// PDF and PostScript rendered into fax pages by Ghostscript, run as a separate
// process: -dSAFER, an empty network namespace where the system allows one, an
// address-space and CPU-time limit set in the child, and killed (its whole
// process group) when the wall-clock limit passes or the caller stops. A crash
// or a loop in Ghostscript costs one conversion, never faxd.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>

namespace faxemu {

struct GhostscriptJob {
    std::filesystem::path input;   // PDF or PostScript
    std::filesystem::path output;  // multi-page G4 TIFF, one page per page
    std::filesystem::path log;     // Ghostscript's own messages
    std::string name;              // the document's name, for errors
    double x_dpi = 204;
    double y_dpi = 196;
    // Pages are rendered at their own size (so Letter, A4 and Legal keep their
    // scale); this size is for PostScript that sets none.
    std::string paper = "letter";
    std::int32_t last_page = 0;  // 0: all
    std::chrono::steady_clock::time_point deadline;
    std::uint64_t memory_limit = 0;  // bytes; 0: none
    // Told, while Ghostscript runs, of each page it has rendered and (for a
    // PDF, which Ghostscript counts first) of the document's pages. Ghostscript
    // reports both in its log through a PostScript EndPage hook.
    std::function<void(std::int32_t pages_done, std::optional<std::int32_t> pages_total)> on_pages;
    bool count_pages = false;  // a PDF: count its pages before rendering them
};

// The Ghostscript program run; "gs" on PATH unless $FAXEMU_GS names another.
std::string ghostscript_program();

// Throws FaxError(BadDocument, "\"NAME\": reason") when Ghostscript fails, ends
// without a page, runs out of time or memory, or the document is encrypted;
// FaxError(Io) when Ghostscript cannot be started; ConversionCancelled when
// `stop` fires.
void render_with_ghostscript(const GhostscriptJob& job, std::stop_token stop);

}  // namespace faxemu
