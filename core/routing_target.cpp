#include "core/routing_target.hpp"

namespace faxemu {

namespace {

constexpr std::string_view kFormatKey = ";format=";

}  // namespace

FaxFileFormat default_routing_format(RoutingKind kind) {
    // A mail reader opens a PDF; a folder keeps what faxd has always stored.
    return kind == RoutingKind::Email ? FaxFileFormat::Pdf : FaxFileFormat::Tiff;
}

RoutingTarget parse_routing_target(RoutingKind kind, std::string_view data) {
    RoutingTarget target;
    target.format = default_routing_format(kind);
    const auto at = data.rfind(kFormatKey);
    if ((kind != RoutingKind::Folder && kind != RoutingKind::Email) ||
        at == std::string_view::npos) {
        target.destination = std::string(data);
        return target;
    }
    target.destination = std::string(data.substr(0, at));
    const auto value = data.substr(at + kFormatKey.size());
    const auto format = parse_fax_file_format(value);
    if (!format || *format == FaxFileFormat::Png)
        target.problem = "format must be pdf or tiff, not \"" + std::string(value) + "\"";
    else
        target.format = *format;
    if (target.destination.empty() && target.problem.empty())
        target.problem = "nothing before \";format=\"";
    return target;
}

}  // namespace faxemu
