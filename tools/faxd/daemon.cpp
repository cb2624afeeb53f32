#include "tools/faxd/daemon.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "core/documents/document.hpp"
#include "core/documents/fax_export.hpp"
#include "core/error.hpp"
#include "core/file_modes.hpp"
#include "core/protocol/defaults.hpp"
#include "core/routing_method.hpp"
#include "tools/faxd/json_views.hpp"
#include "tools/faxd/recovery.hpp"

namespace faxemu::faxd {

namespace {

const CallerRights kAdmin = CallerRights::admin();

std::filesystem::path spool_of(const Config& c) {
    return c.spool.empty() ? default_spool() : c.spool;
}

// The spool's directories get the configured mode, also when an older faxd
// made them with whatever the umask allowed; a directory faxd does not own
// (a shared parent the operator chose) is left as it is.
std::filesystem::path prepare_spool(const Config& c) {
    const auto spool = spool_of(c);
    for (const char* sub : {"", "documents", "received", "tmp", "log"}) {
        const auto dir = spool / sub;
        make_directories(dir, c.modes.dir);
        struct stat st {};
        if (::stat(dir.c_str(), &st) == 0 && st.st_uid == ::geteuid() &&
            (st.st_mode & 07777) != c.modes.dir)
            set_mode(dir, c.modes.dir, dir.string());
    }
    return spool;
}

RoutingConfig routing_config_of(const Config& c) {
    RoutingConfig r = c.routing;
    r.file_mode = c.modes.file;
    // PDF copies for folders and e-mail come from the document pipeline.
    r.export_fax = [mode = c.modes.file](const std::filesystem::path& tiff, FaxFileFormat format,
                                         const std::filesystem::path& out) {
        export_fax(tiff, format, 1, out, mode);
    };
    r.work_dir = spool_of(c) / "tmp";
    return r;
}

// The store's files hold numbers and names: as private as the faxes. SQLite
// gives its -wal and -shm files the database's mode.
void restrict_store_files(const std::filesystem::path& db, mode_t mode) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        const std::filesystem::path f = db.string() + suffix;
        if (std::filesystem::exists(f)) set_mode(f, mode, f.string());
    }
}

// Where the accounting log goes: [server] accounting_log, or the spool's log/.
std::filesystem::path accounting_path(const Config& c, const std::filesystem::path& spool) {
    return c.accounting_log.empty() ? spool / "log" / "xferfaxlog" : c.accounting_log;
}

}  // namespace

