#include "tools/faxd/json_views.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <utility>

#include "core/client_text.hpp"
#include "core/error.hpp"
#include "core/protocol/error_codes.hpp"
#include "core/protocol/json_rpc.hpp"

namespace faxemu::faxd {

std::string iso_time(TimePoint t) {
    if (t.time_since_epoch().count() == 0) return "";
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(t));
}

namespace {
std::string iso_time_opt(const std::optional<TimePoint>& t) {
    return t ? iso_time(*t) : "";
}
}  // namespace

json port_json(const Port& p, const CallerRights& caller) {
    return {{"device_id", p.DeviceId()},
            {"name", p.Name()},
            {"number", p.number},
            {"kind", p.device_kind},
            {"device", p.device_description()},
            {"rings", p.Rings()},
            {"csid", p.Csid()},
            {"tsid", p.Tsid()},
            {"send", p.Send()},
            {"receive", p.Receive()},
            {"priority", p.Priority()},
            {"can_modify", p.CanModify(caller)}};
}

json status_json(const PortStatus& s) {
    return {{"device_id", s.device_id},
            {"device_name", s.device_name},
            {"device_status", static_cast<std::uint32_t>(s.device_status)},
            {"device_status_text", std::string(to_string(s.device_status))},
            {"description", s.description},
            {"send", s.send},
            {"receive", s.receive},
            {"caller_id", s.caller_id},
            {"csid", s.csid},
            {"tsid", s.tsid},
            {"address", s.address},
            {"routing_string", s.routing_string},
            {"sender_name", s.sender_name},
            {"recipient_name", s.recipient_name},
            {"document_name", s.document_name},
            {"document_size", s.document_size},
            {"current_page", s.current_page},
            {"page_count", s.page_count},
            {"start_time", iso_time(s.start_time)},
            {"submitted_time", iso_time(s.submitted_time)},
            {"elapsed_seconds", std::chrono::duration<double>(s.elapsed_time).count()},
            {"bit_rate", s.bit_rate},
            {"modem", s.modulation},
            {"resolution", s.resolution},
            {"compression", s.compression},
            {"ecm", s.ecm}};
}

json routing_json(const RoutingMethod& m) {
    return {{"device_id", m.DeviceId()},
            {"device_name", m.DeviceName()},
            {"guid", m.Guid()},
            {"name", m.info().short_name},
            {"friendly_name", m.FriendlyName()},
            {"function_name", m.FunctionName()},
            {"image_name", m.ImageName()},
            {"extension_name", m.ExtensionName()},
            {"enable", m.Enable()},
            {"data", m.RoutingData()}};
}

json settings_json(const ServerSettings& s) {
    return {{"retries", s.retries},
            {"retry_delay", s.retry_delay},
            {"dirty_days", s.dirty_days},
            {"branding", s.branding},
            {"use_device_tsid", s.use_device_tsid},
            {"server_coverpage", s.server_coverpage},
            {"pause_server_queue", s.pause_server_queue},
            {"archive_outbound_faxes", s.archive_outbound_faxes},
            {"archive_directory", s.archive_directory},
            {"server_mapi_profile", s.server_mapi_profile},
            {"discount_rate_start_hour", s.discount_rate_start_hour},
            {"discount_rate_start_minute", s.discount_rate_start_minute},
            {"discount_rate_end_hour", s.discount_rate_end_hour},
            {"discount_rate_end_minute", s.discount_rate_end_minute}};
}

namespace {

template <typename T>
void take(const json& params, const char* key, T& out) {
    auto it = params.find(key);
    if (it == params.end()) return;
    if constexpr (std::is_same_v<T, bool>) {
        if (!it->is_boolean())
            throw rpc::RpcError(rpc::kInvalidParams, std::string(key) + ": expected true or false");
        out = it->get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!it->is_string())
            throw rpc::RpcError(rpc::kInvalidParams, std::string(key) + ": expected a string");
        out = it->get<std::string>();
    } else {
        const auto v = opt_int_param<T>(params, key);  // null: no value to take
        if (!v)
            throw rpc::RpcError(rpc::kInvalidParams,
                                std::string(key) + ": expected a whole number");
        out = *v;
    }
}

}  // namespace

