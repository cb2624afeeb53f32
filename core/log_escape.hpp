// Log lines that a client cannot forge. Names, numbers, file names and messages
// that arrive over the network end up in faxd's log; a newline or an escape
// sequence in one of them would start a fake line or rewrite a terminal. The
// formatter here escapes every control character in a message before the
// pattern is applied, so no logged string needs escaping at its call site.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>

namespace faxemu {

// `text` with C0 and C1 control characters and DEL written as \n, \r, \t or
// \xHH (C1 as \u0080..\u009f); everything else, UTF-8 included, unchanged.
std::string escape_control_characters(std::string_view text);

// spdlog's default pattern behind escape_control_characters.
std::unique_ptr<spdlog::formatter> escaping_formatter();

// The message alone, escaped, with no line end: for sinks that record time,
// level and program themselves (the journal, syslog).
std::unique_ptr<spdlog::formatter> escaping_message_formatter();

// Makes every logger, present and future, use escaping_formatter().
void escape_logged_control_characters();

}  // namespace faxemu
