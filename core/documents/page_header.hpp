// Page headers: the faxcom server's Branding. When it is on, every page faxd
// sends carries one line at its top, as Windows fax and HylaFAX print it: the
// date and time of the attempt, the TSID, the sender's name and "page N of M".
// The line is stamped into the page image itself, in a band that replaces the
// page's top rows (the page keeps its length), so that every device kind sends
// it: spandsp on the host (simulated ports, Class 1) and a Class 2/2.0 modem
// fed our page data alike. Text is laid out by Pango and drawn by Cairo.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>

#include "core/clock.hpp"
#include "core/image_compare.hpp"

namespace faxemu {

// The band's height: 5 mm at the page's vertical resolution (19 rows at
// standard 98 lpi, 39 at fine 196 lpi, 77 at superfine 391 lpi).
inline constexpr double kPageHeaderBandMm = 5.0;

// The band's rows for a page of `y_dpi` lines per inch (fine when unknown, 0).
uint32_t page_header_rows(double y_dpi);

struct PageHeader {
    TimePoint time;  // the attempt's start, shown in faxd's local time zone
    std::string tsid;
    std::string sender_name;
};

// The line's two parts for page `page` (from 1) of `pages`: what stands at the
// left ("2026-12-07 01:53  From +1 555 1001  Alice") and at the right
// ("page 1 of 3"). Empty fields are left out.
struct PageHeaderText {
    std::string left;
    std::string right;
};
PageHeaderText page_header_text(const PageHeader& header, int page, int pages);

// Whitens the top page_header_rows(page.y_dpi) rows of `page` (all of a
// shorter page) and draws `text` there, the left part cut with an ellipsis
// when it would run into the right part. Rows below the band are untouched.
void stamp_page_header(BilevelPage& page, const PageHeaderText& text);

// Writes `document` (a TIFF-F of `pages` pages, as its job counted them) to
// `out` with every page stamped ("page N of `pages`" counts the whole
// document), as G4, one page at a time, with file mode `mode`. `out` is a
// temporary for one attempt and is not written atomically. Throws FaxError:
// BadDocument if the document cannot be read or has another number of pages,
// Io if `out` cannot be written or `stop` is requested.
void write_branded_copy(const std::filesystem::path& document, const std::filesystem::path& out,
                        const PageHeader& header, int pages,
                        std::optional<mode_t> mode = std::nullopt, std::stop_token stop = {});

}  // namespace faxemu
