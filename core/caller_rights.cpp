#include "core/caller_rights.hpp"

#include <array>
#include <utility>

#include "core/error.hpp"

namespace faxemu {

std::string right_names(std::uint32_t rights) {
    static constexpr std::array<std::pair<std::uint32_t, std::string_view>, 7> kNames{{
        {access::JobSubmit, "FAX_JOB_SUBMIT"},
        {access::JobQuery, "FAX_JOB_QUERY"},
        {access::ConfigQuery, "FAX_CONFIG_QUERY"},
        {access::ConfigSet, "FAX_CONFIG_SET"},
        {access::PortQuery, "FAX_PORT_QUERY"},
        {access::PortSet, "FAX_PORT_SET"},
        {access::JobManage, "FAX_JOB_MANAGE"},
    }};
    std::string out;
    for (const auto& [bit, name] : kNames) {
        if ((rights & bit) == 0) continue;
        if (!out.empty()) out += '|';
        out += name;
    }
    return out;
}

void require(const CallerRights& caller, std::uint32_t right, std::string_view what) {
    if (caller.has(right)) return;
    throw FaxError(ErrorCode::AccessDenied,
                   "access denied: " + std::string(what) + " needs " + right_names(right));
}

}  // namespace faxemu
