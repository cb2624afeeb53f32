#include "tools/faxmail/fax_recipient.hpp"

namespace faxemu::faxmail {

std::optional<std::string> fax_number_of(std::string_view address) {
    const auto at = address.rfind('@');
    std::string_view local = address.substr(0, at);
    std::string number;
    int digits = 0;
    for (std::size_t i = 0; i < local.size(); ++i) {
        const char c = local[i];
        if (c >= '0' && c <= '9') {
            number += c;
            ++digits;
        } else if (c == '+' && i == 0) {
            number += c;
        } else if (c == '-' || c == '(' || c == ')' || c == ' ') {
            number += c;
        } else if (c == '.') {
            continue;
        } else {
            return std::nullopt;
        }
    }
    if (digits == 0 || digits > 32) return std::nullopt;
    return number;
}

}  // namespace faxemu::faxmail
