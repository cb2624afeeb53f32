// job.submit, jobs.list, job.get, job.command, job.alter (PROTOCOL.md
// "Jobs"): a submission is checked and stored whole before its job exists,
// then converted on the worker pool; the others read or change the queue.
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <span>
#include <utility>

#include "core/atomic_file.hpp"
#include "core/client_text.hpp"
#include "core/documents/document_type.hpp"
#include "core/documents/personal_cover_page.hpp"
#include "core/documents/submission.hpp"
#include "core/error.hpp"
#include "core/file_modes.hpp"
#include "core/local_time.hpp"
#include "core/protocol/base64.hpp"
#include "core/protocol/error_codes.hpp"
#include "core/protocol/json_rpc.hpp"
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/json_views.hpp"

namespace faxemu::faxd {

namespace {

constexpr std::size_t kMaxDocuments = 64;  // in one job.submit

std::string random_name(const char* prefix) {
    unsigned char bytes[8];
    randombytes_buf(bytes, sizeof bytes);
    char hex[sizeof bytes * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
    return std::string(prefix) + hex;
}

// `message` with each path replaced by its name for clients, and whatever
// else is left of the spool's own paths cut out.
std::string without_spool_paths(
    std::string message,
    std::initializer_list<std::pair<std::filesystem::path, std::string>> named) {
    for (const auto& [path, name] : named) message = replace_all(message, path.string(), name);
    for (const auto& [path, name] : named)
        message = replace_all(message, path.parent_path().string(), "faxd's spool");
    return message;
}

std::vector<std::uint8_t> decode_document(const std::string& text, std::size_t limit,
                                          const std::string& what = "document") {
    const auto too_large = [&] {
        return rpc::RpcError(rpc::kTooLarge, what + ": larger than the limit of " +
                                                 std::to_string(limit) + " bytes");
    };
    if (text.size() / 4 * 3 > limit + 3) throw too_large();
    auto bytes = rpc::base64_decode(text);
    if (!bytes) throw rpc::RpcError(rpc::kInvalidParams, what + ": not valid base64");
    if (bytes->size() > limit) throw too_large();
    return std::move(*bytes);
}

// "notify": {"address": who is mailed, "when": "done" | "fail" | "all"}.
void notify_param(const json& notify, Job& job) {
    if (!notify.is_object())
        throw rpc::RpcError(rpc::kInvalidParams, "notify: expected {address, when}");
    const std::string address = string_param(notify, "address");
    // It becomes a mail header: one line, and an address.
    if (auto why = one_line_problem(address, 254); !why.empty())
        throw rpc::RpcError(rpc::kInvalidParams, "notify.address " + why);
    // One mailbox: a user of faxd's host ("alice") or user@domain, never a list.
    if (address.empty() || address.find_first_of(" ,;:<>()\"\\") != std::string::npos)
        throw rpc::RpcError(rpc::kInvalidParams,
                            "notify.address: \"" + address + "\" is not a mail address");
    const std::string when = opt_string_param(notify, "when").value_or("all");
    const auto w = notify_when_from_string(when);
    if (!w) throw rpc::RpcError(rpc::kInvalidParams, "notify.when: one of done, fail, all, never");
    job.notify_address = address;
    job.notify_when = *w;
}

// "send_at": the first attempt not before this, in UTC as the protocol's times are.
std::optional<TimePoint> send_at_param(const json& params) {
    const auto text = opt_string_param(params, "send_at");
    if (!text) return std::nullopt;
    const auto t = parse_iso_utc(*text);
    if (!t)
        throw rpc::RpcError(rpc::kInvalidParams,
                            "send_at: expected a UTC time such as 2026-12-08T08:00:00Z, got " +
                                quoted_excerpt(*text));
    return t;
}

// "ports": the names of the ports or port groups a job may use.
std::optional<std::vector<std::string>> ports_param(const json& params) {
    if (!params.contains("ports")) return std::nullopt;
    const json& list = params["ports"];
    const auto bad = [] {
        return rpc::RpcError(rpc::kInvalidParams,
                             "ports: expected a list of up to 64 port or port group names");
    };
    if (!list.is_array() || list.size() > 64) throw bad();
    std::vector<std::string> names;
    for (const json& n : list) {
        if (!n.is_string()) throw bad();
        names.push_back(n.get<std::string>());
    }
    return names;
}

// What job.alter changes, and what job.submit takes beside the fax itself.
Scheduler::Alteration alteration_param(const json& params) {
    Scheduler::Alteration a;
    a.fax_number = opt_string_param(params, "number");
    a.send_at = send_at_param(params);
    a.priority = opt_int_param<std::int32_t>(params, "priority");
    a.max_retries = opt_int_param<std::int32_t>(params, "retries");
    a.ports = ports_param(params);
    return a;
}

// A document of job.submit, decoded.
struct Upload {
    std::string name;
    std::vector<std::uint8_t> bytes;
};

// The job job.submit asks for, but its documents and cover page.
Job job_param(const RpcServer::Session& s, const json& params) {
    Job job;
    job.user_name = s.user;
    job.fax_number = string_param(params, "number");
    job.recipient_name = opt_string_param(params, "recipient_name").value_or("");
    job.tsid = opt_string_param(params, "tsid").value_or("");
    job.sender_name = opt_string_param(params, "sender_name").value_or(s.user);
    job.sender_company = opt_string_param(params, "sender_company").value_or("");
    job.sender_dept = opt_string_param(params, "sender_dept").value_or("");
    job.billing_code = opt_string_param(params, "billing_code").value_or("");
    job.discount_send = opt_bool_param(params, "discount_send").value_or(false);
    if (params.contains("notify")) notify_param(params["notify"], job);
    const Scheduler::Alteration schedule = alteration_param(params);
    job.send_at = schedule.send_at;
    job.priority = schedule.priority.value_or(kDefaultJobPriority);
    job.max_retries = schedule.max_retries.value_or(-1);
    job.ports = schedule.ports.value_or(std::vector<std::string>{});
    return job;
}

// One document ("document", "display_name") or several, sent in order as one
// fax ("documents": [{document, name}]).
std::vector<Upload> uploads_param(const json& params, std::size_t limit) {
    std::vector<Upload> uploads;
    if (params.contains("documents")) {
        const json& list = params["documents"];
        if (!list.is_array() || list.empty() || list.size() > kMaxDocuments)
            throw rpc::RpcError(rpc::kInvalidParams, "documents: expected a list of 1 to " +
                                                         std::to_string(kMaxDocuments) +
                                                         " {document, name}");
        for (const json& d : list) {
            if (!d.is_object())
                throw rpc::RpcError(rpc::kInvalidParams, "documents: expected {document, name}");
            const std::string name = opt_string_param(d, "name").value_or("document");
            if (auto why = one_line_problem(name, 256); !why.empty())
                throw rpc::RpcError(rpc::kInvalidParams, "documents: name " + why);
            uploads.push_back({name, decode_document(string_param(d, "document"), limit)});
        }
    } else {
        uploads.push_back({opt_string_param(params, "display_name").value_or("document.tif"),
                           decode_document(string_param(params, "document"), limit)});
    }
    return uploads;
}

FaxResolution resolution_param(const json& params) {
    FaxResolution resolution = FaxResolution::Fine;
    if (auto name = opt_string_param(params, "resolution")) {
        auto r = fax_resolution_from_string(*name);
        if (!r)
            throw rpc::RpcError(
                rpc::kInvalidParams,
                "resolution: expected standard, fine or superfine, not " + quoted_excerpt(*name));
        resolution = *r;
    }
    return resolution;
}

// What needs no conversion is refused at once, before any job exists: an
// empty file, a type faxemu does not know or cannot convert.
void refuse_unsupported(const std::vector<Upload>& uploads) {
    for (const Upload& u : uploads) {
        const auto head = std::span(u.bytes).first(std::min(u.bytes.size(), kSniffBytes));
        if (auto why = unsupported_reason(sniff_document_type(head), u.name); !why.empty())
            throw FaxError(ErrorCode::BadDocument, why);
    }
}

// The client's own cover page (FaxDoc.ServerCoverpage = False), unless the
// server allows only its own (FaxServer.ServerCoverpage); none if the job
// names a server template or has no cover page.
std::optional<Upload> own_cover_param(const json& params, const std::optional<CoverPageInfo>& cover,
                                      bool server_coverpage) {
    if (!cover || !params["cover"].contains("document")) return std::nullopt;
    const json& c = params["cover"];
    const std::string name = opt_string_param(c, "name").value_or("cover.svg");
    if (auto why = one_line_problem(name, 256); !why.empty())
        throw rpc::RpcError(rpc::kInvalidParams, "cover.name: " + why);
    if (!cover->template_name.empty())
        throw rpc::RpcError(rpc::kInvalidParams,
                            "cover: a server template or a document of the client's own, "
                            "not both");
    if (server_coverpage)
        throw FaxError(ErrorCode::AccessDenied,
                       "cover page \"" + name +
                           "\": this server allows only its own cover pages "
                           "(ServerCoverpage is on); choose one of them by name");
    Upload own{name, decode_document(string_param(c, "document"), kMaxPersonalCoverPageBytes,
                                     "cover.document")};
    check_personal_cover_page(
        name, std::string_view(reinterpret_cast<const char*>(own.bytes.data()), own.bytes.size()));
    return own;
}

// The uploads stored whole in `folder`, with what names them (submission.hpp).
void store_uploads(const std::filesystem::path& folder, const std::vector<Upload>& uploads,
                   const std::optional<Upload>& own_cover, Submission submission,
                   const FileModes& modes) {
    make_directories(folder, modes.dir);
    for (std::size_t i = 0; i < uploads.size(); ++i) {
        const auto file = folder / std::to_string(i + 1);
        write_file_atomically(file, uploads[i].bytes, modes.file);
        submission.documents.push_back({file, uploads[i].name});
    }
    if (own_cover) {
        const auto file = folder / "cover.svg";
        write_file_atomically(file, own_cover->bytes, modes.file);
        submission.cover_template = SubmittedDocument{file, own_cover->name};
    }
    save_submission(folder, submission, modes.file);
}

}  // namespace

json Daemon::submit_job(RpcServer::Session& s, const json& params) {
    require(s.rights, access::JobSubmit, "job.submit");
    Job job = job_param(s, params);
    const std::vector<Upload> uploads = uploads_param(params, config_.max_document_bytes);
    job.display_name = opt_string_param(params, "display_name").value_or(uploads.front().name);
    std::optional<CoverPageInfo> cover = cover_page_param(params, job);
    Submission submission;
    submission.cover = cover;
    submission.resolution = resolution_param(params);
    Scheduler::validate(job);  // before any work on the documents
    scheduler_.validate_schedule(job);
    refuse_unsupported(uploads);
    const std::optional<Upload> own_cover =
        own_cover_param(params, cover, server_.settings().server_coverpage);
    if (cover && !own_cover)
        conversions_.cover_templates().load(cover->template_name);  // an unknown one, now

    // The uploads are stored whole, in a folder with what names them, before
    // the job that names the folder (a crash between the two leaves a folder
    // that start-up removes), and converted on the worker pool: the io thread
    // never waits on a conversion.
    const auto folder = spool_ / "documents" / random_name("upload-");
    try {
        store_uploads(folder, uploads, own_cover, submission, config_.modes);
    } catch (const std::exception& e) {
        std::error_code ignored;
        std::filesystem::remove_all(folder, ignored);
        // The client named its documents; the spool's file names are faxd's own.
        spdlog::error("upload \"{}\" from {} not stored: {}", job.display_name, s.user, e.what());
        throw FaxError(ErrorCode::Io,
                       without_spool_paths(e.what(), {{folder, "\"" + job.display_name + "\""}}));
    }
    job.document = folder.string();
    job.size = 0;
    for (const Upload& u : uploads) job.size += static_cast<std::int64_t>(u.bytes.size());
    try {
        job = scheduler_.submit_converting(job);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(folder, ignored);
        throw;
    }
    spdlog::info("job {}: \"{}\" ({} document(s), {} bytes{}) to {} submitted by {}; converting",
                 job.id, job.display_name, uploads.size(), job.size, cover ? ", a cover page" : "",
                 job.fax_number, s.user);
    conversions_.convert(job);
    return job_json(job);
}

void Daemon::register_job_methods(RpcServer& rpc) {
    using Session = RpcServer::Session;
    rpc.handle("job.submit",
               [this](Session& s, const json& params) { return submit_job(s, params); });
    rpc.handle("jobs.list", [this](Session& s, const json& params) {
        require(s.rights, access::JobQuery, "jobs.list");
        json out = json::array();
        for (const Job& j : scheduler_.jobs(opt_bool_param(params, "all").value_or(false)))
            out.push_back(job_json(j, scheduler_.wait_reason(j.id)));
        return out;
    });
    rpc.handle("job.get", [this](Session& s, const json& params) {
        require(s.rights, access::JobQuery, "job.get");
        const std::int64_t id = int_param(params, "job_id");
        auto job = scheduler_.job(id);
        if (!job) throw FaxError(ErrorCode::NotFound, "no job " + std::to_string(id));
        json out = job_json(*job, scheduler_.wait_reason(id));
        out["attempts_list"] = json::array();
        for (const Attempt& a : store_.attempts(id))
            out["attempts_list"].push_back(attempt_json(a));
        return out;
    });
    rpc.handle("job.command", [this](Session& s, const json& params) {
        const std::int64_t id = int_param(params, "job_id");
        const json& c = params.contains("command") ? params["command"] : json();
        JobCommand cmd = JobCommand::Unknown;
        if (c.is_number()) {
            cmd = static_cast<JobCommand>(int_param<std::int32_t>(params, "command"));
        } else if (c.is_string()) {
            const std::string name = c.get<std::string>();
            if (name == "cancel" || name == "delete")
                cmd = JobCommand::Delete;
            else if (name == "pause")
                cmd = JobCommand::Pause;
            else if (name == "resume" || name == "restart")
                cmd = JobCommand::Resume;
            else if (name == "retry") {
                // Not a faxcom command: the next attempt now, not after RetryDelay.
                Job job = scheduler_.retry_now(s.rights, s.user, id);
                wake();
                return job_json(job, scheduler_.wait_reason(id));
            } else
                throw FaxError(ErrorCode::InvalidParameter,
                               "job " + std::to_string(id) + ": unknown command " +
                                   quoted_excerpt(name) +
                                   " (pause, resume, cancel, restart, retry)");
        } else {
            throw rpc::RpcError(rpc::kInvalidParams, "command: expected a name or a JC_* number");
        }
        Job job = scheduler_.command(s.rights, s.user, id, cmd);
        wake();
        return job_json(job);
    });

    rpc.handle("job.alter", [this](Session& s, const json& params) {
        const std::int64_t id = int_param(params, "job_id");
        const Scheduler::Alteration change = alteration_param(params);
        if (!change.fax_number && !change.send_at && !change.priority && !change.max_retries &&
            !change.ports)
            throw rpc::RpcError(rpc::kInvalidParams,
                                "job.alter: nothing to change (number, send_at, priority, "
                                "retries, ports)");
        Job job = scheduler_.alter(s.rights, s.user, id, change);
        spdlog::info("job {}: changed by {}", id, s.user);
        wake();
        return job_json(job, scheduler_.wait_reason(id));
    });
}

}  // namespace faxemu::faxd
