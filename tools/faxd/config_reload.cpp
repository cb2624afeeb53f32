// faxd's ports from its configuration, at start and on SIGHUP, and the rest of
// a reloaded configuration (config_reload.hpp).
#include "tools/faxd/config_reload.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "devices/modem_port/modem_port_device.hpp"
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/json_views.hpp"

namespace faxemu::faxd {

namespace {

const CallerRights kAdmin = CallerRights::admin();

template <typename T>
void keep(std::vector<std::string>& changed, const char* key, const T& running, T& next) {
    if (running == next) return;
    changed.emplace_back(key);
    next = running;
}

bool same_routing(const std::vector<RoutingSetting>& a, const std::vector<RoutingSetting>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
        return x.guid == y.guid && x.enabled == y.enabled && x.data == y.data;
    });
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

const PortConfig* find_config(const std::vector<PortConfig>& ports, const std::string& name) {
    for (const PortConfig& pc : ports)
        if (pc.name == name) return &pc;
    return nullptr;
}

}  // namespace

std::vector<std::string> keep_restart_only_settings(const Config& running, Config& next) {
    std::vector<std::string> changed;
    keep(changed, "server.spool", running.spool, next.spool);
    keep(changed, "server.log_file", running.log_file, next.log_file);
    keep(changed, "server.log_target", running.log_target, next.log_target);
    keep(changed, "server.accounting_log", running.accounting_log, next.accounting_log);
    keep(changed, "metrics.listen", running.metrics_listen, next.metrics_listen);
    keep(changed, "web.listen", running.web_listen, next.web_listen);
    keep(changed, "web.tls_cert", running.web_tls_cert, next.web_tls_cert);
    keep(changed, "web.tls_key", running.web_tls_key, next.web_tls_key);
    keep(changed, "server.workers", running.workers, next.workers);
    keep(changed, "server.file_mode", running.modes.file, next.modes.file);
    keep(changed, "server.dir_mode", running.modes.dir, next.modes.dir);
    keep(changed, "control.listen", running.listen, next.listen);
    keep(changed, "control.tls_listen", running.tls_listen, next.tls_listen);
    keep(changed, "control.tls_cert", running.tls_cert, next.tls_cert);
    keep(changed, "control.tls_key", running.tls_key, next.tls_key);
    keep(changed, "control.socket", running.socket, next.socket);
    keep(changed, "control.users", running.users, next.users);
    const RpcServer::Limits& rl = running.control_limits;
    RpcServer::Limits& nl = next.control_limits;
    keep(changed, "control.max_message_bytes", rl.max_message_bytes, nl.max_message_bytes);
    keep(changed, "control.max_message_bytes_before_login", rl.max_message_bytes_before_login,
         nl.max_message_bytes_before_login);
    keep(changed, "control.max_unauthenticated", rl.max_unauthenticated, nl.max_unauthenticated);
    keep(changed, "control.max_authenticated", rl.max_authenticated, nl.max_authenticated);
    keep(changed, "control.max_local", rl.max_local, nl.max_local);
    keep(changed, "control.login_timeout", rl.login_timeout, nl.login_timeout);
    keep(changed, "control.login_free_failures", rl.login_free_failures, nl.login_free_failures);
    keep(changed, "control.login_backoff", rl.login_backoff, nl.login_backoff);
    keep(changed, "control.login_backoff_max", rl.login_backoff_max, nl.login_backoff_max);
    keep(changed, "line.speed", running.line_speed, next.line_speed);
    // The routing runner works on its own copy, from the worker threads.
    keep(changed, "routing.sendmail", running.routing.sendmail, next.routing.sendmail);
    keep(changed, "routing.print_command", running.routing.print_command,
         next.routing.print_command);
    keep(changed, "routing.mail_from", running.routing.mail_from, next.routing.mail_from);
    keep(changed, "routing.allowed_programs", running.routing.allowed_programs,
         next.routing.allowed_programs);
    keep(changed, "faxcom.drive_map", running.drive_map, next.drive_map);
    next.control_limits = running.control_limits;  // the rest is not in the file
    return changed;
}

std::vector<std::string> port_differences(const PortConfig& a, const PortConfig& b) {
    std::vector<std::string> out;
    const auto note = [&](const char* key, bool same) {
        if (!same) out.emplace_back(key);
    };
    note("kind", a.kind == b.kind);
    note("number", a.number == b.number);
    note("device", a.device == b.device);
    note("class", a.modem_class == b.modem_class);
    note("baud", a.baud == b.baud);
    note("flow_control", a.flow_control == b.flow_control);
    note("lock_dir", a.lock_dir == b.lock_dir);
    note("quirks", a.quirks == b.quirks);
    note("rings", a.rings == b.rings);
    note("csid", a.csid == b.csid);
    note("tsid", a.tsid == b.tsid);
    note("send", a.send == b.send);
    note("receive", a.receive == b.receive);
    note("ecm", a.ecm == b.ecm);
    note("modems", a.modulations == b.modulations);
    note("routing", same_routing(a.routing, b.routing));
    note("group", a.group == b.group);
    note("outside_line_prefix", a.outside_line_prefix == b.outside_line_prefix);
    return out;
}