ServerSettings settings_from_json(ServerSettings s, const json& params) {
    const json known = settings_json(s);
    for (auto it = params.begin(); it != params.end(); ++it)
        if (!known.contains(it.key()))
            throw rpc::RpcError(rpc::kInvalidParams,
                                "unknown server setting " + quoted_excerpt(it.key()));
    take(params, "retries", s.retries);
    take(params, "retry_delay", s.retry_delay);
    take(params, "dirty_days", s.dirty_days);
    take(params, "branding", s.branding);
    take(params, "use_device_tsid", s.use_device_tsid);
    take(params, "server_coverpage", s.server_coverpage);
    take(params, "pause_server_queue", s.pause_server_queue);
    take(params, "archive_outbound_faxes", s.archive_outbound_faxes);
    take(params, "archive_directory", s.archive_directory);
    take(params, "server_mapi_profile", s.server_mapi_profile);
    take(params, "discount_rate_start_hour", s.discount_rate_start_hour);
    take(params, "discount_rate_start_minute", s.discount_rate_start_minute);
    take(params, "discount_rate_end_hour", s.discount_rate_end_hour);
    take(params, "discount_rate_end_minute", s.discount_rate_end_minute);
    return s;
}

json job_json(const Job& j, const std::string& wait_reason) {
    json out = {
        {"job_id", j.id},
        {"type", static_cast<int>(j.type)},
        {"user_name", j.user_name},
        {"state", to_string(j.state)},
        {"queue_status", queue_status_bits(j.state)},
        {"queue_status_text", queue_status_string(j)},
        {"device_status_text", j.device_id ? std::string(to_string(j.device_status)) : "Unknown"},
        {"device_id", j.device_id},
        {"page_count", j.page_count},
        {"pages_sent", j.pages_sent},
        {"fax_number", j.fax_number},
        {"recipient_name", j.recipient_name},
        {"tsid", j.tsid},
        {"sender_name", j.sender_name},
        {"sender_company", j.sender_company},
        {"sender_dept", j.sender_dept},
        {"billing_code", j.billing_code},
        {"display_name", j.display_name},
        {"discount_send", j.discount_send},
        {"size", j.size},
        {"attempts", j.attempts},
        {"submitted", iso_time(j.submitted)},
        {"next_attempt", is_final(j.state) ? "" : iso_time(j.next_attempt)},
        {"finished", iso_time_opt(j.finished)},
        {"last_error", j.last_error},
        {"last_t30_cause", j.last_t30_cause},
        {"last_failure", to_string(j.last_failure)},
        {"wait_reason", wait_reason},
        {"priority", j.priority},
        {"send_at", iso_time_opt(j.send_at)},
        {"ports", j.ports},
        {"retries", j.max_retries},
        {"failures",
         {{"busy", j.failures.busy},
          {"no_answer", j.failures.no_answer},
          {"no_carrier", j.failures.no_carrier},
          {"other", j.failures.other},
          {"dials", j.failures.dials()},
          {"tries", j.failures.tries()}}}};
    if (!j.notify_address.empty())
        out["notify"] = {{"address", j.notify_address}, {"when", to_string(j.notify_when)}};
    if (j.conversion) {
        const ConversionProgress& p = *j.conversion;
        out["conversion"] = {{"document", p.document},
                             {"index", p.index},
                             {"documents", p.documents},
                             {"pages_done", p.pages_done}};
        if (p.pages_total) out["conversion"]["pages_total"] = *p.pages_total;
    }
    return out;
}

json attempt_json(const Attempt& a) {
    return {{"number", a.number},
            {"device_id", a.device_id},
            {"start", iso_time(a.start)},
            {"end", iso_time_opt(a.end)},
            {"interrupted", !a.end.has_value()},
            {"first_page", a.first_page},
            {"pages_sent", a.pages_sent},
            {"status", std::string(to_string(a.status))},
            {"failure", to_string(a.failure)},
            {"t30_cause", a.t30_cause},
            {"cause", a.cause_text}};
}

json fax_json(const ReceivedFax& f) {
    json routing = json::array();
    for (const RoutingOutcome& r : f.routing)
        routing.push_back({{"guid", r.guid},
                           {"data", r.routing_data},
                           {"done", r.done},
                           {"tries", r.tries},
                           {"detail", r.detail},
                           {"next_try", iso_time_opt(r.next_try)}});
    return {{"id", f.id},
            {"device_id", f.device_id},
            {"port_name", f.port_name},
            {"pages", f.pages},
            {"remote_ident", f.remote_ident},
            {"caller_id", f.caller_id},
            {"csid", f.csid},
            {"start", iso_time(f.start)},
            {"end", iso_time_opt(f.end)},
            {"partial", f.partial},
            {"status", f.status},
            {"cause", f.cause_text},
            {"bit_rate", f.bit_rate},
            {"resolution", f.resolution},
            {"compression", f.compression},
            {"routing", routing}};
}

