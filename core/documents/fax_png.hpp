// One page of a received fax as a PNG, for a viewer (a web page, an image
// viewer) that cannot show TIFF-F. Written with libpng.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>

namespace faxemu {

// Writes page `page` (from 1) of the bilevel TIFF `tiff` to `png`, atomically:
// 1-bit greyscale, the page's own pixels unscaled (a standard-resolution page,
// 204 × 98 dpi, keeps its non-square pixels), with the resolution in pHYs so
// that a viewer that reads it shows the true proportions. Throws FaxError
// (BadDocument when `tiff` is not a readable bilevel TIFF, InvalidParameter
// when it has no such page, Io when writing fails).
// With `thumbnail_width`: a small picture of the page instead (a viewer's
// thumbnails), that many pixels wide (at most the page's), 8-bit grey with
// square pixels, each the average of the page's pixels it covers.
void write_fax_png(const std::filesystem::path& tiff, std::int32_t page,
                   const std::filesystem::path& png, std::optional<mode_t> mode = std::nullopt,
                   std::optional<std::uint32_t> thumbnail_width = std::nullopt);

}  // namespace faxemu
