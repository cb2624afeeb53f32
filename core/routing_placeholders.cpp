#include "core/routing_placeholders.hpp"

#include <algorithm>

namespace faxemu {

std::vector<std::string> fill_placeholders(std::vector<std::string> argv,
                                           const RoutingPlaceholders& values) {
    for (std::string& arg : argv) {
        const auto it = std::find_if(values.begin(), values.end(),
                                     [&](const auto& v) { return v.first == arg; });
        if (it != values.end()) arg = it->second;
    }
    return argv;
}

bool names_placeholder(const std::vector<std::string>& argv, std::string_view placeholder) {
    return std::find(argv.begin(), argv.end(), placeholder) != argv.end();
}

}  // namespace faxemu
