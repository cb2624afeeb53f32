#include "devices/virtual_class2/page_codec.hpp"

#include <spandsp.h>

#include <algorithm>
#include <stdexcept>

#include "devices/virtual_class2/class2_params.hpp"

namespace faxemu::vclass2 {

PageDecodeResult decode_page_to_tiff(const std::vector<std::uint8_t>& data, int df, int vr,
                                     int width, const std::filesystem::path& tiff) {
    t4_state_t* t4 = t4_rx_init(nullptr, tiff.c_str(), T4_COMPRESSION_ITU_T6);
    if (t4 == nullptr) throw std::runtime_error(tiff.string() + ": cannot create page file");
    t4_rx_set_rx_encoding(t4, t4_encoding_for(df));
    t4_rx_set_image_width(t4, width);
    t4_rx_set_x_resolution(t4, T4_X_RESOLUTION_R8);
    t4_rx_set_y_resolution(t4, vr ? T4_Y_RESOLUTION_FINE : T4_Y_RESOLUTION_STANDARD);
    t4_rx_start_page(t4);
    if (!data.empty()) t4_rx_put_chunk(t4, data.data(), static_cast<int>(data.size()));
    t4_rx_end_page(t4);
    t4_stats_t stats;
    t4_rx_get_transfer_statistics(t4, &stats);
    PageDecodeResult result{stats.length, stats.bad_rows};
    t4_rx_free(t4);
    return result;
}

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

std::vector<std::uint8_t> encode_tiff_page(const std::filesystem::path& tiff, int page, int df) {
    t4_state_t* t4 = t4_tx_init(nullptr, tiff.c_str(), page, page);
    if (t4 == nullptr) throw std::runtime_error(tiff.string() + ": cannot read received page");
    t4_tx_set_tx_encoding(t4, t4_encoding_for(df));
    t4_tx_set_min_bits_per_row(t4, 0);
    std::vector<std::uint8_t> out;
    if (t4_tx_start_page(t4) != 0) {
        t4_tx_free(t4);
        throw std::runtime_error(tiff.string() + ": cannot read page " + std::to_string(page + 1));
    }
    std::uint8_t buf[4096];
    for (;;) {
        const int n = t4_tx_get_chunk(t4, buf, sizeof buf);
        if (n <= 0) break;
        out.insert(out.end(), buf, buf + n);
    }
    t4_tx_end_page(t4);
    t4_tx_free(t4);
    return out;
}

std::uint8_t reverse_bits(std::uint8_t byte) {
    std::uint8_t r = 0;
    for (int i = 0; i < 8; ++i)
        if (byte & (1u << i)) r |= static_cast<std::uint8_t>(0x80u >> i);
    return r;
}

void reverse_bits(std::vector<std::uint8_t>& data) {
    for (std::uint8_t& b : data) b = reverse_bits(b);
}

}  // namespace faxemu::vclass2
