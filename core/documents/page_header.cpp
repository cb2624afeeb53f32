#include "core/documents/page_header.hpp"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <tiffio.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>
#include <vector>

#include "core/documents/drawing_handles.hpp"
#include "core/error.hpp"
#include "core/file_modes.hpp"
#include "core/local_time.hpp"

namespace faxemu {

namespace {

constexpr double kMmPerInch = 25.4;
constexpr double kDefaultXDpi = 204;  // a page without resolution is read as fine
constexpr double kDefaultYDpi = 196;
constexpr double kFontMm = 3.2;    // the text's em: about 9 pt, 2.3 mm capitals
constexpr double kMarginMm = 6.0;  // left and right: inside what an A4 printer prints
constexpr double kGapMm = 4.0;     // at least this between the left and the right part
constexpr const char* kFont = "DejaVu Sans Bold";  // bold strokes survive a fax line and OCR
constexpr unsigned kInkAlpha = 128;                // coverage from which a pixel is black

// Width of a laid-out line in the layout's user units (millimetres here).
double width_of(PangoLayout* layout) {
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    return static_cast<double>(logical.width) / PANGO_SCALE;
}

double height_of(PangoLayout* layout) {
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    return static_cast<double>(logical.height) / PANGO_SCALE;
}

}  // namespace

uint32_t page_header_rows(double y_dpi) {
    return rows_for_mm(kPageHeaderBandMm, y_dpi);
}

PageHeaderText page_header_text(const PageHeader& header, int page, int pages) {
    PageHeaderText t;
    t.left = local_time_text(header.time);
    if (!header.tsid.empty()) t.left += "   From " + header.tsid;
    if (!header.sender_name.empty()) t.left += "   " + header.sender_name;
    t.right = "page " + std::to_string(page) + " of " + std::to_string(pages);
    return t;
}

void stamp_page_header(BilevelPage& page, const PageHeaderText& text) {
    const uint32_t rows = std::min(page_header_rows(page.y_dpi), page.height);
    if (rows == 0 || page.width == 0) return;
    const double x_dpi = page.x_dpi > 0 ? page.x_dpi : kDefaultXDpi;
    const double y_dpi = page.y_dpi > 0 ? page.y_dpi : kDefaultYDpi;

    // Coverage only (A8), drawn in millimetres on square pixels at the page's
    // horizontal resolution: text laid out on the page's own grid would come
    // out squeezed at standard resolution, whose pixels are twice as tall as
    // wide. The rows are then averaged down to the page's vertical resolution.
    const double px_per_mm = x_dpi / kMmPerInch;
    const double page_mm = page.width / px_per_mm;
    const double band_mm = rows / y_dpi * kMmPerInch;
    const int square_rows = std::max(1, static_cast<int>(std::lround(band_mm * px_per_mm)));
    drawing::Surface surface(
        cairo_image_surface_create(CAIRO_FORMAT_A8, static_cast<int>(page.width), square_rows));
    drawing::Cairo cr(cairo_create(surface.get()));
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
        throw FaxError(ErrorCode::Io, std::string("page header: cairo: ") +
                                          cairo_status_to_string(cairo_status(cr.get())));
    cairo_scale(cr.get(), px_per_mm, px_per_mm);

    drawing::GObject<PangoLayout> layout(pango_cairo_create_layout(cr.get()));
    // Unhinted outlines: hinting assumes square pixels, and a header must read
    // the same at every resolution.
    drawing::FontOptions options(cairo_font_options_create());
    cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(pango_layout_get_context(layout.get()), options.get());
    pango_layout_context_changed(layout.get());
    drawing::FontDescription font(pango_font_description_from_string(kFont));
    pango_font_description_set_absolute_size(font.get(), kFontMm * PANGO_SCALE);
    pango_layout_set_font_description(layout.get(), font.get());
    pango_layout_set_single_paragraph_mode(layout.get(), TRUE);
    cairo_set_source_rgba(cr.get(), 0, 0, 0, 1);

    pango_layout_set_text(layout.get(), text.right.c_str(), -1);
    const double right_mm = width_of(layout.get());
    const double top_mm = std::max(0.0, (band_mm - height_of(layout.get())) / 2);
    cairo_move_to(cr.get(), std::max(kMarginMm, page_mm - kMarginMm - right_mm), top_mm);
    pango_cairo_show_layout(cr.get(), layout.get());

    const double room_mm = page_mm - 2 * kMarginMm - right_mm - kGapMm;
    if (room_mm > 0 && !text.left.empty()) {
        pango_layout_set_text(layout.get(), text.left.c_str(), -1);
        pango_layout_set_width(layout.get(), static_cast<int>(room_mm * PANGO_SCALE));
        pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
        cairo_move_to(cr.get(), kMarginMm, top_mm);
        pango_cairo_show_layout(cr.get(), layout.get());
    }
    cairo_surface_flush(surface.get());

    const unsigned char* alpha = cairo_image_surface_get_data(surface.get());
    const int alpha_stride = cairo_image_surface_get_stride(surface.get());
    const size_t stride = page.stride();
    std::fill(page.bits.begin(), page.bits.begin() + static_cast<std::ptrdiff_t>(rows * stride), 0);
    std::vector<unsigned> sum(page.width);
    for (uint32_t y = 0; y < rows; ++y) {
        // The square rows this page row covers (at least one).
        const int from = static_cast<int>(static_cast<int64_t>(y) * square_rows / rows);
        const int to =
            std::max(from + 1, static_cast<int>(static_cast<int64_t>(y + 1) * square_rows / rows));
        std::fill(sum.begin(), sum.end(), 0u);
        for (int r = from; r < to; ++r) {
            const unsigned char* src = alpha + static_cast<std::ptrdiff_t>(r) * alpha_stride;
            for (uint32_t x = 0; x < page.width; ++x) sum[x] += src[x];
        }
        const unsigned threshold = kInkAlpha * static_cast<unsigned>(to - from);
        uint8_t* dst = page.bits.data() + y * stride;
        for (uint32_t x = 0; x < page.width; ++x)
            if (sum[x] >= threshold) dst[x / 8] |= static_cast<uint8_t>(0x80u >> (x % 8));
    }
}

void write_branded_copy(const std::filesystem::path& document, const std::filesystem::path& out,
                        const PageHeader& header, int pages, std::optional<mode_t> mode,
                        std::stop_token stop) {
    const auto not_as_counted = [&](int seen) {
        return FaxError(ErrorCode::BadDocument,
                        document.string() + ": has " + std::to_string(seen) + " pages, not " +
                            std::to_string(pages) + " as when it was queued");
    };
    if (pages < 1) throw not_as_counted(0);
    BilevelTiffWriter writer(out, static_cast<size_t>(pages), COMPRESSION_CCITTFAX4);
    int page = 0;
    // One page at a time: a long document is never held whole.
    visit_bilevel_pages(document, [&](BilevelPage&& bits, const TiffPageTags&) {
        if (stop.stop_requested())
            throw FaxError(ErrorCode::Io, out.string() + ": stopped while stamping headers");
        if (++page > pages) throw not_as_counted(page);
        stamp_page_header(bits, page_header_text(header, page, pages));
        writer.add(bits);
    });
    if (page != pages) throw not_as_counted(page);
    writer.close();
    if (mode) set_mode(out, *mode, out.string());
}

}  // namespace faxemu
