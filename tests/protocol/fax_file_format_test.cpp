#include "core/protocol/fax_file_format.hpp"

#include <gtest/gtest.h>

namespace faxemu {
namespace {

TEST(FaxFileFormat, NamesExtensionsAndMimeTypes) {
    EXPECT_EQ(parse_fax_file_format("PDF"), FaxFileFormat::Pdf);
    EXPECT_EQ(parse_fax_file_format("tif"), FaxFileFormat::Tiff);
    EXPECT_EQ(parse_fax_file_format("Tiff"), FaxFileFormat::Tiff);
    EXPECT_EQ(parse_fax_file_format("png"), FaxFileFormat::Png);
    EXPECT_EQ(parse_fax_file_format("gif"), std::nullopt);
    EXPECT_EQ(parse_fax_file_format(""), std::nullopt);
    for (auto f : {FaxFileFormat::Tiff, FaxFileFormat::Pdf, FaxFileFormat::Png})
        EXPECT_EQ(parse_fax_file_format(format_name(f)), f);
    EXPECT_EQ(file_extension(FaxFileFormat::Tiff), ".tif");
    EXPECT_EQ(mime_type(FaxFileFormat::Pdf), "application/pdf");
    EXPECT_EQ(mime_type(FaxFileFormat::Png), "image/png");
}

TEST(FaxFileFormat, FileNamesSayTheirFormatByExtensionOnly) {
    EXPECT_EQ(format_of_file_name("fax.PDF"), FaxFileFormat::Pdf);
    EXPECT_EQ(format_of_file_name("/tmp/a.b/fax.tiff"), FaxFileFormat::Tiff);
    EXPECT_EQ(format_of_file_name("page.png"), FaxFileFormat::Png);
    EXPECT_EQ(format_of_file_name("fax"), std::nullopt);
    EXPECT_EQ(format_of_file_name("out.pdf/fax"), std::nullopt);
    EXPECT_EQ(format_of_file_name("fax.gif"), std::nullopt);
}

}  // namespace
}  // namespace faxemu
