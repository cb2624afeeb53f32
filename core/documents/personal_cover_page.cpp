#include "core/documents/personal_cover_page.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace faxemu {

namespace {

bool contains_nocase(std::string_view text, std::string_view word) {
    return std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           }) != text.end();
}

}  // namespace

void check_personal_cover_page(const std::string& name, std::string_view svg) {
    const auto refuse = [&](const std::string& why) {
        return FaxError(ErrorCode::BadDocument, "cover page \"" + name + "\": " + why);
    };
    if (svg.empty()) throw refuse("is empty");
    if (svg.size() > kMaxPersonalCoverPageBytes)
        throw refuse("is " + std::to_string(svg.size()) + " bytes, more than the limit of " +
                     std::to_string(kMaxPersonalCoverPageBytes) + " for a cover page");
    if (!contains_nocase(svg, "<svg")) throw refuse("is not an SVG image");
    // Entities can pull in files (external ones) or blow up (nested ones);
    // a cover page needs neither.
    if (contains_nocase(svg, "<!DOCTYPE") || contains_nocase(svg, "<!ENTITY"))
        throw refuse("declares a DOCTYPE or entities, which a cover page may not");
}

}  // namespace faxemu
