// ports.list, port.get/set/status, routing.list/set (PROTOCOL.md "Server,
// ports, routing"): a port's settings and its inbound routing methods.
#include <spdlog/spdlog.h>

#include <set>
#include <utility>

#include "core/client_text.hpp"
#include "core/error.hpp"
#include "core/protocol/json_rpc.hpp"
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/json_views.hpp"

namespace faxemu::faxd {

void Daemon::register_port_methods(RpcServer& rpc) {
    using Session = RpcServer::Session;
    auto port_of = [this](const json& params) -> Port& {
        return server_.port(int_param<std::int32_t>(params, "device_id"));
    };

    rpc.handle("ports.list", [this](Session& s, const json&) {
        require(s.rights, access::PortQuery, "ports.list");
        json out = json::array();
        for (Port* p : server_.ports()) out.push_back(port_json(*p, s.rights));
        return out;
    });
    rpc.handle("port.get", [this, port_of](Session& s, const json& params) {
        require(s.rights, access::PortQuery, "port.get");
        return port_json(port_of(params), s.rights);
    });
    rpc.handle("port.set", [this, port_of](Session& s, const json& params) {
        Port& p = port_of(params);
        const std::string what = "port.set on port \"" + p.Name() + "\"";
        require(s.rights, access::PortSet, what);
        // Validate every value before changing any, so a bad one changes nothing.
        auto rings = opt_int_param<std::int32_t>(params, "rings");
        auto csid = opt_string_param(params, "csid");
        auto tsid = opt_string_param(params, "tsid");
        auto send = opt_bool_param(params, "send");
        auto receive = opt_bool_param(params, "receive");
        auto priority = opt_int_param<std::int32_t>(params, "priority");
        for (auto it = params.begin(); it != params.end(); ++it) {
            static const std::set<std::string> known = {"device_id", "rings",   "csid",    "tsid",
                                                        "send",      "receive", "priority"};
            if (!known.count(it.key()))
                throw rpc::RpcError(rpc::kInvalidParams,
                                    "port.set: unknown parameter " + quoted_excerpt(it.key()));
        }
        if (rings && (*rings < Port::kMinRings || *rings > Port::kMaxRings))
            throw FaxError(
                ErrorCode::InvalidParameter,
                "port \"" + p.Name() + "\": Rings must be 1 to 99, not " + std::to_string(*rings));
        if (csid) Port::validate_station_id(*csid, "Csid", p.Name());
        if (tsid) Port::validate_station_id(*tsid, "Tsid", p.Name());
        const auto n = static_cast<std::int64_t>(server_.ports().size());
        if (priority && (*priority < 1 || *priority > n))
            throw FaxError(ErrorCode::InvalidParameter,
                           "port \"" + p.Name() + "\": Priority must be 1 to " + std::to_string(n) +
                               ", not " + std::to_string(*priority));
        if (rings) p.put_Rings(s.rights, *rings);
        if (csid) p.put_Csid(s.rights, *csid);
        if (tsid) p.put_Tsid(s.rights, *tsid);
        if (send) p.put_Send(s.rights, *send);
        if (receive) p.put_Receive(s.rights, *receive);
        if (priority) server_.set_port_priority(s.rights, p.DeviceId(), *priority);
        spdlog::info("port {}: settings changed by {}", p.Name(), s.user);
        wake();
        return port_json(p, s.rights);
    });
    rpc.handle("port.status", [this, port_of](Session& s, const json& params) {
        require(s.rights, access::PortQuery, "port.status");
        return status_json(port_of(params).GetStatus(clock_));
    });

    rpc.handle("routing.list", [port_of](Session& s, const json& params) {
        require(s.rights, access::PortQuery, "routing.list");
        json out = json::array();
        for (const RoutingMethod* m : std::as_const(port_of(params)).GetRoutingMethods())
            out.push_back(routing_json(*m));
        return out;
    });
    rpc.handle("routing.set", [port_of](Session& s, const json& params) {
        Port& p = port_of(params);
        const std::string guid = string_param(params, "guid");
        RoutingMethod* m = p.routing_method(guid);
        if (!m)
            throw FaxError(ErrorCode::NotFound, "port \"" + p.Name() + "\" has no routing method " +
                                                    quoted_excerpt(guid));
        auto enable = opt_bool_param(params, "enable");
        auto data = opt_string_param(params, "data");
        if (data) m->put_RoutingData(s.rights, *data);
        if (enable) m->put_Enable(s.rights, *enable);
        if (!data && !enable) require(s.rights, access::PortSet, "routing.set");
        return routing_json(*m);
    });
}

}  // namespace faxemu::faxd
