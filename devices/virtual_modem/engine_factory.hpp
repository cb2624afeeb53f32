// Makes modem engines by class name, for faxmodem and faxd. Class "1" (Class1Engine)
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

// key=value options of one modem (from `--modem PATH=NUMBER,class=1,busy,...`);
// a key given without a value is "1". Makers take the keys they know; the factory
// rejects any left over, naming the modem.
class EngineOptions {
  public:
    EngineOptions() = default;
    explicit EngineOptions(std::map<std::string, std::string> values)
        : values_(std::move(values)) {}
    void set(const std::string& key, const std::string& value) { values_[key] = value; }
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

// Class 1 options from key=value pairs (for composite engines too). Keys:
// caller_id, xon_xoff, busy, no_answer, drop_after_pages=N, noise=ATTEN_DB:NOISE_DBM0,
// silent_after=N, silent_after_connect, garbage_after=N, early_ftm_connect,
// frm_fcerror, frh_bogus_connect, flow_overflow=N, reversed_bits, no_dle_doubling,
// manufacturer=, model=, revision=, ati=.
Class1Options class1_options(EngineOptions& options);

}  // namespace faxemu
