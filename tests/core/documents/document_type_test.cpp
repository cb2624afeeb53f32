// A document's type comes from its content, whatever its name says.
#include "core/documents/document_type.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

DocumentType sniff(const std::string& bytes) {
    return sniff_document_type(
        std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

TEST(DocumentType, MagicBytesDecide) {
    EXPECT_EQ(sniff(""), DocumentType::Empty);
    EXPECT_EQ(sniff("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), DocumentType::Pdf);
    EXPECT_EQ(sniff(std::string(100, ' ') + "%PDF-1.4\n"), DocumentType::Pdf);  // junk before it
    EXPECT_EQ(sniff("%!PS-Adobe-3.0\n"), DocumentType::PostScript);
    EXPECT_EQ(sniff(std::string("\xC5\xD0\xD3\xC6\x20\0\0\0", 8)), DocumentType::PostScript);
    EXPECT_EQ(sniff(std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16)), DocumentType::Png);
    EXPECT_EQ(sniff("\xFF\xD8\xFF\xE0\x00\x10JFIF"), DocumentType::Jpeg);
    EXPECT_EQ(sniff("GIF89a\x01\x00"), DocumentType::Gif);
    std::string bmp("BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0", 18);
    EXPECT_EQ(sniff(bmp), DocumentType::Bmp);
    EXPECT_EQ(sniff("BMW drivers, read this\n"), DocumentType::Text);
    EXPECT_EQ(sniff("Dear Sir,\n\tthank you.\f\xC3\xA9t\xC3\xA9 \xE2\x82\xAC\r\n"),
              DocumentType::Text);
    EXPECT_EQ(sniff("\xEF\xBB\xBFwith a BOM\n"), DocumentType::Text);
    EXPECT_EQ(sniff("cut at the end \xE2\x82"), DocumentType::Text);  // a prefix of UTF-8
    EXPECT_EQ(sniff(std::string("bin\0ary", 7)), DocumentType::Unknown);
    EXPECT_EQ(sniff("Latin-1 \xE9t\xE9\n"), DocumentType::Unknown);
    EXPECT_EQ(sniff("\x7F"
                    "ELF\x02\x01"),
              DocumentType::Unknown);
}

TEST(DocumentType, TiffKindsComeFromTheFirstPagesTags) {
    EXPECT_EQ(detect_document_type(test::fixture("documents/letter-fine-mmr.tif")),
              DocumentType::BilevelTiff);
    EXPECT_EQ(detect_document_type(test::fixture("documents/short-fine-mh-lsb-minisblack.tif")),
              DocumentType::BilevelTiff);
    // A corrupt TIFF is still a TIFF: its reader says what is wrong with it.
    EXPECT_EQ(detect_document_type(test::fixture("malformed/huge.tif")), DocumentType::BilevelTiff);
    EXPECT_EQ(detect_document_type(test::fixture("malformed/zero-pages.tif")),
              DocumentType::BilevelTiff);
    EXPECT_EQ(detect_document_type(test::fixture("malformed/not-a-tiff.tif")), DocumentType::Text);

    test::TempDir tmp;
    const auto grey = tmp.path() / "grey.tif";
    const auto rgb = tmp.path() / "rgb.tif";
    for (const auto& [path, samples, bits, photometric] :
         {std::tuple{grey, 1, 8, 1}, std::tuple{rgb, 3, 8, 2}}) {
        // Written with the TIFF header and one directory by hand (little-endian).
        std::vector<std::uint8_t> f = {'I', 'I', 42, 0, 8, 0, 0, 0};
        auto u16 = [&](unsigned v) {
            f.push_back(v & 0xFF);
            f.push_back(v >> 8 & 0xFF);
        };
        auto entry = [&](unsigned tag, unsigned value) {
            u16(tag);
            u16(3);
            u16(1);
            u16(0);
            u16(value);
            u16(0);
        };
        u16(3);
        entry(258, bits);
        entry(262, photometric);
        entry(277, samples);
        f.insert(f.end(), 4, 0);
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size()));
    }
    EXPECT_EQ(detect_document_type(grey), DocumentType::GreyTiff);
    EXPECT_EQ(detect_document_type(rgb), DocumentType::ColourTiff);
}

TEST(DocumentType, ANameNeverDecides) {
    test::TempDir tmp;
    const auto pdf_named_tif = tmp.path() / "fax.tif";
    std::ofstream(pdf_named_tif) << "%PDF-1.4\n1 0 obj\n";
    EXPECT_EQ(detect_document_type(pdf_named_tif), DocumentType::Pdf);
    EXPECT_THROW(detect_document_type(tmp.path() / "missing.pdf"), FaxError);
}

TEST(DocumentType, UnsupportedTypesHaveAReasonNamingTheFile) {
    EXPECT_EQ(unsupported_reason(DocumentType::Pdf, "a.pdf"), "");
    EXPECT_EQ(unsupported_reason(DocumentType::BilevelTiff, "a.tif"), "");
    EXPECT_EQ(unsupported_reason(DocumentType::Empty, "blank.pdf"),
              "\"blank.pdf\": is empty (0 bytes), there is nothing to fax");
    EXPECT_NE(unsupported_reason(DocumentType::Unknown, "x.bin")
                  .find("\"x.bin\": is not a document type"),
              std::string::npos);
    // Text and every image type are converted too.
    for (DocumentType type : {DocumentType::Text, DocumentType::Png, DocumentType::Jpeg,
                              DocumentType::Gif, DocumentType::Bmp, DocumentType::GreyTiff,
                              DocumentType::ColourTiff, DocumentType::PostScript})
        EXPECT_EQ(unsupported_reason(type, "x"), "") << to_string(type);
}

}  // namespace
}  // namespace faxemu
