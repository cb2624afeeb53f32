#include "core/documents/fax_page.hpp"

#include <tiffio.h>

#include <cmath>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace faxemu {

FaxPageGeometry fax_page_geometry(const std::string& paper, double y_dpi) {
    // Heights in points as Ghostscript's -sPAPERSIZE has them.
    double height_pt = 0;
    if (paper == "letter")
        height_pt = 792;
    else if (paper == "a4")
        height_pt = 842;
    else if (paper == "legal")
        height_pt = 1008;
    else
        throw FaxError(ErrorCode::InvalidParameter,
                       "paper \"" + paper + "\" is none of letter, a4 and legal");
    FaxPageGeometry page;
    page.y_dpi = y_dpi;
    page.height = static_cast<std::uint32_t>(std::lround(height_pt / 72 * y_dpi));
    return page;
}

void write_fax_pages(const std::filesystem::path& out, const std::vector<BilevelPage>& pages,
                     std::optional<mode_t> mode) {
    replace_atomically(
        out,
        [&](const std::filesystem::path& temp) {
            write_bilevel_pages(temp, pages, COMPRESSION_CCITTFAX4);
        },
        mode);
}

}  // namespace faxemu
