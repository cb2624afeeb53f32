// Reading back what faxd makes of a received fax for people: a PDF rendered by
// Ghostscript page by page at each page's own resolution, and a PNG read by
// libpng, so tests compare them with the fax TIFF pixel for pixel.
#pragma once

#include <png.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/image_compare.hpp"
#include "tests/support/process.hpp"

namespace faxemu::test {

// Page `page` (from 1) of `pdf` rendered by Ghostscript as a G4 TIFF at
// x_dpi × y_dpi: what a person printing or viewing the PDF gets.
inline BilevelPage render_pdf_page(const std::filesystem::path& pdf, int page, double x_dpi,
                                   double y_dpi, const std::filesystem::path& scratch) {
    const auto out = scratch / ("rendered-" + std::to_string(page) + ".tif");
    std::string output;
    const std::string resolution =
        "-r" + std::to_string(std::lround(x_dpi)) + "x" + std::to_string(std::lround(y_dpi));
    if (run({"/usr/bin/gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=tiffg4", resolution,
             "-dFirstPage=" + std::to_string(page), "-dLastPage=" + std::to_string(page),
             "-sOutputFile=" + out.string(), pdf.string()},
            output, scratch) != 0)
        throw std::runtime_error("gs failed on " + pdf.string() + ": " + output);
    auto pages = read_bilevel_pages(out);
    if (pages.size() != 1) throw std::runtime_error("gs rendered no single page");
    return std::move(pages[0]);
}

// "" when every page of `pdf`, rendered at the resolution of the same page of
// `tiff`, has that page's pixels; else the first difference.
inline std::string pdf_differs_from_tiff(const std::filesystem::path& pdf,
                                         const std::filesystem::path& tiff,
                                         const std::filesystem::path& scratch) {
    const auto pages = read_bilevel_pages(tiff);
    for (size_t i = 0; i < pages.size(); ++i) {
        const auto& want = pages[i];
        const auto got =
            render_pdf_page(pdf, static_cast<int>(i + 1), want.x_dpi, want.y_dpi, scratch);
        const std::string where = "page " + std::to_string(i + 1) + ": ";
        if (got.width != want.width || got.height != want.height)
            return where + std::to_string(got.width) + "x" + std::to_string(got.height) +
                   " rendered, " + std::to_string(want.width) + "x" + std::to_string(want.height) +
                   " in the TIFF";
        if (got.bits != want.bits) return where + "the pixels differ";
    }
    return "";
}

struct PngImage {
    int bit_depth = 0;
    int color_type = -1;
    png_uint_32 x_ppm = 0;  // pixels per metre (pHYs), 0 if absent
    png_uint_32 y_ppm = 0;
    BilevelPage page;  // 1 = black, as BilevelPage has it (for 1-bit grey PNGs)
};

inline PngImage read_png(const std::filesystem::path& path) {
    PngImage out;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open " + path.string());
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, f);
    png_read_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
    out.bit_depth = png_get_bit_depth(png, info);
    out.color_type = png_get_color_type(png, info);
    int unit = 0;
    png_get_pHYs(png, info, &out.x_ppm, &out.y_ppm, &unit);
    const uint32_t width = png_get_image_width(png, info);
    const uint32_t height = png_get_image_height(png, info);
    out.page = BilevelPage::blank(width, height, 0, 0);
    png_bytepp rows = png_get_rows(png, info);
    for (uint32_t y = 0; y < height && out.bit_depth == 1; ++y)
        for (uint32_t x = 0; x < width; ++x)
            out.page.set(x, y, !((rows[y][x / 8] >> (7 - x % 8)) & 1));  // PNG: 0 = black
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(f);
    return out;
}

}  // namespace faxemu::test
