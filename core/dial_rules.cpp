#include "core/dial_rules.hpp"

#include "core/fax_number.hpp"

namespace faxemu {

namespace {

bool all_of_chars(std::string_view s, std::string_view allowed) {
    return s.find_first_not_of(allowed) == std::string_view::npos;
}

// Whether the first character that is dialled (not spacing) is a +.
bool starts_international(std::string_view number) {
    const auto first = number.find_first_not_of(" \t-.()");
    return first != std::string_view::npos && number[first] == '+';
}

}  // namespace

std::string DialRules::canonical(std::string_view number) const {
    std::string digits = normalized_fax_number(number);
    if (digits.empty() || !knows_location()) return digits;
    if (starts_international(number)) return "+" + digits;
    // The international prefix first: in Europe "00" also starts with the
    // long-distance "0".
    if (!international_prefix.empty() && digits.starts_with(international_prefix))
        return "+" + digits.substr(international_prefix.size());
    if (!long_distance_prefix.empty() && digits.starts_with(long_distance_prefix))
        return "+" + country_code + digits.substr(long_distance_prefix.size());
    return "+" + country_code + area_code + digits;
}

std::string DialRules::dial_string(std::string_view number) const {
    if (!knows_location()) return outside_line_prefix + std::string(number);
    const std::string c = canonical(number);
    if (c.empty()) return outside_line_prefix;
    const std::string home = "+" + country_code;
    std::string dialled;
    if (!area_code.empty() && c.starts_with(home + area_code))
        dialled = c.substr(home.size() + area_code.size());  // local
    else if (c.starts_with(home))
        dialled = long_distance_prefix + c.substr(home.size());
    else
        dialled = international_prefix + c.substr(1);
    return outside_line_prefix + dialled;
}

bool DialRules::same_number(std::string_view a, std::string_view b) const {
    if (!knows_location()) return same_fax_number(a, b);
    const std::string x = canonical(a);
    return !x.empty() && x == canonical(b);
}

std::string dial_rules_problem(const DialRules& r) {
    constexpr std::string_view kDigits = "0123456789";
    const std::pair<const char*, const std::string*> codes[] = {
        {"country_code", &r.country_code},
        {"area_code", &r.area_code},
        {"long_distance_prefix", &r.long_distance_prefix},
        {"international_prefix", &r.international_prefix},
    };
    for (const auto& [name, value] : codes) {
        if (!all_of_chars(*value, kDigits))
            return std::string(name) + ": \"" + *value + "\" must hold digits only";
        if (value->size() > 8) return std::string(name) + ": longer than 8 digits";
    }
    if (!all_of_chars(r.outside_line_prefix, "0123456789,*#"))
        return "outside_line_prefix: \"" + r.outside_line_prefix +
               "\" may hold digits, the pause \",\", * and # only";
    if (r.outside_line_prefix.size() > 8) return "outside_line_prefix: longer than 8 characters";
    if (r.country_code.empty() &&
        !(r.area_code.empty() && r.long_distance_prefix.empty() && r.international_prefix.empty()))
        return "country_code: needed when area_code or a prefix is set";
    return {};
}

}  // namespace faxemu
