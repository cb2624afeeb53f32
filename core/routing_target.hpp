// A routing method's RoutingData split into where a received fax goes and the
// format it goes in. Store-in-folder and e-mail take the format as an optional
// suffix, so that it travels wherever RoutingData does (the control protocol,
// the COM shim's FaxRoutingMethod.RoutingData, stored port settings):
//
//   /srv/faxes                    folder, TIFF (the default: as before)
//   /srv/faxes;format=pdf         folder, PDF
//   office@example.com            e-mail, PDF (the default for e-mail)
//   office@example.com;format=tiff
//
// The suffix is the last ";format=" and what follows it (pdf or tiff, in any
// case); a folder whose own name contains ";format=" cannot be named. Print and
// run-program data are taken whole: they have no format.
#pragma once

#include <string>
#include <string_view>

#include "core/protocol/fax_file_format.hpp"
#include "core/routing_method.hpp"

namespace faxemu {

struct RoutingTarget {
    std::string destination;  // the folder, address, printer or program
    FaxFileFormat format = FaxFileFormat::Tiff;
    std::string problem;  // why the format part is unacceptable, or empty
};

// The format a method uses when its RoutingData names none.
FaxFileFormat default_routing_format(RoutingKind kind);

RoutingTarget parse_routing_target(RoutingKind kind, std::string_view data);

}  // namespace faxemu
