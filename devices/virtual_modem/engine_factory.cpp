#include "devices/virtual_modem/engine_factory.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace faxemu {

namespace {

using DocGroups = std::vector<std::pair<std::string, std::vector<EngineOptionDoc>>>;

DocGroups& option_docs() {
    static DocGroups groups = {
        {"any class",
         {
             {"caller_id", "", "NMBR=<caller> after the first RING"},
             {"manufacturer", "TEXT", "+FMI?/+GMI? answer"},
             {"model", "TEXT", "+FMM?/+GMM? answer"},
             {"revision", "TEXT", "+FMR?/+GMR? answer"},
             {"ati", "TEXT", "ATI answer"},
             {"busy", "", "every ATD ends with BUSY"},
             {"no_answer", "", "every ATD ends with NO ANSWER"},
             {"drop_after_pages", "N", "the line drops during page N+1 of a call"},
             {"noise", "DB:DBM0", "a poor line: attenuation dB, noise dBm0 (e.g. 27:-56)"},
             {"silent_after", "N", "the modem answers nothing after N command lines"},
             {"silent_after_connect", "", "the modem answers nothing once a call connects"},
             {"garbage_after", "N", "every response is garbage from N command lines on"},
         }},
        {"class 1, all",
         {
             {"xon_xoff", "0|1", "tell the host CTS changes as XOFF/XON (default 1)"},
             {"early_ftm_connect", "", "quirk: +FTM's CONNECT before training has gone out"},
             {"frm_fcerror", "", "quirk: +FRM soon after a V.21 frame answers +FCERROR"},
             {"frh_bogus_connect", "", "quirk: first +FRH=3 after sending: CONNECT, NO CARRIER"},
             {"flow_overflow", "N", "quirk: bytes beyond N sent while CTS is off are lost"},
             {"reversed_bits", "", "quirk: phase C data bit-reversed both ways"},
             {"no_dle_doubling", "", "quirk: DLE in V.21 frames to the host not doubled"},
             {"capture_tx_data", "PREFIX", "write each +FTM data block to PREFIX-N.bin"},
         }},
    };
    return groups;
}

}  // namespace

void document_engine_options(const std::string& group, std::vector<EngineOptionDoc> docs) {
    for (auto& [name, list] : option_docs()) {
        if (name == group) {
            list = std::move(docs);
            return;
        }
    }
    option_docs().emplace_back(group, std::move(docs));
}

bool engine_option_documented(const std::string& key) {
    for (const auto& [name, list] : option_docs())
        for (const auto& d : list)
            if (d.key == key) return true;
    return false;
}

std::string engine_options_help() {
    auto spelled = [](const EngineOptionDoc& d) {
        return d.value.empty() ? d.key : d.key + "=" + d.value;
    };
    std::size_t width = 0;
    for (const auto& [name, list] : option_docs())
        for (const auto& d : list) width = std::max(width, spelled(d).size());
    std::string out;
    for (const auto& [name, list] : option_docs()) {
        out += "  " + name + ":\n";
        for (const auto& d : list) {
            const std::string s = spelled(d);
            out += "    " + s + std::string(width + 2 - s.size(), ' ') + d.help + "\n";
        }
    }
    return out;
}

std::optional<std::string> EngineOptions::take(const std::string& key) {
    if (!engine_option_documented(key))
        throw std::logic_error("option " + key + " is read but not documented");
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    taken_.insert(key);
    return it->second;
}

int EngineOptions::take_int(const std::string& key, int fallback) {
    auto v = take(key);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        const int n = std::stoi(*v, &used);
        if (used == v->size()) return n;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("option " + key + "=" + *v + ": not a whole number");
}

double EngineOptions::take_double(const std::string& key, double fallback) {
    auto v = take(key);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        const double d = std::stod(*v, &used);
        if (used == v->size()) return d;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("option " + key + "=" + *v + ": not a number");
}

bool EngineOptions::take_bool(const std::string& key, bool fallback) {
    auto v = take(key);
    if (!v) return fallback;
    std::string s = *v;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
    if (s == "0" || s == "false" || s == "no" || s == "off") return false;
    throw std::invalid_argument("option " + key + "=" + *v + ": not a yes/no value");
}

