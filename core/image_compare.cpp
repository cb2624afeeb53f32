#include "core/image_compare.hpp"

#include <tiffio.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

#include "core/error.hpp"

namespace faxemu {

namespace fs = std::filesystem;

void BilevelPage::set(uint32_t x, uint32_t y, bool is_black) {
    uint8_t& byte = bits[y * stride() + x / 8];
    const auto mask = static_cast<uint8_t>(0x80u >> (x % 8));
    byte = is_black ? static_cast<uint8_t>(byte | mask) : static_cast<uint8_t>(byte & ~mask);
}

BilevelPage BilevelPage::blank(uint32_t width, uint32_t height, double x_dpi, double y_dpi) {
    BilevelPage page;
    page.width = width;
    page.height = height;
    page.x_dpi = x_dpi;
    page.y_dpi = y_dpi;
    page.bits.assign(page.stride() * height, 0);
    return page;
}

namespace {

// libtiff may allocate one strip's raw data at once; the biggest page we accept
// uncompressed is 10000x30000 bits = 37.5 MB, so anything beyond this is a lie.
constexpr tmsize_t kMaxLibtiffAlloc = 64 * 1024 * 1024;

// libtiff's messages for one handle. Collected rather than printed so that the
// reason a document is refused ends up in the exception, and per handle
// (TIFFOpenExt) rather than through the process-wide handlers, which other
// threads and spandsp share.
struct TiffLog {
    std::vector<std::string> errors;
    std::vector<std::string> warnings;

    void clear() {
        errors.clear();
        warnings.clear();
    }
    // " (libtiff: a; b)" or "".
    std::string because() const {
        const auto& list = errors.empty() ? warnings : errors;
        if (list.empty()) return "";
        std::string text = " (libtiff: ";
        for (size_t i = 0; i < list.size(); ++i) text += (i ? "; " : "") + list[i];
        return text + ")";
    }
};

std::string format_message(const char* fmt, va_list ap) {
    char buffer[512];
    std::vsnprintf(buffer, sizeof buffer, fmt, ap);
    std::string text = buffer;
    while (!text.empty() && (text.back() == '.' || text.back() == '\n')) text.pop_back();
    return text;
}

// Returning 1 tells libtiff the message is handled: the global handler (which
// prints to stderr) is not called.
int on_tiff_error(TIFF*, void* user, const char*, const char* fmt, va_list ap) {
    static_cast<TiffLog*>(user)->errors.push_back(format_message(fmt, ap));
    return 1;
}

int on_tiff_warning(TIFF*, void* user, const char*, const char* fmt, va_list ap) {
    static_cast<TiffLog*>(user)->warnings.push_back(format_message(fmt, ap));
    return 1;
}

struct TiffCloser {
    void operator()(TIFF* tif) const { TIFFClose(tif); }
};
using TiffPtr = std::unique_ptr<TIFF, TiffCloser>;

// `log` must outlive the handle: TIFFClose can still report.
TiffPtr open_tiff(const fs::path& path, const char* mode, TiffLog& log) {
    std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)> options(TIFFOpenOptionsAlloc(),
                                                                         &TIFFOpenOptionsFree);
    if (!options) throw std::bad_alloc();
    TIFFOpenOptionsSetErrorHandlerExtR(options.get(), &on_tiff_error, &log);
    TIFFOpenOptionsSetWarningHandlerExtR(options.get(), &on_tiff_warning, &log);
    TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), kMaxLibtiffAlloc);
    return TiffPtr(TIFFOpenExt(path.c_str(), mode, options.get()));
}

FaxError bad_document(const fs::path& path, const std::string& reason) {
    return FaxError(ErrorCode::BadDocument, path.string() + ": " + reason);
}

std::string page_prefix(uint32_t page) {
    return "page " + std::to_string(page);
}

// First bytes of a non-TIFF file, printable, for the refusal message.
std::string describe_start(const unsigned char* data, size_t size) {
    if (size == 0) return "the file is empty";
    std::string shown;
    for (size_t i = 0; i < std::min<size_t>(size, 8); ++i) {
        const unsigned char c = data[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            shown += static_cast<char>(c);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            shown += hex;
        }
    }
    return "it starts with \"" + shown + "\"";
}

