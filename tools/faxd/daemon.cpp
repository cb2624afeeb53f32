#include "tools/faxd/daemon.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "core/client_text.hpp"
#include "core/documents/conversion.hpp"
#include "core/documents/document.hpp"
#include "core/documents/fax_export.hpp"
#include "core/documents/page_header.hpp"
#include "core/documents/submission.hpp"
#include "core/error.hpp"
#include "core/file_modes.hpp"
#include "core/job_notice.hpp"
#include "core/local_time.hpp"
#include "core/protocol/defaults.hpp"
#include "core/received_retention.hpp"
#include "core/routing_method.hpp"
#include "tools/faxd/json_views.hpp"
#include "tools/faxd/outbound_archive.hpp"
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
      routing_(io_, clock_, store_, router_, workers_, server_, config_,
               [this](const ReceivedFax& f) { fax_changed(f); }),
      received_(
          server_, store_, routing_, [this](const ReceivedFax& f) { fax_changed(f); },
          [this](const CallRecord& rec, std::int64_t id) { account(rec, id, ""); }),
      users_(load_users(config_)),
      accounting_(accounting_path(config_, spool_), config_.modes.file),
      pumps_(io_, exchange_, modems_, pump_calls()),
      housekeeping_timer_(io_),
      status_(
          server_, clock_, scheduler_,
          [this](std::int32_t device_id) -> std::optional<std::int64_t> {
              const auto it = sending_.find(device_id);
              return it == sending_.end() ? std::nullopt : std::optional(it->second);
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
    remove_stale_temporaries(server_, store_, spool_);  // recovery.hpp
    recover_received(server_, store_, clock_, config_, routing_);
    remove_orphan_documents(store_, spool_);
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
    pumps_.start(config_.line_speed);
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
        routing_.stop();
        pumps_.stop();
        housekeeping_timer_.cancel();
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
    c.dispatch = [this] { dispatch(); };
    c.publish_status = [this] { publish_status(); };
    c.poll = [this] { service_.poll(); };
    c.until_next_wakeup = [this]() -> std::optional<Duration> {
        if (auto next = scheduler_.next_wakeup()) return *next - clock_.now();
        return std::nullopt;
    };
    return c;
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
    status_.publish();  // status_publisher.cpp
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
    if (!rec.outbound) received_.call_started(rec);
}

void Daemon::call_progress(const CallRecord& rec, const SessionEvent& e) {
    if (e.kind != SessionEvent::Kind::PageDone) return;
    if (rec.outbound) {
        if (auto it = sending_.find(rec.device_id); it != sending_.end())
            scheduler_.pages_confirmed(it->second, e.pages_done);
    } else {
        received_.call_progress(rec, e);
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
    received_.call_ended(rec);
}

void Daemon::fax_changed(const ReceivedFax& f) {
    rpc_->notify_all("received.changed", {{"fax", fax_json(f)}});
}

void Daemon::archive(std::int64_t job_id, const CallRecord& rec) {
    const ServerSettings settings = server_.settings();
    if (!settings.archive_outbound_faxes) return;
    auto job = scheduler_.job(job_id);
    if (!job || job->state != JobState::Completed) return;
    SendRequest request;
    request.tsid = job->tsid;
    const SentCall call{
        service_.controller(rec.device_id).tsid_for(request, settings.use_device_tsid),
        rec.remote_ident, rec.start_time};
    archive_sent_fax(*job, call, settings.archive_directory, spool_ / "tmp", config_.modes);
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

}  // namespace faxemu::faxd
