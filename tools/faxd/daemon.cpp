#include "tools/faxd/daemon.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#include <ctime>
#include <set>

#include "core/atomic_file.hpp"
#include "core/client_text.hpp"
#include "core/documents/conversion.hpp"
#include "core/documents/document.hpp"
#include "core/documents/fax_export.hpp"
#include "core/documents/page_header.hpp"
#include "core/documents/submission.hpp"
#include "core/error.hpp"
#include "core/fax_tiff_tags.hpp"
#include "core/file_modes.hpp"
#include "core/image_compare.hpp"
#include "core/job_notice.hpp"
#include "core/local_time.hpp"
#include "core/protocol/defaults.hpp"
#include "core/received_retention.hpp"
#include "core/routing_method.hpp"
#include "tools/faxd/json_views.hpp"

namespace faxemu::faxd {

namespace {

const CallerRights kAdmin = CallerRights::admin();
constexpr int kBlocksPerSlice = 50;  // unpaced: 1 s of line time, then let the protocol run

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

// How a job's document is named in what clients see.
std::string document_name(std::int64_t job_id) {
    return "job " + std::to_string(job_id) + "'s document";
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
      users_(load_users(config_)),
      accounting_(accounting_path(config_, spool_), config_.modes.file),
      pump_timer_(io_),
      housekeeping_timer_(io_) {
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
        if (auto b = branding_.find(device_id); b != branding_.end() && b->second == job_id) {
            spdlog::info("job {}: cancelled before its call on port {} started", job_id, device_id);
            cancelled_while_branding_.insert(job_id);
            return;
        }
        spdlog::info("job {}: cancelled during its call on port {}, hanging up", job_id, device_id);
        service_.controller(device_id).device().hangup();
    });
    scheduler_.on_job_changed([this](const Job& job) {
        if (notice_due(job) && noticed_.insert({job.id, job.submitted}).second) send_notice(job);
        if (rpc_)
            rpc_->notify_all("job.changed",
                             {{"job", job_json(job, scheduler_.wait_reason(job.id))}});
    });
    if (int n = scheduler_.recover())
        spdlog::warn("faxd: {} job(s) were in a call when faxd stopped; they are queued again", n);
    remove_stale_temporaries();
    recover_received();
    remove_orphan_documents();
    resume_conversions();

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

void Daemon::recover_received() {
    for (ReceivedFax f : store_.received_faxes()) {
        if (f.end) {
            // Routing that had not finished when faxd stopped goes on.
            for (std::size_t i = 0; i < f.routing.size(); ++i)
                if (!f.routing[i].done && f.routing[i].tries < config_.routing_max_tries)
                    schedule_routing_retry(f.id, i, f.routing[i].next_try.value_or(clock_.now()));
            continue;
        }
        // faxd died during this reception: keep every page that was written whole.
        std::vector<BilevelPage> pages;
        try {
            visit_bilevel_pages(f.file, [&](BilevelPage&& page, const TiffPageTags&) {
                pages.push_back(std::move(page));
            });
        } catch (const std::exception& e) {
            spdlog::info("fax {}: reading the interrupted reception stopped: {}", f.id, e.what());
        }
        f.end = clock_.now();
        f.partial = true;
        f.pages = static_cast<std::int32_t>(pages.size());
        f.cause_text = "interrupted: faxd stopped during the reception";
        if (pages.empty()) {
            f.status = "failed";
            std::error_code ignored;
            std::filesystem::remove(f.file, ignored);
        } else {
            replace_atomically(
                f.file,
                [&](const std::filesystem::path& temp) {
                    write_bilevel_pages(temp, pages, COMPRESSION_CCITTFAX4);
                },
                config_.modes.file);
            // The pages were written anew: what FaxTiff reads goes in again
            // (routing is the number of the port it came in on, if still there).
            try {
                std::string routing;
                for (const Port* p : server_.ports())
                    if (p->DeviceId() == f.device_id) routing = p->number;
                record_fax_tiff_info(f.file, received_fax_tiff_info(f, routing));
            } catch (const std::exception& e) {  // the pages are kept, untagged
                spdlog::warn("fax {}: cannot record its details in {}: {}", f.id, f.file, e.what());
            }
            f.status = "partial";
            plan_routing(f);
        }
        store_.update_received(f);
        spdlog::warn("fax {}: reception on port {} was interrupted; {} whole page(s) kept", f.id,
                     f.device_id, f.pages);
        start_routing(f);
    }
}

void Daemon::remove_stale_temporaries() {
    std::set<std::string> folders;
    for (Port* p : server_.ports())
        if (const RoutingMethod* m = p->routing_method(kFolderRoutingGuid);
            m && !m->RoutingData().empty())
            folders.insert(m->RoutingData());
    for (const ReceivedFax& f : store_.received_faxes())
        for (const RoutingOutcome& o : f.routing)
            if (!o.done && o.guid == kFolderRoutingGuid) folders.insert(o.routing_data);
    // A received fax's tags are written into a temporary copy (fax_tiff_tags)
    // that a crash may leave beside it.
    folders.insert((spool_ / "received").string());
    for (const std::string& folder : folders)
        if (int n = RoutingRunner::remove_stale_temporaries(folder))
            spdlog::info("faxd: removed {} unfinished copies from {}", n, folder);
}

void Daemon::remove_orphan_documents() {
    std::set<std::string> wanted;
    for (const Job& j : store_.jobs()) wanted.insert(j.document);
    for (const auto& entry : std::filesystem::directory_iterator(spool_ / "documents"))
        if (!wanted.count(entry.path().string())) std::filesystem::remove_all(entry.path());
    for (const auto& entry : std::filesystem::directory_iterator(spool_ / "tmp"))
        std::filesystem::remove_all(entry.path());
}

void Daemon::resume_conversions() {
    for (const Job& job : store_.jobs()) {
        if (job.state != JobState::Converting) continue;
        if (std::filesystem::exists(job.document)) {
            spdlog::warn(
                "job {}: its document was being converted when faxd stopped; converting "
                "it again",
                job.id);
            convert(job);
        } else {
            scheduler_.conversion_failed(
                job.id, "\"" + job.display_name + "\": the upload is gone from the spool");
        }
    }
}

void Daemon::convert(const Job& job) {
    SubmissionRequest request;
    request.output = spool_ / "documents" / ("job-" + std::to_string(job.id) + ".tif");
    request.work_dir = spool_ / "tmp" / ("convert-" + std::to_string(job.id));
    request.limits = config_.conversion;
    request.mode = config_.modes.file;
    request.templates = cover_templates();
    request.cover_date = local_time_text(clock_.now());
    const std::filesystem::path input = job.document;
    const std::string name = job.display_name;
    const std::int64_t id = job.id;
    const std::string user = job.user_name;
    // Progress goes to the io thread, where the scheduler keeps it for job.get
    // and tells clients of it at most a few times a second.
    request.on_progress = [this, id = job.id](const ConversionProgress& progress) {
        asio::post(io_, [this, id, progress] { scheduler_.conversion_progress(id, progress); });
    };
    workers_.post([this, request, input, name, id, user](std::stop_token stop) mutable {
        std::optional<ConversionResult> result;
        std::string error;
        try {
            request.submission = load_submission(input, name);
            request.resolution = request.submission.resolution;
            result = convert_submission(request, stop);
        } catch (const ConversionCancelled&) {
            return;  // faxd is stopping: the job stays Converting for the next start
        } catch (const std::exception& e) {
            error = e.what();
        }
        asio::post(io_, [this, request, input, name, id, user, result, error] {
            std::error_code ignored;
            if (!result) {
                std::filesystem::remove_all(input, ignored);
                if (scheduler_.conversion_failed(id, error))
                    spdlog::warn("job {}: cannot be sent: {}", id, error);
                return;
            }
            for (const std::string& note : result->notes)
                spdlog::info("job {}: \"{}\" from {}: {}", id, name, user, note);
            auto job = scheduler_.conversion_done(id, request.output.string(), result->page_count,
                                                  result->size);
            if (!job) {  // deleted while it converted
                std::filesystem::remove(request.output, ignored);
                std::filesystem::remove_all(input, ignored);
                return;
            }
            // The uploads go only once the job points at the converted file.
            std::filesystem::remove_all(input, ignored);
            spdlog::info("job {}: {} ({}) converted: {} page(s) to {}", id, name,
                         to_string(result->type), job->page_count, job->fax_number);
            wake();
        });
    });
}

void Daemon::run() {
    running_pumps_ = true;
    asio::co_spawn(io_, line_pump(), asio::detached);
    if (!modems_.empty()) {
        device_pump_running_ = true;
        asio::co_spawn(io_, device_pump(), asio::detached);
    }
    housekeeping();
    io_.run();
}

void Daemon::stop() {
    asio::post(io_, [this] {
        if (stopping_) return;
        stopping_ = true;
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
        pump_timer_.cancel();
        housekeeping_timer_.cancel();
        io_.stop();
    });
}

void Daemon::wake() {
    pump_timer_.cancel();
}

asio::awaitable<void> Daemon::line_pump() {
    const double speed = config_.line_speed;
    asio::error_code ec;  // a cancelled wait is how wake() hurries the pump
    std::int64_t paced_blocks = 0;
    auto paced_start = std::chrono::steady_clock::now();
    while (!stopping_) {
        if (ports_pending_) reconcile_ports();  // a reload waits for calls to end
        dispatch();
        if (exchange_.active()) {
            if (speed <= 0) {
                for (int i = 0; i < kBlocksPerSlice && exchange_.active(); ++i) exchange_.step();
                publish_status();
                co_await asio::post(io_, asio::use_awaitable);
            } else {
                if (paced_blocks == 0) paced_start = std::chrono::steady_clock::now();
                exchange_.step();
                ++paced_blocks;
                publish_status();
                pump_timer_.expires_at(
                    paced_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      VirtualExchange::kBlock * paced_blocks / speed));
                co_await pump_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
        } else {
            paced_blocks = 0;
            service_.poll();
            publish_status();
            auto wait = std::chrono::milliseconds(250);
            if (auto next = scheduler_.next_wakeup()) {
                const auto until =
                    std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.now());
                wait = std::clamp(until, std::chrono::milliseconds(0), wait);
            }
            pump_timer_.expires_after(wait);
            co_await pump_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }
}

// Modems keep their own timers (AT timeouts, T.30's timers when the host runs
// T.30) on the system clock; they are polled every 10 ms, and their calls'
// status is published as it changes.
asio::awaitable<void> Daemon::device_pump() {
    asio::steady_timer timer(io_);
    asio::error_code ec;
    auto next = std::chrono::steady_clock::now();
    int slices = 0;
    while (!stopping_) {
        for (Device* d : modems_) d->poll();
        if (++slices % 5 == 0) {  // every 50 ms: rings answered, status shown, queue served
            service_.poll();
            dispatch();
            publish_status();
        }
        next += std::chrono::milliseconds(10);
        const auto now = std::chrono::steady_clock::now();
        if (next < now) next = now;
        timer.expires_at(next);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

void Daemon::dispatch() {
    if (stopping_) return;
    const auto port_free = [this](std::int32_t id) {
        return !branding_.count(id) && !draining_.count(id) && service_.can_send(id);
    };
    while (auto d = scheduler_.next(port_free)) {
        const Job& job = d->job;
        SendRequest req;
        req.number = job.fax_number;
        req.document = job.document;
        req.document_name = job.display_name;
        req.document_size = job.size;
        req.page_count = job.page_count;
        req.first_page = d->first_page;
        req.tsid = job.tsid;
        req.sender_name = job.sender_name;
        req.recipient_name = job.recipient_name;
        req.submitted_time = job.submitted;
        scheduler_.attempt_started(job.id, d->device_id);
        spdlog::info("job {}: dialling {} on port {} (attempt {}, from page {})", job.id,
                     job.fax_number, d->device_id, job.attempts + 1, d->first_page + 1);
        if (server_.settings().branding)
            brand_then_call(job, d->device_id, std::move(req));
        else
            start_call(job.id, d->device_id, req);
    }
}

void Daemon::brand_then_call(const Job& job, std::int32_t device_id, SendRequest request) {
    PageHeader header;
    header.time = clock_.now();  // the attempt's start
    header.tsid =
        service_.controller(device_id).tsid_for(request, server_.settings().use_device_tsid);
    header.sender_name = job.sender_name;
    const std::filesystem::path branded =
        spool_ / "tmp" / ("job-" + std::to_string(job.id) + "-branded.tif");
    branding_[device_id] = job.id;
    const std::int64_t id = job.id;
    const mode_t mode = config_.modes.file;
    workers_.post([this, id, device_id, request, header, branded, mode](std::stop_token stop) {
        std::string error;
        FailureClass failure = FailureClass::None;
        try {
            write_branded_copy(request.document, branded, header, request.page_count, mode, stop);
        } catch (const FaxError& e) {
            error = e.what();
            // An unreadable document stays unreadable; a full disk may not.
            failure = e.code() == ErrorCode::BadDocument ? FailureClass::Document
                                                         : FailureClass::Protocol;
        } catch (const std::exception& e) {
            error = e.what();
            failure = FailureClass::Protocol;
        }
        asio::post(io_, [this, id, device_id, request, branded, error, failure]() mutable {
            branding_.erase(device_id);
            const bool cancelled = cancelled_while_branding_.erase(id) > 0;
            std::error_code ignored;
            if (stopping_) {  // the job is back in the queue (recover)
                std::filesystem::remove(branded, ignored);
                return;
            }
            if (cancelled || !error.empty()) {
                std::filesystem::remove(branded, ignored);
                if (!error.empty())
                    spdlog::warn("job {}: the page headers could not be stamped: {}", id, error);
                scheduler_.attempt_ended(
                    id, cancelled ? line_outcome(Fps::Aborting, FailureClass::Aborted,
                                                 "cancelled before the call started")
                                  : line_outcome(Fps::FatalError, failure,
                                                 "page headers: " +
                                                     replace_all(error, request.document.string(),
                                                                 document_name(id))));
                wake();
                return;
            }
            request.document = branded;
            branded_[device_id] = branded;
            start_call(id, device_id, request);
        });
    });
}

void Daemon::start_call(std::int64_t job_id, std::int32_t device_id, const SendRequest& request) {
    sending_[device_id] = job_id;
    try {
        service_.send_on(device_id, request);
    } catch (const std::exception& e) {
        sending_.erase(device_id);
        if (auto b = branded_.find(device_id); b != branded_.end()) {
            std::error_code ignored;
            std::filesystem::remove(b->second, ignored);
            branded_.erase(b);
        }
        spdlog::warn("job {}: the call could not start: {}", job_id, e.what());
        scheduler_.attempt_ended(
            job_id,
            line_outcome(Fps::FatalError, FailureClass::Protocol,
                         replace_all(e.what(), request.document.string(), document_name(job_id))));
    }
}

void Daemon::publish_status() {
    for (Port* p : server_.ports()) {
        PortStatus s = p->GetStatus(clock_);
        const std::string key = std::to_string(static_cast<std::uint32_t>(s.device_status)) + "|" +
                                s.description + "|" + std::to_string(s.current_page);
        std::string& last = published_[s.device_id];
        if (last == key) continue;
        last = key;
        if (auto it = sending_.find(s.device_id); it != sending_.end())
            scheduler_.device_status(it->second, s.device_status);
        rpc_->notify_all("port.status", {{"status", status_json(s)}});
    }
}

void Daemon::housekeeping() {
    if (stopping_) return;
    if (int n = scheduler_.purge())
        spdlog::info("faxd: removed {} finished job(s) past DirtyDays", n);
    purge_received_faxes();
    exports_.remove_unused(std::chrono::hours(1));
    housekeeping_timer_.expires_after(std::chrono::hours(1));
    housekeeping_timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) housekeeping();
    });
}

void Daemon::purge_received_faxes() {
    const auto purged = purge_received(
        store_, clock_.now(), std::chrono::duration_cast<Duration>(config_.received_retention));
    if (purged.empty()) return;
    spdlog::info(
        "faxd: removed {} received fax(es) past the retention of {} hour(s)", purged.size(),
        std::chrono::duration_cast<std::chrono::hours>(config_.received_retention).count());
}

void Daemon::account(const CallRecord& rec, std::int64_t id, const std::string& user) {
    AccountingRecord a;
    a.start = rec.start_time;
    a.end = rec.end_time;
    a.outbound = rec.outbound;
    a.id = id;
    a.user = user;
    a.number = rec.number;
    a.dialled = rec.dialled;
    a.remote_ident = rec.remote_ident;
    a.port = server_.port(rec.device_id).Name();
    a.pages = rec.pages;
    a.session = rec.session;
    a.result = rec.outcome.ok() ? "ok" : to_string(rec.outcome.failure);
    // A driver's cause may name a file of the spool; the log names the job or fax.
    a.cause =
        replace_all(rec.outcome.cause_text, rec.file.string(),
                    rec.outbound ? document_name(id) : "fax " + std::to_string(id) + "'s file");
    accounting_.append(a);
}

void Daemon::call_started(const CallRecord& rec) {
    if (rec.outbound) return;
    ReceivedFax f;
    f.device_id = rec.device_id;
    f.port_name = server_.port(rec.device_id).Name();
    f.file = rec.file.string();
    f.caller_id = rec.number;
    f.csid = server_.port(rec.device_id).Csid();
    f.start = rec.start_time;
    f.status = "receiving";
    f.id = store_.add_received(f);
    receiving_[rec.device_id] = f.id;
    spdlog::info("fax {}: answering a call from {} on port {}", f.id, rec.number, rec.device_id);
    rpc_->notify_all("received.changed", {{"fax", fax_json(f)}});
}

void Daemon::call_progress(const CallRecord& rec, const SessionEvent& e) {
    if (e.kind != SessionEvent::Kind::PageDone) return;
    if (rec.outbound) {
        if (auto it = sending_.find(rec.device_id); it != sending_.end())
            scheduler_.pages_confirmed(it->second, e.pages_done);
    } else if (auto it = receiving_.find(rec.device_id); it != receiving_.end()) {
        if (auto f = store_.received(it->second)) {
            f->pages = e.pages_done;
            f->remote_ident = e.remote_ident;
            store_.update_received(*f);
        }
    }
}

void Daemon::call_ended(const CallRecord& rec) {
    metrics_.call_ended(rec.outbound, rec.outcome, rec.pages);
    if (rec.outbound) {
        auto it = sending_.find(rec.device_id);
        if (it == sending_.end()) return;
        const std::int64_t job_id = it->second;
        sending_.erase(it);
        const auto job = scheduler_.job(job_id);
        account(rec, job_id, job ? job->user_name : "");
        if (auto b = branded_.find(rec.device_id); b != branded_.end()) {
            std::error_code ignored;
            std::filesystem::remove(b->second, ignored);
            branded_.erase(b);
        }
        if (rec.outcome.ok())
            spdlog::info("job {}: call on port {} completed ({} page(s))", job_id, rec.device_id,
                         rec.pages);
        else
            spdlog::warn("job {}: call on port {} failed after {} page(s): {}", job_id,
                         rec.device_id, rec.pages, rec.outcome.cause_text);
        // A driver's cause may name the document's file; clients see the job's id.
        CallOutcome outcome = rec.outcome;
        outcome.cause_text =
            replace_all(outcome.cause_text, rec.file.string(), document_name(job_id));
        if (!stopping_) scheduler_.attempt_ended(job_id, outcome);
        if (rec.outcome.ok()) archive(job_id, rec);
        wake();
        return;
    }
    auto it = receiving_.find(rec.device_id);
    if (it == receiving_.end()) return;
    const std::int64_t fax_id = it->second;
    receiving_.erase(it);
    account(rec, fax_id, "");
    auto f = store_.received(fax_id);
    if (!f) return;
    f->end = rec.end_time;
    f->pages = rec.pages;
    f->remote_ident = rec.remote_ident;
    f->bit_rate = rec.session.bit_rate;
    f->resolution = rec.session.resolution;
    f->compression = rec.session.compression;
    f->cause_text = replace_all(rec.outcome.cause_text, f->file,  // logged below with the path
                                "fax " + std::to_string(fax_id) + "'s file");
    f->partial = !rec.outcome.ok();
    f->status = rec.outcome.ok() ? "completed" : rec.pages > 0 ? "partial" : "failed";
    if (rec.pages == 0) {
        std::error_code ignored;
        std::filesystem::remove(f->file, ignored);
    } else {
        // What FaxTiff (COM) reads, in the file itself, before anything copies it.
        try {
            record_fax_tiff_info(f->file,
                                 received_fax_tiff_info(*f, server_.port(rec.device_id).number));
        } catch (const std::exception& e) {  // the fax is still there, untagged
            spdlog::warn("fax {}: cannot record its details in {}: {}", fax_id, f->file, e.what());
        }
        // Stored with the reception's end in one write: a crash cannot leave a
        // received fax that nobody will route.
        plan_routing(*f);
    }
    store_.update_received(*f);
    if (rec.outcome.ok())
        spdlog::info("fax {}: {} page(s) from \"{}\" on port {} into {}: {}", fax_id, rec.pages,
                     rec.remote_ident, rec.device_id, f->file, f->status);
    else  // an operator looks for why a fax did not come
        spdlog::warn("fax {}: reception on port {} from \"{}\" {} after {} page(s): {}{}", fax_id,
                     rec.device_id, rec.remote_ident, f->status, rec.pages, rec.outcome.cause_text,
                     rec.pages > 0 ? " (the pages are kept in " + f->file + ")" : "");
    rpc_->notify_all("received.changed", {{"fax", fax_json(*f)}});
    start_routing(*f);
}

void Daemon::send_notice(const Job& job) {
    const JobNotice notice = job_notice(job);
    const std::string address = job.notify_address;
    const std::int64_t id = job.id;
    workers_.post([this, notice, address, id](std::stop_token) {
        const RoutingRun r = router_.mail(address, notice.subject, notice.text);
        if (r.ok)
            spdlog::info("job {}: notice mailed to {}", id, address);
        else
            spdlog::warn("job {}: notice to {} not sent: {}", id, address, r.detail);
    });
}

UsersFile Daemon::load_users(const Config& config) {
    const std::filesystem::path file = users_file(config);
    if (config.users.empty() && !std::filesystem::exists(file)) return {};
    return UsersFile::load(file);
}

void Daemon::archive(std::int64_t job_id, const CallRecord& rec) {
    const ServerSettings settings = server_.settings();
    if (!settings.archive_outbound_faxes) return;
    auto job = scheduler_.job(job_id);
    if (!job || job->state != JobState::Completed) return;
    // A copy of what was sent, under a name of our own: the folder is the operator's.
    const std::filesystem::path dir = settings.archive_directory;
    // Tagged for FaxTiff (fax_tiff_tags.hpp) in the spool's tmp first, which
    // start-up empties: the archive gets the tagged copy whole, or nothing.
    const std::filesystem::path tagged =
        spool_ / "tmp" / ("job-" + std::to_string(job_id) + "-archived.tif");
    try {
        std::filesystem::copy_file(job->document, tagged,
                                   std::filesystem::copy_options::overwrite_existing);
        SendRequest request;
        request.tsid = job->tsid;
        const std::string tsid =
            service_.controller(rec.device_id).tsid_for(request, settings.use_device_tsid);
        record_fax_tiff_info(tagged,
                             sent_fax_tiff_info(*job, tsid, rec.remote_ident, rec.start_time));
        make_directories(dir, config_.modes.dir);
        const std::string stem = "job-" + std::to_string(job_id);
        const Folder folder(dir);
        const std::string name = store_under_free_name(
            folder.fd(), dir, stem, config_.modes.file, [&](AtomicFile& f) { f.copy_from(tagged); },
            [&](int n) { return stem + (n == 1 ? "" : "-" + std::to_string(n)) + ".tif"; }, 1000);
        const std::filesystem::path target = dir / name;
        spdlog::info("job {}: archived as {}", job_id, target.string());
    } catch (const std::exception& e) {
        spdlog::error("job {}: could not archive into {}: {}", job_id, dir.string(), e.what());
    }
    std::error_code ignored;
    std::filesystem::remove(tagged, ignored);
}

void Daemon::plan_routing(ReceivedFax& f) const {
    const Port& port = server_.port(f.device_id);
    f.routing.clear();
    for (const RoutingMethod* m : port.GetRoutingMethods())
        if (m->Enable()) {
            RoutingOutcome o;
            o.guid = m->Guid();
            o.routing_data = m->RoutingData();
            o.next_try = clock_.now();
            f.routing.push_back(o);
        }
}

void Daemon::start_routing(const ReceivedFax& f) {
    for (std::size_t i = 0; i < f.routing.size(); ++i) run_routing(f.id, i);
}

void Daemon::run_routing(std::int64_t fax_id, std::size_t index) {
    auto f = store_.received(fax_id);
    if (!f || index >= f->routing.size()) return;
    const RoutingMethodInfo* info = find_routing_method(f->routing[index].guid);
    if (!info) return;
    const ReceivedFax snapshot = *f;
    const RoutingKind kind = info->kind;
    const std::string data = f->routing[index].routing_data;
    workers_.post([this, snapshot, kind, data, fax_id, index](std::stop_token) {
        RoutingRun result = router_.run(kind, data, snapshot);
        asio::post(io_, [this, result, fax_id, index] {
            auto f = store_.received(fax_id);
            if (!f || index >= f->routing.size()) return;
            RoutingOutcome& o = f->routing[index];
            ++o.tries;
            o.done = result.ok;
            o.detail = result.detail;
            o.next_try.reset();
            if (!result.ok && o.tries < config_.routing_max_tries)
                o.next_try = clock_.now() +
                             std::chrono::duration_cast<Duration>(config_.routing_retry_delay);
            store_.update_received(*f);
            if (result.ok)
                spdlog::info("fax {}: routing: {}", fax_id, result.detail);
            else  // the detail names the fax; the log also names its file
                spdlog::warn("fax {}: routing failed (try {} of {}): {} (file {})", fax_id, o.tries,
                             config_.routing_max_tries, result.detail, f->file);
            rpc_->notify_all("received.changed", {{"fax", fax_json(*f)}});
            if (o.next_try) schedule_routing_retry(fax_id, index, *o.next_try);
        });
    });
}

void Daemon::schedule_routing_retry(std::int64_t fax_id, std::size_t index, TimePoint when) {
    auto timer = std::make_shared<asio::steady_timer>(io_);
    const auto delay = std::max(Duration::zero(), when - clock_.now());
    timer->expires_after(delay);
    timer->async_wait([this, timer, fax_id, index](const asio::error_code& ec) {
        if (!ec && !stopping_) run_routing(fax_id, index);
    });
}

}  // namespace faxemu::faxd
