#include "tools/faxctl/fetch_target.hpp"

#include <stdexcept>

namespace faxemu::faxctl {

FetchTarget fetch_target(std::int64_t id, const std::string& format, const std::string& output,
                         std::optional<std::int32_t> page) {
    FetchTarget t;
    std::optional<FaxFileFormat> chosen;
    if (!format.empty()) {
        chosen = parse_fax_file_format(format);
        if (!chosen) throw std::runtime_error("--format " + format + ": expected tiff, pdf or png");
    }
    const auto named = output.empty() ? std::nullopt : format_of_file_name(output);
    if (chosen && named && *chosen != *named)
        throw std::runtime_error("--format " + std::string(format_name(*chosen)) +
                                 " contradicts the output name " + output + " (a " +
                                 std::string(format_name(*named)) + " name); name the file *" +
                                 std::string(file_extension(*chosen)) + " or leave out --format");
    t.format = chosen ? *chosen : named ? *named : page ? FaxFileFormat::Png : FaxFileFormat::Tiff;
    if (page && t.format != FaxFileFormat::Png)
        throw std::runtime_error("--page is for --format png (a " +
                                 std::string(format_name(t.format)) + " holds every page)");
    if (t.format == FaxFileFormat::Png) {
        t.page = page.value_or(1);
        if (t.page < 1) throw std::runtime_error("--page counts from 1");
    }
    t.path = output;
    if (t.path.empty()) {
        t.path = "fax-" + std::to_string(id);
        if (t.format == FaxFileFormat::Png) t.path += "-page-" + std::to_string(t.page);
        t.path += file_extension(t.format);
    }
    return t;
}

}  // namespace faxemu::faxctl
