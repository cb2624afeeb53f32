// A cover page template of the client's own (faxcom's FaxDoc.ServerCoverpage =
// False: CoverpageName is a file of the client's), uploaded with the fax: an
// SVG in the same {{field}} format as the server's templates. It comes from
// outside, so it must not make faxd read anything on the server: it is drawn
// with no base file, so librsvg (2.54) loads no image, stylesheet, <use> or
// XInclude from a file:, http: or relative reference (data: URLs only), and a
// DOCTYPE (the only way to entities) is refused before it is parsed. Its size
// is limited too.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faxemu {

inline constexpr std::size_t kMaxPersonalCoverPageBytes = 512 * 1024;

// Throws FaxError(BadDocument, "cover page \"NAME\": reason") when `svg` is
// empty, larger than kMaxPersonalCoverPageBytes, not SVG text, or declares a
// DOCTYPE or entities.
void check_personal_cover_page(const std::string& name, std::string_view svg);

}  // namespace faxemu
