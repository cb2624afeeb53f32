// The control protocol's methods (core/protocol/PROTOCOL.md), served by faxd.
// Each checks the caller's rights, validates its parameters, and answers from
// the model, the scheduler or the store.
#include <fcntl.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
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
#include "core/protocol/fax_file_format.hpp"
#include "core/protocol/json_rpc.hpp"
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/json_views.hpp"

namespace faxemu::faxd {

namespace {

constexpr std::size_t kMaxFetch = 4u << 20;
// received.fetch thumbnail: a viewer's page strip (PROTOCOL.md).
constexpr std::uint32_t kThumbnailWidth = 160;
constexpr std::size_t kMaxDocuments = 64;  // in one job.submit
using Session = RpcServer::Session;

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

}  // namespace

void Daemon::register_handlers() {
    RpcServer& rpc = *rpc_;
    auto port_of = [this](const json& params) -> Port& {
        return server_.port(int_param<std::int32_t>(params, "device_id"));
    };

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

    rpc.handle("job.submit", [this](Session& s, const json& params) {
        require(s.rights, access::JobSubmit, "job.submit");
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

        // One document ("document", "display_name") or several, sent in order
        // as one fax ("documents": [{document, name}]).
        struct Upload {
            std::string name;
            std::vector<std::uint8_t> bytes;
        };
        std::vector<Upload> uploads;
        if (params.contains("documents")) {
            const json& list = params["documents"];
            if (!list.is_array() || list.empty() || list.size() > kMaxDocuments)
                throw rpc::RpcError(rpc::kInvalidParams, "documents: expected a list of 1 to " +
                                                             std::to_string(kMaxDocuments) +
                                                             " {document, name}");
            for (const json& d : list) {
                if (!d.is_object())
                    throw rpc::RpcError(rpc::kInvalidParams,
                                        "documents: expected {document, name}");
                const std::string name = opt_string_param(d, "name").value_or("document");
                if (auto why = one_line_problem(name, 256); !why.empty())
                    throw rpc::RpcError(rpc::kInvalidParams, "documents: name " + why);
                uploads.push_back({name, decode_document(string_param(d, "document"),
                                                         config_.max_document_bytes)});
            }
        } else {
            uploads.push_back(
                {opt_string_param(params, "display_name").value_or("document.tif"),
                 decode_document(string_param(params, "document"), config_.max_document_bytes)});
        }
        job.display_name = opt_string_param(params, "display_name").value_or(uploads.front().name);
        std::optional<CoverPageInfo> cover = cover_page_param(params, job);
        FaxResolution resolution = FaxResolution::Fine;
        if (auto name = opt_string_param(params, "resolution")) {
            auto r = fax_resolution_from_string(*name);
            if (!r)
                throw rpc::RpcError(rpc::kInvalidParams,
                                    "resolution: expected standard, fine or superfine, not " +
                                        quoted_excerpt(*name));
            resolution = *r;
        }
        Scheduler::validate(job);  // before any work on the documents
        scheduler_.validate_schedule(job);

        // What needs no conversion is refused at once, before any job exists:
        // an empty file, a type faxemu does not know or cannot convert.
        for (const Upload& u : uploads) {
            const auto head = std::span(u.bytes).first(std::min(u.bytes.size(), kSniffBytes));
            if (auto why = unsupported_reason(sniff_document_type(head), u.name); !why.empty())
                throw FaxError(ErrorCode::BadDocument, why);
        }
        // The client's own cover page (FaxDoc.ServerCoverpage = False), unless
        // the server allows only its own (FaxServer.ServerCoverpage).
        std::optional<Upload> own_cover;
        if (cover && params["cover"].contains("document")) {
            const json& c = params["cover"];
            const std::string name = opt_string_param(c, "name").value_or("cover.svg");
            if (auto why = one_line_problem(name, 256); !why.empty())
                throw rpc::RpcError(rpc::kInvalidParams, "cover.name: " + why);
            if (!cover->template_name.empty())
                throw rpc::RpcError(rpc::kInvalidParams,
                                    "cover: a server template or a document of the client's own, "
                                    "not both");
            if (server_.settings().server_coverpage)
                throw FaxError(ErrorCode::AccessDenied,
                               "cover page \"" + name +
                                   "\": this server allows only its own cover pages "
                                   "(ServerCoverpage is on); choose one of them by name");
            own_cover = Upload{name, decode_document(string_param(c, "document"),
                                                     kMaxPersonalCoverPageBytes, "cover.document")};
            check_personal_cover_page(
                name, std::string_view(reinterpret_cast<const char*>(own_cover->bytes.data()),
                                       own_cover->bytes.size()));
        } else if (cover) {
            cover_templates().load(cover->template_name);  // an unknown one, now
        }

        // The uploads are stored whole, in a folder with what names them,
        // before the job that names the folder (a crash between the two leaves
        // a folder that start-up removes), and converted on the worker pool:
        // the io thread never waits on a conversion.
        const auto folder = spool_ / "documents" / random_name("upload-");
        try {
            make_directories(folder, config_.modes.dir);
            Submission submission;
            submission.cover = cover;
            submission.resolution = resolution;
            for (std::size_t i = 0; i < uploads.size(); ++i) {
                const auto file = folder / std::to_string(i + 1);
                write_file_atomically(file, uploads[i].bytes, config_.modes.file);
                submission.documents.push_back({file, uploads[i].name});
            }
            if (own_cover) {
                const auto file = folder / "cover.svg";
                write_file_atomically(file, own_cover->bytes, config_.modes.file);
                submission.cover_template = SubmittedDocument{file, own_cover->name};
            }
            save_submission(folder, submission, config_.modes.file);
        } catch (const std::exception& e) {
            std::error_code ignored;
            std::filesystem::remove_all(folder, ignored);
            // The client named its documents; the spool's file names are faxd's own.
            spdlog::error("upload \"{}\" from {} not stored: {}", job.display_name, s.user,
                          e.what());
            throw FaxError(
                ErrorCode::Io,
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
        spdlog::info(
            "job {}: \"{}\" ({} document(s), {} bytes{}) to {} submitted by {}; converting", job.id,
            job.display_name, uploads.size(), job.size, cover ? ", a cover page" : "",
            job.fax_number, s.user);
        convert(job);
        return job_json(job);
    });
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

    rpc.handle("received.list", [this](Session& s, const json&) {
        require(s.rights, access::JobQuery, "received.list");
        json out = json::array();
        for (const ReceivedFax& f : store_.received_faxes()) out.push_back(fax_json(f));
        return out;
    });
    auto fax_of = [this](const json& params) {
        const std::int64_t id = int_param(params, "id");
        auto f = store_.received(id);
        if (!f) throw FaxError(ErrorCode::NotFound, "no received fax " + std::to_string(id));
        return *f;
    };
    rpc.handle("received.get", [fax_of](Session& s, const json& params) {
        require(s.rights, access::JobQuery, "received.get");
        return fax_json(fax_of(params));
    });
    rpc.handle("received.fetch", [this, fax_of](Session& s, const json& params) {
        require(s.rights, access::JobQuery, "received.fetch");
        const ReceivedFax f = fax_of(params);
        const std::string fax = "fax " + std::to_string(f.id);
        if (!f.end) throw FaxError(ErrorCode::DeviceInUse, fax + " is still being received");
        const auto offset = opt_int_param(params, "offset").value_or(0);
        const auto length =
            opt_int_param(params, "length").value_or(static_cast<std::int64_t>(kMaxFetch));
        if (offset < 0 || length <= 0 || static_cast<std::size_t>(length) > kMaxFetch)
            throw FaxError(ErrorCode::InvalidParameter,
                           "received.fetch: offset >= 0 and 0 < length <= 4 MiB");
        FaxFileFormat format = FaxFileFormat::Tiff;
        if (auto name = opt_string_param(params, "format")) {
            auto parsed = parse_fax_file_format(*name);
            if (!parsed)
                throw FaxError(ErrorCode::InvalidParameter,
                               "received.fetch: format must be tiff, pdf or png, not " +
                                   quoted_excerpt(*name));
            format = *parsed;
        }
        const auto page = opt_int_param<std::int32_t>(params, "page");
        if (page && format != FaxFileFormat::Png)
            throw FaxError(ErrorCode::InvalidParameter,
                           "received.fetch: page is for format png (a PDF or TIFF has every page)");
        if (format == FaxFileFormat::Png && (page.value_or(1) < 1 || page.value_or(1) > f.pages))
            throw FaxError(ErrorCode::InvalidParameter, fax + " has " + std::to_string(f.pages) +
                                                            (f.pages == 1 ? " page" : " pages") +
                                                            ", no page " +
                                                            std::to_string(page.value_or(1)));
        const bool thumbnail = params.value("thumbnail", false);
        if (thumbnail && format != FaxFileFormat::Png)
            throw FaxError(ErrorCode::InvalidParameter,
                           "received.fetch: thumbnail is for format png");
        std::filesystem::path file = f.file;
        if (format != FaxFileFormat::Tiff) {
            // Made on the worker pool; the client asks again until it is there.
            auto ready = exports_.file(
                f, format, page.value_or(1),
                thumbnail ? std::optional<std::uint32_t>(kThumbnailWidth) : std::nullopt);
            if (!ready)
                return json{
                    {"converting", true}, {"format", format_name(format)}, {"offset", offset}};
            file = *ready;
        }
        std::ifstream in(file, std::ios::binary);
        if (!in) throw FaxError(ErrorCode::Io, fax + ": its file is gone");
        in.seekg(0, std::ios::end);
        const auto size = static_cast<std::int64_t>(in.tellg());
        std::vector<std::uint8_t> buf(
            static_cast<std::size_t>(std::max<std::int64_t>(0, std::min(length, size - offset))));
        in.seekg(offset);
        in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
        return json{{"data", rpc::base64_encode(buf)},
                    {"format", format_name(format)},
                    {"offset", offset},
                    {"size", size},
                    {"eof", offset + static_cast<std::int64_t>(buf.size()) >= size}};
    });
}

}  // namespace faxemu::faxd
