#include "core/documents/fax_pdf.hpp"

#include <gtest/gtest.h>
#include <tiffio.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "tests/support/fax_images.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using test::fixture;

// One page of a PDF as the test reads it back with qpdf: its size and its
// image's stream, still CCITT-encoded.
struct PdfPage {
    double width_pt = 0;
    double height_pt = 0;
    int image_width = 0;
    int image_height = 0;
    std::string filter;
    int k = 0;
    bool black_is_1 = true;
    std::string g4;
};

std::vector<PdfPage> read_pdf(const fs::path& path) {
    QPDF pdf;
    pdf.processFile(path.c_str());
    std::vector<PdfPage> out;
    for (auto& page : QPDFPageDocumentHelper(pdf).getAllPages()) {
        PdfPage p;
        auto box = page.getObjectHandle().getKey("/MediaBox");
        p.width_pt = box.getArrayItem(2).getNumericValue();
        p.height_pt = box.getArrayItem(3).getNumericValue();
        auto image = page.getObjectHandle().getKey("/Resources").getKey("/XObject").getKey("/Im1");
        auto dict = image.getDict();
        p.image_width = dict.getKey("/Width").getIntValueAsInt();
        p.image_height = dict.getKey("/Height").getIntValueAsInt();
        p.filter = dict.getKey("/Filter").getName();
        auto parms = dict.getKey("/DecodeParms");
        p.k = parms.getKey("/K").getIntValueAsInt();
        p.black_is_1 = parms.getKey("/BlackIs1").getBoolValue();
        auto raw = image.getRawStreamData();
        p.g4.assign(reinterpret_cast<const char*>(raw->getBuffer()), raw->getSize());
        out.push_back(std::move(p));
    }
    return out;
}

// A PDF page's image decoded by libtiff: its G4 data as the one strip of a TIFF.
BilevelPage decode(const PdfPage& p, const fs::path& scratch) {
    const fs::path tiff = scratch / "extracted.tif";
    TIFF* t = TIFFOpen(tiff.c_str(), "w");
    EXPECT_NE(t, nullptr);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(p.image_width));
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(p.image_height));
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(t, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, static_cast<uint32_t>(p.image_height));
    TIFFWriteRawStrip(t, 0, const_cast<char*>(p.g4.data()), static_cast<tmsize_t>(p.g4.size()));
    TIFFClose(t);
    auto pages = read_bilevel_pages(tiff);
    EXPECT_EQ(pages.size(), 1u);
    return pages.at(0);
}

// The first strip of each page of a TIFF, as stored.
std::vector<std::string> raw_strips(const fs::path& path) {
    std::vector<std::string> out;
    TIFF* t = TIFFOpen(path.c_str(), "r");
    do {
        std::string data(static_cast<size_t>(TIFFRawStripSize(t, 0)), '\0');
        TIFFReadRawStrip(t, 0, data.data(), static_cast<tmsize_t>(data.size()));
        out.push_back(data);
    } while (TIFFReadDirectory(t));
    TIFFClose(t);
    return out;
}

class FaxPdfTest : public ::testing::Test {
  protected:
    // Converts `tiff` and checks what every PDF of a fax must be: qpdf finds
    // nothing wrong, one page per TIFF page at the image's true size, each
    // image G4 and pixel for pixel the TIFF's page.
    std::vector<PdfPage> convert_and_check(const fs::path& tiff) {
        const fs::path pdf = dir_ / "fax.pdf";
        write_fax_pdf(tiff, pdf);
        std::string output;
        EXPECT_EQ(test::run({"/usr/bin/qpdf", "--check", pdf.string()}, output, dir_), 0) << output;
        const auto expected = read_bilevel_pages(tiff);
        auto pages = read_pdf(pdf);
        EXPECT_EQ(pages.size(), expected.size());
        for (size_t i = 0; i < std::min(pages.size(), expected.size()); ++i) {
            SCOPED_TRACE("page " + std::to_string(i + 1));
            const auto& p = pages[i];
            const auto& e = expected[i];
            EXPECT_EQ(p.filter, "/CCITTFaxDecode");
            EXPECT_EQ(p.k, -1);
            EXPECT_FALSE(p.black_is_1);
            EXPECT_EQ(p.image_width, static_cast<int>(e.width));
            EXPECT_EQ(p.image_height, static_cast<int>(e.height));
            EXPECT_NEAR(p.width_pt, e.width * 72.0 / e.x_dpi, 0.001);
            EXPECT_NEAR(p.height_pt, e.height * 72.0 / e.y_dpi, 0.001);
            EXPECT_TRUE(decode(p, dir_).bits == e.bits) << "the image's pixels differ";
        }
        return pages;
    }

