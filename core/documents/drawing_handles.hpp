// Owning handles for the C objects the renderers draw with (Cairo surfaces and
// contexts, Pango layouts and fonts, GLib objects): freed however a drawing
// ends, an exception included.
#pragma once

#include <cairo.h>
#include <glib-object.h>
#include <pango/pangocairo.h>

#include <memory>

namespace faxemu::drawing {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

struct Unref {
    void operator()(gpointer p) const { g_object_unref(p); }
};
// A GObject (PangoLayout, PangoContext, PangoFontMap, RsvgHandle...).
template <typename T>
using GObject = std::unique_ptr<T, Unref>;

using Surface = Owned<cairo_surface_t, cairo_surface_destroy>;
using Cairo = Owned<cairo_t, cairo_destroy>;
using FontDescription = Owned<PangoFontDescription, pango_font_description_free>;
using FontOptions = Owned<cairo_font_options_t, cairo_font_options_destroy>;

}  // namespace faxemu::drawing
