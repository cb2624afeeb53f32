#include "core/protocol/fax_file_format.hpp"

#include <algorithm>
#include <string>

namespace faxemu {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

}  // namespace

std::optional<FaxFileFormat> parse_fax_file_format(std::string_view name) {
    const std::string n = lower(name);
    if (n == "tiff" || n == "tif") return FaxFileFormat::Tiff;
    if (n == "pdf") return FaxFileFormat::Pdf;
    if (n == "png") return FaxFileFormat::Png;
    return std::nullopt;
}

std::string_view format_name(FaxFileFormat format) {
    switch (format) {
        case FaxFileFormat::Pdf:
            return "pdf";
        case FaxFileFormat::Png:
            return "png";
        case FaxFileFormat::Tiff:
            break;
    }
    return "tiff";
}

std::string_view file_extension(FaxFileFormat format) {
    switch (format) {
        case FaxFileFormat::Pdf:
            return ".pdf";
        case FaxFileFormat::Png:
            return ".png";
        case FaxFileFormat::Tiff:
            break;
    }
    return ".tif";
}

std::string_view mime_type(FaxFileFormat format) {
    switch (format) {
        case FaxFileFormat::Pdf:
            return "application/pdf";
        case FaxFileFormat::Png:
            return "image/png";
        case FaxFileFormat::Tiff:
            break;
    }
    return "image/tiff";
}

std::optional<FaxFileFormat> format_of_file_name(std::string_view name) {
    const auto dot = name.rfind('.');
    const auto slash = name.find_last_of("/\\");
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
        return std::nullopt;
    return parse_fax_file_format(name.substr(dot + 1));
}

}  // namespace faxemu