Daemon::Daemon(Config config)
    : config_(std::move(config)),
      spool_(prepare_spool(config_)),
      socket_path_(config_.socket.empty() ? rpc::socket_in(spool_) : config_.socket),
      line_clock_(std::chrono::floor<std::chrono::seconds>(clock_.now())),
      store_(spool_ / "faxd.db"),
      exchange_(line_clock_),
      service_(server_, clock_, spool_, config_.modes),
      scheduler_(server_, store_, clock_),
      router_(routing_config_of(config_)),
      workers_(config_.workers),
      exports_(spool_ / "exports", workers_, io_, config_.modes),
      routing_(io_, clock_, store_, router_, workers_, server_, config_,
               [this](const ReceivedFax& f) { fax_changed(f); }),
      received_(
          server_, store_, routing_, [this](const ReceivedFax& f) { fax_changed(f); },
          [this](const CallRecord& rec, std::int64_t id) { endings_.account(rec, id, ""); }),
      users_(load_users(config_)),
      accounting_(accounting_path(config_, spool_), config_.modes.file),
      dispatcher_({io_, clock_, server_, service_, scheduler_, workers_, config_, spool_ / "tmp",
                   [this](std::int32_t id) { return !draining_.count(id); }, [this] { wake(); }}),
      conversions_({io_, clock_, scheduler_, workers_, config_, spool_, [this] { wake(); }}),
      endings_(
          {server_, service_, scheduler_, workers_, router_, accounting_, config_, spool_ / "tmp"}),
      housekeeping_({io_, clock_, scheduler_, store_, exports_, config_}),
      pumps_(io_, exchange_, modems_, pump_calls()),
      status_(
          server_, clock_, scheduler_,
          [this](std::int32_t device_id) -> std::optional<std::int64_t> {
              const auto& sending = dispatcher_.sending();
              const auto it = sending.find(device_id);
              return it == sending.end() ? std::nullopt : std::optional(it->second);
          },
          [this](const std::string& method, const nlohmann::json& params) {
              rpc_->notify_all(method, params);
          }) {
    spdlog::info("faxd: spool {}", spool_.string());
    restrict_store_files(spool_ / "faxd.db", config_.modes.file);
    // Before any setting is applied: ArchiveDirectory goes through it.
    server_.set_drive_map(DriveMap(config_.drive_map));
    try {
        server_.set_settings(kAdmin, store_.server_settings().value_or(config_.server));
    } catch (const FaxError& e) {
        // Saved by an older faxd with looser rules (e.g. a relative ArchiveDirectory).
        spdlog::warn(
            "faxd: the saved server settings are not valid ({}); using the configuration's",
            e.what());
        server_.set_settings(kAdmin, config_.server);
    }
    server_.set_allowed_programs(ProgramAllowList(config_.routing.allowed_programs));
    build_ports();
    apply_saved_settings();
    loading_ = false;
    service_.set_observer(this);
    service_.call_stall_timeout = config_.call_stall_timeout;
    scheduler_.set_max_calls_per_number(config_.max_calls_per_number);
    scheduler_.set_dial_rules(config_.dialing);
    scheduler_.set_retry_policy(config_.retry);

    scheduler_.on_abort([this](std::int64_t job_id, std::int32_t device_id) {
        dispatcher_.abort(job_id, device_id);
    });
    scheduler_.on_job_changed([this](const Job& job) {
        endings_.job_changed(job);
        if (rpc_)
            rpc_->notify_all("job.changed",
                             {{"job", job_json(job, scheduler_.wait_reason(job.id))}});
    });
    if (int n = scheduler_.recover())
        spdlog::warn("faxd: {} job(s) were in a call when faxd stopped; they are queued again", n);
    remove_stale_temporaries(server_, store_, spool_);  // recovery.hpp
    recover_received(server_, store_, clock_, config_, routing_);
    remove_orphan_documents(store_, spool_);
    conversions_.resume();

    rpc_ = std::make_unique<RpcServer>(io_, users_, config_.control_limits);
    register_handlers();
    if (!config_.listen.empty()) {
        const auto [host, port] = split_listen_address("control.listen", config_.listen);
        rpc_->listen_tcp(host, port);
        spdlog::info("faxd: control protocol on {}:{}", host, tcp_port());
    }
    if (!config_.tls_listen.empty()) {
        const auto [host, port] = split_listen_address("control.tls_listen", config_.tls_listen);
        rpc_->listen_tls(host, port, config_.tls_cert, config_.tls_key);
        spdlog::info("faxd: control protocol on tls://{}:{}", host, rpc_->tls_port());
    }
    rpc_->listen_unix(socket_path_);
    spdlog::info("faxd: control protocol on {}", socket_path_.string());
    start_http();
    if (!config_.web_listen.empty()) {
        const auto [host, port] = split_listen_address("web.listen", config_.web_listen);
        web_ = std::make_unique<WebConsole>(io_, *rpc_);
        if (!config_.web_tls_cert.empty()) web_->use_tls(config_.web_tls_cert, config_.web_tls_key);
        web_->start(host, port);
        spdlog::info("faxd: web console on {}://{}:{}/", web_->tls() ? "https" : "http", host,
                     web_->port());
    }
}

Daemon::~Daemon() {
    stop_http();  // its handlers post to io_
    if (web_) web_->stop();
    // Conversions stop at once (their jobs stay Converting, and are converted
    // again at the next start); routing finishes its program first.
    workers_.stop();
}

void Daemon::build_ports() {
    for (const PortConfig& pc : config_.ports) add_port(pc);
    exchange_.on_tick([this] { service_.poll(); });
}

