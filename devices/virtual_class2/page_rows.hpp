// The pixel rows of a page the host sent, for spandsp's T.30 to send them on
// through its row reader (the page itself is decoded by the one T.4 codec in
// devices/class2_protocol/t4_stream.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace faxemu::vclass2 {

// The pixel rows of a one-page bilevel TIFF (as T4PageWriter writes),
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

}  // namespace faxemu::vclass2
