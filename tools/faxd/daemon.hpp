// The running faxd, its composition root: opens the spool and the store,
// builds the ports on their devices, wires the scheduler, outbound dispatch
// (dispatcher.hpp), conversions (conversions.hpp), what follows a call's end
// (call_endings.hpp), the received faxes (received_faxes.hpp) and their
// routing (routing_queue.hpp), crash recovery (recovery.hpp), housekeeping
// (housekeeping.hpp) and the control protocol (control_api*.cpp), all on one
// io_context, and the pumps that move the lines (line_pump.hpp) and publish
// port status as it changes (status_publisher.hpp) on the same thread.
#pragma once

#include <asio.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "core/accounting_log.hpp"
#include "core/port_bank.hpp"
#include "core/routing_runner.hpp"
#include "core/rpc_server.hpp"
#include "core/scheduler.hpp"
#include "core/sqlite_store.hpp"
#include "core/users.hpp"
#include "core/worker_pool.hpp"
#include "devices/simulated_device.hpp"
#include "devices/virtual_exchange.hpp"
#include "tools/faxd/call_endings.hpp"
#include "tools/faxd/config.hpp"
#include "tools/faxd/conversions.hpp"
#include "tools/faxd/dispatcher.hpp"
#include "tools/faxd/housekeeping.hpp"
#include "tools/faxd/http_listener.hpp"
#include "tools/faxd/line_pump.hpp"
#include "tools/faxd/metrics_registry.hpp"
#include "tools/faxd/received_exports.hpp"
#include "tools/faxd/received_faxes.hpp"
#include "tools/faxd/routing_queue.hpp"
#include "tools/faxd/status_publisher.hpp"
#include "tools/faxd/web_console.hpp"

namespace faxemu::faxd {

class Daemon final : private CallObserver {
  public:
    // Opens the spool and store, builds the ports, recovers what a crash left,
    // and starts listening. Throws std::runtime_error / FaxError naming what failed.
    explicit Daemon(Config config);
    ~Daemon() override;
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Runs until stop(); calls in progress are hung up and their jobs requeued.
    void run();
    // Safe from any thread and from a signal handler's posted work.
    void stop();
    // SIGHUP: reads the configuration again through `load` (the file with the
    // command line's overrides) and applies it on the io thread
    // (config_reload.cpp). One that does not load changes nothing. Safe from
    // any thread.
    void reload(std::function<Config()> load);
    // SIGHUP, also without a configuration file: reads the users file again
    // (users_file(config), as `faxd user add` writes it); logins from now on
    // see the new users, sessions already open keep their rights. A file that
    // does not load changes nothing. On the io thread.
    void reload_users();

    asio::io_context& io() { return io_; }
    const std::filesystem::path& spool() const { return spool_; }
    std::uint16_t tcp_port() const { return rpc_->tcp_port(); }
    // The port of [metrics] listen (/metrics, /health); 0 when it is off.
    std::uint16_t metrics_port() const;
    // The port of [web] listen (the web console); 0 when it is off.
    std::uint16_t web_port() const { return web_ ? web_->port() : 0; }
    const std::filesystem::path& socket_path() const { return socket_path_; }

  private:
    // CallObserver, on the io thread.
    void call_started(const CallRecord& rec) override;
    void call_progress(const CallRecord& rec, const SessionEvent& e) override;
    void call_ended(const CallRecord& rec) override;

    // The metrics and health endpoints ([metrics] listen), in daemon_http.cpp.
    // Their handlers run on the listener's thread and read faxd's state on io_.
    void start_http();
    void stop_http();
    // Runs `answer` on io_ and sends what it returns; 503 if io_ has not run
    // it within a deadline (faxd's loop is stuck).
    void answer_on_loop(HttpResponder respond, std::function<HttpResponse()> answer);
    std::string metrics_text();    // on io_
    std::string health_problem();  // on io_: "" when healthy

    void build_ports();
    // The settings saved through the API (every port's, or only `name`'s) win
    // over the configuration's.
    void apply_saved_settings(const std::string& name = {});
    void save_port(const Port& port);
    // The control protocol's methods by group (control_api*.cpp).
    void register_handlers();
    void register_server_methods(RpcServer& rpc);
    void register_port_methods(RpcServer& rpc);
    void register_job_methods(RpcServer& rpc);
    void register_received_methods(RpcServer& rpc);
    nlohmann::json submit_job(RpcServer::Session& s, const nlohmann::json& params);  // job.submit

    // What the pumps call between blocks.
    LinePump::Calls pump_calls();
    void wake();
    void publish_status();

    // Ports from the configuration, at start and on a reload (config_reload.cpp).
    Port& add_port(const PortConfig& pc);
    // A new device of the configured kind behind the port; and taking it away.
    void plug_device(Port& port, const PortConfig& pc);
    void unplug_device(std::int32_t device_id);
    // The configuration's settings of a port, then those saved through the API.
    void configure_port(Port& port, const PortConfig& pc);
    void apply_reload(Config next);
    // Brings the ports to config_.ports: adds the missing, removes or changes
    // those at rest, drains the others (no new work) until their calls end.
    void reconcile_ports();
    bool port_at_rest(std::int32_t device_id);
    bool port_number_or_device_taken(const PortConfig& pc, std::int32_t self) const;
    void remove_port(Port& port);
    void change_port(Port& port, const PortConfig& pc);

    // received.changed to every client.
    void fax_changed(const ReceivedFax& fax);

    Config config_;
    std::filesystem::path spool_;
    std::filesystem::path socket_path_;
    asio::io_context io_;
    SystemClock clock_;
    VirtualClock line_clock_;
    SqliteStore store_;
    FaxServer server_;
    VirtualExchange exchange_;
    std::vector<std::unique_ptr<Device>> devices_;
    std::vector<Device*> modems_;  // devices with their own I/O and timers, polled by pumps_
    PortBank service_;
    Scheduler scheduler_;
    RoutingRunner router_;
    // Heavy work (document conversion, routing programs): never on the io thread.
    WorkerPool workers_;
    // Received faxes as PDF and PNG for received.fetch, made on workers_.
    ReceivedExports exports_;
    RoutingQueue routing_;
    ReceivedFaxes received_;  // inbound calls, from answer to routing
    // The users file the config names (which must exist), or the default one
    // if `faxd user add` has made it; none: only the local admin.
    static UsersFile load_users(const Config& config);
    UsersFile users_;
    AccountingLog accounting_;
    Dispatcher dispatcher_;
    Conversions conversions_;
    CallEndings endings_;
    Housekeeping housekeeping_;
    std::unique_ptr<RpcServer> rpc_;
    std::unique_ptr<WebConsole> web_;  // after rpc_, whose handlers it calls
    LinePump pumps_;                   // the exchange's and the modems'
    StatusPublisher status_;           // publish_status(): port.status as ports change
    // What each port runs (by device id); differs from config_.ports while a
    // reload waits for calls to end (ports_pending_), the ports of those calls
    // being drained.
    std::map<std::int32_t, PortConfig> running_;
    std::set<std::int32_t> draining_;
    std::set<std::string> waiting_logged_;  // ports whose pending change was logged
    bool ports_pending_ = false;
    MetricsRegistry metrics_;
    double start_time_seconds_ = 0;  // faxd's start, wall clock, for process_start_time_seconds
    bool stopping_ = false;
    bool loading_ = true;  // while settings are applied at start, changes are not saved back
    std::unique_ptr<HttpListener> http_;  // last: stopped before what its handlers read
};

}  // namespace faxemu::faxd
