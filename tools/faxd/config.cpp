#include "tools/faxd/config.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "core/file_modes.hpp"
#include "core/program_allow_list.hpp"
#include "core/protocol/closest_name.hpp"
#include "core/protocol/defaults.hpp"
#include "core/routing_method.hpp"
#include "tools/faxd/log_target.hpp"
#include "tools/faxmail/sender_allow_list.hpp"

namespace faxemu::faxd {

namespace {

class Reader {
  public:
    explicit Reader(std::string origin) : origin_(std::move(origin)) {}

    // "file:line: key: what", with the line of `key` once it has been read.
    [[noreturn]] void fail(const std::string& key, const std::string& what) const {
        const auto line = lines_.find(key);
        throw std::runtime_error(origin_ +
                                 (line == lines_.end() ? "" : ":" + std::to_string(line->second)) +
                                 ": " + key + ": " + what);
    }

    // `key` of `t` (null if absent), noted as a key faxd knows.
    const toml::node* node(const toml::table& t, const std::string& prefix, const char* key) const {
        known_[&t].push_back(key);
        const toml::node* n = t.get(key);
        if (n) lines_[prefix + key] = n->source().begin.line;
        return n;
    }

    // The table `key` of `t` (null if absent).
    const toml::table* table(const toml::table& t, const std::string& prefix,
                             const char* key) const {
        const toml::node* n = node(t, prefix, key);
        if (n && !n->is_table()) fail(prefix + key, "expected a [" + prefix + key + "] table");
        return n ? n->as_table() : nullptr;
    }

    // A key of `t` that nothing read is a mistake: a misspelt key would
    // otherwise be silently ignored. Call once every key of `t` has been read.
    void refuse_unknown_keys(const toml::table& t, const std::string& prefix) const {
        const std::vector<std::string>& known = known_[&t];
        for (auto&& [key, value] : t) {
            const std::string k(key.str());
            if (std::find(known.begin(), known.end(), k) != known.end()) continue;
            lines_[prefix + k] = value.source().begin.line;
            fail(prefix + k, "unknown key" + did_you_mean(k, known));
        }
    }

    template <typename T>
    void get(const toml::table& t, const std::string& prefix, const char* key, T& out) const {
        const toml::node* n = node(t, prefix, key);
        if (!n) return;
        const std::string name = prefix + key;
        if constexpr (std::is_same_v<T, bool>) {
            if (!n->is_boolean()) fail(name, "expected true or false");
            out = n->as_boolean()->get();
        } else if constexpr (std::is_same_v<T, std::string> ||
                             std::is_same_v<T, std::filesystem::path>) {
            if (!n->is_string()) fail(name, "expected a string");
            out = n->as_string()->get();
        } else if constexpr (std::is_same_v<T, double>) {
            if (n->is_integer())
                out = static_cast<double>(n->as_integer()->get());
            else if (n->is_floating_point())
                out = n->as_floating_point()->get();
            else
                fail(name, "expected a number");
        } else if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
            // Written in seconds, whole or not.
            double seconds = 0;
            if (n->is_integer())
                seconds = static_cast<double>(n->as_integer()->get());
            else if (n->is_floating_point())
                seconds = n->as_floating_point()->get();
            else
                fail(name, "expected a number of seconds");
            if (!(seconds >= 0 && seconds <= 86400.0 * 365)) fail(name, "out of range");
            out = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            const toml::array* a = n->as_array();
            if (!a) fail(name, "expected an array of strings");
            out.clear();
            for (const toml::node& e : *a) {
                if (!e.is_string()) fail(name, "expected an array of strings");
                out.push_back(e.as_string()->get());
            }
        } else {
            if (!n->is_integer()) fail(name, "expected a whole number");
            const std::int64_t v = n->as_integer()->get();
            if (!std::in_range<T>(v)) fail(name, "out of range");
            out = static_cast<T>(v);
        }
    }

