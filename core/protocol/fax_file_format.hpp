// The file formats a received fax can be had in (received.fetch's `format`,
// the folder and e-mail routing methods' setting): the TIFF-F faxd stores,
// a PDF of the same page images, or one page as a PNG. One home for their
// names, file extensions and MIME types, shared by faxd and its clients.
#pragma once

#include <optional>
#include <string_view>

namespace faxemu {

enum class FaxFileFormat { Tiff, Pdf, Png };

// "tiff" (or "tif"), "pdf", "png", in any case; nullopt for anything else.
std::optional<FaxFileFormat> parse_fax_file_format(std::string_view name);

// "tiff", "pdf", "png": the name the protocol uses.
std::string_view format_name(FaxFileFormat format);

// ".tif", ".pdf", ".png": the extension files of that format get.
std::string_view file_extension(FaxFileFormat format);

// "image/tiff", "application/pdf", "image/png".
std::string_view mime_type(FaxFileFormat format);

// The format a file name's extension says (.tif, .tiff, .pdf, .png, in any
// case), or nullopt when it says none of them.
std::optional<FaxFileFormat> format_of_file_name(std::string_view name);

}  // namespace faxemu