// Reads the header ourselves: it tells "not a TIFF" and "no pages" apart
// precisely, where libtiff gives a generic failure for the first and opens a
// file whose first IFD offset is 0 as if nothing were wrong.
void check_header(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw FaxError(ErrorCode::Io, path.string() + ": no such file");
    if (fs::is_directory(path, ec)) {
        throw FaxError(ErrorCode::Io, path.string() + ": is a directory, not a file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FaxError(ErrorCode::Io, path.string() + ": cannot open: " + std::strerror(errno));
    unsigned char h[16] = {};
    in.read(reinterpret_cast<char*>(h), sizeof h);
    const auto n = static_cast<size_t>(in.gcount());

    const bool little = n >= 2 && h[0] == 'I' && h[1] == 'I';
    const bool big = n >= 2 && h[0] == 'M' && h[1] == 'M';
    if (n < 8 || (!little && !big)) {
        throw bad_document(path, "not a TIFF file (" + describe_start(h, n) + ")");
    }
    auto number = [&](size_t at, size_t bytes) {
        uint64_t value = 0;
        for (size_t i = 0; i < bytes; ++i) {
            const uint64_t byte = h[at + (little ? bytes - 1 - i : i)];
            value = (value << 8) | byte;
        }
        return value;
    };
    const uint64_t version = number(2, 2);
    uint64_t first_ifd = 0;
    if (version == 42) {
        first_ifd = number(4, 4);
    } else if (version == 43 && n == 16) {  // BigTIFF
        first_ifd = number(8, 8);
    } else {
        throw bad_document(path, "not a TIFF file (byte order mark followed by version " +
                                     std::to_string(version) + ", not 42)");
    }
    if (first_ifd == 0) throw bad_document(path, "has no pages (its first IFD offset is 0)");
}

std::string describe_samples(uint16_t bits, uint16_t samples, uint16_t photometric) {
    const std::string depth = std::to_string(bits) + "-bit ";
    switch (photometric) {
        case PHOTOMETRIC_MINISWHITE:
        case PHOTOMETRIC_MINISBLACK:
            if (samples == 1) return depth + "greyscale";
            return depth + "greyscale with " + std::to_string(samples - 1) + " extra samples";
        case PHOTOMETRIC_PALETTE:
            return depth + "palette colour";
        case PHOTOMETRIC_RGB:
            return depth + "RGB colour";
        case PHOTOMETRIC_SEPARATED:
            return depth + "CMYK colour";
        case PHOTOMETRIC_YCBCR:
            return "YCbCr colour";
        case PHOTOMETRIC_CIELAB:
        case PHOTOMETRIC_ICCLAB:
        case PHOTOMETRIC_ITULAB:
            return depth + "L*a*b* colour";
        default:
            return std::to_string(samples) + " samples of " + depth + "data (photometric " +
                   std::to_string(photometric) + ")";
    }
}

// Resolution in dots per inch; 0,0 when the page does not say (or gives only an
// aspect ratio). Non-positive or absurd values are refused rather than guessed.
std::pair<double, double> read_resolution(TIFF* tif, const fs::path& path, uint32_t page) {
    float x = 0;
    float y = 0;
    uint16_t unit = RESUNIT_INCH;
    const bool have_x = TIFFGetField(tif, TIFFTAG_XRESOLUTION, &x) == 1;
    const bool have_y = TIFFGetField(tif, TIFFTAG_YRESOLUTION, &y) == 1;
    TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
    if (!have_x || !have_y || unit == RESUNIT_NONE) return {0, 0};
    const double per_inch = unit == RESUNIT_CENTIMETER ? 2.54 : 1.0;
    const double x_dpi = x * per_inch;
    const double y_dpi = y * per_inch;
    auto sane = [](double dpi) { return std::isfinite(dpi) && dpi >= 1 && dpi <= 100000; };
    if (!sane(x_dpi) || !sane(y_dpi)) {
        char text[96];
        std::snprintf(text, sizeof text, " has an invalid resolution (%g x %g per %s)", x, y,
                      unit == RESUNIT_CENTIMETER ? "cm" : "inch");
        throw bad_document(path, page_prefix(page) + text);
    }
    return {x_dpi, y_dpi};
}

// Validates and decodes the current directory of `tif`.
BilevelPage read_page(TIFF* tif, const fs::path& path, uint32_t page, TiffLog& log,
                      TiffPageTags& tags, const BilevelPageGate& gate) {
    const std::string where = page_prefix(page);
    uint32_t width = 0;
    uint32_t height = 0;
    if (TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) != 1 ||
        TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height) != 1) {
        throw bad_document(path, where + " has no image size tags");
    }
    uint16_t bits = 1;
    uint16_t samples = 1;
    uint16_t photometric = PHOTOMETRIC_MINISWHITE;  // fax convention when the tag is missing
    uint16_t compression = COMPRESSION_NONE;
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
    const bool grey_scale =
        photometric == PHOTOMETRIC_MINISWHITE || photometric == PHOTOMETRIC_MINISBLACK;
    if (bits != 1 || samples != 1 || !grey_scale) {
        throw bad_document(
            path, where + " is " + describe_samples(bits, samples, photometric) + ", not bilevel");
    }
    if (width == 0 || height == 0) {
        throw bad_document(path, where + " is empty (" + std::to_string(width) + "x" +
                                     std::to_string(height) + " pixels)");
    }
    if (width > kMaxPageWidth || height > kMaxPageHeight) {
        throw bad_document(path, where + " is " + std::to_string(width) + "x" +
                                     std::to_string(height) + " pixels, larger than the " +
                                     std::to_string(kMaxPageWidth) + "x" +
                                     std::to_string(kMaxPageHeight) + " limit");
    }
    if (TIFFIsTiled(tif)) {
        throw bad_document(path, where + " is tiled; only strip-organised TIFFs are supported");
    }
    if (gate) gate(page, width, height);
    if (!TIFFIsCODECConfigured(compression)) {
        throw bad_document(path, where + " uses compression " + std::to_string(compression) +
                                     ", which this libtiff cannot decode");
    }

    BilevelPage result;
    result.width = width;
    result.height = height;
    std::tie(result.x_dpi, result.y_dpi) = read_resolution(tif, path, page);
    const size_t stride = result.stride();
    if (TIFFScanlineSize64(tif) != stride) {
        throw bad_document(path, where + " has an unexpected row size" + log.because());
    }
    result.bits.assign(stride * height, 0);

    uint32_t rows_per_strip = height;
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
    if (rows_per_strip == 0 || rows_per_strip > height) rows_per_strip = height;
    const uint32_t strips = TIFFNumberOfStrips(tif);
    // Any complaint while decoding (a short read, a bad code word, a line of the
    // wrong length) means the page would not be sent as it is stored.
    log.clear();
    uint32_t strip = 0;
    for (uint32_t row = 0; row < height; row += rows_per_strip, ++strip) {
        const uint32_t rows = std::min(rows_per_strip, height - row);
        const auto wanted = static_cast<tmsize_t>(rows * stride);
        const tmsize_t got =
            strip < strips ? TIFFReadEncodedStrip(tif, strip, &result.bits[row * stride], wanted)
                           : -1;
        if (got != wanted || !log.errors.empty() || !log.warnings.empty()) {
            std::string reason = where + " is truncated or corrupt: its data cannot be decoded";
            if (strip >= strips) reason += " (fewer strips than rows)";
            throw bad_document(path, reason + log.because());
        }
    }

    if (photometric == PHOTOMETRIC_MINISBLACK) {
        for (auto& byte : result.bits) byte = static_cast<uint8_t>(~byte);
    }
    if (width % 8 != 0) {
        const auto keep = static_cast<uint8_t>(0xFFu << (8 - width % 8));
        for (uint32_t row = 0; row < height; ++row) result.bits[row * stride + stride - 1] &= keep;
    }
    tags.compression = compression;
    tags.photometric = photometric;
    return result;
}