    // A permission mode, written in octal: 0o640 (TOML) or "0640".
    void get_mode(const toml::table& t, const std::string& prefix, const char* key, bool dir,
                  mode_t& out) const {
        const toml::node* n = node(t, prefix, key);
        if (!n) return;
        const std::string name = prefix + key;
        const std::string example = dir ? "0o750" : "0o640";
        std::int64_t v = -1;
        if (const auto* i = n->as_integer()) {
            // 640 (decimal) would be 0o1200: refuse rather than guess.
            if (!(i->flags() & toml::value_flags::format_as_octal) && i->get() != 0)
                fail(name, "write the mode in octal, e.g. " + example);
            v = i->get();
        } else if (const auto* s = n->as_string()) {
            const std::string text = s->get();
            if (text.empty() || text.size() > 4 ||
                text.find_first_not_of("01234567") != std::string::npos)
                fail(name, "\"" + text + "\" is not an octal mode, e.g. \"0640\"");
            v = std::stoll(text, nullptr, 8);
        } else {
            fail(name, "expected an octal mode, e.g. " + example);
        }
        if (v < 0 || v > 07777) fail(name, "expected a mode from 0o000 to 0o777");
        const auto mode = static_cast<mode_t>(v);
        if (const std::string problem = mode_problem(mode, dir); !problem.empty())
            fail(name, problem);
        out = mode;
    }

    const std::string& origin() const { return origin_; }

