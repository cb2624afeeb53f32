// Reading a page back as a person would: Debian's tesseract OCR on the header
// band of a page or on a whole page, for tests that check what a page says.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "core/image_compare.hpp"
#include "tests/support/process.hpp"

namespace faxemu::test {

inline constexpr char kTesseract[] = "/usr/bin/tesseract";

// Runs tesseract on `rows` rows of `page` from `first_row`, in page
// segmentation mode `psm` (7: one line, 6: a block of text), or nothing when
// tesseract is not installed. The rows are written as a PBM with a white
// border, each pixel repeated to make it square and twice as large
// (tesseract reads small text best at about 30 px a line).
inline std::optional<std::string> ocr_rows(const BilevelPage& page, uint32_t first_row,
                                           uint32_t rows, const std::filesystem::path& dir,
                                           int psm) {
    if (!std::filesystem::exists(kTesseract)) return std::nullopt;
    const int sx = 2;
    const int sy = page.y_dpi > 0 && page.y_dpi < page.x_dpi * 0.75 ? 4 : 2;
    const uint32_t border = 16;
    const uint32_t w = page.width * sx + 2 * border;
    const uint32_t h = rows * sy + 2 * border;
    const std::filesystem::path pbm = dir / "band.pbm";
    {
        std::ofstream out(pbm, std::ios::binary);
        out << "P4\n" << w << " " << h << "\n";
        std::string row((w + 7) / 8, '\0');
        for (uint32_t y = 0; y < h; ++y) {
            std::fill(row.begin(), row.end(), '\0');
            if (y >= border && y < border + rows * sy) {
                const uint32_t py = first_row + (y - border) / sy;
                for (uint32_t x = border; x < w - border; ++x)
                    if (page.black((x - border) / sx, py))
                        row[x / 8] = static_cast<char>(row[x / 8] | (0x80 >> (x % 8)));
            }
            out.write(row.data(), static_cast<std::streamsize>(row.size()));
        }
    }
    // Its messages go to the output; the text to band.txt.
    std::string messages;
    if (run({kTesseract, pbm.string(), (dir / "band").string(), "--psm", std::to_string(psm)},
            messages, dir) != 0)
        return "tesseract failed: " + messages;
    std::string text = read_text(dir / "band.txt");
    while (!text.empty() && (text.back() == '\n' || text.back() == '\f' || text.back() == ' '))
        text.pop_back();
    return text;
}

// The one line tesseract reads in the top `rows` rows of `page` (a header band).
inline std::optional<std::string> ocr_band(const BilevelPage& page, uint32_t rows,
                                           const std::filesystem::path& dir) {
    return ocr_rows(page, 0, rows, dir, 7);
}

// `text` with its spaces taken out: OCR reads characters surely, spaces not.
inline std::string without_spaces(std::string text) {
    std::erase(text, ' ');
    return text;
}

}  // namespace faxemu::test