void throw_missing(const char* key) {
    throw rpc::RpcError(rpc::kInvalidParams, std::string("missing parameter ") + key);
}

std::optional<std::int64_t> opt_int_param_in(const json& params, const char* key, std::int64_t min,
                                             std::int64_t max) {
    auto it = params.find(key);
    if (it == params.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer())
        throw rpc::RpcError(rpc::kInvalidParams, std::string(key) + ": expected a whole number");
    // The parser keeps non-negative integers unsigned: one past INT64_MAX must
    // not be read back as a negative number.
    std::optional<std::int64_t> v;
    std::string shown;
    if (it->is_number_unsigned()) {
        const auto u = it->get<std::uint64_t>();
        if (std::in_range<std::int64_t>(u)) v = static_cast<std::int64_t>(u);
        shown = std::to_string(u);
    } else {
        v = it->get<std::int64_t>();
        shown = std::to_string(*v);
    }
    if (!v || *v < min || *v > max)
        throw rpc::RpcError(rpc::kInvalidParams, std::string(key) + ": " + shown +
                                                     " is out of range (" + std::to_string(min) +
                                                     " to " + std::to_string(max) + ")");
    return v;
}

std::optional<std::string> opt_string_param(const json& params, const char* key) {
    auto it = params.find(key);
    if (it == params.end() || it->is_null()) return std::nullopt;
    if (!it->is_string())
        throw rpc::RpcError(rpc::kInvalidParams, std::string(key) + ": expected a string");
    return it->get<std::string>();
}

std::string string_param(const json& params, const char* key) {
    auto v = opt_string_param(params, key);
    if (!v) throw rpc::RpcError(rpc::kInvalidParams, std::string("missing parameter ") + key);
    return *v;
}

std::optional<bool> opt_bool_param(const json& params, const char* key) {
    auto it = params.find(key);
    if (it == params.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean())
        throw rpc::RpcError(rpc::kInvalidParams, std::string(key) + ": expected true or false");
    return it->get<bool>();
}

std::optional<CoverPageInfo> cover_page_param(const json& params, const Job& job) {
    auto it = params.find("cover");
    if (it == params.end() || it->is_null()) return std::nullopt;
    if (!it->is_object())
        throw rpc::RpcError(rpc::kInvalidParams,
                            "cover: expected {template? | document + name?, fields...}");
    const json& c = *it;
    for (const auto& [key, value] : c.items()) {
        // "document" and "name": a template of the client's own (job.submit).
        bool known = key == "template" || key == "document" || key == "name";
        for (const auto& field : cover_page_fields()) known = known || key == field.first;
        if (!known)
            throw rpc::RpcError(rpc::kInvalidParams,
                                "cover: " + quoted_excerpt(key) + " is not a cover page field");
    }
    CoverPageInfo info;
    info.template_name = opt_string_param(c, "template").value_or("");
    if (auto why = one_line_problem(info.template_name, 64); !why.empty())
        throw rpc::RpcError(rpc::kInvalidParams, "cover.template: " + why);
    for (const auto& [key, member] : cover_page_fields()) {
        std::string value = opt_string_param(c, key).value_or("");
        const bool note = std::string_view(key) == "note";
        // The note is a paragraph or more; every other field is one line.
        std::string checked =
            note ? replace_all(replace_all(value, "\r\n", " "), "\n", " ") : value;
        if (auto why = one_line_problem(checked, note ? 4000 : 256); !why.empty())
            throw rpc::RpcError(rpc::kInvalidParams, std::string("cover.") + key + ": " + why);
        info.*member = std::move(value);
    }
    auto or_job = [](std::string& field, const std::string& from_job) {
        if (field.empty()) field = from_job;
    };
    or_job(info.recipient_name, job.recipient_name);
    or_job(info.recipient_fax_number, job.fax_number);
    or_job(info.sender_name, job.sender_name);
    or_job(info.sender_company, job.sender_company);
    or_job(info.sender_department, job.sender_dept);
    or_job(info.tsid, job.tsid);
    return info;
}

}  // namespace faxemu::faxd