  private:
    std::string origin_;
    mutable std::map<const toml::table*, std::vector<std::string>> known_;
    mutable std::map<std::string, std::uint32_t> lines_;
};

int parse_modulations(const Reader& r, const std::string& key,
                      const std::vector<std::string>& names) {
    int bits = 0;
    for (const std::string& m : names) {
        if (m == "V.17")
            bits |= 0x04;
        else if (m == "V.29")
            bits |= 0x02;
        else if (m == "V.27ter")
            bits |= 0x01;
        else
            r.fail(key, "unknown modulation \"" + m + "\" (V.17, V.29, V.27ter)");
    }
    if (!bits) r.fail(key, "at least one modulation is needed");
    return bits;
}

// [dialing]: the location and prefixes of HylaFAX's dial rules.
void read_dialing(const Reader& r, const toml::table& t, DialRules& d) {
    r.get(t, "dialing.", "country_code", d.country_code);
    r.get(t, "dialing.", "area_code", d.area_code);
    r.get(t, "dialing.", "long_distance_prefix", d.long_distance_prefix);
    r.get(t, "dialing.", "international_prefix", d.international_prefix);
    r.get(t, "dialing.", "outside_line_prefix", d.outside_line_prefix);
    if (const std::string problem = dial_rules_problem(d); !problem.empty()) {
        const auto colon = problem.find(':');
        r.fail("dialing." + problem.substr(0, colon), problem.substr(colon + 2));
    }
    r.refuse_unknown_keys(t, "dialing.");
}

// A period of days or hours: a whole number of days (30), or "30d", "12h".
std::chrono::seconds read_period(const Reader& r, const toml::table& t, const std::string& prefix,
                                 const char* key) {
    const toml::node* n = r.node(t, prefix, key);
    if (!n) return std::chrono::seconds(0);
    const std::string name = prefix + key;
    std::int64_t count = -1;
    std::int64_t unit = 86400;
    if (const auto* i = n->as_integer()) {
        count = i->get();
    } else if (const auto* s = n->as_string()) {
        const std::string text = s->get();
        const bool shaped = text.size() >= 2 && text.size() <= 7 &&
                            text.find_first_not_of("0123456789") == text.size() - 1 &&
                            (text.back() == 'd' || text.back() == 'h');
        if (!shaped) r.fail(name, "\"" + text + "\" is not a period such as \"30d\" or \"12h\"");
        count = std::stoll(text.substr(0, text.size() - 1));
        if (text.back() == 'h') unit = 3600;
    } else {
        r.fail(name, "expected days (30) or a period such as \"30d\" or \"12h\"");
    }
    if (count < 0 || count * unit > 86400LL * 36500) r.fail(name, "out of range");
    return std::chrono::seconds(count * unit);
}

// One class's rule: NAME_retries (a count) and NAME_delay (seconds); absent:
// [server] retries and retry_delay.
void parse_class_retry(const Reader& r, const toml::table& t, const std::string& name,
                       ClassRetry& rule) {
    const std::string retries_key = name + "_retries";
    const std::string delay_key = name + "_delay";
    std::int32_t retries = 0;
    r.get(t, "retry.", retries_key.c_str(), retries);
    if (t.contains(retries_key)) {
        if (retries < 0 || retries > RetryPolicy::kMaxRetries)
            r.fail("retry." + retries_key,
                   "must be 0 to " + std::to_string(RetryPolicy::kMaxRetries));
        rule.retries = retries;
    }
    std::int64_t seconds = 0;
    r.get(t, "retry.", delay_key.c_str(), seconds);
    if (t.contains(delay_key)) {
        if (seconds < 0 || seconds > RetryPolicy::kMaxDelay.count())
            r.fail("retry." + delay_key,
                   "must be 0 to " + std::to_string(RetryPolicy::kMaxDelay.count()) + " seconds");
        rule.delay = std::chrono::seconds(seconds);
    }
}

void parse_retry(const Reader& r, const toml::table& t, RetryPolicy& policy) {
    parse_class_retry(r, t, "busy", policy.busy);
    parse_class_retry(r, t, "no_answer", policy.no_answer);
    parse_class_retry(r, t, "no_carrier", policy.no_carrier);
    r.refuse_unknown_keys(t, "retry.");
}

// [server]: the spool, logging, workers, file modes, and the server-wide
// settings (ServerSettings) the API can change later.
void parse_server_section(const Reader& r, const toml::table& s, Config& c) {
    r.get(s, "server.", "spool", c.spool);
    r.get(s, "server.", "log_level", c.log_level);
    r.get(s, "server.", "log_file", c.log_file);
    r.get(s, "server.", "log_target", c.log_target);
    if (!log_target_from_string(c.log_target))
        r.fail("server.log_target", "one of auto, stderr, journald, syslog");
    r.get(s, "server.", "workers", c.workers);
    if (c.workers < 1 || c.workers > 64) r.fail("server.workers", "must be 1 to 64");
    r.get_mode(s, "server.", "file_mode", false, c.modes.file);
    r.get_mode(s, "server.", "dir_mode", true, c.modes.dir);
    ServerSettings& ss = c.server;
    r.get(s, "server.", "retries", ss.retries);
    r.get(s, "server.", "retry_delay", ss.retry_delay);
    r.get(s, "server.", "max_calls_per_number", c.max_calls_per_number);
    if (c.max_calls_per_number < 1 || c.max_calls_per_number > 64)
        r.fail("server.max_calls_per_number", "must be 1 to 64");
    r.get(s, "server.", "call_stall_timeout", c.call_stall_timeout);
    // Shorter would cut calls in phase B, where tones (CED) carry no frame.
    if (c.call_stall_timeout.count() != 0 && c.call_stall_timeout < std::chrono::seconds(30))
        r.fail("server.call_stall_timeout", "must be 0 (never) or at least 30 seconds");
    r.get(s, "server.", "accounting_log", c.accounting_log);
    r.get(s, "server.", "dirty_days", ss.dirty_days);
    r.get(s, "server.", "branding", ss.branding);
    r.get(s, "server.", "use_device_tsid", ss.use_device_tsid);
    r.get(s, "server.", "pause_server_queue", ss.pause_server_queue);
    r.get(s, "server.", "archive_outbound_faxes", ss.archive_outbound_faxes);
    r.get(s, "server.", "archive_directory", ss.archive_directory);
    r.get(s, "server.", "discount_rate_start_hour", ss.discount_rate_start_hour);
    r.get(s, "server.", "discount_rate_start_minute", ss.discount_rate_start_minute);
    r.get(s, "server.", "discount_rate_end_hour", ss.discount_rate_end_hour);
    r.get(s, "server.", "discount_rate_end_minute", ss.discount_rate_end_minute);
    try {
        validate(ss);
    } catch (const std::exception& e) {
        r.fail("server", e.what());
    }
    static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (std::find(std::begin(levels), std::end(levels), c.log_level) == std::end(levels))
        r.fail("server.log_level", "one of trace, debug, info, warn, error, critical, off");
    r.refuse_unknown_keys(s, "server.");
}

// [control]: where the control protocol listens, and its limits.
void parse_control_section(const Reader& r, const toml::table& s, Config& c) {
    r.get(s, "control.", "listen", c.listen);
    r.get(s, "control.", "tls_listen", c.tls_listen);
    r.get(s, "control.", "tls_cert", c.tls_cert);
    r.get(s, "control.", "tls_key", c.tls_key);
    if (!c.tls_listen.empty() && c.tls_cert.empty())
        r.fail("control.tls_cert", "tls_listen needs a certificate file");
    if (!c.tls_listen.empty() && c.tls_key.empty())
        r.fail("control.tls_key", "tls_listen needs a private key file");
    r.get(s, "control.", "socket", c.socket);
    r.get(s, "control.", "users", c.users);
    RpcServer::Limits& l = c.control_limits;
    r.get(s, "control.", "max_message_bytes", l.max_message_bytes);
    r.get(s, "control.", "max_message_bytes_before_login", l.max_message_bytes_before_login);
    r.get(s, "control.", "max_unauthenticated", l.max_unauthenticated);
    r.get(s, "control.", "max_authenticated", l.max_authenticated);
    r.get(s, "control.", "max_local", l.max_local);
    r.get(s, "control.", "login_timeout", l.login_timeout);
    r.get(s, "control.", "login_free_failures", l.login_free_failures);
    r.get(s, "control.", "login_backoff", l.login_backoff);
    r.get(s, "control.", "login_backoff_max", l.login_backoff_max);
    if (l.login_free_failures < 0) r.fail("control.login_free_failures", "must be 0 or more");
    r.get(s, "control.", "max_document_bytes", c.max_document_bytes);
    r.refuse_unknown_keys(s, "control.");
}

// [documents]: what a conversion may take (pages, pixels, time, memory).
void parse_documents_section(const Reader& r, const toml::table& s, Config& c) {
    ConversionLimits& l = c.conversion;
    r.get(s, "documents.", "max_pages", l.max_pages);
    r.get(s, "documents.", "max_page_pixels", l.max_page_pixels);
    std::int64_t seconds = l.max_time.count();
    r.get(s, "documents.", "max_seconds", seconds);
    l.max_time = std::chrono::seconds(seconds);
    r.get(s, "documents.", "max_memory_bytes", l.max_memory_bytes);
    std::string cover_pages = c.cover_pages.string();
    r.get(s, "documents.", "cover_pages", cover_pages);
    c.cover_pages = cover_pages;
    if (!c.cover_pages.empty() && !c.cover_pages.is_absolute())
        r.fail("documents.cover_pages", "must be an absolute path");
    if (l.max_pages < 1) r.fail("documents.max_pages", "must be at least 1");
    if (l.max_page_pixels < 1) r.fail("documents.max_page_pixels", "must be at least 1");
    if (seconds < 1) r.fail("documents.max_seconds", "must be at least 1");
    if (l.max_memory_bytes < (64u << 20))
        r.fail("documents.max_memory_bytes", "must be at least 64 MiB (67108864)");
    r.refuse_unknown_keys(s, "documents.");
}

// [metrics]: where /metrics and /health listen.
void parse_metrics_section(const Reader& r, const toml::table& s, Config& c) {
    r.get(s, "metrics.", "listen", c.metrics_listen);
    try {
        if (!c.metrics_listen.empty()) split_listen_address("metrics.listen", c.metrics_listen);
    } catch (const std::exception&) {
        r.fail("metrics.listen", "not HOST:PORT (e.g. \"127.0.0.1:9464\")");
    }
    r.refuse_unknown_keys(s, "metrics.");
}

// [web]: where the web console listens; its own function so its keys stay together.
void parse_web_section(const Reader& r, const toml::table& s, Config& c) {
    r.get(s, "web.", "listen", c.web_listen);
    try {
        if (!c.web_listen.empty()) split_listen_address("web.listen", c.web_listen);
    } catch (const std::exception&) {
        r.fail("web.listen", "not HOST:PORT (e.g. \"127.0.0.1:8080\")");
    }
    r.get(s, "web.", "tls_cert", c.web_tls_cert);
    r.get(s, "web.", "tls_key", c.web_tls_key);
    if (c.web_tls_cert.empty() != c.web_tls_key.empty())
        r.fail(c.web_tls_cert.empty() ? "web.tls_cert" : "web.tls_key",
               "HTTPS needs both a certificate (tls_cert) and its key (tls_key)");
    r.refuse_unknown_keys(s, "web.");
}

// [line]: how fast the simulated line runs.
void parse_line_section(const Reader& r, const toml::table& s, Config& c) {
    r.get(s, "line.", "speed", c.line_speed);
    if (c.line_speed < 0) r.fail("line.speed", "must be 0 (unpaced) or positive");
    r.refuse_unknown_keys(s, "line.");
}

// [routing]: the programs inbound routing runs, and its retries.
void parse_routing_section(const Reader& r, const toml::table& s, Config& c) {
    r.get(s, "routing.", "sendmail", c.routing.sendmail);
    r.get(s, "routing.", "print_command", c.routing.print_command);
    r.get(s, "routing.", "mail_from", c.routing.mail_from);
    std::int64_t delay = c.routing_retry_delay.count();
    r.get(s, "routing.", "retry_delay", delay);
    c.routing_retry_delay = std::chrono::seconds(delay);
    r.get(s, "routing.", "max_tries", c.routing_max_tries);
    r.get(s, "routing.", "allowed_programs", c.routing.allowed_programs);
    try {
        ProgramAllowList check(c.routing.allowed_programs);
    } catch (const std::invalid_argument& e) {
        r.fail("routing.allowed_programs",
               std::string(e.what()) + "; list programs by their absolute paths");
    }
    if (c.routing.sendmail.empty()) r.fail("routing.sendmail", "needs a program");
    if (c.routing.print_command.empty()) r.fail("routing.print_command", "needs a program");
    r.refuse_unknown_keys(s, "routing.");
}

// [faxmail]: who may send faxes by mail.
void parse_faxmail_section(const Reader& r, const toml::table& s, Config& c) {
    r.get(s, "faxmail.", "allowed_senders", c.faxmail_allowed_senders);
    try {
        faxmail::SenderAllowList check(c.faxmail_allowed_senders);
    } catch (const std::invalid_argument& e) {
        r.fail("faxmail.allowed_senders", e.what());
    }
    r.refuse_unknown_keys(s, "faxmail.");
}

// [faxcom]: the Windows folders clients name, and where they are here.
void parse_faxcom_section(const Reader& r, const toml::table& s, Config& c) {
    if (const toml::node* n = r.node(s, "faxcom.", "drive_map")) {
        const toml::table* map = n->as_table();
        if (!map)
            r.fail("faxcom.drive_map",
                   "expected a table of Windows folder = local folder, e.g. { "
                   "\"C:\\\\faxes\" = \"/srv/fax\" }");
        for (auto&& [windows, local] : *map) {
            if (!local.is_string())
                r.fail("faxcom.drive_map",
                       "the folder " + std::string(windows.str()) + " maps to must be a string");
            c.drive_map.push_back({std::string(windows.str()), local.as_string()->get()});
        }
        try {
            DriveMap check(c.drive_map);
        } catch (const std::invalid_argument& e) {
            r.fail("faxcom.drive_map", e.what());
        }
    }
    r.refuse_unknown_keys(s, "faxcom.");
}

// [received]: how long received faxes are kept.
void parse_received_section(const Reader& r, const toml::table& s, Config& c) {
    c.received_retention = read_period(r, s, "received.", "retention");
    r.refuse_unknown_keys(s, "received.");
}

// [port.quirks]: a modem's quirks, each kept as text.
void parse_port_quirks(const Reader& r, const toml::table& t, const std::string& prefix,
                       PortConfig& p) {
    const toml::node* q = r.node(t, prefix, "quirks");
    if (!q) return;
    const toml::table* qt = q->as_table();
    if (!qt) r.fail(prefix + "quirks", "expected a [port.quirks] table");
    for (const auto& [key, value] : *qt) {
        const std::string k(key.str());
        if (value.is_string())
            p.quirks[k] = value.as_string()->get();
        else if (value.is_boolean())
            p.quirks[k] = value.as_boolean()->get() ? "true" : "false";
        else if (value.is_integer())
            p.quirks[k] = std::to_string(value.as_integer()->get());
        else
            r.fail(prefix + "quirks." + k, "expected a string, number or boolean");
    }
}

// What each kind of port needs: a simulated one a number, a modem its device.
void check_port_kind(const Reader& r, const std::string& prefix, const PortConfig& p) {
    if (p.name.empty()) r.fail(prefix + "name", "every port needs a name");
    if (p.kind == "simulated") {
        if (p.number.empty()) r.fail(prefix + "number", "a simulated port needs a number");
    } else if (p.kind == "modem") {
        if (p.device.empty())
            r.fail(prefix + "device", "a modem port needs its serial device, e.g. /dev/ttyS0");
        if (p.modem_class != "1" && p.modem_class != "2" && p.modem_class != "2.0" &&
            p.modem_class != "auto")
            r.fail(prefix + "class",
                   "\"" + p.modem_class + "\" is not a fax class (1, 2, 2.0, auto)");
        if (p.flow_control != "xonxoff" && p.flow_control != "rtscts" && p.flow_control != "none")
            r.fail(prefix + "flow_control",
                   "\"" + p.flow_control + "\" is not a flow control (xonxoff, rtscts, none)");
        if (p.baud <= 0) r.fail(prefix + "baud", "must be positive");
    } else {
        r.fail(prefix + "kind",
               "\"" + p.kind + "\" is not a port kind faxd has (simulated, modem)");
    }
}

// [[port.routing]]: checked by the rules the API applies, so a bad entry
// names its key here; [routing] and [faxcom] are read before the ports.
void parse_port_routing(const Reader& r, const toml::table& t, const std::string& prefix,
                        const Config& c, PortConfig& p) {
    const toml::node* rt = r.node(t, prefix, "routing");
    if (!rt) return;
    const toml::array* ra = rt->as_array();
    if (!ra) r.fail(prefix + "routing", "expected [[port.routing]] tables");
    for (std::size_t j = 0; j < ra->size(); ++j) {
        const toml::table* m = (*ra)[j].as_table();
        const std::string mp = prefix + "routing[" + std::to_string(j + 1) + "].";
        if (!m) r.fail(mp, "expected a table");
        RoutingSetting rs;
        r.get(*m, mp, "guid", rs.guid);
        r.get(*m, mp, "enabled", rs.enabled);
        r.get(*m, mp, "data", rs.data);
        r.refuse_unknown_keys(*m, mp);
        const RoutingMethodInfo* info = find_routing_method(rs.guid);
        if (!info) r.fail(mp + "guid", "no routing method " + rs.guid);
        try {
            const ProgramAllowList allowed(c.routing.allowed_programs);
            const DriveMap drives(c.drive_map);
            RoutingMethod(*info, 0, p.name, {}, &allowed, &drives).validate(rs.data);
        } catch (const std::exception& e) {
            r.fail(mp + "data", e.what());
        }
        p.routing.push_back(rs);
    }
}

// --port NAME takes a port's name or a group's: one name must not mean two
// things, and no name, number or device serves two ports.
void check_port_unique(const Reader& r, const std::string& prefix, const PortConfig& p,
                       const std::vector<PortConfig>& earlier) {
    for (const PortConfig& other : earlier) {
        if (!p.group.empty() && other.name == p.group)
            r.fail(prefix + "group", "\"" + p.group + "\" is a port's name");
        if (!other.group.empty() && other.group == p.name)
            r.fail(prefix + "name", "\"" + p.name + "\" is a port group's name");
        if (other.name == p.name) r.fail(prefix + "name", "\"" + p.name + "\" is used twice");
        if (!p.number.empty() && other.number == p.number)
            r.fail(prefix + "number", "\"" + p.number + "\" is used twice");
        if (!p.device.empty() && other.device == p.device)
            r.fail(prefix + "device", "\"" + p.device.string() + "\" is used twice");
    }
}

// One [[port]] table.
PortConfig parse_port(const Reader& r, const toml::table& t, const std::string& prefix,
                      const Config& c) {
    PortConfig p;
    r.get(t, prefix, "name", p.name);
    r.get(t, prefix, "kind", p.kind);
    r.get(t, prefix, "number", p.number);
    r.get(t, prefix, "group", p.group);
    r.get(t, prefix, "rings", p.rings);
    r.get(t, prefix, "csid", p.csid);
    r.get(t, prefix, "tsid", p.tsid);
    r.get(t, prefix, "send", p.send);
    r.get(t, prefix, "receive", p.receive);
    r.get(t, prefix, "ecm", p.ecm);
    std::vector<std::string> modulations;
    r.get(t, prefix, "modems", modulations);
    if (t.contains("modems")) p.modulations = parse_modulations(r, prefix + "modems", modulations);
    r.get(t, prefix, "device", p.device);
    r.get(t, prefix, "class", p.modem_class);
    r.get(t, prefix, "baud", p.baud);
    r.get(t, prefix, "flow_control", p.flow_control);
    r.get(t, prefix, "lock_dir", p.lock_dir);
    if (t.contains("outside_line_prefix")) {
        DialRules rules;
        r.get(t, prefix, "outside_line_prefix", rules.outside_line_prefix);
        if (const std::string problem = dial_rules_problem(rules); !problem.empty())
            r.fail(prefix + "outside_line_prefix", problem.substr(problem.find(':') + 2));
        p.outside_line_prefix = rules.outside_line_prefix;
    }
    parse_port_quirks(r, t, prefix, p);
    check_port_kind(r, prefix, p);
    parse_port_routing(r, t, prefix, c, p);
    r.refuse_unknown_keys(t, prefix);
    check_port_unique(r, prefix, p, c.ports);
    return p;
}

// [[port]]: every port, in order.
void parse_ports(const Reader& r, const toml::node& ports, Config& c) {
    const toml::array* a = ports.as_array();
    if (!a) r.fail("port", "expected [[port]] tables");
    for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::table* t = (*a)[i].as_table();
        const std::string prefix = "port[" + std::to_string(i + 1) + "].";
        if (!t) r.fail(prefix, "expected a table");
        c.ports.push_back(parse_port(r, *t, prefix, c));
    }
}

}  // namespace

