// Finding out what modem sits on a serial line: one coroutine on an AtChannel.
//
// Steps: reset (ATZ; if silent, a bare AT once), ATE0 V1 Q0, ATI, identity with the
// T.31 names +FMI?/+FMM?/+FMR? (falling back to the Class 2 names +FMFR?/+FMDL?/
// +FREV?), AT+FCLASS=?, and when Class 1 is offered AT+FCLASS=1 then the modulation
// lists +FTM=?/+FRM=?/+FTH=?/+FRH=? (then AT+FCLASS=0 again). Class-specific steps
// can be added (add_step), e.g. a Class 2 driver's AT+FCLASS=2 / +FDCC=?.
//
// Like AtChannel it never blocks: run() is a Task (task.hpp) that sends the steps
// top to bottom, each a co_await on the channel; the owner keeps calling
// AtChannel::poll(). Lifetime: the task owns the wait, so destroying the probe (or
// the task) withdraws the command it waits for.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/serial/at_channel.hpp"
#include "devices/serial/task.hpp"

namespace faxemu {

struct ModemIdentity {
    std::string device;
    std::string manufacturer;          // +FMI? (or +FMFR?), quotes and "+FMI:" removed
    std::string model;                 // +FMM? (or +FMDL?)
    std::string revision;              // +FMR? (or +FREV?)
    std::vector<std::string> ati;      // ATI's lines
    std::vector<std::string> classes;  // from +FCLASS=?: "0", "1", "1.0", "2", "2.0", "2.1"
    // Class 1 modulation codes (3 V.21; 24/48 V.27ter; 72/96 V.29; 73/74, 97/98,
    // 121/122, 145/146 V.17), empty when not asked or not Class 1.
    std::vector<int> class1_ftm, class1_frm, class1_fth, class1_frh;
    // Answers of added steps, by command ("AT+FDCC=?" -> its lines joined with "; ").
    std::map<std::string, std::string> extra;

    bool supports(std::string_view fax_class) const;
    bool has_fax_class() const;  // any class but 0 (data)
    // Highest Class 1 transmit bit rate from class1_ftm (14400 for 145/146), 0 if none.
    int class1_max_bit_rate() const;
    // One line for the port, e.g. "Spandsp T.31 0.0.6 on /tmp/ttyFAX0: classes 0,1,1.0;
    // Class 1 up to 14400 bit/s (V.17)".
    std::string describe() const;
};

// Why a probe found no usable modem.
struct ModemUnavailable {
    enum class Reason {
        NoAnswer,  // silence: nothing answered AT/ATZ before the timeout
        Garbage,   // only unreadable answers (wrong baud rate? not a modem?)
        Vanished,  // the device went away during the probe
        Rejected,  // it answered ERROR to everything
        NotFax,    // a modem, but +FCLASS=? offers no fax class
    };
    Reason reason = Reason::NoAnswer;
    std::string message;  // names the device
};

const char* to_string(ModemUnavailable::Reason reason);

struct ProbeResult {
    std::optional<ModemIdentity> identity;  // set when a fax modem was found
    ModemUnavailable failure;               // otherwise: why not
    bool ok() const { return identity.has_value(); }
};

// "0,1,2,2.0" / "(0,1,1.0)" / "0-2" / "+FCLASS: 0,1" -> {"0","1","2","2.0"}.
std::vector<std::string> parse_fclass_list(std::string_view text);
// "24,48,72,73,74,96,97,98,121,122,145,146" / "(3)" / "72-74" -> codes, ascending.
std::vector<int> parse_code_list(std::string_view text);
// An identity answer without its "+FMI:"-style prefix and quotes, lines joined by ' '.
std::string clean_identity(const std::vector<std::string>& lines);

class ModemProbe {
  public:
    struct Options {
        Duration reset_timeout = std::chrono::seconds{5};
        Duration command_timeout = std::chrono::seconds{3};
        bool query_class1_modulations = true;
    };

    // An added step: run when `when` is empty or returns true for the identity so
    // far; `apply` stores what it learnt (the default stores the response's lines in
    // identity.extra[command]). A step's failure (ERROR, timeout) is not fatal.
    struct Step {
        std::string command;  // e.g. "AT+FCLASS=2", "AT+FDCC=?"
        std::function<bool(const ModemIdentity&)> when;
        std::function<void(const AtResponse&, ModemIdentity&)> apply;
    };

    using DoneHandler = std::function<void(const ProbeResult&)>;

    explicit ModemProbe(AtChannel& at);
    ModemProbe(AtChannel& at, Options options);
    ~ModemProbe();
    ModemProbe(const ModemProbe&) = delete;
    ModemProbe& operator=(const ModemProbe&) = delete;

    // Runs after the built-in steps, in the order added. Add before start().
    void add_step(Step step);

    // The probe, awaited: `ProbeResult r = co_await probe.run();`. The AtChannel
    // must be idle.
    Task<ProbeResult> run();
    // The same, started here; `done` runs once at the end (it may destroy the probe).
    void start(DoneHandler done);
    bool running() const { return running_; }
    // The result once done.
    const std::optional<ProbeResult>& result() const { return result_; }

  private:
    void build_steps();
    // Why the probe cannot go on after `response`, if it cannot.
    std::optional<ModemUnavailable> failure_of(const AtResponse& response) const;
    ProbeResult finish_ok() const;
    ProbeResult fail(ModemUnavailable::Reason reason, std::string message) const;

    AtChannel& at_;
    Options options_;
    std::vector<Step> added_;
    std::vector<Step> steps_;  // built-in steps followed by the added ones
    ModemIdentity identity_;
    bool reset_silent_ = false;  // ATZ got no answer: try a bare AT once
    bool saw_lines_ = false;     // ... but some lines without a result code
    std::size_t answered_ = 0;   // commands answered OK (or CONNECT...)
    std::size_t errors_ = 0;     // commands answered ERROR
    bool running_ = false;
    std::optional<ProbeResult> result_;
    Task<ProbeResult> task_;  // start()'s
};

}  // namespace faxemu
