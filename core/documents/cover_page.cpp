#include "core/documents/cover_page.hpp"

#include <cairo.h>
#include <librsvg/rsvg.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/documents/drawing_handles.hpp"
#include "core/error.hpp"

namespace faxemu {

namespace {

constexpr const char* kNoteFont = "DejaVu Sans";
constexpr double kNoteFontPt = 12;
constexpr int kInkThreshold = 128;  // of 255: darker than mid-grey is ink

using drawing::Cairo;
using drawing::FontDescription;
using drawing::Surface;
using Error = drawing::Owned<GError, g_error_free>;

std::string xml_escaped(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\n':
            case '\r':
            case '\t':
                out += ' ';
                break;
            default:
                out += c;
        }
    }
    return out;
}

// Every {{field}} replaced; a placeholder the template names but faxd does
// not know is left out rather than printed.
std::string filled_in(const std::string& svg, const CoverPageInfo& info,
                      const CoverPageContext& context) {
    std::string out;
    out.reserve(svg.size());
    std::size_t pos = 0;
    for (;;) {
        const std::size_t open = svg.find("{{", pos);
        if (open == std::string::npos) break;
        const std::size_t close = svg.find("}}", open + 2);
        if (close == std::string::npos) break;
        out.append(svg, pos, open - pos);
        std::string key = svg.substr(open + 2, close - open - 2);
        key.erase(0, key.find_first_not_of(' '));
        key.erase(key.find_last_not_of(' ') + 1);
        if (key == "date") {
            out += xml_escaped(context.date);
        } else if (key == "page_count") {
            out += std::to_string(context.page_count);
        } else {
            for (const auto& [name, member] : cover_page_fields())
                if (key == name) out += xml_escaped(info.*member);
        }
        pos = close + 2;
    }
    out.append(svg, pos, std::string::npos);
    return out;
}

FaxError template_error(const std::string& name, const std::string& why) {
    return FaxError(ErrorCode::BadDocument, "cover page \"" + name + "\": " + why);
}

bool plain_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
               c == ' ';
    });
}

// The note, wrapped in `box` (device units of the square space), in a font
// scaled as the template was.
void draw_note(cairo_t* cr, const std::string& note, const RsvgRectangle& box, double scale) {
    if (note.empty() || box.width <= 0 || box.height <= 0) return;
    cairo_save(cr);
    cairo_rectangle(cr, box.x, box.y, box.width, box.height);
    cairo_clip(cr);
    cairo_move_to(cr, box.x, box.y);
    drawing::GObject<PangoLayout> layout(pango_cairo_create_layout(cr));
    FontDescription font(pango_font_description_from_string(kNoteFont));
    pango_font_description_set_absolute_size(font.get(), kNoteFontPt * scale * PANGO_SCALE);
    pango_layout_set_font_description(layout.get(), font.get());
    pango_layout_set_width(layout.get(), static_cast<int>(box.width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout.get(), note.data(), static_cast<int>(note.size()));
    cairo_set_source_rgb(cr, 0, 0, 0);
    pango_cairo_show_layout(cr, layout.get());
    cairo_restore(cr);
}

}  // namespace

const std::vector<std::pair<const char*, std::string CoverPageInfo::*>>& cover_page_fields() {
    using I = CoverPageInfo;
    static const std::vector<std::pair<const char*, std::string I::*>> fields = {
        {"recipient_name", &I::recipient_name},
        {"recipient_fax_number", &I::recipient_fax_number},
        {"recipient_company", &I::recipient_company},
        {"recipient_address", &I::recipient_address},
        {"recipient_title", &I::recipient_title},
        {"recipient_department", &I::recipient_department},
        {"recipient_office_location", &I::recipient_office_location},
        {"recipient_home_phone", &I::recipient_home_phone},
        {"recipient_office_phone", &I::recipient_office_phone},
        {"sender_name", &I::sender_name},
        {"sender_fax_number", &I::sender_fax_number},
        {"sender_company", &I::sender_company},
        {"sender_address", &I::sender_address},
        {"sender_title", &I::sender_title},
        {"sender_department", &I::sender_department},
        {"sender_office_location", &I::sender_office_location},
        {"sender_home_phone", &I::sender_home_phone},
        {"sender_office_phone", &I::sender_office_phone},
        {"sender_email", &I::sender_email},
        {"tsid", &I::tsid},
        {"note", &I::note},
        {"subject", &I::subject},
    };
    return fields;
}