void Daemon::apply_saved_settings(const std::string& name) {
    for (const PortSettings& saved : store_.port_settings()) {
        if (!name.empty() && saved.name != name) continue;
        Port* p = nullptr;
        for (Port* candidate : server_.ports())
            if (candidate->Name() == saved.name) p = candidate;
        if (!p) continue;  // a port no longer in the configuration
        try {
            p->put_Rings(kAdmin, saved.rings);
            p->put_Csid(kAdmin, saved.csid);
            p->put_Tsid(kAdmin, saved.tsid);
            p->put_Send(kAdmin, saved.send);
            p->put_Receive(kAdmin, saved.receive);
            if (saved.priority >= 1 && saved.priority <= static_cast<int>(server_.ports().size()))
                server_.set_port_priority(kAdmin, p->DeviceId(), saved.priority);
            for (const RoutingSetting& rs : saved.routing) {
                RoutingMethod* m = p->routing_method(rs.guid);
                if (!m) continue;
                if (!rs.enabled) m->put_Enable(kAdmin, false);
                if (!rs.data.empty()) m->put_RoutingData(kAdmin, rs.data);
                m->put_Enable(kAdmin, rs.enabled);
            }
        } catch (const std::exception& e) {
            spdlog::warn("faxd: port \"{}\": a saved setting was not applied: {}", saved.name,
                         e.what());
        }
    }
}

void Daemon::save_port(const Port& p) {
    if (loading_) return;
    PortSettings s;
    s.name = p.Name();
    s.rings = p.Rings();
    s.csid = p.Csid();
    s.tsid = p.Tsid();
    s.send = p.Send();
    s.receive = p.Receive();
    s.priority = p.Priority();
    for (const RoutingMethod* m : p.GetRoutingMethods()) {
        RoutingSetting rs;
        rs.guid = m->Guid();
        rs.enabled = m->Enable();
        rs.data = m->RoutingData();
        s.routing.push_back(rs);
    }
    store_.save_port_settings(s);
}

void Daemon::run() {
    pumps_.start(config_.line_speed);
    housekeeping_.start();
    io_.run();
}

void Daemon::stop() {
    asio::post(io_, [this] {
        if (stopping_) return;
        stopping_ = true;
        dispatcher_.stop();
        spdlog::info("faxd: stopping");
        stop_http();
        if (web_) web_->stop();
        rpc_->stop();
        // Calls in progress end now; their jobs go back to the queue as after a crash,
        // receptions keep their whole pages.
        for (Port* p : server_.ports()) {
            PortController& ctl = service_.controller(p->DeviceId());
            if (ctl.busy()) ctl.device().hangup();
        }
        scheduler_.recover();
        routing_.stop();
        pumps_.stop();
        housekeeping_.stop();
        io_.stop();
    });
}

void Daemon::wake() {
    pumps_.wake();
}

LinePump::Calls Daemon::pump_calls() {
    LinePump::Calls c;
    c.before_block = [this] {
        if (ports_pending_) reconcile_ports();  // a reload waits for calls to end
    };
    c.dispatch = [this] { dispatcher_.dispatch(); };
    c.publish_status = [this] { publish_status(); };
    c.poll = [this] { service_.poll(); };
    c.until_next_wakeup = [this]() -> std::optional<Duration> {
        if (auto next = scheduler_.next_wakeup()) return *next - clock_.now();
        return std::nullopt;
    };
    return c;
}

void Daemon::publish_status() {
    status_.publish();  // status_publisher.cpp
}

void Daemon::call_started(const CallRecord& rec) {
    if (!rec.outbound) received_.call_started(rec);
}

void Daemon::call_progress(const CallRecord& rec, const SessionEvent& e) {
    if (e.kind != SessionEvent::Kind::PageDone) return;
    if (rec.outbound) {
        if (auto job_id = dispatcher_.job_on(rec.device_id))
            scheduler_.pages_confirmed(*job_id, e.pages_done);
    } else {
        received_.call_progress(rec, e);
    }
}

void Daemon::call_ended(const CallRecord& rec) {
    metrics_.call_ended(rec.outbound, rec.outcome, rec.pages);
    if (rec.outbound) {
        if (auto job_id = dispatcher_.call_ended(rec.device_id)) {
            endings_.outbound_ended(rec, *job_id, stopping_);
            wake();
        }
        return;
    }
    received_.call_ended(rec);
}

void Daemon::fax_changed(const ReceivedFax& f) {
    rpc_->notify_all("received.changed", {{"fax", fax_json(f)}});
}

UsersFile Daemon::load_users(const Config& config) {
    const std::filesystem::path file = users_file(config);
    if (config.users.empty() && !std::filesystem::exists(file)) return {};
    return UsersFile::load(file);
}

}  // namespace faxemu::faxd