std::vector<std::string> EngineOptions::unused() const {
    std::vector<std::string> left;
    for (const auto& [k, v] : values_)
        if (!taken_.count(k)) left.push_back(k);
    return left;
}

Class1Options class1_options(EngineOptions& o) {
    Class1Options c;
    c.caller_id = o.take_bool("caller_id", c.caller_id);
    c.xon_xoff = o.take_bool("xon_xoff", c.xon_xoff);
    if (auto v = o.take("manufacturer")) c.identity.manufacturer = *v;
    if (auto v = o.take("model")) c.identity.model = *v;
    if (auto v = o.take("revision")) c.identity.revision = *v;
    if (auto v = o.take("ati")) c.identity.ati = *v;
    Class1Faults& f = c.faults;
    f.busy = o.take_bool("busy", f.busy);
    f.no_answer = o.take_bool("no_answer", f.no_answer);
    f.drop_after_pages = o.take_int("drop_after_pages", f.drop_after_pages);
    if (auto v = o.take("noise")) {
        // ATTEN_DB:NOISE_DBM0, e.g. 27:-56
        const auto colon = v->find(':');
        try {
            LineImpairment imp;
            imp.attenuation_db = std::stof(v->substr(0, colon));
            if (colon != std::string::npos) imp.noise_dbm0 = std::stof(v->substr(colon + 1));
            f.noise = imp;
        } catch (const std::exception&) {
            throw std::invalid_argument("option noise=" + *v + ": expected ATTEN_DB:NOISE_DBM0");
        }
    }
    f.silent_after_commands = o.take_int("silent_after", f.silent_after_commands);
    f.silent_after_connect = o.take_bool("silent_after_connect", f.silent_after_connect);
    f.garbage_after_commands = o.take_int("garbage_after", f.garbage_after_commands);
    Class1Quirks& q = c.quirks;
    q.early_ftm_connect = o.take_bool("early_ftm_connect", q.early_ftm_connect);
    q.frm_fcerror_after_v21 = o.take_bool("frm_fcerror", q.frm_fcerror_after_v21);
    q.frh_bogus_connect = o.take_bool("frh_bogus_connect", q.frh_bogus_connect);
    q.flow_overflow_slack = static_cast<std::size_t>(std::max(0, o.take_int("flow_overflow", 0)));
    q.reversed_bit_order = o.take_bool("reversed_bits", q.reversed_bit_order);
    q.no_dle_doubling_in_frames = o.take_bool("no_dle_doubling", q.no_dle_doubling_in_frames);
    if (auto v = o.take("capture_tx_data")) c.capture_tx_data = *v;
    return c;
}

namespace {

std::map<std::string, EngineMaker>& registry() {
    static std::map<std::string, EngineMaker> makers = [] {
        std::map<std::string, EngineMaker> m;
        m["1"] = [](VirtualExchange& exchange, EngineSpec& spec) -> std::unique_ptr<ModemEngine> {
            Class1Options options = class1_options(spec.options);
            options.on_event = spec.on_event;
            return std::make_unique<Class1Engine>(exchange, spec.number, std::move(options));
        };
        return m;
    }();
    return makers;
}

}  // namespace

void register_engine_class(const std::string& modem_class, EngineMaker maker) {
    registry()[modem_class] = std::move(maker);
}

std::vector<std::string> engine_classes() {
    std::vector<std::string> names;
    for (const auto& [k, v] : registry()) names.push_back(k);
    return names;
}

std::unique_ptr<ModemEngine> make_engine(VirtualExchange& exchange, EngineSpec spec) {
    const std::string who = "modem " + spec.number;
    auto it = registry().find(spec.modem_class);
    if (it == registry().end()) {
        std::string known;
        for (const auto& k : engine_classes()) known += (known.empty() ? "" : ", ") + k;
        throw std::invalid_argument(who + ": unknown class '" + spec.modem_class +
                                    "' (known: " + known + ")");
    }
    std::unique_ptr<ModemEngine> engine;
    try {
        engine = it->second(exchange, spec);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(who + ": " + e.what());
    }
    const auto left = spec.options.unused();
    if (!left.empty()) {
        std::string names;
        for (const auto& k : left) names += (names.empty() ? "" : ", ") + k;
        throw std::invalid_argument(who + ": unknown option(s) for class " + spec.modem_class +
                                    ": " + names);
    }
    return engine;
}

}  // namespace faxemu
