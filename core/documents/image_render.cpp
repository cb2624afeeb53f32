#include "core/documents/image_render.hpp"

#include <vips/vips.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>

#include "core/error.hpp"

namespace faxemu {

namespace {

struct Unref {
    void operator()(VipsImage* image) const { g_object_unref(image); }
};
using Image = std::unique_ptr<VipsImage, Unref>;

// libvips starts once per process. Its operation cache is off: a cached
// decoded image would outlive the upload it came from.
void start_vips() {
    static std::once_flag once;
    static bool started = false;
    std::call_once(once, [] {
        started = vips_init("faxemu") == 0;
        if (!started) return;
        vips_cache_set_max(0);
        // Its warnings about damaged files reach the client as errors
        // (fail_on), not faxd's stderr.
        g_log_set_handler(
            "VIPS", G_LOG_LEVEL_WARNING,
            [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
    });
    if (!started) throw FaxError(ErrorCode::Io, "cannot start libvips to read images");
}

// What libvips said went wrong, on one line and without the spool's path.
std::string vips_reason(const std::filesystem::path& input) {
    std::string said = vips_error_buffer();
    vips_error_clear();
    const std::string path = input.string();
    for (auto pos = said.find(path); !path.empty() && pos != std::string::npos;
         pos = said.find(path))
        said.replace(pos, path.size(), "the document");
    while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
    for (auto pos = said.find('\n'); pos != std::string::npos; pos = said.find('\n'))
        said.replace(pos, 1, "; ");
    for (char& c : said)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    if (said.size() > 300) said = said.substr(0, 300) + "...";
    return said.empty() ? "libvips gave no reason" : said;
}

class Renderer {
  public:
    Renderer(const std::filesystem::path& input, DocumentType type, const std::string& name,
             const FaxPageGeometry& page)
        : input_(input), type_(type), name_(name), page_(page) {}

    std::vector<BilevelPage> run(const BilevelPageGate& gate) {
        std::vector<BilevelPage> pages;
        int count = 1;
        for (int index = 0; index < count; ++index) {
            number_ = index + 1;
            Image image = load(index);
            if (index == 0 && is_tiff()) count = std::max(1, vips_image_get_n_pages(image.get()));
            multi_page_ = count > 1;
            if (gate)
                gate(static_cast<std::uint32_t>(number_),
                     static_cast<std::uint32_t>(vips_image_get_width(image.get())),
                     static_cast<std::uint32_t>(vips_image_get_height(image.get())));
            pages.push_back(render(std::move(image)));
        }
        return pages;
    }

  private:
    bool is_tiff() const {
        return type_ == DocumentType::GreyTiff || type_ == DocumentType::ColourTiff ||
               type_ == DocumentType::BilevelTiff;
    }

    std::string reading() const { return std::string("cannot be read as a ") + to_string(type_); }

    [[noreturn]] void fail(const std::string& doing) const {
        const std::string page = multi_page_ ? "page " + std::to_string(number_) + ": " : "";
        throw FaxError(ErrorCode::BadDocument,
                       "\"" + name_ + "\": " + page + doing + ": " + vips_reason(input_));
    }

    // The loader of the type the content showed, never one guessed again by
    // libvips; damage that loses pixels is an error, not a grey patch.
    Image load(int index) const {
        VipsImage* out = nullptr;
        const char* file = input_.c_str();
        const int fail_on = VIPS_FAIL_ON_ERROR;
        int rc = -1;
        switch (type_) {
            case DocumentType::Png:
                rc = vips_pngload(file, &out, "fail_on", fail_on, nullptr);
                break;
            case DocumentType::Jpeg:
                rc = vips_jpegload(file, &out, "fail_on", fail_on, nullptr);
                break;
            case DocumentType::Gif:
                rc = vips_gifload(file, &out, "fail_on", fail_on, nullptr);
                break;
            case DocumentType::Bmp:
                // libvips reads BMP through ImageMagick only.
                rc = vips_magickload(file, &out, "fail_on", fail_on, nullptr);
                break;
            default:
                rc = vips_tiffload(file, &out, "page", index, "fail_on", fail_on, nullptr);
                break;
        }
        if (rc != 0) fail(reading());
        return Image(out);
    }

    // Replaces `image` by what `step` made of it, or fails saying `doing`.
    template <typename Step>
    void apply(Image& image, const std::string& doing, Step step) const {
        VipsImage* out = nullptr;
        if (step(image.get(), &out) != 0) fail(doing);
        image.reset(out);
    }

    BilevelPage render(Image image) const {
        const std::string decoding = reading();
        apply(image, decoding,
              [](VipsImage* in, VipsImage** out) { return vips_autorot(in, out, nullptr); });
        // Pixels are square unless the file says otherwise (a grey fax page).
        double aspect = 1;
        const double xres = vips_image_get_xres(image.get());
        const double yres = vips_image_get_yres(image.get());
        if (xres > 0 && yres > 0 && xres / yres < 8 && yres / xres < 8) aspect = xres / yres;
        apply(image, decoding, [](VipsImage* in, VipsImage** out) {
            return vips_colourspace(in, out, VIPS_INTERPRETATION_B_W, nullptr);
        });
        if (vips_image_get_format(image.get()) == VIPS_FORMAT_USHORT)
            apply(image, decoding, [](VipsImage* in, VipsImage** out) {
                return vips_linear1(in, out, 1.0 / 257, 0, nullptr);
            });
        if (vips_image_get_format(image.get()) != VIPS_FORMAT_UCHAR)
            apply(image, decoding,
                  [](VipsImage* in, VipsImage** out) { return vips_cast_uchar(in, out, nullptr); });
        if (vips_image_hasalpha(image.get()))
            apply(image, decoding, [](VipsImage* in, VipsImage** out) {
                VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
                const int rc = vips_flatten(in, out, "background", white, nullptr);
                vips_area_unref(VIPS_AREA(white));
                return rc;
            });
        if (vips_image_get_bands(image.get()) > 1)
            apply(image, decoding, [](VipsImage* in, VipsImage** out) {
                return vips_extract_band(in, out, 0, nullptr);
            });

        // Fit inside the margins, in inches, then to the fax's pixels.
        // In rows of the source (1/yres): its width is W * yres / xres of them.
        const double width_units = vips_image_get_width(image.get()) / aspect;
        const double height_units = vips_image_get_height(image.get());
        const double room_x = (page_.width_pt() - 2 * kImageMarginPt) / 72;
        const double room_y = (page_.height_pt() - 2 * kImageMarginPt) / 72;
        const double fit = std::min(room_x / width_units, room_y / height_units);  // inches a unit
        const double x_scale = fit * page_.x_dpi / aspect;
        const double y_scale = fit * page_.y_dpi;
        apply(image, decoding, [&](VipsImage* in, VipsImage** out) {
            return vips_resize(in, out, x_scale, "vscale", y_scale, nullptr);
        });

        const auto width = static_cast<std::uint32_t>(vips_image_get_width(image.get()));
        const auto height = static_cast<std::uint32_t>(vips_image_get_height(image.get()));
        std::size_t size = 0;
        void* grey = vips_image_write_to_memory(image.get(), &size);
        if (!grey) fail(decoding);
        const std::unique_ptr<void, decltype(&g_free)> owned(grey, &g_free);
        return dither(static_cast<const std::uint8_t*>(grey), std::min(width, page_.width),
                      std::min(height, page_.height), width);
    }

    // Floyd-Steinberg error diffusion, alternating direction each row so that
    // no diagonal texture builds up, centred on a white page.
    BilevelPage dither(const std::uint8_t* grey, std::uint32_t width, std::uint32_t height,
                       std::uint32_t stride) const {
        BilevelPage page = BilevelPage::blank(page_.width, page_.height, page_.x_dpi, page_.y_dpi);
        const std::uint32_t left = (page_.width - width) / 2;
        const std::uint32_t top = (page_.height - height) / 2;
        // Errors for this row and the next, with a spare cell at each end.
        std::vector<int> here(width + 2, 0), next(width + 2, 0);
        for (std::uint32_t y = 0; y < height; ++y) {
            const bool forward = y % 2 == 0;
            std::fill(next.begin(), next.end(), 0);
            for (std::uint32_t i = 0; i < width; ++i) {
                const std::uint32_t x = forward ? i : width - 1 - i;
                const int value = grey[std::size_t{y} * stride + x] + here[x + 1] / 16;
                const bool black = value < 128;
                if (black) page.set(left + x, top + y, true);
                const int error = value - (black ? 0 : 255);
                const std::size_t ahead = forward ? x + 2 : x;
                const std::size_t behind = forward ? x : x + 2;
                here[ahead] += error * 7;
                next[behind] += error * 3;
                next[x + 1] += error * 5;
                next[ahead] += error * 1;
            }
            std::swap(here, next);
        }
        return page;
    }

    const std::filesystem::path& input_;
    DocumentType type_;
    const std::string& name_;
    const FaxPageGeometry& page_;
    int number_ = 1;
    bool multi_page_ = false;
};

}  // namespace

std::vector<BilevelPage> render_image(const std::filesystem::path& input, DocumentType type,
                                      const std::string& name, const FaxPageGeometry& page,
                                      const BilevelPageGate& gate) {
    start_vips();
    return Renderer(input, type, name, page).run(gate);
}

}  // namespace faxemu
