// Plain text drawn into fax pages: Pango lays each line out in a fixed-pitch
// font (DejaVu Sans Mono, 10 pt, 80 columns) on a Cairo image surface at the
// fax's own resolution, 204 dpi across and 98, 196 or 391 rows per inch down,
// and the glyphs' coverage is thresholded to bilevel. No glyph is drawn here:
// the fonts are rasterised by Cairo and FreeType.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/documents/fax_page.hpp"
#include "core/image_compare.hpp"

namespace faxemu {

// Where the text goes on a page, in points from the page's top-left corner.
struct TextLayout {
    int columns = 80;
    int lines_per_page = 0;
    double font_pt = 10;  // smaller only if 80 columns would not fit the margins
    double left_pt = 0;   // the 80 columns are centred across the page
    double top_pt = 0;
    double column_pt = 0;  // one character's advance
    double line_pt = 0;    // one line's height
};

inline constexpr double kTextSideMarginPt = 36;  // at least half an inch each side
inline constexpr double kTextTopMarginPt = 54;   // three quarters of an inch above and below

TextLayout text_layout(const FaxPageGeometry& page);

// Renders the UTF-8 text file `input` into pages (see paginate_text for how it
// is cut). `gate` is called with each page's number and size before it is
// drawn; it enforces the caller's limits by throwing. Throws FaxError(Io) if
// the file cannot be read.
std::vector<BilevelPage> render_text(const std::filesystem::path& input,
                                     const FaxPageGeometry& page, const BilevelPageGate& gate);

}  // namespace faxemu