// TIFFSetField that throws: a refused tag would otherwise leave a file that
// only fails later, at the far end.
template <typename... Args>
void set_field(TIFF* tif, const fs::path& path, const TiffLog& log, uint32_t tag, Args... args) {
    if (TIFFSetField(tif, tag, args...) != 1) {
        throw FaxError(ErrorCode::Io, path.string() + ": cannot set TIFF tag " +
                                          std::to_string(tag) + log.because());
    }
}

bool within(double value, double target, double tolerance) {
    return std::fabs(value - target) <= tolerance * target;
}

std::string format_dpi(double dpi) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", dpi);
    return text;
}

// The first difference between two pages, or "" when equal.
// The first difference of two pages, comparing pixels from row `from_row` down;
// empty when equal.
std::string compare_pages(const BilevelPage& a, const BilevelPage& b, uint32_t page,
                          uint32_t from_row = 0) {
    const std::string where = page_prefix(page);
    if (a.width != b.width) {
        return where + ": " + std::to_string(a.width) + " px wide vs " + std::to_string(b.width);
    }
    if (a.height != b.height) {
        return where + ": " + std::to_string(a.height) + " rows vs " + std::to_string(b.height);
    }
    auto same_dpi = [](double p, double q) { return p == q || within(q, p, 0.03); };
    if (!same_dpi(a.x_dpi, b.x_dpi) || !same_dpi(a.y_dpi, b.y_dpi)) {
        return where + ": " + format_dpi(a.x_dpi) + "x" + format_dpi(a.y_dpi) + " dpi vs " +
               format_dpi(b.x_dpi) + "x" + format_dpi(b.y_dpi);
    }
    const size_t stride = a.stride();
    int64_t first_row = -1;
    uint64_t first_row_pixels = 0;
    uint64_t total_pixels = 0;
    uint64_t rows = 0;
    for (uint32_t y = from_row; y < a.height; ++y) {
        uint64_t differ = 0;
        for (size_t i = 0; i < stride; ++i) {
            differ += std::popcount(
                static_cast<unsigned>(a.bits[y * stride + i] ^ b.bits[y * stride + i]));
        }
        if (differ == 0) continue;
        if (first_row < 0) {
            first_row = y;
            first_row_pixels = differ;
        }
        total_pixels += differ;
        ++rows;
    }
    if (first_row < 0) return "";
    return where + " row " + std::to_string(first_row) + ": " + std::to_string(first_row_pixels) +
           (first_row_pixels == 1 ? " pixel differs" : " pixels differ") + " (" +
           std::to_string(total_pixels) + " in " + std::to_string(rows) +
           (rows == 1 ? " row" : " rows") + " on this page)";
}

}  // namespace

