#include "core/documents/fax_png.hpp"

#include <png.h>

#include <cmath>
#include <cstdio>
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

void write_png(const BilevelPage& page, const fs::path& path) {
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
    png_set_IHDR(png, info, page.width, page.height, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (page.x_dpi > 0 && page.y_dpi > 0)
        png_set_pHYs(png, info, static_cast<png_uint_32>(std::lround(page.x_dpi / kMetresPerInch)),
                     static_cast<png_uint_32>(std::lround(page.y_dpi / kMetresPerInch)),
                     PNG_RESOLUTION_METER);
    png_write_info(png, info);
    // The page's rows are 1 = black; PNG's grey is 0 = black.
    png_set_invert_mono(png);
    for (uint32_t y = 0; y < page.height; ++y)
        png_write_row(png, page.bits.data() + y * page.stride());
    png_write_end(png, info);
    if (std::fflush(file.get()) != 0)
        throw FaxError(ErrorCode::Io, path.string() + ": write failed");
}

}  // namespace

void write_fax_png(const fs::path& tiff, std::int32_t page_number, const fs::path& png,
                   std::optional<mode_t> mode) {
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
        png, [&](const fs::path& temp) { write_png(*page, temp); }, mode);
}

}  // namespace faxemu
