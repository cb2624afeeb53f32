#include "core/client_text.hpp"

namespace faxemu {

namespace {

bool is_continuation(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

}  // namespace

std::size_t control_character_at(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return 1;
    if (c == 0xC2 && i + 1 < s.size()) {
        const auto next = static_cast<unsigned char>(s[i + 1]);
        if (next >= 0x80 && next <= 0x9F) return 2;
    }
    return 0;
}

std::size_t character_count(std::string_view text) {
    std::size_t n = 0;
    for (char c : text)
        if (!is_continuation(static_cast<unsigned char>(c))) ++n;
    return n;
}

std::string one_line_problem(std::string_view text, std::size_t max_chars) {
    const std::size_t chars = character_count(text);
    if (chars > max_chars)
        return "is " + std::to_string(chars) + " characters; at most " + std::to_string(max_chars) +
               " are allowed";
    std::size_t position = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_continuation(static_cast<unsigned char>(text[i]))) continue;
        ++position;
        if (control_character_at(text, i))
            return "contains a control character at position " + std::to_string(position);
    }
    return {};
}

std::string quoted_excerpt(std::string_view text, std::size_t max_chars) {
    std::string out = "\"";
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (chars == max_chars) {
            out += "...";
            break;
        }
        if (const std::size_t n = control_character_at(text, i)) {
            out += '?';
            i += n;
        } else {
            out += text[i++];
            while (i < text.size() && is_continuation(static_cast<unsigned char>(text[i])))
                out += text[i++];
        }
        ++chars;
    }
    return out + "\"";
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    if (from.empty()) return text;
    for (auto pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    return text;
}

}  // namespace faxemu
