#include "core/documents/conversion.hpp"

#include <system_error>

#include "core/documents/document.hpp"
#include "core/documents/fax_page.hpp"
#include "core/documents/ghostscript.hpp"
#include "core/documents/image_render.hpp"
#include "core/documents/temporary_folder.hpp"
#include "core/documents/text_render.hpp"
#include "core/error.hpp"

namespace faxemu {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// Messages from the TIFF code name the file by its path; the client knows it
// by its name, and the spool's paths are none of its business.
FaxError renamed(const FaxError& e, const std::vector<fs::path>& paths, const std::string& name) {
    std::string msg = e.what();
    for (const fs::path& p : paths) {
        const std::string s = p.string();
        for (auto pos = msg.find(s); !s.empty() && pos != std::string::npos; pos = msg.find(s))
            msg.replace(pos, s.size(), "\"" + name + "\"");
    }
    return FaxError(e.code(), msg);
}

bool is_image(DocumentType type) {
    return type == DocumentType::Png || type == DocumentType::Jpeg || type == DocumentType::Gif ||
           type == DocumentType::Bmp || type == DocumentType::GreyTiff ||
           type == DocumentType::ColourTiff;
}

}  // namespace

double rows_per_inch(FaxResolution r) {
    switch (r) {
        case FaxResolution::Standard:
            return 98;
        case FaxResolution::Fine:
            return 196;
        case FaxResolution::Superfine:
            return 391;
    }
    return 196;
}

const char* to_string(FaxResolution r) {
    switch (r) {
        case FaxResolution::Standard:
            return "standard";
        case FaxResolution::Fine:
            return "fine";
        case FaxResolution::Superfine:
            return "superfine";
    }
    return "fine";
}

std::optional<FaxResolution> fax_resolution_from_string(std::string_view name) {
    for (FaxResolution r : {FaxResolution::Standard, FaxResolution::Fine, FaxResolution::Superfine})
        if (name == to_string(r)) return r;
    return std::nullopt;
}

ConversionResult convert_document(const ConversionRequest& request, std::stop_token stop) {
    const ConversionLimits& limits = request.limits;
    const std::string quoted = "\"" + request.name + "\": ";
    const auto deadline = Clock::now() + limits.max_time;
    ConversionResult result;
    result.type = detect_document_type(request.input);
    if (auto why = unsupported_reason(result.type, request.name); !why.empty())
        throw FaxError(ErrorCode::BadDocument, why);

    // Limits are checked before each page is decoded, so a document of huge
    // pages is refused (or stopped) before it costs their memory.
    const BilevelPageGate gate = [&](uint32_t page, uint32_t width, uint32_t height) {
        if (stop.stop_requested()) throw ConversionCancelled();
        const std::string at = "page " + std::to_string(page) + ": ";
        if (Clock::now() >= deadline)
            throw FaxError(ErrorCode::BadDocument,
                           quoted + at + "converting took longer than the limit of " +
                               std::to_string(limits.max_time.count()) + " s");
        if (static_cast<std::int64_t>(page) > limits.max_pages)
            throw FaxError(
                ErrorCode::BadDocument,
                quoted + "has more than " + std::to_string(limits.max_pages) + " pages, the limit");
        const std::uint64_t pixels = std::uint64_t{width} * height;
        if (pixels > limits.max_page_pixels)
            throw FaxError(ErrorCode::BadDocument,
                           quoted + at + "is " + std::to_string(width) + "x" +
                               std::to_string(height) + " pixels, more than the limit of " +
                               std::to_string(limits.max_page_pixels) + " pixels a page");
    };

    TemporaryFolder work(request.work_dir);
    fs::path tiff = request.input;
    std::vector<fs::path> paths = {request.input, request.output};
    if (result.type == DocumentType::Pdf || result.type == DocumentType::PostScript) {
        GhostscriptJob gs;
        gs.input = request.input;
        gs.output = work.path() / "rendered.tif";
        gs.log = work.path() / "ghostscript.log";
        gs.name = request.name;
        gs.y_dpi = rows_per_inch(request.resolution);
        gs.paper = request.paper;
        // One page past the limit, so that the gate can say the limit was passed.
        gs.last_page = limits.max_pages + 1;
        gs.deadline = deadline;
        gs.memory_limit = limits.max_memory_bytes;
        gs.on_pages = request.on_pages;
        gs.count_pages = result.type == DocumentType::Pdf;
        render_with_ghostscript(gs, stop);
        tiff = gs.output;
        paths.push_back(tiff);
    }
    try {
        if (result.type == DocumentType::Text || is_image(result.type)) {
            // Drawn straight into fax pages: nothing to check or rescale after.
            const FaxPageGeometry page =
                fax_page_geometry(request.paper, rows_per_inch(request.resolution));
            const std::vector<BilevelPage> pages =
                result.type == DocumentType::Text
                    ? render_text(request.input, page, gate)
                    : render_image(request.input, result.type, request.name, page, gate);
            write_fax_pages(request.output, pages, request.mode);
            result.page_count = static_cast<std::int32_t>(pages.size());
        } else {
            Document doc = Document::open(tiff, gate);
            result.notes = doc.write_fax_tiff(request.output, gate, request.mode);
            result.page_count = static_cast<std::int32_t>(doc.page_count());
        }
    } catch (const FaxError& e) {
        throw renamed(e, paths, request.name);
    }
    std::error_code ec;
    result.size = static_cast<std::int64_t>(fs::file_size(request.output, ec));
    if (request.on_pages) request.on_pages(result.page_count, result.page_count);
    return result;
}

}  // namespace faxemu