BilevelPage render_cover_page(const std::string& name, const std::string& svg,
                              const CoverPageInfo& info, const CoverPageContext& context,
                              const FaxPageGeometry& geometry) {
    // The note goes in its box, wrapped; not into the SVG's text.
    CoverPageInfo fields = info;
    fields.note.clear();
    const std::string text = filled_in(svg, fields, context);
    GError* raw_error = nullptr;
    drawing::GObject<RsvgHandle> handle(rsvg_handle_new_from_data(
        reinterpret_cast<const guint8*>(text.data()), text.size(), &raw_error));
    Error error(raw_error);
    if (!handle)
        throw template_error(name, std::string("is not an SVG image (") +
                                       (error ? error->message : "unreadable") + ")");
    rsvg_handle_set_dpi(handle.get(), 72);  // a template's units are points

    // Drawn in a space of square pixels at the page's horizontal resolution,
    // squeezed to the fax's rows by the surface's transform.
    const double squeeze = geometry.y_dpi / geometry.x_dpi;
    RsvgRectangle viewport{0, 0, static_cast<double>(geometry.width),
                           static_cast<double>(geometry.height) / squeeze};
    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(geometry.width),
                                               static_cast<int>(geometry.height)));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
        throw FaxError(ErrorCode::Io, "cannot draw a cover page: out of memory");
    Cairo cr(cairo_create(surface.get()));
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    cairo_scale(cr.get(), 1, squeeze);
    raw_error = nullptr;
    if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &raw_error)) {
        Error e(raw_error);
        throw template_error(
            name, std::string("cannot be drawn (") + (e ? e->message : "librsvg failed") + ")");
    }
    // The template is fitted to the page keeping its shape: the note's font
    // follows the same scale.
    gdouble svg_width = 0, svg_height = 0;
    if (!rsvg_handle_get_intrinsic_size_in_pixels(handle.get(), &svg_width, &svg_height) ||
        svg_width <= 0 || svg_height <= 0) {
        svg_width = viewport.width;  // a template without a size fills the page
        svg_height = viewport.height;
    }
    const double scale = std::min(viewport.width / svg_width, viewport.height / svg_height);
    // The note's box in the template's own units, placed as the template was
    // (scaled, and centred where the page's shape differs from the template's).
    RsvgRectangle ink{}, box{};
    raw_error = nullptr;
    const RsvgRectangle own{0, 0, svg_width, svg_height};  // one unit: one template unit
    if (rsvg_handle_get_geometry_for_layer(handle.get(), "#note", &own, &ink, &box, &raw_error)) {
        const double left = (viewport.width - svg_width * scale) / 2;
        const double top = (viewport.height - svg_height * scale) / 2;
        const RsvgRectangle placed{left + box.x * scale, top + box.y * scale, box.width * scale,
                                   box.height * scale};
        draw_note(cr.get(), info.note, placed, scale);
    } else {
        Error ignored(raw_error);  // a template without a note box
    }
    cairo_surface_flush(surface.get());

    BilevelPage page =
        BilevelPage::blank(geometry.width, geometry.height, geometry.x_dpi, geometry.y_dpi);
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    for (std::uint32_t y = 0; y < page.height; ++y) {
        const auto* row =
            reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
        for (std::uint32_t x = 0; x < page.width; ++x) {
            const std::uint32_t p = row[x];
            const int luma =
                (((p >> 16) & 0xFF) * 299 + ((p >> 8) & 0xFF) * 587 + (p & 0xFF) * 114) / 1000;
            if (luma < kInkThreshold) page.set(x, y, true);
        }
    }
    return page;
}

std::vector<std::string> CoverPageTemplates::names() const {
    std::vector<std::string> out = {"default"};
    std::error_code ec;
    if (!folder_.empty())
        for (const auto& entry : std::filesystem::directory_iterator(folder_, ec)) {
            if (!entry.is_regular_file(ec) || entry.path().extension() != ".svg") continue;
            const std::string stem = entry.path().stem().string();
            if (plain_name(stem) && stem != "default") out.push_back(stem);
        }
    std::sort(out.begin() + 1, out.end());
    return out;
}

std::string CoverPageTemplates::load(const std::string& requested) const {
    std::string name = requested.empty() ? "default" : requested;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".svg") == 0)
        name.resize(name.size() - 4);
    auto unknown = [&] {
        std::string list;
        for (const std::string& n : names()) list += (list.empty() ? "" : ", ") + n;
        return template_error(requested, "is not one of the server's cover pages (" + list + ")");
    };
    if (!plain_name(name)) throw unknown();
    if (!folder_.empty()) {
        const auto file = folder_ / (name + ".svg");
        std::error_code ec;
        if (std::filesystem::is_regular_file(file, ec)) {
            std::ifstream in(file, std::ios::binary);
            std::ostringstream text;
            text << in.rdbuf();
            if (!in.good() && !in.eof())
                throw FaxError(ErrorCode::Io, file.string() + ": cannot be read");
            return std::move(text).str();
        }
    }
    if (name == "default") return default_cover_page_svg();
    throw unknown();
}

}  // namespace faxemu
