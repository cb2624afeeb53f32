// Plain text cut into pages of lines for a fixed-pitch layout, before anything
// is drawn: form feed starts a new page, long lines wrap, tabs expand to the
// next multiple of 8 columns, CRLF (and a lone CR) ends a line. Kept apart from
// the drawing so that the rules can be tested without fonts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faxemu {

inline constexpr int kTabWidth = 8;

// Each page is a list of lines, each line UTF-8 without control characters.
using TextPages = std::vector<std::vector<std::string>>;

// Cuts `text` (UTF-8; a leading byte order mark is skipped; invalid bytes and
// control characters other than tab, LF, CR and FF become U+FFFD) into lines
// of at most `columns` columns (East Asian wide characters take two, combining
// marks none) and pages of at most `lines_per_page` lines. A form feed ends
// the page; a trailing newline or form feed adds no empty line or page. Text
// without any line still gives one (empty) page.
TextPages paginate_text(std::string_view text, int columns, int lines_per_page);

}  // namespace faxemu
