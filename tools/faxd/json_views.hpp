// How faxd shows its model in the control protocol (core/protocol/PROTOCOL.md):
// ports, status, routing methods, settings, jobs and received faxes as JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "core/caller_rights.hpp"
#include "core/documents/cover_page.hpp"
#include "core/fax_server.hpp"
#include "core/job.hpp"
#include "core/port.hpp"
#include "core/received_fax.hpp"

namespace faxemu::faxd {

using json = nlohmann::json;

std::string iso_time(TimePoint t);  // "" for the epoch (unset)
json port_json(const Port& port, const CallerRights& caller);
json status_json(const PortStatus& status);
json routing_json(const RoutingMethod& method);
json settings_json(const ServerSettings& settings);
// Applies the keys present in `params` over `settings`; throws FaxError(InvalidParameter)
// naming a key of the wrong type or an unknown key.
ServerSettings settings_from_json(ServerSettings settings, const json& params);
// `wait_reason`: why a due job is not sent though ports are idle (Scheduler::wait_reason).
json job_json(const Job& job, const std::string& wait_reason = {});
json attempt_json(const Attempt& attempt);
json fax_json(const ReceivedFax& fax);

// Parameter access that names the parameter when it is missing or of the wrong type
// (rpc::kInvalidParams).
//
[[noreturn]] void throw_missing(const char* key);

// Integers: the one checked way to read one. A JSON integer that does not fit
// [min, max] is refused, never wrapped (2^32+2 must not become 2).
std::optional<std::int64_t> opt_int_param_in(const json& params, const char* key, std::int64_t min,
                                             std::int64_t max);
// An integer parameter of the field's type T (std::int32_t for a DeviceId, ...).
template <std::integral T = std::int64_t>
std::optional<T> opt_int_param(const json& params, const char* key) {
    static_assert(sizeof(T) < sizeof(std::int64_t) || std::is_signed_v<T>,
                  "a 64-bit unsigned field does not fit the checked range");
    const auto v =
        opt_int_param_in(params, key, std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
    if (!v) return std::nullopt;
    return static_cast<T>(*v);
}
template <std::integral T = std::int64_t>
T int_param(const json& params, const char* key) {
    auto v = opt_int_param<T>(params, key);
    if (!v) throw_missing(key);
    return *v;
}
std::string string_param(const json& params, const char* key);
std::optional<std::string> opt_string_param(const json& params, const char* key);
std::optional<bool> opt_bool_param(const json& params, const char* key);

// job.submit's "cover" ({template?, recipient_name?, ..., note?, subject?}), or
// none when absent; its "document" and "name" (a template of the client's own)
// are the caller's to read. Fields the client leaves out come from the job (recipient,
// number, sender, company, department, TSID). Throws RpcError(kInvalidParams)
// naming a field that is not text of one line (the note may have several) or
// is too long.
std::optional<CoverPageInfo> cover_page_param(const json& params, const Job& job);

}  // namespace faxemu::faxd
