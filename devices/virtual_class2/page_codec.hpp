// Phase C page data as a Class 2 host sees it (raw T.4/T.6 in the session's
// coding, first bit on the line in the LSB of each byte) to and from the TIFF
// pages spandsp's T.30 sends and writes, through spandsp's own T.4 codec.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace faxemu::vclass2 {

struct PageDecodeResult {
    int rows = 0;      // rows decoded into the page
    int bad_rows = 0;  // rows that did not decode cleanly
};

// Decodes `data` (coded with `df`: 0 MH, 1 MR, 3 MMR) into a one-page TIFF at
// 204 dpi by 98 (vr 0) or 196 (vr 1) lines per inch. Throws std::runtime_error
// naming `tiff` when the file cannot be written.
PageDecodeResult decode_page_to_tiff(const std::vector<std::uint8_t>& data, int df, int vr,
                                     int width, const std::filesystem::path& tiff);

// The pixel rows of a one-page bilevel TIFF (as decode_page_to_tiff writes),
// each padded to `row_bytes` = (width + 7) / 8 bytes, MSB first, 1 = black: how
// spandsp's T.4 encoder takes rows from a row reader. Throws std::runtime_error
// naming the file when it cannot be read.
struct PageRows {
    int width = 0;
    int row_bytes = 0;
    int rows = 0;
    std::vector<std::uint8_t> pixels;  // rows * row_bytes
};
PageRows read_page_rows(const std::filesystem::path& tiff);

// Encodes page `page` (0-based) of `tiff` with coding `df`, ending in RTC (or EOFB).
// Throws std::runtime_error naming the file when it cannot be read.
std::vector<std::uint8_t> encode_tiff_page(const std::filesystem::path& tiff, int page, int df);

// Reverses the bit order of every byte in place (+FBOR/+FBO reversed phase C data).
void reverse_bits(std::vector<std::uint8_t>& data);
std::uint8_t reverse_bits(std::uint8_t byte);

}  // namespace faxemu::vclass2