    test::TempDir tmp_;
    const fs::path dir_ = tmp_.path();
};

// Ghostscript shows each page as the fax has it, at the page's resolution.
TEST_F(FaxPdfTest, FineFaxRendersPixelForPixel) {
    const fs::path tiff = fixture("documents/letter-fine-mmr.tif");
    EXPECT_EQ(convert_and_check(tiff).size(), 3u);
    EXPECT_EQ(test::pdf_differs_from_tiff(dir_ / "fax.pdf", tiff, dir_), "");
}

TEST_F(FaxPdfTest, StandardFaxRendersPixelForPixel) {
    const fs::path tiff = fixture("documents/letter-std-mmr.tif");
    EXPECT_EQ(convert_and_check(tiff).size(), 3u);
    EXPECT_EQ(test::pdf_differs_from_tiff(dir_ / "fax.pdf", tiff, dir_), "");
}

TEST_F(FaxPdfTest, MixedResolutionPagesEachKeepTheirOwnSize) {
    const fs::path tiff = fixture("documents/mixed-res.tif");
    const auto pages = convert_and_check(tiff);
    ASSERT_EQ(pages.size(), 2u);
    // Fine then standard: the same paper, half the rows.
    EXPECT_EQ(pages[0].image_height, 2 * pages[1].image_height);
    EXPECT_NEAR(pages[0].height_pt, pages[1].height_pt, 0.001);
    EXPECT_EQ(test::pdf_differs_from_tiff(dir_ / "fax.pdf", tiff, dir_), "");
}

TEST_F(FaxPdfTest, SingleStripG4GoesInByteForByte) {
    // As spandsp stores a received page, and as the fax TIFFs faxd writes.
    const fs::path tiff = dir_ / "one-strip.tif";
    write_bilevel_pages(tiff, read_bilevel_pages(fixture("documents/letter-fine-mmr.tif")),
                        COMPRESSION_CCITTFAX4);
    const auto pages = convert_and_check(tiff);
    const auto strips = raw_strips(tiff);
    ASSERT_EQ(pages.size(), strips.size());
    for (size_t i = 0; i < pages.size(); ++i) EXPECT_TRUE(pages[i].g4 == strips[i]) << i;
}

TEST_F(FaxPdfTest, LeastSignificantBitFirstG4IsReversedNotReencoded) {
    const fs::path msb = dir_ / "msb.tif";
    write_bilevel_pages(msb, read_bilevel_pages(fixture("documents/short-fine-mmr.tif")),
                        COMPRESSION_CCITTFAX4);
    const fs::path lsb = dir_ / "lsb.tif";
    std::string output;
    ASSERT_EQ(test::run({"/usr/bin/tiffcp", "-f", "lsb2msb", "-c", "g4", "-r", "100000",
                         msb.string(), lsb.string()},
                        output, dir_),
              0)
        << output;
    const auto pages = convert_and_check(lsb);
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_TRUE(pages[0].g4 == raw_strips(msb)[0]);
}

TEST_F(FaxPdfTest, OtherCodingsAreEncodedAsG4) {
    // MH, black-is-zero, LSB first: nothing of it can go in as it is.
    convert_and_check(fixture("documents/short-fine-mh-lsb-minisblack.tif"));
    convert_and_check(fixture("documents/letter-fine-mr.tif"));
}

TEST_F(FaxPdfTest, SameFaxSameBytes) {
    write_fax_pdf(fixture("documents/mixed-res.tif"), dir_ / "a.pdf");
    write_fax_pdf(fixture("documents/mixed-res.tif"), dir_ / "b.pdf");
    EXPECT_EQ(test::read_text(dir_ / "a.pdf"), test::read_text(dir_ / "b.pdf"));
}

TEST_F(FaxPdfTest, NotATiffIsRefusedAndNothingIsWritten) {
    EXPECT_EQ(
        test::code_of([&] { write_fax_pdf(fixture("documents/rects-a4.pdf"), dir_ / "out.pdf"); }),
        ErrorCode::BadDocument);
    EXPECT_FALSE(fs::exists(dir_ / "out.pdf"));
}

}  // namespace
}  // namespace faxemu
