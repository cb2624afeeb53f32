// Makes modem engines by class name, for faxmodem. Class "1" (Class1Engine)
// is built in; other libraries register theirs:
//
//   register_engine_class("2", [](VirtualExchange& x, EngineSpec& spec) { ... });
//
// The virtual Class 2/2.0 library registers "2", "2.0" and "all" from its
// `register_virtual_class2_engines()` (devices/virtual_class2/register_engines.hpp),
// which faxmodem calls when that library is built (FAXEMU_HAVE_VIRTUAL_CLASS2).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/class1_engine.hpp"
#include "devices/virtual_modem/modem_engine.hpp"

namespace faxemu {

// One key=value option a maker takes. The documented options are the one list of
// keys: EngineOptions::take refuses a key nobody documented, so faxmodem --help,
// which prints them (engine_options_help), names every key a modem accepts.
struct EngineOptionDoc {
    std::string key;    // "drop_after_pages"
    std::string value;  // what follows '=', e.g. "N"; empty for a yes/no flag
    std::string help;
};

// Documents `docs` under `group` (e.g. "class 2, 2.0, all"); again replaces them.
void document_engine_options(const std::string& group, std::vector<EngineOptionDoc> docs);
bool engine_option_documented(const std::string& key);
// Every documented key, a line each, grouped: "  drop_after_pages=N  the line drops...".
std::string engine_options_help();

// key=value options of one modem (from `--modem PATH=NUMBER,class=1,busy,...`);
// a key given without a value is "1". Makers take the keys they know; the factory
// rejects any left over, naming the modem.
class EngineOptions {
  public:
    EngineOptions() = default;
    explicit EngineOptions(std::map<std::string, std::string> values)
        : values_(std::move(values)) {}
    void set(const std::string& key, const std::string& value) { values_[key] = value; }
    // Throws std::logic_error for a key no document_engine_options call lists.
    std::optional<std::string> take(const std::string& key);
    int take_int(const std::string& key, int fallback);
    double take_double(const std::string& key, double fallback);
    bool take_bool(const std::string& key, bool fallback);
    std::vector<std::string> unused() const;

  private:
    std::map<std::string, std::string> values_;
    std::set<std::string> taken_;
};

struct EngineSpec {
    std::string modem_class = "1";
    std::string number;
    EngineOptions options;
    std::function<void(const std::string&)> on_event;  // call events, for logs
};

using EngineMaker = std::function<std::unique_ptr<ModemEngine>(VirtualExchange&, EngineSpec&)>;

void register_engine_class(const std::string& modem_class, EngineMaker maker);
std::vector<std::string> engine_classes();
// Throws std::invalid_argument naming the modem for an unknown class or option.
std::unique_ptr<ModemEngine> make_engine(VirtualExchange& exchange, EngineSpec spec);

// Class 1 options from key=value pairs (for composite engines too); the keys are
// documented in engine_factory.cpp (see engine_options_help).
Class1Options class1_options(EngineOptions& options);

}  // namespace faxemu
