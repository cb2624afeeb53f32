#include "tools/faxd/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <system_error>
#include <utility>

#include "core/client_text.hpp"
#include "core/documents/page_header.hpp"
#include "core/error.hpp"
#include "core/free_ports.hpp"

namespace faxemu::faxd {

namespace {

SendRequest request_for(const Job& job, std::int32_t first_page) {
    SendRequest req;
    req.number = job.fax_number;
    req.document = job.document;
    req.document_name = job.display_name;
    req.document_size = job.size;
    req.page_count = job.page_count;
    req.first_page = first_page;
    req.tsid = job.tsid;
    req.sender_name = job.sender_name;
    req.recipient_name = job.recipient_name;
    req.submitted_time = job.submitted;
    return req;
}

}  // namespace

std::string document_name(std::int64_t job_id) {
    return "job " + std::to_string(job_id) + "'s document";
}

Dispatcher::Dispatcher(Parts parts) : parts_(std::move(parts)) {}

void Dispatcher::dispatch() {
    if (stopping_) return;
    // Read once for the whole round; each job dispatched takes its port.
    FreePorts free(parts_.server, [this](std::int32_t id) {
        return !branding_.count(id) && parts_.port_open(id) && parts_.service.can_send(id);
    });
    // Every attempt of the round is persisted before the first call starts.
    for (const Scheduler::Dispatch& d : parts_.scheduler.start_due(free)) {
        const Job& job = d.job;
        SendRequest req = request_for(job, d.first_page);
        spdlog::info("job {}: dialling {} on port {} (attempt {}, from page {})", job.id,
                     job.fax_number, d.device_id, job.attempts + 1, d.first_page + 1);
        if (parts_.server.settings().branding)
            brand_then_call(job, d.device_id, std::move(req));
        else
            start_call(job.id, d.device_id, req);
    }
}

void Dispatcher::abort(std::int64_t job_id, std::int32_t device_id) {
    if (auto b = branding_.find(device_id); b != branding_.end() && b->second == job_id) {
        spdlog::info("job {}: cancelled before its call on port {} started", job_id, device_id);
        cancelled_while_branding_.insert(job_id);
        return;
    }
    spdlog::info("job {}: cancelled during its call on port {}, hanging up", job_id, device_id);
    parts_.service.controller(device_id).device().hangup();
}

std::optional<std::int64_t> Dispatcher::call_ended(std::int32_t device_id) {
    auto it = sending_.find(device_id);
    if (it == sending_.end()) return std::nullopt;
    const std::int64_t job_id = it->second;
    sending_.erase(it);
    remove_branded_copy(device_id);
    return job_id;
}

std::optional<std::int64_t> Dispatcher::job_on(std::int32_t device_id) const {
    const auto it = sending_.find(device_id);
    if (it == sending_.end()) return std::nullopt;
    return it->second;
}

void Dispatcher::brand_then_call(const Job& job, std::int32_t device_id, SendRequest request) {
    PageHeader header;
    header.time = parts_.clock.now();  // the attempt's start
    header.tsid = parts_.service.controller(device_id).tsid_for(
        request, parts_.server.settings().use_device_tsid);
    header.sender_name = job.sender_name;
    const std::filesystem::path copy =
        parts_.work_dir / ("job-" + std::to_string(job.id) + "-branded.tif");
    branding_[device_id] = job.id;
    const std::int64_t id = job.id;
    const mode_t mode = parts_.config.modes.file;
    parts_.workers.post([this, id, device_id, request, header, copy, mode](std::stop_token stop) {
        std::string error;
        FailureClass failure = FailureClass::None;
        try {
            write_branded_copy(request.document, copy, header, request.page_count, mode, stop);
        } catch (const FaxError& e) {
            error = e.what();
            // An unreadable document stays unreadable; a full disk may not.
            failure = e.code() == ErrorCode::BadDocument ? FailureClass::Document
                                                         : FailureClass::Protocol;
        } catch (const std::exception& e) {
            error = e.what();
            failure = FailureClass::Protocol;
        }
        asio::post(parts_.io, [this, id, device_id, request, copy, error, failure] {
            branded(id, device_id, request, copy, error, failure);
        });
    });
}

void Dispatcher::branded(std::int64_t id, std::int32_t device_id, SendRequest request,
                         const std::filesystem::path& copy, const std::string& error,
                         FailureClass failure) {
    branding_.erase(device_id);
    const bool cancelled = cancelled_while_branding_.erase(id) > 0;
    std::error_code ignored;
    if (stopping_) {  // the job is back in the queue (recover)
        std::filesystem::remove(copy, ignored);
        return;
    }
    if (cancelled || !error.empty()) {
        std::filesystem::remove(copy, ignored);
        if (!error.empty())
            spdlog::warn("job {}: the page headers could not be stamped: {}", id, error);
        parts_.scheduler.attempt_ended(
            id, cancelled
                    ? line_outcome(Fps::Aborting, FailureClass::Aborted,
                                   "cancelled before the call started")
                    : line_outcome(Fps::FatalError, failure,
                                   "page headers: " + replace_all(error, request.document.string(),
                                                                  document_name(id))));
        parts_.wake();
        return;
    }
    request.document = copy;
    branded_[device_id] = copy;
    start_call(id, device_id, request);
}

void Dispatcher::start_call(std::int64_t job_id, std::int32_t device_id,
                            const SendRequest& request) {
    sending_[device_id] = job_id;
    try {
        parts_.service.send_on(device_id, request);
    } catch (const std::exception& e) {
        sending_.erase(device_id);
        remove_branded_copy(device_id);
        spdlog::warn("job {}: the call could not start: {}", job_id, e.what());
        parts_.scheduler.attempt_ended(
            job_id,
            line_outcome(Fps::FatalError, FailureClass::Protocol,
                         replace_all(e.what(), request.document.string(), document_name(job_id))));
    }
}

void Dispatcher::remove_branded_copy(std::int32_t device_id) {
    if (auto b = branded_.find(device_id); b != branded_.end()) {
        std::error_code ignored;
        std::filesystem::remove(b->second, ignored);
        branded_.erase(b);
    }
}

}  // namespace faxemu::faxd
