#include "core/documents/fax_png.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/image_compare.hpp"

namespace faxemu {

namespace fs = std::filesystem;

namespace {

constexpr double kMetresPerInch = 0.0254;

// libpng reports errors by longjmp unless told otherwise: its error callback
// throws instead, which is safe here since libpng holds no C++ objects.
[[noreturn]] void on_png_error(png_structp, png_const_charp message) {
    throw FaxError(ErrorCode::Io, std::string("libpng: ") + message);
}

void on_png_warning(png_structp, png_const_charp) {}

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// A PNG of `width` × `height` grey pixels of `depth` bits, row by row from
// `row(y)` (0 = black), with the resolution in pHYs when known.
void write_png(const fs::path& path, std::uint32_t width, std::uint32_t height, int depth,
               double x_dpi, double y_dpi,
               const std::function<const std::uint8_t*(std::uint32_t)>& row) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
    if (!file) throw FaxError(ErrorCode::Io, path.string() + ": cannot create");
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, &on_png_error, &on_png_warning);
    if (!png) throw std::bad_alloc();
    png_infop info = png_create_info_struct(png);
    struct Destroy {
        png_structp& png;
        png_infop& info;
        ~Destroy() { png_destroy_write_struct(&png, &info); }
    } destroy{png, info};
    if (!info) throw std::bad_alloc();

    png_init_io(png, file.get());
    png_set_IHDR(png, info, width, height, depth, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (x_dpi > 0 && y_dpi > 0)
        png_set_pHYs(png, info, static_cast<png_uint_32>(std::lround(x_dpi / kMetresPerInch)),
                     static_cast<png_uint_32>(std::lround(y_dpi / kMetresPerInch)),
                     PNG_RESOLUTION_METER);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; ++y) png_write_row(png, row(y));
    png_write_end(png, info);
    if (std::fflush(file.get()) != 0)
        throw FaxError(ErrorCode::Io, path.string() + ": write failed");
}

void write_bilevel_png(const BilevelPage& page, const fs::path& path) {
    // The page's rows are 1 = black; PNG's grey is 0 = black.
    std::vector<std::uint8_t> inverted(page.stride());
    write_png(path, page.width, page.height, 1, page.x_dpi, page.y_dpi, [&](std::uint32_t y) {
        const std::uint8_t* bits = page.bits.data() + y * page.stride();
        for (std::size_t i = 0; i < inverted.size(); ++i)
            inverted[i] = static_cast<std::uint8_t>(~bits[i]);
        return inverted.data();
    });
}

// The page `width` pixels wide in 8-bit grey, each pixel the share of white in
// the source pixels it covers; square pixels (a standard-resolution page's
// rows are stretched to its width's resolution), so no pHYs.
void write_thumbnail_png(const BilevelPage& page, std::uint32_t width, const fs::path& path) {
    width = std::clamp<std::uint32_t>(width, 1, page.width);
    const double aspect = page.x_dpi > 0 && page.y_dpi > 0 ? page.x_dpi / page.y_dpi : 1.0;
    const double scale = static_cast<double>(width) / page.width;
    const auto height =
        static_cast<std::uint32_t>(std::max(1.0, std::round(page.height * aspect * scale)));
    std::vector<std::uint8_t> row(width);
    write_png(path, width, height, 8, 0, 0, [&](std::uint32_t y) {
        const auto y0 =
            static_cast<std::uint32_t>(static_cast<std::uint64_t>(y) * page.height / height);
        const auto y1 = std::max(
            y0 + 1,
            static_cast<std::uint32_t>(static_cast<std::uint64_t>(y + 1) * page.height / height));
        for (std::uint32_t x = 0; x < width; ++x) {
            const auto x0 =
                static_cast<std::uint32_t>(static_cast<std::uint64_t>(x) * page.width / width);
            const auto x1 = std::max(
                x0 + 1,
                static_cast<std::uint32_t>(static_cast<std::uint64_t>(x + 1) * page.width / width));
            std::uint32_t black = 0;
            for (std::uint32_t sy = y0; sy < y1; ++sy)
                for (std::uint32_t sx = x0; sx < x1; ++sx) black += page.black(sx, sy);
            const std::uint32_t area = (y1 - y0) * (x1 - x0);
            row[x] = static_cast<std::uint8_t>(255 - (255 * black + area / 2) / area);
        }
        return row.data();
    });
}

}  // namespace

void write_fax_png(const fs::path& tiff, std::int32_t page_number, const fs::path& png,
                   std::optional<mode_t> mode, std::optional<std::uint32_t> thumbnail_width) {
    // Pages after the wanted one are not decoded: the visit stops there.
    struct Found {};
    std::optional<BilevelPage> page;
    std::int32_t count = 0;
    try {
        visit_bilevel_pages(tiff, [&](BilevelPage&& p, const TiffPageTags&) {
            if (++count != page_number) return;
            page = std::move(p);
            throw Found{};
        });
    } catch (const Found&) {
    }
    if (!page)
        throw FaxError(ErrorCode::InvalidParameter,
                       tiff.string() + ": has " + std::to_string(count) + " page" +
                           (count == 1 ? "" : "s") + ", no page " + std::to_string(page_number));
    replace_atomically(
        png,
        [&](const fs::path& temp) {
            if (thumbnail_width)
                write_thumbnail_png(*page, *thumbnail_width, temp);
            else
                write_bilevel_png(*page, temp);
        },
        mode);
}

}  // namespace faxemu