bool needs_new_device(const PortConfig& a, const PortConfig& b) {
    return a.kind != b.kind || a.number != b.number || a.device != b.device ||
           a.modem_class != b.modem_class || a.baud != b.baud || a.flow_control != b.flow_control ||
           a.lock_dir != b.lock_dir || a.quirks != b.quirks;
}

void Daemon::plug_device(Port& p, const PortConfig& pc) {
    p.device_kind = pc.kind;
    if (pc.kind == "modem")
        devices_.push_back(std::make_unique<ModemPortDevice>(io_, clock_, modem_port_config(pc)));
    else
        devices_.push_back(std::make_unique<SimulatedDevice>(exchange_, pc.number));
    if (pc.kind == "modem") modems_.push_back(devices_.back().get());
    service_.attach(p, *devices_.back());
    // A modem added by a reload to a faxd that had none needs their pump.
    if (pc.kind == "modem") pumps_.start_modems();
}

void Daemon::unplug_device(std::int32_t device_id) {
    const Device* device = &service_.controller(device_id).device();
    service_.detach(device_id);
    std::erase(modems_, device);
    std::erase_if(devices_, [&](const auto& d) { return d.get() == device; });
}

Port& Daemon::add_port(const PortConfig& pc) {
    Port& p = server_.add_port(pc.name, pc.number);
    plug_device(p, pc);
    running_[p.DeviceId()] = pc;
    p.on_changed([this](const Port& changed) { save_port(changed); });
    const char* added = loading_ ? "" : " added";  // at start, or by a reload
    configure_port(p, pc);
    if (pc.kind == "modem")
        spdlog::info("faxd: port {} \"{}\"{} (modem on {}, class {})", p.DeviceId(), p.Name(),
                     added, pc.device.string(), pc.modem_class);
    else
        spdlog::info("faxd: port {} \"{}\"{} ({} line {})", p.DeviceId(), p.Name(), added, pc.kind,
                     pc.number);
    return p;
}

void Daemon::configure_port(Port& p, const PortConfig& pc) {
    const bool was_loading = std::exchange(loading_, true);  // the file's values are not saved
    try {
        p.put_Rings(kAdmin, pc.rings);
        p.put_Csid(kAdmin, pc.csid);
        p.put_Tsid(kAdmin, pc.tsid);
        p.put_Send(kAdmin, pc.send);
        p.put_Receive(kAdmin, pc.receive);
        p.group = pc.group;
        for (RoutingMethod* m : p.GetRoutingMethods()) {
            const auto rs =
                std::find_if(pc.routing.begin(), pc.routing.end(),
                             [&](const RoutingSetting& r) { return r.guid == m->Guid(); });
            if (rs == pc.routing.end()) {
                m->put_Enable(kAdmin, false);  // no longer in the configuration
                continue;
            }
            if (!rs->data.empty()) m->put_RoutingData(kAdmin, rs->data);
            m->put_Enable(kAdmin, rs->enabled);
        }
    } catch (...) {
        loading_ = was_loading;
        throw;
    }
    PortController& ctl = service_.controller(p.DeviceId());
    ctl.session_options().ecm = pc.ecm;
    ctl.session_options().modulations = pc.modulations;
    ctl.dial_rules() = dial_rules_of(config_, pc);
    // At start every saved setting is applied once all ports exist (priorities).
    if (!was_loading) apply_saved_settings(pc.name);
    loading_ = was_loading;
}

void Daemon::reload(std::function<Config()> load) {
    asio::post(io_, [this, load = std::move(load)] {
        if (stopping_) return;
        spdlog::info("faxd: reloading the configuration");
        Config next;
        try {
            next = load();
        } catch (const std::exception& e) {
            spdlog::error(
                "faxd: the configuration was not reloaded; faxd goes on with the one "
                "it has: {}",
                e.what());
            return;
        }
        apply_reload(std::move(next));
    });
}

void Daemon::reload_users() {
    try {
        users_ = load_users(config_);
        spdlog::info("faxd: users file {}: {} user(s)", users_file(config_).string(),
                     users_.size());
    } catch (const std::exception& e) {
        spdlog::error("faxd: the users file was not read again; the users stay as they were: {}",
                      e.what());
    }
}

