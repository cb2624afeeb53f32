#include "core/protocol/fax_file_format.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace faxemu {

namespace {

struct FormatFacts {
    FaxFileFormat format;
    std::string_view name;
    std::string_view extension;
    std::string_view mime_type;
};

constexpr std::array<FormatFacts, 3> kFormats{{
    {FaxFileFormat::Tiff, "tiff", ".tif", "image/tiff"},
    {FaxFileFormat::Pdf, "pdf", ".pdf", "application/pdf"},
    {FaxFileFormat::Png, "png", ".png", "image/png"},
}};

const FormatFacts& facts(FaxFileFormat format) {
    for (const auto& f : kFormats)
        if (f.format == format) return f;
    return kFormats[0];
}

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
    if (n == "tif") return FaxFileFormat::Tiff;
    for (const auto& f : kFormats)
        if (n == f.name) return f.format;
    return std::nullopt;
}

std::string_view format_name(FaxFileFormat format) {
    return facts(format).name;
}

std::string_view file_extension(FaxFileFormat format) {
    return facts(format).extension;
}

std::string_view mime_type(FaxFileFormat format) {
    return facts(format).mime_type;
}

std::optional<FaxFileFormat> format_of_file_name(std::string_view name) {
    const auto dot = name.rfind('.');
    const auto slash = name.find_last_of("/\\");
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
        return std::nullopt;
    return parse_fax_file_format(name.substr(dot + 1));
}

}  // namespace faxemu
