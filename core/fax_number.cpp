#include "core/fax_number.hpp"

namespace faxemu {

std::string normalized_fax_number(std::string_view number) {
    std::string out;
    for (char c : number) {
        if ((c >= '0' && c <= '9') || c == '*' || c == '#') out.push_back(c);
    }
    return out;
}

bool same_fax_number(std::string_view a, std::string_view b) {
    std::string x = normalized_fax_number(a);
    std::string y = normalized_fax_number(b);
    if (x.empty() || y.empty()) return false;  // a port without a number matches nothing
    if (x.size() > y.size()) std::swap(x, y);
    if (x == y) return true;
    // Erring towards "same" only keeps a job off one port; erring the other way
    // dials a port from itself. Seven digits: a subscriber number, not an extension.
    return x.size() >= kMinTrailingMatchDigits && y.ends_with(x);
}

}  // namespace faxemu
