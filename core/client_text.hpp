// Rules for text that clients give faxd (names, station ids, directories):
// it ends up in logs, mail headers, file names and other programs' arguments,
// so it is one line, free of control characters and of bounded length. Also
// how faxd quotes such text back in an error without echoing all of it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faxemu {

// The byte length of the control character at `text[i]`, or 0: C0 controls
// and DEL (1 byte), the C1 controls U+0080..U+009F in UTF-8 (2 bytes).
std::size_t control_character_at(std::string_view text, std::size_t i);

// Characters (UTF-8 code points) in `text`.
std::size_t character_count(std::string_view text);

// Why `text` is not acceptable as a one-line field of at most `max_chars`
// characters, or empty. Refused: C0 controls (newline, tab, ESC...), DEL and
// the C1 controls U+0080..U+009F, which terminals also obey.
std::string one_line_problem(std::string_view text, std::size_t max_chars);

// `text` in double quotes for a message: at most `max_chars` characters
// (then "..."), control characters shown as '?'.
std::string quoted_excerpt(std::string_view text, std::size_t max_chars = 40);

// `text` with every occurrence of `from` replaced by `to`.
std::string replace_all(std::string text, std::string_view from, std::string_view to);

}  // namespace faxemu
