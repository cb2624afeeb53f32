#include "core/documents/document.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "core/documents/fax_page.hpp"
#include "core/error.hpp"
#include "core/image_compare.hpp"

namespace faxemu {

namespace fs = std::filesystem;

namespace {

constexpr double kFaxXDpi = 204;
constexpr double kFaxYDpis[] = {98, 196, 391};
constexpr uint32_t kFaxWidths[] = {1728, 2048, 2432};
constexpr uint32_t kA4Width = 1728;
constexpr double kResolutionTolerance = 0.03;
constexpr double kCropTolerance = 0.10;

bool near(double value, double target) {
    return std::fabs(value - target) <= kResolutionTolerance * target;
}

bool is_fax_width(uint32_t width) {
    return std::find(std::begin(kFaxWidths), std::end(kFaxWidths), width) != std::end(kFaxWidths);
}

// The fax y resolution `y_dpi` stands for, or 0 if it is none of them.
double fax_y_dpi(double y_dpi) {
    for (double fax : kFaxYDpis) {
        if (near(y_dpi, fax)) return fax;
    }
    return 0;
}

std::string page_label(uint32_t number) {
    return "page " + std::to_string(number);
}

std::string format_dpi(double dpi) {
    char text[32];
    std::snprintf(text, sizeof text, std::fabs(dpi - std::round(dpi)) < 0.05 ? "%.0f" : "%.1f",
                  dpi);
    return text;
}

// A page without resolution tags: at 1728 px it can only be a fax page (fine
// resolution is the safe guess, it never loses rows); any other width has no
// known size on paper.
void apply_missing_resolution(BilevelPage& page, const fs::path& path, uint32_t number) {
    if (page.x_dpi > 0 && page.y_dpi > 0) return;
    if (page.width == kA4Width) {
        page.x_dpi = kFaxXDpi;
        page.y_dpi = 196;
        return;
    }
    throw FaxError(
        ErrorCode::BadDocument,
        path.string() + ": " + page_label(number) + " has no resolution and is " +
            std::to_string(page.width) +
            " px wide, so its size on paper is unknown (only 1728 px pages may omit it)");
}

// Centre crop or white padding to `width`; counts the black pixels cut off.
BilevelPage crop_or_pad(const BilevelPage& src, uint32_t width, uint32_t& left, uint32_t& right,
                        uint64_t& black_lost) {
    BilevelPage dst = BilevelPage::blank(width, src.height, src.x_dpi, src.y_dpi);
    const bool crop = src.width > width;
    const uint32_t difference = crop ? src.width - width : width - src.width;
    left = difference / 2;
    right = difference - left;
    black_lost = 0;
    for (uint32_t y = 0; y < src.height; ++y) {
        for (uint32_t x = 0; x < src.width; ++x) {
            if (!src.black(x, y)) continue;
            if (!crop) {
                dst.set(x + left, y, true);
            } else if (x < left || x >= left + width) {
                ++black_lost;
            } else {
                dst.set(x - left, y, true);
            }
        }
    }
    return dst;
}

// How much of each source cell a destination cell covers when `from` cells are
// stretched onto `to` cells. In a common unit where a source cell is `to` long
// and a destination cell `from` long, so all weights are integers.
struct Tap {
    uint32_t source;
    uint64_t weight;
};

std::vector<std::vector<Tap>> make_taps(uint32_t from, uint32_t to) {
    std::vector<std::vector<Tap>> taps(to);
    for (uint64_t j = 0; j < to; ++j) {
        const uint64_t begin = j * from;
        const uint64_t end = begin + from;
        for (uint64_t i = begin / to; i * to < end; ++i) {
            const uint64_t overlap = std::min(end, (i + 1) * to) - std::max(begin, i * to);
            if (overlap > 0) taps[j].push_back({static_cast<uint32_t>(i), overlap});
        }
    }
    return taps;
}

// Area resampling to width x height: a destination pixel is black when at
// least a third of the source area it covers is black. The bias towards black
// keeps one-pixel lines and thin strokes when shrinking, which plain
// thresholding at a half (or nearest neighbour) drops about a third of the time.
// An axis whose size does not change is copied exactly.
BilevelPage resample(const BilevelPage& src, uint32_t width, uint32_t height) {
    BilevelPage dst = BilevelPage::blank(width, height, src.x_dpi, src.y_dpi);
    const auto x_taps = make_taps(src.width, width);
    const auto y_taps = make_taps(src.height, height);
    const uint64_t area = uint64_t{src.width} * src.height;
    std::vector<uint8_t> row(src.width);
    std::vector<uint64_t> coverage(width);
    for (uint32_t y = 0; y < height; ++y) {
        std::fill(coverage.begin(), coverage.end(), 0);
        for (const Tap& ty : y_taps[y]) {
            for (uint32_t x = 0; x < src.width; ++x) row[x] = src.black(x, ty.source);
            for (uint32_t x = 0; x < width; ++x) {
                uint64_t black = 0;
                for (const Tap& tx : x_taps[x]) black += row[tx.source] * tx.weight;
                coverage[x] += black * ty.weight;
            }
        }
        for (uint32_t x = 0; x < width; ++x) {
            if (coverage[x] * 3 >= area) dst.set(x, y, true);
        }
    }
    return dst;
}

// Brings one page to fax geometry in place. Returns a note saying what changed,
// or "" when the page is already fax-shaped (then its pixels are untouched).
std::string to_fax_geometry(BilevelPage& page, const fs::path& path, uint32_t number) {
    std::vector<std::string> changes;
    uint32_t width = page.width;
    const bool x_fax = near(page.x_dpi, kFaxXDpi);
    const bool near_a4 =
        std::fabs(static_cast<double>(page.width) - kA4Width) <= kCropTolerance * kA4Width;
    if (x_fax && !is_fax_width(page.width) && near_a4) {
        uint32_t left = 0;
        uint32_t right = 0;
        uint64_t black_lost = 0;
        const bool crop = page.width > kA4Width;
        std::string note =
            std::to_string(page.width) + " px wide at " + format_dpi(page.x_dpi) + " dpi, ";
        page = crop_or_pad(page, kA4Width, left, right, black_lost);
        width = kA4Width;
        const std::string sides = std::to_string(left) + "+" + std::to_string(right);
        if (!crop) {
            note += "padded with " + sides + " white columns to 1728";
        } else if (black_lost == 0) {
            note += "cropped " + sides + " white columns to 1728";
        } else {
            note += "cropped " + sides + " columns to 1728, losing " + std::to_string(black_lost) +
                    " black pixels";
        }
        changes.push_back(note);
    } else if (!x_fax || !is_fax_width(page.width)) {
        changes.push_back(std::to_string(page.width) + " px wide at " + format_dpi(page.x_dpi) +
                          " dpi, scaled to 1728 px");
        width = kA4Width;
    }

    uint32_t height = page.height;
    double y_dpi = fax_y_dpi(page.y_dpi);
    if (y_dpi == 0) {
        y_dpi = page.y_dpi < (98 + 196) / 2.0 ? 98 : 196;
        const double rows = std::round(page.height * y_dpi / page.y_dpi);
        if (rows > kMaxPageHeight) {
            throw FaxError(ErrorCode::BadDocument, path.string() + ": " + page_label(number) +
                                                       " is " + std::to_string(page.height) +
                                                       " rows at " + format_dpi(page.y_dpi) +
                                                       " lpi, too long to fax");
        }
        height = std::max<uint32_t>(1, static_cast<uint32_t>(rows));
        changes.push_back(format_dpi(page.y_dpi) + " lpi rescaled to " + format_dpi(y_dpi) +
                          " lpi (" + std::to_string(page.height) + " rows to " +
                          std::to_string(height) + ")");
    }
    if (width != page.width || height != page.height) page = resample(page, width, height);
    page.x_dpi = kFaxXDpi;
    page.y_dpi = y_dpi;

    if (changes.empty()) return "";
    std::string note = page_label(number) + ": " + changes[0];
    for (size_t i = 1; i < changes.size(); ++i) note += "; " + changes[i];
    return note;
}

}  // namespace

Document Document::open(const fs::path& path, const BilevelPageGate& gate) {
    std::vector<PageInfo> pages;
    visit_bilevel_pages(
        path,
        [&](BilevelPage&& page, const TiffPageTags& tags) {
            apply_missing_resolution(page, path, static_cast<uint32_t>(pages.size() + 1));
            pages.push_back(PageInfo{page.width, page.height, page.x_dpi, page.y_dpi,
                                     tags.compression, tags.photometric});
        },
        gate);
    return Document(path, std::move(pages));
}

bool Document::fax_shaped() const {
    return std::all_of(pages_.begin(), pages_.end(), [](const PageInfo& page) {
        return is_fax_width(page.width) && near(page.x_dpi, kFaxXDpi) && fax_y_dpi(page.y_dpi) > 0;
    });
}

std::vector<std::string> Document::write_fax_tiff(const fs::path& out, const BilevelPageGate& gate,
                                                  std::optional<mode_t> mode) const {
    std::vector<BilevelPage> pages;
    std::vector<std::string> notes;
    auto changed = [&] {
        return FaxError(ErrorCode::BadDocument, path_.string() + ": changed since it was opened");
    };
    visit_bilevel_pages(
        path_,
        [&](BilevelPage&& page, const TiffPageTags&) {
            const auto number = static_cast<uint32_t>(pages.size() + 1);
            if (number > pages_.size() || page.width != pages_[number - 1].width ||
                page.height != pages_[number - 1].height) {
                throw changed();
            }
            apply_missing_resolution(page, path_, number);
            std::string note = to_fax_geometry(page, path_, number);
            if (!note.empty()) notes.push_back(std::move(note));
            pages.push_back(std::move(page));
        },
        gate);
    if (pages.size() != pages_.size()) throw changed();
    write_fax_pages(out, pages, mode);
    return notes;
}

}  // namespace faxemu
