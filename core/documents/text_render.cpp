#include "core/documents/text_render.hpp"

#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/documents/drawing_handles.hpp"
#include "core/documents/text_pages.hpp"
#include "core/error.hpp"

namespace faxemu {

namespace {

constexpr const char* kFont = "DejaVu Sans Mono,Monospace";
// A pixel is black when the glyphs cover at least this share of it (of 255):
// a little under a half keeps the thin horizontal strokes of a 10 pt font at
// 98 rows per inch, where they are about one row thick.
constexpr int kInkThreshold = 100;

using drawing::Cairo;
using drawing::FontDescription;
using drawing::FontOptions;
using drawing::Surface;
using OwnedLayout = drawing::GObject<PangoLayout>;
using OwnedContext = drawing::GObject<PangoContext>;
using OwnedFontMap = drawing::GObject<PangoFontMap>;

// A conversion's own font map rather than the thread's default: the fonts it
// caches are freed with it, not kept for the life of a worker thread.
OwnedFontMap new_font_map() {
    return OwnedFontMap(pango_cairo_font_map_new());
}

// A context that lays out in points with outlines as drawn, unhinted, so that
// the layout is the same at every resolution: the fax's pixels are not square.
OwnedContext new_context(PangoFontMap* fonts) {
    OwnedContext context(pango_font_map_create_context(fonts));
    FontOptions options(cairo_font_options_create());
    cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(context.get(), options.get());
    pango_cairo_context_set_resolution(context.get(), 72);  // one user unit is one point
    // Glyphs at their exact advance, not rounded to whole points.
    pango_context_set_round_glyph_positions(context.get(), FALSE);
    return context;
}

FontDescription font(double size_pt) {
    FontDescription description(pango_font_description_from_string(kFont));
    pango_font_description_set_absolute_size(description.get(), size_pt * PANGO_SCALE);
    return description;
}

// Width of `n` characters and height of one line at `size_pt`, in points.
void measure(PangoFontMap* fonts, double size_pt, double& advance, double& line) {
    const OwnedContext context = new_context(fonts);
    OwnedLayout layout(pango_layout_new(context.get()));
    const FontDescription description = font(size_pt);
    pango_layout_set_font_description(layout.get(), description.get());
    const std::string sample(10, 'M');
    pango_layout_set_text(layout.get(), sample.data(), static_cast<int>(sample.size()));
    PangoRectangle logical{};
    pango_layout_get_extents(layout.get(), nullptr, &logical);
    advance = static_cast<double>(logical.width) / PANGO_SCALE / 10;
    line = static_cast<double>(logical.height) / PANGO_SCALE;
}

std::string read_all(const std::filesystem::path& input) {
    std::ifstream in(input, std::ios::binary);
    if (!in) throw FaxError(ErrorCode::Io, input.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw FaxError(ErrorCode::Io, input.string() + ": cannot be read");
    return std::move(text).str();
}

BilevelPage draw(PangoFontMap* fonts, const std::vector<std::string>& lines,
                 const FaxPageGeometry& geometry, const TextLayout& layout) {
    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_A8, static_cast<int>(geometry.width),
                                               static_cast<int>(geometry.height)));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
        throw FaxError(ErrorCode::Io,
                       std::string("cannot draw a text page: ") +
                           cairo_status_to_string(cairo_surface_status(surface.get())));
    Cairo cr(cairo_create(surface.get()));
    cairo_scale(cr.get(), geometry.x_dpi / 72, geometry.y_dpi / 72);
    // Laid out in points by a context that does not know the pixels' shape
    // (Pango lays out text drawn through an unequal scale too narrow), then
    // drawn through it, which Cairo does right.
    const OwnedContext context = new_context(fonts);
    OwnedLayout text(pango_layout_new(context.get()));
    const FontDescription description = font(layout.font_pt);
    pango_layout_set_font_description(text.get(), description.get());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].empty()) continue;
        cairo_move_to(cr.get(), layout.left_pt,
                      layout.top_pt + static_cast<double>(i) * layout.line_pt);
        pango_layout_set_text(text.get(), lines[i].data(), static_cast<int>(lines[i].size()));
        pango_cairo_show_layout(cr.get(), text.get());
    }
    cairo_surface_flush(surface.get());

    BilevelPage page =
        BilevelPage::blank(geometry.width, geometry.height, geometry.x_dpi, geometry.y_dpi);
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    for (std::uint32_t y = 0; y < page.height; ++y) {
        const unsigned char* row = data + static_cast<std::ptrdiff_t>(y) * stride;
        for (std::uint32_t x = 0; x < page.width; ++x)
            if (row[x] >= kInkThreshold) page.set(x, y, true);
    }
    return page;
}

TextLayout layout_with(PangoFontMap* fonts, const FaxPageGeometry& page) {
    TextLayout layout;
    double advance = 0, line = 0;
    measure(fonts, layout.font_pt, advance, line);
    const double room = page.width_pt() - 2 * kTextSideMarginPt;
    if (advance * layout.columns > room) {
        const double shrink = room / (advance * layout.columns);
        layout.font_pt *= shrink;
        advance *= shrink;
        line *= shrink;
    }
    layout.column_pt = advance;
    layout.line_pt = line;
    layout.left_pt = (page.width_pt() - advance * layout.columns) / 2;
    layout.top_pt = kTextTopMarginPt;
    layout.lines_per_page =
        std::max(1, static_cast<int>((page.height_pt() - 2 * kTextTopMarginPt) / line));
    return layout;
}

}  // namespace

TextLayout text_layout(const FaxPageGeometry& page) {
    return layout_with(new_font_map().get(), page);
}

std::vector<BilevelPage> render_text(const std::filesystem::path& input,
                                     const FaxPageGeometry& page, const BilevelPageGate& gate) {
    const OwnedFontMap fonts = new_font_map();
    const TextLayout layout = layout_with(fonts.get(), page);
    const TextPages text = paginate_text(read_all(input), layout.columns, layout.lines_per_page);
    std::vector<BilevelPage> pages;
    for (const auto& lines : text) {
        if (gate) gate(static_cast<std::uint32_t>(pages.size() + 1), page.width, page.height);
        pages.push_back(draw(fonts.get(), lines, page, layout));
    }
    return pages;
}

}  // namespace faxemu
