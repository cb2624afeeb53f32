#include "core/documents/text_pages.hpp"

#include <glib.h>

#include <memory>

namespace faxemu {

namespace {

constexpr gunichar kReplacement = 0xFFFD;

// Columns a character takes in a fixed-pitch layout.
int columns_of(gunichar c) {
    if (g_unichar_iszerowidth(c)) return 0;
    return g_unichar_iswide(c) ? 2 : 1;
}

class Paginator {
  public:
    Paginator(int columns, int lines_per_page) : columns_(columns), lines_(lines_per_page) {}

    void put(gunichar c) {
        const int width = columns_of(c);
        if (width > 0 && column_ + width > columns_ && column_ > 0) end_line();
        char utf8[6];
        line_.append(utf8, static_cast<std::size_t>(g_unichar_to_utf8(c, utf8)));
        column_ += width;
        logical_column_ += width;
    }
    // To the next tab stop of the line as written, wherever it was wrapped.
    void tab() {
        const int spaces = kTabWidth - logical_column_ % kTabWidth;
        for (int i = 0; i < spaces; ++i) put(' ');
    }
    void new_line() {
        end_line();
        logical_column_ = 0;
    }
    void form_feed() {
        if (!line_.empty()) new_line();
        pages_.push_back(std::move(page_));
        page_.clear();
        logical_column_ = 0;
    }
    TextPages finish() && {
        if (!line_.empty()) end_line();
        if (!page_.empty() || pages_.empty()) pages_.push_back(std::move(page_));
        return std::move(pages_);
    }

  private:
    // A page is closed only when a line does not fit on it, so that a form
    // feed right after a full page does not leave an empty one.
    void end_line() {
        if (static_cast<int>(page_.size()) == lines_) {
            pages_.push_back(std::move(page_));
            page_.clear();
        }
        page_.push_back(std::move(line_));
        line_.clear();
        column_ = 0;
    }

    int columns_;
    int lines_;
    TextPages pages_;
    std::vector<std::string> page_;
    std::string line_;
    int column_ = 0;          // on the line as laid out (wrapped)
    int logical_column_ = 0;  // on the line as written, for tab stops
};

}  // namespace

TextPages paginate_text(std::string_view text, int columns, int lines_per_page) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    // Invalid bytes become U+FFFD, so the walk below sees only whole characters.
    const std::unique_ptr<gchar, decltype(&g_free)> valid(
        g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())), &g_free);
    Paginator pages(columns < 1 ? 1 : columns, lines_per_page < 1 ? 1 : lines_per_page);
    const gchar* end = valid.get() + std::char_traits<char>::length(valid.get());
    for (const gchar* p = valid.get(); p < end; p = g_utf8_next_char(p)) {
        const gunichar c = g_utf8_get_char(p);
        switch (c) {
            case '\n':
                pages.new_line();
                break;
            case '\r':
                if (p + 1 < end && p[1] == '\n') break;  // CRLF: the LF ends the line
                pages.new_line();
                break;
            case '\f':
                pages.form_feed();
                break;
            case '\t':
                pages.tab();
                break;
            default:
                pages.put(c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) ? kReplacement : c);
        }
    }
    return std::move(pages).finish();
}

}  // namespace faxemu
