// faxctl: the command-line client of faxd, over the client library.
//   faxctl [--server ADDR | --config FAXD.TOML] [--user U] [--json] [--utc] COMMAND ...
// ADDR is HOST[:PORT], tls://HOST:PORT (with --tls-ca or $FAXEMU_TLS_CA) or
// unix:PATH; without one, faxctl finds faxd as faxd's config says
// (faxd_address.hpp). The password comes from $FAXEMU_PASSWORD or
// --password-file, never from the command line.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include <unistd.h>

#include "core/protocol/base64.hpp"
#include "core/protocol/client.hpp"
#include "core/protocol/closest_name.hpp"
#include "core/protocol/defaults.hpp"
#include "core/protocol/error_codes.hpp"
#include "core/protocol/fetch_received.hpp"
#include "core/protocol/json_rpc.hpp"
#include "core/protocol/submit.hpp"
#include "tools/faxctl/conversion_progress.hpp"
#include "tools/faxctl/faxd_address.hpp"
#include "tools/faxctl/fetch_target.hpp"
#include "tools/faxctl/follow.hpp"
#include "tools/faxctl/job_view.hpp"
#include "tools/faxctl/output.hpp"
#include "tools/faxctl/schedule_options.hpp"

using namespace faxemu;
using faxctl::json;

namespace {

struct Options : faxctl::FaxdLogin {
    bool json_output = false;
    bool utc = false;  // times in UTC, not local time
};

bool parse_on_off(const std::string& v, const std::string& what) {
    if (v == "on" || v == "true" || v == "yes" || v == "1") return true;
    if (v == "off" || v == "false" || v == "no" || v == "0") return false;
    throw std::runtime_error(what + ": expected on or off, not \"" + v + "\"");
}

std::vector<std::uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read");
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void show(const Options& o, const json& result, const std::vector<faxctl::Column>& columns = {}) {
    if (o.json_output) {
        fmt::print("{}\n", result.dump(2));
    } else if (result.is_array() && !columns.empty()) {
        faxctl::print_table(result, columns);
    } else if (result.is_object()) {
        faxctl::print_object(result);
    } else {
        fmt::print("{}\n", result.dump(2));
    }
}

const std::vector<faxctl::Column> kPortColumns = {
    {"ID", "device_id"}, {"NAME", "name"},         {"NUMBER", "number"}, {"SEND", "send"},
    {"RECV", "receive"}, {"RINGS", "rings"},       {"PRIO", "priority"}, {"CSID", "csid"},
    {"TSID", "tsid"},    {"MODIFY", "can_modify"}, {"DEVICE", "device"}};
const std::vector<faxctl::Column> kJobColumns = {
    {"JOB", "job_id"},           {"STATE", "queue_status_text"}, {"DEVICE", "port_name"},
    {"TO", "fax_number"},        {"PAGES", "page_count"},        {"SENT", "pages_sent"},
    {"TRIES", "attempts"},       {"USER", "user_name"},          {"DOCUMENT", "display_name"},
    {"LAST ERROR", "last_error"}};
const std::vector<faxctl::Column> kReceivedColumns = {{"ID", "id"},
                                                      {"PORT", "port_name"},
                                                      {"PAGES", "pages"},
                                                      {"FROM", "remote_ident"},
                                                      {"CALLER", "caller_id"},
                                                      {"STATUS", "status"},
                                                      {"START", "start"}};
const std::vector<faxctl::Column> kRoutingColumns = {{"METHOD", "name"},
                                                     {"GUID", "guid"},
                                                     {"NAME", "friendly_name"},
                                                     {"ENABLED", "enable"},
                                                     {"DATA", "data"}};

// Exit codes, one per kind of failure, so scripts can tell them apart.
enum Exit : int {
    kOk = 0,
    kFailed = 1,       // the job did not complete (send --wait), or a local error
    kUsage = 2,        // the command line is wrong
    kRefused = 3,      // faxd answered with an error
    kUnreachable = 4,  // faxd could not be reached
};

// Connecting failed: faxd is not there (not a refusal by faxd).
struct Unreachable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The first word of the command line that is not a global flag or its value:
// what the user meant as the command.
std::optional<std::string> command_word(int argc, char** argv) {
    static const std::set<std::string> with_value = {
        "-s", "--server", "-c", "--config", "--tls-ca", "-u", "--user", "--password-file"};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (with_value.count(a)) {
            ++i;
            continue;
        }
        if (!a.starts_with("-")) return a;
    }
    return std::nullopt;
}

