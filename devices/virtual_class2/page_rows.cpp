#include "devices/virtual_class2/page_rows.hpp"

#include <spandsp.h>

#include <algorithm>
#include <stdexcept>

namespace faxemu::vclass2 {

PageRows read_page_rows(const std::filesystem::path& tiff) {
    TIFF* t = TIFFOpen(tiff.c_str(), "r");
    if (t == nullptr) throw std::runtime_error(tiff.string() + ": cannot read the page");
    PageRows page;
    std::uint32_t width = 0, length = 0;
    std::uint16_t photometric = PHOTOMETRIC_MINISWHITE;
    TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(t, TIFFTAG_IMAGELENGTH, &length);
    TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &photometric);
    page.width = static_cast<int>(width);
    page.row_bytes = static_cast<int>((width + 7) / 8);
    page.pixels.resize(static_cast<std::size_t>(page.row_bytes) * length);
    std::vector<std::uint8_t> line(static_cast<std::size_t>(TIFFScanlineSize(t)));
    for (std::uint32_t row = 0; row < length; ++row) {
        if (TIFFReadScanline(t, line.data(), row, 0) < 0) {
            TIFFClose(t);
            throw std::runtime_error(tiff.string() + ": row " + std::to_string(row + 1) +
                                     " cannot be read");
        }
        std::uint8_t* out = page.pixels.data() + static_cast<std::size_t>(row) * page.row_bytes;
        const std::size_t n = std::min(line.size(), static_cast<std::size_t>(page.row_bytes));
        for (std::size_t i = 0; i < n; ++i)
            out[i] = photometric == PHOTOMETRIC_MINISBLACK ? static_cast<std::uint8_t>(~line[i])
                                                           : line[i];
    }
    page.rows = static_cast<int>(length);
    TIFFClose(t);
    return page;
}

}  // namespace faxemu::vclass2
