#include "tools/faxmail/sender_allow_list.hpp"

#include <stdexcept>

namespace faxemu::faxmail {

namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Glob match of `*` and `?`, iterative with one backtrack point: linear in
// practice and never recursive, whatever the pattern.
bool matches(std::string_view pattern, std::string_view text) {
    std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(text[t]))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace

SenderAllowList::SenderAllowList(std::vector<std::string> patterns)
    : patterns_(std::move(patterns)) {
    for (const std::string& p : patterns_) {
        if (p.empty()) throw std::invalid_argument("an empty sender pattern");
        if (p.find('@') == std::string::npos)
            throw std::invalid_argument("\"" + p + "\" has no '@' (e.g. \"*@example.com\")");
        for (char c : p)
            if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
                throw std::invalid_argument("\"" + p + "\" has a space or control character");
    }
}

bool SenderAllowList::allows(std::string_view address) const {
    for (const std::string& p : patterns_)
        if (matches(p, address)) return true;
    return false;
}

}  // namespace faxemu::faxmail
