// What a caller may do: a set of winfax access rights (FAX_JOB_SUBMIT ...,
// see access:: in fax_codes.hpp). Every setter of the model takes the caller's
// rights first, so the check cannot be forgotten by the protocol layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/fax_codes.hpp"

namespace faxemu {

struct CallerRights {
    std::uint32_t mask = 0;

    // True when every bit of `right` is granted (a combined right needs all of them).
    bool has(std::uint32_t right) const { return (mask & right) == right; }

    static CallerRights admin() { return {access::All}; }
    // Query rights only: may look at jobs, configuration and ports.
    static CallerRights viewer() {
        return {access::JobQuery | access::ConfigQuery | access::PortQuery};
    }
    // A viewer who may also submit faxes.
    static CallerRights sender() { return {viewer().mask | access::JobSubmit}; }
};

// The winfax names of the bits in `rights`, joined by '|': "FAX_PORT_SET".
std::string right_names(std::uint32_t rights);

// Throws FaxError(AccessDenied, "access denied: <what> needs <right names>").
void require(const CallerRights& caller, std::uint32_t right, std::string_view what);

}  // namespace faxemu