void Daemon::apply_reload(Config next) {
    for (const std::string& key : keep_restart_only_settings(config_, next))
        spdlog::warn("faxd: {} has changed, but only a restart applies it; it stays as it was",
                     key);
    if (next.log_level != config_.log_level)
        spdlog::set_level(spdlog::level::from_str(next.log_level));
    // As at start: server settings saved through the API win over the file's.
    if (next.server != config_.server) {
        if (store_.server_settings())
            spdlog::info(
                "faxd: [server] settings changed in the file, but those saved through "
                "the API win");
        else
            server_.set_settings(kAdmin, next.server);
    }
    scheduler_.set_max_calls_per_number(next.max_calls_per_number);
    scheduler_.set_dial_rules(next.dialing);
    scheduler_.set_retry_policy(next.retry);
    service_.call_stall_timeout = next.call_stall_timeout;
    config_ = std::move(next);
    // [dialing] is read at each dial: every port follows the new rules at once.
    for (Port* p : server_.ports())
        if (const PortConfig* pc = find_config(config_.ports, p->Name()))
            service_.controller(p->DeviceId()).dial_rules() = dial_rules_of(config_, *pc);
    waiting_logged_.clear();
    reload_users();
    reconcile_ports();
    spdlog::info("faxd: configuration reloaded ({} port(s) configured)", config_.ports.size());
    wake();
}

bool Daemon::port_at_rest(std::int32_t device_id) {
    return !service_.controller(device_id).busy() && !dispatcher_.busy(device_id) &&
           !received_.receiving(device_id);
}

bool Daemon::port_number_or_device_taken(const PortConfig& pc, std::int32_t self) const {
    for (const auto& [id, other] : running_) {
        if (id == self) continue;
        if (!pc.number.empty() && other.number == pc.number) return true;
        if (pc.kind == "modem" && other.kind == "modem" && other.device == pc.device) return true;
    }
    return false;
}

void Daemon::reconcile_ports() {
    if (stopping_) return;
    bool pending = false;
    for (Port* p : server_.ports()) {
        const std::int32_t id = p->DeviceId();
        const PortConfig* want = find_config(config_.ports, p->Name());
        if (want && port_differences(running_.at(id), *want).empty()) {
            draining_.erase(id);  // a later reload took the change back
            continue;
        }
        if (!port_at_rest(id)) {
            if (draining_.insert(id).second)
                spdlog::info(
                    "faxd: port {} \"{}\" is in a call: it takes no new work and is {} "
                    "when the call ends",
                    id, p->Name(), want ? "changed" : "removed");
            pending = true;
            continue;
        }
        if (want && port_number_or_device_taken(*want, id)) {
            if (waiting_logged_.insert(p->Name()).second)
                spdlog::info(
                    "faxd: port \"{}\": its new number or device is still another "
                    "port's; the change waits for that port",
                    p->Name());
            pending = true;
            continue;
        }
        draining_.erase(id);
        try {
            if (want)
                change_port(*p, *want);
            else
                remove_port(*p);
        } catch (const std::exception& e) {
            spdlog::error("faxd: port {} \"{}\" could not be {}: {}", id, p->Name(),
                          want ? "changed" : "removed", e.what());
        }
    }
    for (const PortConfig& pc : config_.ports) {
        const auto ports = server_.ports();
        if (std::any_of(ports.begin(), ports.end(), [&](Port* p) { return p->Name() == pc.name; }))
            continue;
        if (port_number_or_device_taken(pc, 0)) {
            if (waiting_logged_.insert(pc.name).second)
                spdlog::info(
                    "faxd: port \"{}\" waits for its number or device to be freed by "
                    "the port that has it",
                    pc.name);
            pending = true;
            continue;
        }
        try {
            add_port(pc);
        } catch (const std::exception& e) {
            spdlog::error("faxd: port \"{}\" could not be added: {}", pc.name, e.what());
        }
    }
    ports_pending_ = pending;
}

void Daemon::remove_port(Port& p) {
    const std::int32_t id = p.DeviceId();
    unplug_device(id);
    const bool was_loading = std::exchange(loading_, true);  // the others' new ranks
    server_.remove_port(id);
    loading_ = was_loading;
    running_.erase(id);
    status_.forget(id);
    spdlog::info("faxd: port {} \"{}\" removed", id, p.Name());
    json status = status_json(p.GetStatus(clock_));
    status["removed"] = true;
    rpc_->notify_all("port.status", {{"status", status}});
}

void Daemon::change_port(Port& p, const PortConfig& pc) {
    const std::int32_t id = p.DeviceId();
    const std::vector<std::string> keys = port_differences(running_.at(id), pc);
    if (needs_new_device(running_.at(id), pc)) {
        unplug_device(id);  // first: the new device may take the same line or serial port
        server_.set_port_number(id, pc.number);
        plug_device(p, pc);
    }
    running_[id] = pc;
    configure_port(p, pc);
    status_.republish(p);           // clients see its status again
    std::vector<std::string> kept;  // saved through the API, so they win
    if (p.Rings() != pc.rings) kept.emplace_back("rings");
    if (p.Csid() != pc.csid) kept.emplace_back("csid");
    if (p.Tsid() != pc.tsid) kept.emplace_back("tsid");
    if (p.Send() != pc.send) kept.emplace_back("send");
    if (p.Receive() != pc.receive) kept.emplace_back("receive");
    spdlog::info(
        "faxd: port {} \"{}\" changed: {}{}", id, p.Name(), joined(keys),
        kept.empty() ? "" : " (" + joined(kept) + " as saved through the API, which wins)");
}

}  // namespace faxemu::faxd
