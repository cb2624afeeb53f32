#include "tools/faxd/call_endings.hpp"

#include <spdlog/spdlog.h>

#include "core/client_text.hpp"
#include "core/job_notice.hpp"
#include "tools/faxd/dispatcher.hpp"
#include "tools/faxd/outbound_archive.hpp"

namespace faxemu::faxd {

void CallEndings::account(const CallRecord& rec, std::int64_t id, const std::string& user) {
    AccountingRecord a;
    a.start = rec.start_time;
    a.end = rec.end_time;
    a.outbound = rec.outbound;
    a.id = id;
    a.user = user;
    a.number = rec.number;
    a.dialled = rec.dialled;
    a.remote_ident = rec.remote_ident;
    a.port = parts_.server.port(rec.device_id).Name();
    a.pages = rec.pages;
    a.session = rec.session;
    a.result = rec.outcome.ok() ? "ok" : to_string(rec.outcome.failure);
    // A driver's cause may name a file of the spool; the log names the job or fax.
    a.cause =
        replace_all(rec.outcome.cause_text, rec.file.string(),
                    rec.outbound ? document_name(id) : "fax " + std::to_string(id) + "'s file");
    parts_.accounting.append(a);
}

void CallEndings::outbound_ended(const CallRecord& rec, std::int64_t job_id, bool stopping) {
    const auto job = parts_.scheduler.job(job_id);
    account(rec, job_id, job ? job->user_name : "");
    if (rec.outcome.ok())
        spdlog::info("job {}: call on port {} completed ({} page(s))", job_id, rec.device_id,
                     rec.pages);
    else
        spdlog::warn("job {}: call on port {} failed after {} page(s): {}", job_id, rec.device_id,
                     rec.pages, rec.outcome.cause_text);
    // A driver's cause may name the document's file; clients see the job's id.
    CallOutcome outcome = rec.outcome;
    outcome.cause_text = replace_all(outcome.cause_text, rec.file.string(), document_name(job_id));
    if (!stopping) parts_.scheduler.attempt_ended(job_id, outcome);
    if (rec.outcome.ok()) archive(job_id, rec);
}

void CallEndings::job_changed(const Job& job) {
    if (notice_due(job) && noticed_.insert({job.id, job.submitted}).second) send_notice(job);
}

void CallEndings::archive(std::int64_t job_id, const CallRecord& rec) {
    const ServerSettings settings = parts_.server.settings();
    if (!settings.archive_outbound_faxes) return;
    auto job = parts_.scheduler.job(job_id);
    if (!job || job->state != JobState::Completed) return;
    SendRequest request;
    request.tsid = job->tsid;
    const SentCall call{
        parts_.service.controller(rec.device_id).tsid_for(request, settings.use_device_tsid),
        rec.remote_ident, rec.start_time};
    archive_sent_fax(*job, call, settings.archive_directory, parts_.work_dir, parts_.config.modes);
}

void CallEndings::send_notice(const Job& job) {
    const JobNotice notice = job_notice(job);
    const std::string address = job.notify_address;
    const std::int64_t id = job.id;
    parts_.workers.post([this, notice, address, id](std::stop_token) {
        const RoutingRun r = parts_.router.mail(address, notice.subject, notice.text);
        if (r.ok)
            spdlog::info("job {}: notice mailed to {}", id, address);
        else
            spdlog::warn("job {}: notice to {} not sent: {}", id, address, r.detail);
    });
}

}  // namespace faxemu::faxd
