#include "devices/serial/modem_probe.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <set>

namespace faxemu {

namespace {

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

// "+FCLASS: (0,1)" -> "0,1": drops a "+XXX:" prefix, parentheses, quotes and blanks.
std::string list_body(std::string_view text) {
    std::string s = trim(text);
    if (!s.empty() && s[0] == '+') {
        const auto colon = s.find(':');
        if (colon != std::string::npos) s = s.substr(colon + 1);
    }
    std::string out;
    for (char c : s)
        if (c != '(' && c != ')' && c != '"' && !std::isspace(static_cast<unsigned char>(c)))
            out.push_back(c);
    return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const auto pos = s.find(sep, start);
        const auto end = pos == std::string::npos ? s.size() : pos;
        if (end > start) out.push_back(s.substr(start, end - start));
        if (pos == std::string::npos) break;
        start = pos + 1;
    }
    return out;
}

std::optional<int> to_int(std::string_view s) {
    int v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// A range "a-b" of integers, when `token` is one.
std::optional<std::pair<int, int>> range_of(const std::string& token) {
    const auto dash = token.find('-');
    if (dash == std::string::npos || dash == 0) return std::nullopt;
    const auto a = to_int(std::string_view(token).substr(0, dash));
    const auto b = to_int(std::string_view(token).substr(dash + 1));
    if (!a || !b || *a > *b || *b - *a > 1000) return std::nullopt;
    return std::make_pair(*a, *b);
}

int bit_rate_of(int code) {
    switch (code) {
        case 24:
            return 2400;
        case 48:
            return 4800;
        case 72:
        case 73:
        case 74:
            return 7200;
        case 96:
        case 97:
        case 98:
            return 9600;
        case 121:
        case 122:
            return 12000;
        case 145:
        case 146:
            return 14400;
        default:
            return 0;
    }
}

const char* modulation_of(int code) {
    if (code == 24 || code == 48) return "V.27ter";
    if (code == 72 || code == 96) return "V.29";
    if (code == 3) return "V.21";
    return "V.17";
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

// The answer lines of a list query, as one list text ("0,1,2" possibly over lines).
std::string list_text(const AtResponse& r) {
    return join(r.lines, ",");
}

}  // namespace

std::vector<std::string> parse_fclass_list(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& line : split(std::string(text), '\n')) {
        for (const auto& token : split(list_body(line), ',')) {
            if (const auto r = range_of(token)) {
                for (std::int64_t v = r->first; v <= r->second; ++v)  // v may pass INT_MAX
                    out.push_back(std::to_string(v));
            } else {
                out.push_back(token);
            }
        }
    }
    std::vector<std::string> unique;
    for (auto& c : out)
        if (std::find(unique.begin(), unique.end(), c) == unique.end()) unique.push_back(c);
    return unique;
}

std::vector<int> parse_code_list(std::string_view text) {
    std::set<int> codes;
    for (const auto& line : split(std::string(text), '\n')) {
        for (const auto& token : split(list_body(line), ',')) {
            if (const auto r = range_of(token)) {
                for (std::int64_t v = r->first; v <= r->second; ++v)  // v may pass INT_MAX
                    codes.insert(static_cast<int>(v));
            } else if (const auto v = to_int(token)) {
                codes.insert(*v);
            }
        }
    }
    return {codes.begin(), codes.end()};
}

std::string clean_identity(const std::vector<std::string>& lines) {
    std::vector<std::string> parts;
    for (const auto& raw : lines) {
        std::string s = trim(raw);
        if (s.size() > 2 && s[0] == '+' && s[1] == 'F') {
            const auto colon = s.find(':');
            if (colon != std::string::npos) s = trim(s.substr(colon + 1));
        }
        if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
        s = trim(s);
        if (!s.empty()) parts.push_back(s);
    }
    return join(parts, " ");
}

const char* to_string(ModemUnavailable::Reason reason) {
    switch (reason) {
        case ModemUnavailable::Reason::NoAnswer:
            return "no answer";
        case ModemUnavailable::Reason::Garbage:
            return "garbage";
        case ModemUnavailable::Reason::Vanished:
            return "vanished";
        case ModemUnavailable::Reason::Rejected:
            return "rejected";
        case ModemUnavailable::Reason::NotFax:
            return "not a fax modem";
    }
    return "?";
}

bool ModemIdentity::supports(std::string_view fax_class) const {
    return std::find(classes.begin(), classes.end(), fax_class) != classes.end();
}

bool ModemIdentity::has_fax_class() const {
    return std::any_of(classes.begin(), classes.end(),
                       [](const std::string& c) { return c != "0" && c != "8"; });
}

int ModemIdentity::class1_max_bit_rate() const {
    int best = 0;
    for (int c : class1_ftm) best = std::max(best, bit_rate_of(c));
    return best;
}

std::string ModemIdentity::describe() const {
    std::vector<std::string> name;
    for (const auto* s : {&manufacturer, &model, &revision})
        if (!s->empty()) name.push_back(*s);
    std::string out =
        name.empty() ? (ati.empty() ? std::string("unknown modem") : ati.front()) : join(name, " ");
    out += " on " + device + ": classes " + (classes.empty() ? "none" : join(classes, ","));
    if (const int rate = class1_max_bit_rate()) {
        int best_code = 0;
        for (int c : class1_ftm)
            if (bit_rate_of(c) == rate) best_code = c;
        out +=
            "; Class 1 up to " + std::to_string(rate) + " bit/s (" + modulation_of(best_code) + ")";
    }
    return out;
}

ModemProbe::ModemProbe(AtChannel& at) : ModemProbe(at, Options{}) {}

ModemProbe::ModemProbe(AtChannel& at, Options options) : at_(at), options_(options) {}

ModemProbe::~ModemProbe() = default;

void ModemProbe::add_step(Step step) {
    added_.push_back(std::move(step));
}

void ModemProbe::start(DoneHandler done) {
    task_ = run();
    task_.start([this, done = std::move(done)] {
        task_.reset();
        if (done) done(*result_);
    });
}

Task<ProbeResult> ModemProbe::run() {
    identity_ = ModemIdentity{};
    identity_.device = at_.device();
    reset_silent_ = false;
    saw_lines_ = false;
    answered_ = errors_ = 0;
    result_.reset();
    running_ = true;
    build_steps();
    for (std::size_t index = 0; index < steps_.size(); ++index) {
        const Step& step = steps_[index];
        if (step.when && !step.when(identity_)) continue;
        const Duration timeout = index <= 1 ? options_.reset_timeout : options_.command_timeout;
        const AtResponse r = co_await at_.command(step.command, timeout);
        if (index == 0 && r.result == AtResult::Timeout) {
            // ATZ unanswered: some modems need a bare AT first.
            reset_silent_ = true;
            saw_lines_ = !r.lines.empty();
            continue;
        }
        if (std::optional<ModemUnavailable> failure = failure_of(r)) {
            result_ = fail(failure->reason, std::move(failure->message));
            break;
        }
        if (r.result == AtResult::Error)
            ++errors_;
        else if (r.result != AtResult::Timeout)
            ++answered_;
        if (step.apply) step.apply(r, identity_);
    }
    if (!result_) result_ = finish_ok();
    running_ = false;
    co_return *result_;
}

void ModemProbe::build_steps() {
    const auto class1 = [this](const ModemIdentity& id) {
        return options_.query_class1_modulations && (id.supports("1") || id.supports("1.0"));
    };
    const auto class1_list = [](std::vector<int> ModemIdentity::*field) {
        return [field](const AtResponse& r, ModemIdentity& id) {
            if (r.ok()) id.*field = parse_code_list(list_text(r));
        };
    };
    const auto identity_field = [](std::string ModemIdentity::*field) {
        return [field](const AtResponse& r, ModemIdentity& id) {
            if (r.ok()) id.*field = clean_identity(r.lines);
        };
    };
    const auto when_empty = [](std::string ModemIdentity::*field) {
        return [field](const ModemIdentity& id) { return (id.*field).empty(); };
    };
    const auto nothing = [](const AtResponse&, ModemIdentity&) {};

    steps_.clear();
    steps_.push_back({"ATZ", {}, nothing});
    steps_.push_back({"AT", [this](const ModemIdentity&) { return reset_silent_; }, nothing});
    steps_.push_back({"ATE0V1Q0", {}, nothing});
    steps_.push_back({"ATI", {}, [](const AtResponse& r, ModemIdentity& id) {
                          if (r.ok()) id.ati = r.lines;
                      }});
    steps_.push_back({"AT+FMI?", {}, identity_field(&ModemIdentity::manufacturer)});
    steps_.push_back({"AT+FMFR?", when_empty(&ModemIdentity::manufacturer),
                      identity_field(&ModemIdentity::manufacturer)});
    steps_.push_back({"AT+FMM?", {}, identity_field(&ModemIdentity::model)});
    steps_.push_back(
        {"AT+FMDL?", when_empty(&ModemIdentity::model), identity_field(&ModemIdentity::model)});
    steps_.push_back({"AT+FMR?", {}, identity_field(&ModemIdentity::revision)});
    steps_.push_back({"AT+FREV?", when_empty(&ModemIdentity::revision),
                      identity_field(&ModemIdentity::revision)});
    steps_.push_back({"AT+FCLASS=?", {}, [](const AtResponse& r, ModemIdentity& id) {
                          if (r.ok()) id.classes = parse_fclass_list(list_text(r));
                      }});
    steps_.push_back({"AT+FCLASS=1", class1, nothing});
    steps_.push_back({"AT+FTM=?", class1, class1_list(&ModemIdentity::class1_ftm)});
    steps_.push_back({"AT+FRM=?", class1, class1_list(&ModemIdentity::class1_frm)});
    steps_.push_back({"AT+FTH=?", class1, class1_list(&ModemIdentity::class1_fth)});
    steps_.push_back({"AT+FRH=?", class1, class1_list(&ModemIdentity::class1_frh)});
    steps_.push_back({"AT+FCLASS=0", class1, nothing});
    for (auto& s : added_) {
        Step copy = s;
        if (!copy.apply)
            copy.apply = [cmd = copy.command](const AtResponse& r, ModemIdentity& id) {
                id.extra[cmd] = r.answered() ? r.text() : std::string{};
            };
        steps_.push_back(std::move(copy));
    }
}

std::optional<ModemUnavailable> ModemProbe::failure_of(const AtResponse& r) const {
    using Reason = ModemUnavailable::Reason;
    if (r.result == AtResult::Vanished) return ModemUnavailable{Reason::Vanished, r.error};
    if (r.result == AtResult::Garbage) return ModemUnavailable{Reason::Garbage, r.error};
    if (r.result != AtResult::Timeout || answered_ + errors_ > 0)
        return std::nullopt;  // at most one silent command of a modem that answers the others
    if (saw_lines_ || !r.lines.empty())  // lines but never a result code: printable noise
        return ModemUnavailable{Reason::Garbage, "no result code from " + identity_.device +
                                                     ", only unreadable answers: " + r.error +
                                                     " (wrong baud rate? not a modem?)"};
    return ModemUnavailable{Reason::NoAnswer,
                            "no modem answers on " + identity_.device + ": " + r.error};
}

ProbeResult ModemProbe::finish_ok() const {
    if (answered_ == 0)
        return fail(ModemUnavailable::Reason::Rejected,
                    "the modem on " + identity_.device + " answered ERROR to every command");
    if (!identity_.has_fax_class())
        return fail(ModemUnavailable::Reason::NotFax,
                    "the modem on " + identity_.device + " offers no fax class (AT+FCLASS=? gave " +
                        (identity_.classes.empty() ? std::string("nothing")
                                                   : join(identity_.classes, ",")) +
                        ")");
    ProbeResult r;
    r.identity = identity_;
    return r;
}

ProbeResult ModemProbe::fail(ModemUnavailable::Reason reason, std::string message) const {
    ProbeResult r;
    r.failure.reason = reason;
    r.failure.message = std::move(message);
    return r;
}

}  // namespace faxemu
