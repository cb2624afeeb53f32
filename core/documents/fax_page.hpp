// The page every renderer of the pipeline draws on (text, images): 1728 pels at
// 204 dpi across, as many rows as the paper is long at the requested vertical
// resolution, so pages from every source have the same geometry as
// Ghostscript's; and the one way such pages are stored, as TIFF-F.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/image_compare.hpp"

namespace faxemu {

struct FaxPageGeometry {
    std::uint32_t width = 1728;  // pels
    std::uint32_t height = 0;    // rows
    double x_dpi = 204;
    double y_dpi = 196;
    double width_pt() const { return width / x_dpi * 72; }  // 609.9: a little under Letter
    double height_pt() const { return height / y_dpi * 72; }
};

// The page of `paper` ("letter", "a4" or "legal") at `y_dpi` rows per inch.
// Throws FaxError(InvalidParameter) for another paper.
FaxPageGeometry fax_page_geometry(const std::string& paper, double y_dpi);

// Writes `pages` as TIFF-F for spandsp (G4, MINISWHITE, one strip a page,
// page numbers), atomically: temp file, fsync, rename. `mode`: the file's
// permissions whatever the umask; none: 0666 less the umask. Throws FaxError.
void write_fax_pages(const std::filesystem::path& out, const std::vector<BilevelPage>& pages,
                     std::optional<mode_t> mode = std::nullopt);

}  // namespace faxemu
