// How faxd shows its model in the control protocol (core/protocol/PROTOCOL.md):
// ports, status, routing methods, settings, jobs and received faxes as JSON.
#pragma once

#include <nlohmann/json.hpp>

#include "core/caller_rights.hpp"
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
json job_json(const Job& job);
json attempt_json(const Attempt& attempt);
json fax_json(const ReceivedFax& fax);

// Parameter access that names the parameter when it is missing or of the wrong type
// (rpc::kInvalidParams).
std::int64_t int_param(const json& params, const char* key);
std::optional<std::int64_t> opt_int_param(const json& params, const char* key);
std::string string_param(const json& params, const char* key);
std::optional<std::string> opt_string_param(const json& params, const char* key);
std::optional<bool> opt_bool_param(const json& params, const char* key);

}  // namespace faxemu::faxd
