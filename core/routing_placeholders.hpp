// The placeholders of a routing method's command line ({file}, {id}, ...),
// replaced by one function for every method that runs a command (the print
// command, run-program's arguments), so a placeholder means the same wherever
// an operator writes it. Only values faxd itself decides are offered: what the
// far end sends (its TSID, caller id) reaches a program only through its
// environment, never as an argument an option parser could take for a flag.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faxemu {

// Each placeholder ("{file}") with its value for one fax.
using RoutingPlaceholders = std::vector<std::pair<std::string, std::string>>;

// `argv` with every argument that is exactly a placeholder of `values`
// replaced by its value; other arguments, and placeholders inside longer
// arguments, are kept as they are (no shell, no re-scanning of values).
std::vector<std::string> fill_placeholders(std::vector<std::string> argv,
                                           const RoutingPlaceholders& values);

// True when some argument of `argv` is exactly `placeholder`.
bool names_placeholder(const std::vector<std::string>& argv, std::string_view placeholder);

}  // namespace faxemu