DialRules dial_rules_of(const Config& config, const PortConfig& port) {
    DialRules rules = config.dialing;
    if (port.outside_line_prefix) rules.outside_line_prefix = *port.outside_line_prefix;
    return rules;
}

std::filesystem::path users_file(const Config& config) {
    if (!config.users.empty()) return config.users;
    return (config.spool.empty() ? default_spool() : config.spool) / "users.json";
}

std::filesystem::path default_spool() {
    return rpc::default_spool();
}

Config default_config() {
    Config c;
    for (int i = 0; i < 2; ++i) {
        PortConfig p;
        p.name = "Simulated port " + std::to_string(i + 1);
        p.number = std::to_string(5551001 + i);
        p.csid = p.tsid = "+1 555 " + p.number.substr(3);
        c.ports.push_back(p);
    }
    return c;
}

Config parse_config(const std::string& text, const std::string& origin) {
    toml::table root;
    try {
        root = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
            << e.description();
        throw std::runtime_error(msg.str());
    }
    const Reader r(origin);
    Config c;
    if (const toml::table* s = r.table(root, "", "server")) parse_server_section(r, *s, c);
    if (const toml::table* s = r.table(root, "", "retry")) parse_retry(r, *s, c.retry);
    if (const toml::table* s = r.table(root, "", "control")) parse_control_section(r, *s, c);
    if (const toml::table* s = r.table(root, "", "documents")) parse_documents_section(r, *s, c);
    if (const toml::table* s = r.table(root, "", "metrics")) parse_metrics_section(r, *s, c);
    if (const toml::table* s = r.table(root, "", "web")) parse_web_section(r, *s, c);
    if (const toml::table* s = r.table(root, "", "line")) parse_line_section(r, *s, c);
    if (const toml::table* s = r.table(root, "", "routing")) parse_routing_section(r, *s, c);
    if (const toml::table* s = r.table(root, "", "faxmail")) parse_faxmail_section(r, *s, c);
    if (const toml::table* s = r.table(root, "", "faxcom")) parse_faxcom_section(r, *s, c);
    if (const toml::table* s = r.table(root, "", "dialing")) read_dialing(r, *s, c.dialing);
    if (const toml::table* s = r.table(root, "", "received")) parse_received_section(r, *s, c);
    if (const toml::node* ports = r.node(root, "", "port")) parse_ports(r, *ports, c);
    r.refuse_unknown_keys(root, "");
    if (c.ports.empty()) r.fail("port", "no ports configured");
    return c;
}

Config load_config(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file.string() + ": cannot read the configuration file");
    std::stringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), file.string());
}

ModemPortConfig modem_port_config(const PortConfig& port) {
    ModemPortConfig m;
    m.name = port.name;
    m.device = port.device;
    m.modem_class = port.modem_class;
    m.baud = static_cast<unsigned>(port.baud);
    m.flow_control = port.flow_control;
    m.lock_dir = port.lock_dir;
    m.quirks = port.quirks;
    return m;
}

std::pair<std::string, std::uint16_t> split_listen_address(const std::string& key,
                                                           const std::string& address) {
    const auto colon = address.rfind(':');
    const std::string port = colon == std::string::npos ? "" : address.substr(colon + 1);
    int number = -1;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (colon == std::string::npos || ec != std::errc{} || end != port.data() + port.size() ||
        number < 0 || number > 65535)
        throw std::runtime_error(key + ": \"" + address + "\" is not HOST:PORT");
    return {address.substr(0, colon), static_cast<std::uint16_t>(number)};
}

}  // namespace faxemu::faxd