int fail(const Options& o, int code, const std::string& message, const json& detail = nullptr) {
    if (o.json_output) {
        json error = {{"message", message}, {"exit_code", code}};
        if (!detail.is_null()) error["code"] = detail;
        fmt::print("{}\n", json{{"error", error}}.dump(2));
    } else {
        fmt::print(stderr, "faxctl: {}\n", message);
    }
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"faxctl: control a faxd (ports, status, routing, jobs, received faxes)"};
    app.footer(
        "Global options may come before or after the command.\n"
        "Exit codes: 0 done; 1 the job did not complete (send --wait) or a local error;\n"
        "2 usage error; 3 faxd refused (its message is printed); 4 faxd could not be reached.");
    app.set_version_flag("--version", std::string("faxctl ") + FAXEMU_VERSION);
    app.require_subcommand(1);
    // Subcommands made from here on pass the global options up to the app.
    app.fallthrough();
    Options o;
    app.add_option("-s,--server", o.server,
                   "HOST[:PORT], tls://HOST:PORT or unix:PATH ($FAXEMU_SERVER)");
    app.add_option("-c,--config", o.config,
                   "faxd's configuration file: talk to the faxd it describes ($FAXD_CONFIG)");
    app.add_option("--tls-ca", o.tls_ca,
                   "CA file that signed faxd's certificate, for tls:// ($FAXEMU_TLS_CA)");
    app.add_option("-u,--user", o.user, "log in as this user ($FAXEMU_USER)");
    app.add_option("--password-file", o.password_file,
                   "first line is the password ($FAXEMU_PASSWORD)");
    app.add_flag("--json", o.json_output, "print faxd's JSON answers, for scripts");
    app.add_flag("--utc", o.utc, "show times in UTC, not in the local time zone");

    auto* ports = app.add_subcommand("ports", "list the ports");
    auto* port = app.add_subcommand("port", "change a port");
    port->require_subcommand(1);
    auto* port_set = port->add_subcommand("set", "set a port's properties");
    std::int64_t port_id = 0;
    std::optional<std::int64_t> rings, priority;
    std::optional<std::string> csid, tsid, send_on, receive_on;
    port_set->add_option("device_id", port_id, "the port's DeviceId")->required();
    port_set->add_option("--rings", rings, "rings before answering (1-99)");
    port_set->add_option("--csid", csid, "called station id (20 printable characters)");
    port_set->add_option("--tsid", tsid, "transmitting station id");
    port_set->add_option("--send", send_on, "on or off");
    port_set->add_option("--receive", receive_on, "on or off");
    port_set->add_option("--priority", priority, "1 = tried first");

    auto* status = app.add_subcommand("status", "the ports' live status");
    std::optional<std::int64_t> status_id;
    status->add_option("device_id", status_id, "one port (default: all)");

    auto* routing = app.add_subcommand("routing", "a port's routing methods");
    std::int64_t routing_port = 0;
    std::string routing_guid;
    std::optional<std::string> routing_enable, routing_data;
    routing->add_option("device_id", routing_port, "the port")->required();
    auto* routing_set = routing->add_subcommand("set", "enable a method or set its data");
    routing_set
        ->add_option("method", routing_guid,
                     "the method: email, folder, print, program, or its GUID")
        ->required();
    routing_set->add_option("--enable", routing_enable, "on or off");
    routing_set->add_option("--data", routing_data,
                            "RoutingData: folder, address, printer, program");

    auto* send = app.add_subcommand("send", "send documents: several files are one fax, in order");
    std::string to;
    std::vector<std::string> files;
    bool wait = false;
    std::string recipient, sender, company, dept, billing, tsid_doc;
    std::optional<std::string> cover_template;
    std::string subject, note;
    send->add_option("--to", to, "the fax number to dial")->required();
    send->add_option("files", files,
                     "documents: TIFF, PDF, PostScript, plain text, PNG, JPEG, GIF or BMP")
        ->required()
        ->check(CLI::ExistingFile);
    send->add_flag("--wait", wait, "follow the job until it finishes; exit 1 unless it completed");
    send->add_option("--to-name,--recipient", recipient, "the recipient's name (RecipientName)");
    send->add_option("--from-name,--sender", sender, "the sender's name (SenderName)");
    send->add_option("--company", company, "SenderCompany");
    send->add_option("--dept", dept, "SenderDept");
    send->add_option("--billing", billing, "BillingCode");
    send->add_option("--tsid", tsid_doc, "the TSID to send (unless the server uses the port's)");
    send->add_option("--cover", cover_template,
                     "a cover page first, from the server's TEMPLATE (default: \"default\"), "
                     "or from an SVG file of your own when TEMPLATE is an existing file")
        ->expected(0, 1)
        ->default_str("default");
    send->add_option("--subject", subject, "the cover page's subject (implies --cover)");
    send->add_option("--note", note, "the cover page's note (implies --cover)");
    bool discount = false;
    send->add_flag("--discount", discount, "wait for the discount-rate period");
    std::string notify, notify_address;
    send->add_option("--notify", notify,
                     "mail when the job ends: done, fail or all (to --notify-address)")
        ->check(CLI::IsMember({"done", "fail", "all"}));
    send->add_option("--notify-address", notify_address,
                     "who is mailed (default: $USER@ faxd's host, as the mailer completes it)");
    faxctl::ScheduleOptions schedule_options;
    schedule_options.add_to(send);

    auto* jobs = app.add_subcommand("jobs", "list jobs");
    bool all_jobs = false;
    jobs->add_flag("-a,--all", all_jobs, "include finished jobs");

    auto* job =
        app.add_subcommand("job", "one job: show, pause, resume, cancel, restart, retry, alter");
    std::string job_action;
    std::int64_t job_id = 0;
    job->add_option("action", job_action,
                    "show, pause, resume, cancel, restart, retry (now) or alter (a waiting "
                    "job's --number, --at, --priority, --retries, --port)")
        ->required()
        ->check(CLI::IsMember({"show", "pause", "resume", "cancel", "restart", "retry", "alter"}));
    job->add_option("job_id", job_id, "the job")->required();
    schedule_options.add_alter_options(job);

    auto* received = app.add_subcommand("received", "received faxes: list, or fetch one");
    std::optional<std::int64_t> fetch_id;
    std::string output;
    received->add_option("--fetch", fetch_id, "fetch this fax");
    received->add_option("-o,--output", output,
                         "where to write the fetched fax (default fax-ID.EXT)");
    std::string fetch_format;
    received->add_option("--format", fetch_format,
                         "tiff, pdf or png (default: as -o's extension says, else tiff)");
    std::optional<std::int32_t> fetch_page;
    received->add_option("--page", fetch_page, "the page to fetch as PNG (from 1)");

    auto* server = app.add_subcommand("server", "the server settings: show, or set KEY=VALUE...");
    auto* server_set = server->add_subcommand("set", "change server settings");
    auto* server_load = server->add_subcommand(
        "load", "the line threads: ticks, ticks late by more than 5 and 20 ms, CPU");
    std::vector<std::string> assignments;
    server_set->add_option("assignments", assignments, "e.g. retries=5 pause_server_queue=true")
        ->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::vector<std::string> commands;
        for (const CLI::App* c : app.get_subcommands({})) commands.push_back(c->get_name());
        const auto word = command_word(argc, argv);
        if (word && std::find(commands.begin(), commands.end(), *word) == commands.end())
            return fail(o, kUsage,
                        "unknown command \"" + *word + "\"" + did_you_mean(*word, commands) +
                            "; faxctl --help lists the commands");
        return fail(o, kUsage, std::string(e.what()) + "; faxctl --help says more");
    }

    // Before connecting: what --at and job alter ask for is checked at once.
    json schedule;
    try {
        schedule = schedule_options.params();
    } catch (const std::invalid_argument& e) {
        return fail(o, kUsage, e.what());
    }
    if (*job && job_action == "alter" && schedule.empty())
        return fail(o, kUsage,
                    "job alter: say what to change: --number, --at, --priority, --retries, --port");
    if (*job && job_action != "alter" && !schedule.empty())
        return fail(o, kUsage,
                    "--number, --at, --priority, --retries and --port go with job alter");

    try {
        // Before connecting: a name that contradicts the format is refused at once.
        std::optional<faxctl::FetchTarget> target;
        if (*received && fetch_id) {
            try {
                target = faxctl::fetch_target(*fetch_id, fetch_format, output, fetch_page);
            } catch (const std::exception& e) {
                return fail(o, kUsage, e.what());
            }
        }
        std::unique_ptr<rpc::FaxClient> client;
        try {
            client = faxctl::connect_to_faxd(o);
        } catch (const rpc::RpcError& e) {
            if (e.code() != rpc::kIoError) throw;  // faxd answered: a refused login
            throw Unreachable(e.what());
        } catch (const std::exception& e) {
            throw Unreachable(e.what());
        }
        if (*ports) {
            show(o, client->call("ports.list"), kPortColumns);
        } else if (*port_set) {
            json p = {{"device_id", port_id}};
            if (rings) p["rings"] = *rings;
            if (csid) p["csid"] = *csid;
            if (tsid) p["tsid"] = *tsid;
            if (send_on) p["send"] = parse_on_off(*send_on, "--send");
            if (receive_on) p["receive"] = parse_on_off(*receive_on, "--receive");
            if (priority) p["priority"] = *priority;
            show(o, client->call("port.set", p));
        } else if (*status) {
            json out = json::array();
            if (status_id) {
                out.push_back(client->call("port.status", {{"device_id", *status_id}}));
            } else {
                for (const json& p : client->call("ports.list"))
                    out.push_back(client->call("port.status", {{"device_id", p["device_id"]}}));
            }
            show(o, out,
                 {{"ID", "device_id"},
                  {"NAME", "device_name"},
                  {"STATUS", "device_status_text"},
                  {"PAGE", "current_page"},
                  {"OF", "page_count"},
                  {"DESCRIPTION", "description"}});
        } else if (*routing_set) {
            json p = {{"device_id", routing_port}, {"guid", routing_guid}};
            if (routing_data) p["data"] = *routing_data;
            if (routing_enable) p["enable"] = parse_on_off(*routing_enable, "--enable");
            show(o, client->call("routing.set", p));
        } else if (*routing) {
            show(o, client->call("routing.list", {{"device_id", routing_port}}), kRoutingColumns);
        } else if (*send) {
            json documents = json::array();
            for (const std::string& f : files)
                documents.push_back({{"document", rpc::base64_encode(read_file(f))},
                                     {"name", std::filesystem::path(f).filename().string()}});
            json p = {{"number", to}, {"documents", documents}, {"discount_send", discount}};
            p.update(schedule);
            if (files.size() > 1) {  // the job's name in listings: its documents
                std::string names;
                for (const json& d : documents)
                    names += (names.empty() ? "" : ", ") + d["name"].get<std::string>();
                if (names.size() > 200) names = names.substr(0, 197) + "...";
                p["display_name"] = names;
            }
            if (!recipient.empty()) p["recipient_name"] = recipient;
            if (!sender.empty()) p["sender_name"] = sender;
            if (!company.empty()) p["sender_company"] = company;
            if (!dept.empty()) p["sender_dept"] = dept;
            if (!billing.empty()) p["billing_code"] = billing;
            if (!tsid_doc.empty()) p["tsid"] = tsid_doc;
            if (!notify.empty()) {
                std::string address = notify_address;
                if (address.empty()) {
                    const char* user = std::getenv("USER");
                    if (!user || !*user)
                        throw std::runtime_error("--notify needs --notify-address");
                    address = user;
                }
                p["notify"] = {{"address", address}, {"when", notify}};
            }
            if (send->count("--cover") || !subject.empty() || !note.empty()) {
                json cover = json::object();
                std::error_code ec;
                if (cover_template && std::filesystem::is_regular_file(*cover_template, ec)) {
                    // A template of one's own, drawn by faxd unless it allows only its own.
                    cover["document"] = rpc::base64_encode(read_file(*cover_template));
                    cover["name"] = std::filesystem::path(*cover_template).filename().string();
                } else if (cover_template && !cover_template->empty()) {
                    cover["template"] = *cover_template;
                }
                if (!subject.empty()) cover["subject"] = subject;
                if (!note.empty()) cover["note"] = note;
                p["cover"] = cover;
            }
            std::optional<faxctl::JobFollower> follower;
            if (wait) follower.emplace(*client, o.utc);  // listening before the submission
            // Returns once faxd has converted the documents; a document it
            // cannot fax throws its reason, which main() prints.
            // Progress on stderr while it converts (not with --json: scripts read stdout).
            std::optional<faxctl::ConversionProgressLine> progress;
            if (!o.json_output) progress.emplace(stderr, ::isatty(STDERR_FILENO) == 1);
            json j =
                rpc::submit_and_wait(*client, p, std::chrono::minutes(10), [&](const json& job) {
                    if (progress) progress->show(job);
                });
            if (progress) progress->finish();
            const std::int64_t id = j["job_id"].get<std::int64_t>();
            if (o.json_output && !wait)
                fmt::print("{}\n", j.dump(2));
            else if (!o.json_output)
                fmt::print("job {}: {} ({} page{}) queued for {}{}\n", id,
                           j["display_name"].get<std::string>(), j["page_count"].get<int>(),
                           j["page_count"].get<int>() == 1 ? "" : "s", to,
                           schedule_options.at
                               ? ", not before " + faxctl::shown_time(j["send_at"], o.utc)
                               : "");
            if (wait) return follower->wait({id}, o.json_output) ? 0 : 1;
        } else if (*jobs) {
            json list = client->call("jobs.list", {{"all", all_jobs}});
            if (!o.json_output) {
                const auto names = faxctl::port_names(client->call("ports.list"));
                for (json& j : list) j["port_name"] = faxctl::port_of(j, names);
            }
            show(o, list, kJobColumns);
        } else if (*job && job_action == "alter") {
            json p = schedule;
            p["job_id"] = job_id;
            const json answer = client->call("job.alter", p);
            if (o.json_output)
                show(o, answer);
            else
                fmt::print("{}\n", faxctl::job_alter_line(schedule, answer, o.utc));
        } else if (*job) {
            const json answer =
                job_action == "show"
                    ? client->call("job.get", {{"job_id", job_id}})
                    : client->call("job.command", {{"job_id", job_id}, {"command", job_action}});
            if (o.json_output)
                show(o, answer);
            else if (job_action == "show")
                faxctl::print_job(answer, faxctl::port_names(client->call("ports.list")), o.utc);
            else
                fmt::print("{}\n", faxctl::job_command_line(job_action, answer));
        } else if (*received) {
            if (!fetch_id) {
                json list = client->call("received.list");
                if (!o.json_output)
                    list = faxctl::with_shown_times(std::move(list), {"start"}, o.utc);
                show(o, list, kReceivedColumns);
            } else {
                const std::string& path = target->path;
                // Written under another name first, so a failed fetch leaves no
                // half file (nor an empty one) under the name asked for.
                const std::string part = path + ".part";
                std::ofstream out(part, std::ios::binary | std::ios::trunc);
                if (!out) throw std::runtime_error(path + ": cannot write");
                std::int64_t size = 0;
                try {
                    size =
                        rpc::fetch_received(*client, *fetch_id, target->format, target->page, out);
                } catch (...) {
                    out.close();
                    std::filesystem::remove(part);
                    throw;
                }
                out.close();
                if (!out) {
                    std::filesystem::remove(part);
                    throw std::runtime_error(path + ": write failed");
                }
                std::filesystem::rename(part, path);
                if (o.json_output)
                    fmt::print("{}\n", json{{"id", *fetch_id},
                                            {"file", path},
                                            {"format", format_name(target->format)},
                                            {"size", size}}
                                           .dump(2));
                else
                    fmt::print("fax {}: {} bytes of {} written to {}\n", *fetch_id, size,
                               format_name(target->format), path);
            }
        } else if (*server_load) {
            const json load = client->call("server.load");
            show(o, o.json_output ? load : load["line_threads"],
                 {{"THREAD", "thread"},
                  {"TICKS", "ticks"},
                  {"LATE>5MS", "late_5ms"},
                  {"LATE>20MS", "late_20ms"},
                  {"WORST MS", "worst_ms"},
                  {"CPU S", "cpu_seconds"}});
        } else if (*server) {
            if (!*server_set) {
                show(o, client->call("server.get"));
            } else {
                json p = json::object();
                for (const std::string& a : assignments) {
                    const auto eq = a.find('=');
                    if (eq == std::string::npos)
                        throw std::runtime_error(a + ": expected KEY=VALUE");
                    const std::string key = a.substr(0, eq), value = a.substr(eq + 1);
                    json v = json::parse(value, nullptr, false);
                    p[key] = v.is_discarded() ? json(value) : v;
                }
                show(o, client->call("server.set", p));
            }
        }
        return 0;
    } catch (const rpc::RpcError& e) {
        if (e.code() == rpc::kUnauthenticated)
            return fail(o, kRefused,
                        "faxd wants a user: faxctl --user NAME, with the password in "
                        "$FAXEMU_PASSWORD or --password-file",
                        e.code());
        return fail(o, kRefused,
                    e.what() + std::string(" (error ") + std::to_string(e.code()) + ")", e.code());
    } catch (const Unreachable& e) {
        return fail(o, kUnreachable, std::string("cannot reach faxd: ") + e.what());
    } catch (const std::exception& e) {
        return fail(o, kFailed, e.what());
    }
}