void visit_bilevel_pages(const fs::path& path, const BilevelPageVisitor& visit,
                         const BilevelPageGate& gate) {
    check_header(path);
    TiffLog log;
    // "m": no memory mapping, so a file truncated under us is a read error, not
    // SIGBUS. "c": no strip chopping, which would allocate per-row tables for a
    // huge uncompressed page before we get to refuse it.
    TiffPtr tif = open_tiff(path, "rmc", log);
    if (!tif) throw bad_document(path, "cannot be read as a TIFF file" + log.because());
    for (uint32_t page = 1;; ++page) {
        TiffPageTags tags;
        BilevelPage bilevel = read_page(tif.get(), path, page, log, tags, gate);
        visit(std::move(bilevel), tags);
        log.clear();
        if (TIFFReadDirectory(tif.get()) != 1) {
            // 0 without a message is the normal end of the chain.
            if (!log.errors.empty()) {
                throw bad_document(path, "is truncated or corrupt: the directory of " +
                                             page_prefix(page + 1) + " cannot be read" +
                                             log.because());
            }
            break;
        }
    }
}

std::vector<BilevelPage> read_bilevel_pages(const fs::path& path) {
    std::vector<BilevelPage> pages;
    visit_bilevel_pages(
        path, [&](BilevelPage&& page, const TiffPageTags&) { pages.push_back(std::move(page)); });
    return pages;
}

