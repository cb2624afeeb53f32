#include "tools/faxctl/job_view.hpp"

#include <fmt/format.h>

#include <utility>
#include <vector>

namespace faxemu::faxctl {

std::map<std::int64_t, std::string> port_names(const json& ports) {
    std::map<std::int64_t, std::string> out;
    for (const json& p : ports)
        out[p.value("device_id", std::int64_t{0})] = p.value("name", std::string{});
    return out;
}

std::string port_of(const json& job, const std::map<std::int64_t, std::string>& ports) {
    const std::int64_t id = job.value("device_id", std::int64_t{0});
    if (id == 0) return "";
    const auto it = ports.find(id);
    return it != ports.end() ? it->second : fmt::format("port {}", id);
}

namespace {

std::string joined(const json& names) {
    std::string out;
    for (const json& n : names) out += (out.empty() ? "" : ", ") + n.get<std::string>();
    return out;
}

// "busy 2, no fax machine 1 (3 dials, 0 tries)", or "" when none failed.
std::string failures_text(const json& f) {
    static const std::pair<const char*, const char*> kClasses[] = {{"busy", "busy"},
                                                                   {"no_answer", "no answer"},
                                                                   {"no_carrier", "no fax machine"},
                                                                   {"other", "other"}};
    std::string out;
    for (const auto& [key, name] : kClasses) {
        if (const int n = f.value(key, 0); n > 0)
            out += fmt::format("{}{} {}", out.empty() ? "" : ", ", name, n);
    }
    if (out.empty()) return out;
    return fmt::format("{} ({} dials, {} tries)", out, f.value("dials", 0), f.value("tries", 0));
}

}  // namespace

void print_job(const json& job, const std::map<std::int64_t, std::string>& ports, bool utc) {
    fmt::print("job {}: {}\n", job.value("job_id", std::int64_t{0}),
               job.value("queue_status_text", std::string{}));
    std::vector<std::pair<std::string, std::string>> fields;
    auto add = [&](const char* name, std::string value) {
        if (!value.empty()) fields.emplace_back(name, std::move(value));
    };
    const std::string recipient = job.value("recipient_name", std::string{});
    add("to",
        job.value("fax_number", std::string{}) + (recipient.empty() ? "" : " (" + recipient + ")"));
    const int pages = job.value("page_count", 0), sent = job.value("pages_sent", 0);
    add("document", fmt::format("{} ({} page{}, {} sent)", job.value("display_name", std::string{}),
                                pages, pages == 1 ? "" : "s", sent));
    add("user", job.value("user_name", std::string{}));
    add("port", port_of(job, ports));
    add("attempts", std::to_string(job.value("attempts", 0)));
    add("submitted", shown_time(job.value("submitted", json()), utc));
    add("next attempt", shown_time(job.value("next_attempt", json()), utc));
    add("finished", shown_time(job.value("finished", json()), utc));
    add("waiting for", job.value("wait_reason", std::string{}));
    add("not before", shown_time(job.value("send_at", json()), utc));
    if (const int p = job.value("priority", 50); p != 50) add("priority", std::to_string(p));
    add("ports", joined(job.value("ports", json::array())));
    if (const int r = job.value("retries", -1); r >= 0) add("retries", fmt::format("{} in all", r));
    add("failures", failures_text(job.value("failures", json::object())));
    add("last error", job.value("last_error", std::string{}));
    std::size_t width = 0;
    for (const auto& [name, value] : fields) width = std::max(width, name.size());
    for (const auto& [name, value] : fields)
        fmt::print("  {:<{}}  {}\n", name + ":", width + 1, value);
    for (const json& a : job.value("attempts_list", json::array())) {
        json on = {{"device_id", a.value("device_id", std::int64_t{0})}};
        std::string line =
            fmt::format("  attempt {}: {}", a.value("number", 0), shown_time(a["start"], utc));
        if (const std::string port = port_of(on, ports); !port.empty()) line += " on " + port;
        line += ", " + a.value("status", std::string{});
        if (const std::string cause = a.value("cause", std::string{}); !cause.empty())
            line += " (" + cause + ")";
        fmt::print("{}\n", line);
    }
}

std::string job_command_line(const std::string& action, const json& job) {
    static const std::map<std::string, std::string> done = {{"pause", "paused"},
                                                            {"resume", "resumed"},
                                                            {"cancel", "cancelled"},
                                                            {"restart", "restarted"},
                                                            {"retry", "will be tried now"}};
    const auto it = done.find(action);
    std::string line = fmt::format("job {} {}", job.value("job_id", std::int64_t{0}),
                                   it != done.end() ? it->second : action);
    // Pausing and cancelling say it all; otherwise where the job now stands.
    if (action != "pause" && action != "cancel")
        line += ": " + job.value("queue_status_text", std::string{});
    return line;
}

std::string job_alter_line(const json& asked, const json& job, bool utc) {
    std::vector<std::string> parts;
    if (asked.contains("number")) parts.push_back("to " + job.value("fax_number", std::string{}));
    if (asked.contains("send_at"))
        parts.push_back("not before " + shown_time(job.value("send_at", json()), utc));
    if (asked.contains("priority"))
        parts.push_back(fmt::format("priority {}", job.value("priority", 0)));
    if (asked.contains("retries"))
        parts.push_back(fmt::format("retries {}", job.value("retries", -1)));
    if (asked.contains("ports")) {
        const std::string ports = joined(job.value("ports", json::array()));
        parts.push_back(ports.empty() ? "any port" : "ports " + ports);
    }
    std::string line = fmt::format("job {} changed:", job.value("job_id", std::int64_t{0}));
    for (std::size_t i = 0; i < parts.size(); ++i) line += (i ? ", " : " ") + parts[i];
    return line;
}

}  // namespace faxemu::faxctl
