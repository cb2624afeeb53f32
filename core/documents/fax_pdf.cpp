#include "core/documents/fax_pdf.hpp"

#include <stdlib.h>
#include <tiffio.h>
#include <unistd.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/documents/document.hpp"
#include "core/error.hpp"
#include "core/image_compare.hpp"

namespace faxemu {

namespace fs = std::filesystem;

namespace {

// PDF's unit: 1/72 inch.
constexpr double kPointsPerInch = 72;

// libtiff's messages for the raw reads: the file was checked whole by
// Document::open before, so they only make the reason of an unexpected
// failure; never printed (the global handlers are shared with spandsp).
int quiet_tiff_message(TIFF*, void* user, const char*, const char* fmt, va_list ap) {
    char text[256];
    std::vsnprintf(text, sizeof text, fmt, ap);
    *static_cast<std::string*>(user) = text;
    return 1;
}

struct TiffCloser {
    void operator()(TIFF* tif) const { TIFFClose(tif); }
};
using TiffPtr = std::unique_ptr<TIFF, TiffCloser>;

TiffPtr open_for_raw_reads(const fs::path& path, std::string& last_message) {
    std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)> options(TIFFOpenOptionsAlloc(),
                                                                         &TIFFOpenOptionsFree);
    if (!options) throw std::bad_alloc();
    TIFFOpenOptionsSetErrorHandlerExtR(options.get(), &quiet_tiff_message, &last_message);
    TIFFOpenOptionsSetWarningHandlerExtR(options.get(), &quiet_tiff_message, &last_message);
    TiffPtr tif(TIFFOpenExt(path.c_str(), "r", options.get()));
    if (!tif)
        throw FaxError(ErrorCode::BadDocument,
                       path.string() + ": cannot open (libtiff: " + last_message + ")");
    return tif;
}

// The current page's G4 data as PDF's CCITTFaxDecode (K -1, BlackIs1 false)
// takes it, or nullopt when the page is stored any other way and must be
// encoded first: another compression, black-is-zero, several strips, or T.6's
// uncompressed mode.
std::optional<std::string> g4_strip_as_is(TIFF* tif) {
    uint16_t compression = 0, photometric = 0, fill_order = FILLORDER_MSB2LSB;
    uint16_t bits = 1, samples = 1;
    uint32_t g4_options = 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
    if (compression != COMPRESSION_CCITTFAX4) return std::nullopt;
    TIFFGetFieldDefaulted(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    TIFFGetFieldDefaulted(tif, TIFFTAG_FILLORDER, &fill_order);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tif, TIFFTAG_GROUP4OPTIONS, &g4_options);
    if (photometric != PHOTOMETRIC_MINISWHITE || bits != 1 || samples != 1 || TIFFIsTiled(tif) ||
        TIFFNumberOfStrips(tif) != 1 || (g4_options & GROUP4OPT_UNCOMPRESSED))
        return std::nullopt;
    const tmsize_t size = TIFFRawStripSize(tif, 0);
    if (size <= 0) return std::nullopt;
    std::string data(static_cast<size_t>(size), '\0');
    if (TIFFReadRawStrip(tif, 0, data.data(), size) != size) return std::nullopt;
    // PDF reads CCITT data most significant bit first.
    if (fill_order == FILLORDER_LSB2MSB)
        TIFFReverseBits(reinterpret_cast<uint8_t*>(data.data()), size);
    return data;
}

// Each page's G4 data, in order; nullopt for the pages g4_strip_as_is cannot take.
std::vector<std::optional<std::string>> strips_as_is(const fs::path& tiff, size_t pages) {
    std::string message;
    TiffPtr tif = open_for_raw_reads(tiff, message);
    std::vector<std::optional<std::string>> strips;
    for (size_t i = 0; i < pages; ++i) {
        if (!TIFFSetDirectory(tif.get(), static_cast<tdir_t>(i)))
            throw FaxError(ErrorCode::BadDocument,
                           tiff.string() + ": page " + std::to_string(i + 1) + " cannot be read");
        strips.push_back(g4_strip_as_is(tif.get()));
    }
    return strips;
}

// A temporary file, removed when this goes.
class TempFile {
  public:
    TempFile() {
        std::string pattern = (fs::temp_directory_path() / "faxemu-g4-XXXXXX").string();
        const int fd = ::mkstemp(pattern.data());
        if (fd < 0) throw FaxError(ErrorCode::Io, "cannot create a temporary file");
        ::close(fd);
        path_ = pattern;
    }
    ~TempFile() {
        std::error_code ignored;
        fs::remove(path_, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

// Fills the pages g4_strip_as_is could not take: decoded, then encoded as G4
// by libtiff (write_bilevel_pages writes what g4_strip_as_is takes).
void encode_missing(const fs::path& tiff, std::vector<std::optional<std::string>>& strips) {
    std::vector<BilevelPage> pages;
    std::vector<size_t> which;
    size_t index = 0;
    visit_bilevel_pages(tiff, [&](BilevelPage&& page, const TiffPageTags&) {
        if (index < strips.size() && !strips[index]) {
            pages.push_back(std::move(page));
            which.push_back(index);
        }
        ++index;
    });
    if (pages.empty()) return;
    TempFile temp;
    write_bilevel_pages(temp.path(), pages, COMPRESSION_CCITTFAX4);
    auto encoded = strips_as_is(temp.path(), pages.size());
    for (size_t i = 0; i < which.size(); ++i) {
        if (!encoded[i])
            throw FaxError(ErrorCode::Io, tiff.string() + ": page " + std::to_string(which[i] + 1) +
                                              " could not be encoded as G4");
        strips[which[i]] = std::move(encoded[i]);
    }
}

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", value);
    return text;
}

void add_page(QPDF& pdf, QPDFPageDocumentHelper& doc, const PageInfo& info, std::string g4) {
    using Obj = QPDFObjectHandle;
    const double width = info.width * kPointsPerInch / info.x_dpi;
    const double height = info.height * kPointsPerInch / info.y_dpi;

    Obj image = Obj::newStream(&pdf);
    Obj dict = image.getDict();
    dict.replaceKey("/Type", Obj::newName("/XObject"));
    dict.replaceKey("/Subtype", Obj::newName("/Image"));
    dict.replaceKey("/Width", Obj::newInteger(info.width));
    dict.replaceKey("/Height", Obj::newInteger(info.height));
    dict.replaceKey("/ColorSpace", Obj::newName("/DeviceGray"));
    dict.replaceKey("/BitsPerComponent", Obj::newInteger(1));
    Obj parms = Obj::newDictionary();
    parms.replaceKey("/K", Obj::newInteger(-1));  // pure two-dimensional: T.6 (G4)
    parms.replaceKey("/Columns", Obj::newInteger(info.width));
    parms.replaceKey("/Rows", Obj::newInteger(info.height));
    // White-is-zero in TIFF terms: CCITT's white runs are white on paper.
    parms.replaceKey("/BlackIs1", Obj::newBool(false));
    // A TIFF strip need not end with EOFB; the rows say where the page ends.
    parms.replaceKey("/EndOfBlock", Obj::newBool(false));
    // Given as already encoded: qpdf writes it as it is, with this filter.
    image.replaceStreamData(g4, Obj::newName("/CCITTFaxDecode"), parms);

    Obj contents = Obj::newStream(
        &pdf, "q " + number(width) + " 0 0 " + number(height) + " 0 0 cm /Im1 Do Q\n");
    Obj xobjects = Obj::newDictionary();
    xobjects.replaceKey("/Im1", image);
    Obj resources = Obj::newDictionary();
    resources.replaceKey("/XObject", xobjects);
    Obj page = Obj::newDictionary();
    page.replaceKey("/Type", Obj::newName("/Page"));
    page.replaceKey("/MediaBox", Obj::newArray({Obj::newInteger(0), Obj::newInteger(0),
                                                Obj::newReal(width, 4), Obj::newReal(height, 4)}));
    page.replaceKey("/Resources", resources);
    page.replaceKey("/Contents", contents);
    doc.addPage(QPDFPageObjectHelper(pdf.makeIndirectObject(page)), false);
}

}  // namespace

void write_fax_pdf(const fs::path& tiff, const fs::path& pdf_path, std::optional<mode_t> mode) {
    // Checks every page whole (decoding it) and says each one's size and resolution.
    const Document document = Document::open(tiff);
    auto strips = strips_as_is(tiff, document.page_count());
    encode_missing(tiff, strips);

    replace_atomically(
        pdf_path,
        [&](const fs::path& temp) {
            try {
                QPDF pdf;
                pdf.setSuppressWarnings(true);
                pdf.emptyPDF();
                QPDFPageDocumentHelper doc(pdf);
                for (size_t i = 0; i < document.page_count(); ++i)
                    add_page(pdf, doc, document.pages()[i], std::move(*strips[i]));
                QPDFWriter writer(pdf, temp.c_str());
                writer.setDeterministicID(true);
                writer.write();
            } catch (const FaxError&) {
                throw;
            } catch (const std::exception& e) {
                throw FaxError(ErrorCode::Io,
                               pdf_path.string() + ": cannot write the PDF: " + e.what());
            }
        },
        mode);
}

}  // namespace faxemu