namespace {

void check_compression(const fs::path& path, uint16_t compression) {
    if (compression != COMPRESSION_NONE && compression != COMPRESSION_CCITTFAX3 &&
        compression != COMPRESSION_CCITTFAX4) {
        throw FaxError(ErrorCode::InvalidParameter,
                       path.string() + ": cannot write compression " + std::to_string(compression));
    }
}

void check_page_count(const fs::path& path, size_t count) {
    if (count == 0 || count > 0xFFFF) {
        throw FaxError(ErrorCode::InvalidParameter,
                       path.string() + ": cannot write " + std::to_string(count) + " pages");
    }
}

void check_page(const fs::path& path, const BilevelPage& page, uint32_t number) {
    if (page.width == 0 || page.height == 0 || page.bits.size() != page.stride() * page.height) {
        throw FaxError(ErrorCode::InvalidParameter,
                       path.string() + ": " + page_prefix(number) + " is malformed (" +
                           std::to_string(page.width) + "x" + std::to_string(page.height) +
                           " with " + std::to_string(page.bits.size()) + " bytes)");
    }
}

}  // namespace

struct BilevelTiffWriter::State {
    fs::path path;
    uint16_t total = 0;
    uint16_t compression = 0;
    bool t4_2d = false;
    uint16_t written = 0;
    TiffLog log;  // outlives tif: TIFFClose can still report
    TiffPtr tif;
    std::vector<uint8_t> buffer;
};

BilevelTiffWriter::BilevelTiffWriter(const fs::path& path, size_t total, uint16_t compression,
                                     bool t4_2d)
    : state_(std::make_unique<State>()) {
    check_compression(path, compression);
    check_page_count(path, total);
    State& st = *state_;
    st.path = path;
    st.total = static_cast<uint16_t>(total);
    st.compression = compression;
    st.t4_2d = t4_2d;
    st.tif = open_tiff(path, "w", st.log);
    if (!st.tif)
        throw FaxError(ErrorCode::Io, path.string() + ": cannot create" + st.log.because());
}

BilevelTiffWriter::~BilevelTiffWriter() = default;

