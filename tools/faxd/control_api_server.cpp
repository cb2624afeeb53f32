// server.get and server.set (PROTOCOL.md "Server, ports, routing"): the
// server-wide settings, saved in the store so they outlive a restart; and
// server.load: how late the line threads' ticks run, and their CPU.
#include <spdlog/spdlog.h>

#include "core/protocol/json_rpc.hpp"
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/json_views.hpp"

namespace faxemu::faxd {

void Daemon::register_server_methods(RpcServer& rpc) {
    using Session = RpcServer::Session;
    rpc.handle("server.get", [this](Session& s, const json&) {
        require(s.rights, access::ConfigQuery, "server.get");
        return settings_json(server_.settings());
    });
    rpc.handle("server.set", [this](Session& s, const json& params) {
        require(s.rights, access::ConfigSet, "server.set");
        ServerSettings next = settings_from_json(server_.settings(), params);
        server_.set_settings(s.rights, next);
        store_.save_server_settings(next);
        spdlog::info("faxd: server settings changed by {}", s.user);
        wake();
        return settings_json(server_.settings());
    });
    rpc.handle("server.load", [this](Session& s, const json&) {
        require(s.rights, access::ConfigQuery, "server.load");
        json threads = json::array();
        for (const LinePump::ThreadLoad& t : pumps_.load())
            threads.push_back({{"thread", threads.size()},
                               {"ticks", t.ticks.ticks},
                               {"late_5ms", t.ticks.late_5ms},
                               {"late_20ms", t.ticks.late_20ms},
                               {"worst_ms", static_cast<double>(t.ticks.worst.count()) / 1000.0},
                               {"cpu_seconds", t.cpu_seconds}});
        return json{{"line_speed", config_.line_speed}, {"line_threads", threads}};
    });
}

}  // namespace faxemu::faxd
