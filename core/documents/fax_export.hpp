// A received fax in the format someone asked for (received.fetch's `format`,
// a routing method's setting): the one place that maps a FaxFileFormat to the
// writer that makes it, so faxd's fetch and its routing agree.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>

#include "core/protocol/fax_file_format.hpp"

namespace faxemu {

// Writes the fax TIFF `tiff` to `out` as `format`, atomically: TIFF is a copy,
// PDF every page (write_fax_pdf), PNG page `page` (from 1; write_fax_png; other
// formats ignore it; `png_thumbnail_width`: a PNG thumbnail that wide, see
// write_fax_png). Throws FaxError as those do.
void export_fax(const std::filesystem::path& tiff, FaxFileFormat format, std::int32_t page,
                const std::filesystem::path& out, std::optional<mode_t> mode = std::nullopt,
                std::optional<std::uint32_t> png_thumbnail_width = std::nullopt);

}  // namespace faxemu