void BilevelTiffWriter::add(const BilevelPage& page) {
    State& st = *state_;
    const auto number = static_cast<uint32_t>(st.written + 1);
    if (!st.tif || st.written >= st.total)
        throw FaxError(ErrorCode::InvalidParameter, st.path.string() + ": " + page_prefix(number) +
                                                        " is beyond the " +
                                                        std::to_string(st.total) + " announced");
    check_page(st.path, page, number);
    const fs::path& path = st.path;
    TiffLog& log = st.log;
    TIFF* t = st.tif.get();
    set_field(t, path, log, TIFFTAG_SUBFILETYPE, uint32_t{FILETYPE_PAGE});
    set_field(t, path, log, TIFFTAG_IMAGEWIDTH, page.width);
    set_field(t, path, log, TIFFTAG_IMAGELENGTH, page.height);
    set_field(t, path, log, TIFFTAG_BITSPERSAMPLE, 1);
    set_field(t, path, log, TIFFTAG_SAMPLESPERPIXEL, 1);
    set_field(t, path, log, TIFFTAG_COMPRESSION, static_cast<int>(st.compression));
    set_field(t, path, log, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    set_field(t, path, log, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
    set_field(t, path, log, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
    set_field(t, path, log, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    set_field(t, path, log, TIFFTAG_ROWSPERSTRIP, page.height);
    set_field(t, path, log, TIFFTAG_PAGENUMBER, static_cast<int>(st.written),
              static_cast<int>(st.total));
    set_field(t, path, log, TIFFTAG_SOFTWARE, "faxemu");
    if (page.x_dpi > 0 && page.y_dpi > 0) {
        set_field(t, path, log, TIFFTAG_XRESOLUTION, page.x_dpi);
        set_field(t, path, log, TIFFTAG_YRESOLUTION, page.y_dpi);
        set_field(t, path, log, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    }
    if (st.compression == COMPRESSION_CCITTFAX3) {
        set_field(t, path, log, TIFFTAG_GROUP3OPTIONS,
                  uint32_t{st.t4_2d ? GROUP3OPT_2DENCODING : 0u});
    } else if (st.compression == COMPRESSION_CCITTFAX4) {
        set_field(t, path, log, TIFFTAG_GROUP4OPTIONS, uint32_t{0});
    }
    if (st.compression != COMPRESSION_NONE) {
        // TIFF-F: the page is as scanned/rendered, no lines were lost in transit.
        set_field(t, path, log, TIFFTAG_CLEANFAXDATA, CLEANFAXDATA_CLEAN);
    }
    // libtiff's encoders may scribble on their input; give them a copy.
    st.buffer = page.bits;
    const auto size = static_cast<tmsize_t>(st.buffer.size());
    if (TIFFWriteEncodedStrip(t, 0, st.buffer.data(), size) != size || TIFFWriteDirectory(t) != 1) {
        throw FaxError(ErrorCode::Io,
                       path.string() + ": cannot write " + page_prefix(number) + log.because());
    }
    ++st.written;
}

void BilevelTiffWriter::close() {
    State& st = *state_;
    if (!st.tif) return;
    st.tif.reset();
    if (!st.log.errors.empty()) {
        throw FaxError(ErrorCode::Io, st.path.string() + ": cannot write" + st.log.because());
    }
    if (st.written != st.total)
        throw FaxError(ErrorCode::InvalidParameter,
                       st.path.string() + ": " + std::to_string(st.written) + " pages written, " +
                           std::to_string(st.total) + " announced");
}

void write_bilevel_pages(const fs::path& path, const std::vector<BilevelPage>& pages,
                         uint16_t compression, bool t4_2d) {
    // Everything is checked before the file is created.
    check_compression(path, compression);
    check_page_count(path, pages.size());
    for (size_t i = 0; i < pages.size(); ++i)
        check_page(path, pages[i], static_cast<uint32_t>(i + 1));
    BilevelTiffWriter writer(path, pages.size(), compression, t4_2d);
    for (const BilevelPage& page : pages) writer.add(page);
    writer.close();
}

ImageComparison compare_fax_images(const fs::path& sent, const fs::path& received) {
    return compare_fax_images_below_band(sent, received, 0);
}

uint32_t rows_for_mm(double mm, double y_dpi) {
    if (y_dpi <= 0) y_dpi = 196;
    return static_cast<uint32_t>(std::lround(mm * y_dpi / 25.4));
}

ImageComparison compare_fax_images_below_band(const fs::path& sent, const fs::path& received,
                                              double band_mm) {
    const std::vector<BilevelPage> a = read_bilevel_pages(sent);
    const std::vector<BilevelPage> b = read_bilevel_pages(received);
    auto pages = [](size_t n) { return std::to_string(n) + (n == 1 ? " page" : " pages"); };
    if (a.size() != b.size()) return {false, pages(a.size()) + " vs " + std::to_string(b.size())};
    for (size_t i = 0; i < a.size(); ++i) {
        const auto page = static_cast<uint32_t>(i + 1);
        const uint32_t band = std::min(rows_for_mm(band_mm, b[i].y_dpi), b[i].height);
        std::string difference = compare_pages(a[i], b[i], page, band);
        if (!difference.empty()) return {false, difference};
        const auto band_end = b[i].bits.begin() + static_cast<std::ptrdiff_t>(band * b[i].stride());
        if (band > 0 && std::all_of(b[i].bits.begin(), band_end, [](uint8_t v) { return v == 0; }))
            return {false, page_prefix(page) + ": no ink in the header band (rows 0 to " +
                               std::to_string(band - 1) + ")"};
    }
    if (band_mm > 0) return {true, pages(a.size()) + " identical below a header band"};
    return {true, pages(a.size()) + " identical"};
}

}  // namespace faxemu
