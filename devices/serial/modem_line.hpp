// The life of a fax modem on a serial line, written once for every driver that
// holds one (Class 1, Class 2/2.0, the auto-class port's probe): take the UUCP
// lock, open the line, put an AtChannel on it, probe the modem (ModemProbe), let
// the driver accept or refuse what was found and add its own init commands, send
// them (probe and init read top to bottom as one coroutine, bring_up()), then keep the modem in
// check while idle ("AT" every idle_check). A line that cannot be opened, does not answer, answers
// garbage or vanishes is unavailable with a reason naming the device and is opened again
// retry_delay later on the injectable Clock. RINGs and caller ids are counted here; the driver says
// whether it takes a ring. Health and byte counters read the same for every driver.
//
// The driver does only call logic: it is told through ModemLineUser when the
// modem is ready, when it became unavailable (end the call), when it rings, and
// of every other unsolicited line.
//
// The idle check is a coroutine too, owned by the line; a call that starts while
// its "AT" waits for an answer awaits until_free() first.
//
// Lifetime (the rule in task.hpp): the line owns its SerialLine and AtChannel for
// its whole life and its coroutines (bring-up, idle check) until they end; closing
// resets them (nothing of the line is destroyed from inside its own handlers), and
// the destructor drops the coroutines before the channel they wait on. The driver
// owns the line and destroys its own call coroutine first.
//
// Single-threaded, on the io_context's thread; the driver calls poll() at least
// every 20 ms.
#pragma once

#include <coroutine>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "core/clock.hpp"
#include "core/device.hpp"
#include "devices/serial/at_channel.hpp"
#include "devices/serial/modem_probe.hpp"
#include "devices/serial/serial_line.hpp"
#include "devices/serial/task.hpp"

namespace faxemu {

class UucpLock;

// What a modem device is doing; the line's own states are Closed, Probing, Ready
// and Unavailable, a driver adds the call's.
enum class ModemState {
    Closed,       // not opened yet
    Probing,      // opened; probing and initialising the modem
    Ready,        // idle, waiting for RING or a dial
    Dialing,      // ATD sent
    Ringing,      // RING seen, not answered (yet)
    Answering,    // ATA sent
    InCall,       // the call runs
    HangingUp,    // the call is over: abort + ATH
    Unavailable,  // no usable modem: see unavailable_reason(); retried later
};

const char* to_string(ModemState state);

// The settings of a modem's life; a driver's config extends it.
struct ModemLineConfig {
    std::filesystem::path device;  // /dev/ttyS0, /dev/ttyUSB0, a pty or a symlink to one
    unsigned baud = 115200;
    // Where UUCP lock files go; empty: take no lock (tests on private ptys).
    std::filesystem::path lock_dir = "/var/lock";
    // Sent after the probe, before the driver's own (e.g. "AT&F", "ATS0=0"); an
    // ERROR is traced but not fatal.
    std::vector<std::string> init_commands = {"ATE0V1Q0", "ATS0=0"};
    std::string dial_command = "ATDT";                   // followed by the number
    Duration dial_timeout = std::chrono::seconds(100);   // ATD until the call is up (> T0)
    Duration answer_timeout = std::chrono::seconds(60);  // ATA until the call is up
    Duration retry_delay = std::chrono::seconds(30);     // after being found unavailable
    // RINGs further apart than this belong to different calls.
    Duration ring_gap = std::chrono::seconds(10);
    // When idle, check the modem with "AT" this often (0: never).
    Duration idle_check = std::chrono::seconds(60);
    std::string name;  // for messages; defaults to the driver's
    // Protocol trace (commands, responses, decisions); may be empty.
    std::function<void(const std::string&)> trace;
};

struct ModemInitCommand {
    std::string command;
    bool essential = false;  // anything but OK makes the modem unavailable
};

// What a driver makes of the probed modem.
struct ModemSetup {
    std::string refusal;                 // not empty: the modem is unusable, and why
    std::string description;             // shown as the device's description (health)
    std::vector<ModemInitCommand> init;  // after ModemLineConfig::init_commands
};

// The driver's side of a ModemLine.
class ModemLineUser {
  public:
    virtual ~ModemLineUser() = default;
    // After a successful probe: accept (and say how to initialise) or refuse.
    virtual ModemSetup setup(const ModemIdentity& identity) = 0;
    // Every init command was answered: the modem takes calls now.
    virtual void on_ready() {}
    // The line is unavailable (`why` names the device); called before the line
    // closes. End any call.
    virtual void on_unavailable(const std::string& why) = 0;
    // No call, nothing ringing: the idle check may run.
    virtual bool call_idle() const = 0;
    // Whether a RING now counts (idle or ringing), and whether one is ringing.
    virtual bool takes_ring() const { return false; }
    virtual bool ringing() const { return false; }
    virtual void on_ring(int /*count*/, const std::string& /*caller_id*/) {}
    // Ringing, but no RING for ring_gap: the caller gave up.
    virtual void on_ring_stopped() {}
    // Any other unsolicited line (NO CARRIER, +FHNG:...).
    virtual void on_unsolicited(const std::string& /*line*/) {}
};

struct ModemLineOptions {
    SerialSettings serial;  // its baud is the config's
    ModemProbe::Options probe;
    std::string default_name;  // when ModemLineConfig::name is empty
};

class ModemLine {
  public:
    // `config` and `user` must outlive the line (they are the driver's).
    ModemLine(asio::io_context& io, const Clock& clock, const ModemLineConfig& config,
              ModemLineUser& user, ModemLineOptions options);
    ~ModemLine();
    ModemLine(const ModemLine&) = delete;
    ModemLine& operator=(const ModemLine&) = delete;

    // Opens (first time, and retry_delay after being unavailable), polls the AT
    // channel, the ring gap and the idle check. True when the line is up (Probing
    // or Ready) and the driver's call logic should run.
    bool poll();

    ModemState state() const { return state_; }
    bool available() const { return state_ == ModemState::Probing || state_ == ModemState::Ready; }
    bool ready() const { return state_ == ModemState::Ready; }
    // Why the line is unavailable (names the device), empty when it is not.
    const std::string& unavailable_reason() const { return reason_; }
    // The probed modem as the driver described it; empty before.
    const std::string& description() const { return description_; }
    // Available or not and why, and what the modem is: the same for every driver.
    DeviceHealth health() const;
    // Makes the line unavailable: tells the user, closes the line, retries later.
    // The reason gets the line's name in front unless it names the device already.
    void set_unavailable(const std::string& reason);

    // The channel and the serial line while open; null otherwise.
    AtChannel* at() { return up_ ? &at_ : nullptr; }
    SerialLine* serial() { return up_ ? &serial_ : nullptr; }

    // An AT exchange through the trace: sends `cmd` (empty: only waits) and gives
    // the answer. On a closed line it gives AtResult::Vanished at once.
    Task<AtResponse> exchange(std::string cmd, Duration timeout);
    class FreeWait;
    // `co_await until_free()`: goes on at once, or once the idle check's "AT" is
    // answered (or dropped) when one waits. One coroutine at a time may wait here.
    [[nodiscard]] FreeWait until_free();
    // Drops the waiting request and the idle check.
    void cancel();
    // A call ended: the next idle check is idle_check from now.
    void back_to_idle();

    // Counters over every line opened: completed reads and writes (the virtual-time
    // settle loops compare them with the modem's), whether bytes wait to be written
    // that no XOFF holds back, whether a line is open, RINGs seen.
    std::uint64_t bytes_read() const;
    std::uint64_t bytes_written() const;
    bool output_in_flight() const;
    bool is_open() const;
    int rings_seen() const { return rings_total_; }

    std::string name() const;
    void trace(const std::string& text) const;

  private:
    void open();
    // Probe, then the init commands, top to bottom; gives why the modem cannot be
    // used, or nothing when it is ready.
    Task<std::string> bring_up();
    void brought_up();
    void idle_check();
    // "AT": gives why the modem cannot be used, or nothing when it answered.
    Task<std::string> check_idle();
    void idle_checked();
    void drop_idle_check();
    void close();
    void on_unsolicited(const std::string& line);
    void trace_response(const AtResponse& response) const;

    const Clock& clock_;
    const ModemLineConfig& config_;
    ModemLineUser& user_;
    ModemLineOptions options_;

    ModemState state_ = ModemState::Closed;
    std::string reason_;
    std::string description_;
    TimePoint retry_at_{};
    TimePoint next_check_{};

    std::unique_ptr<UucpLock> lock_;
    SerialLine serial_;
    AtChannel at_;     // on serial_, so it goes first
    bool up_ = false;  // serial_ is opened (until close())
    // The line's coroutines, after the channel they wait on, so they go first.
    Task<std::string> bring_up_;           // while Probing
    Task<std::string> idle_;               // while the idle check's "AT" waits
    std::coroutine_handle<> free_waiter_;  // a call at until_free()

    int ring_count_ = 0;
    int rings_total_ = 0;
    TimePoint last_ring_{};
    std::string caller_id_;
};

// The awaitable of ModemLine::until_free(). Leaving it early (its coroutine
// destroyed) takes the coroutine off the line.
class ModemLine::FreeWait {
  public:
    explicit FreeWait(ModemLine& line) : line_(line) {}
    ~FreeWait() {
        if (handle_ && line_.free_waiter_ == handle_) line_.free_waiter_ = {};
    }
    FreeWait(const FreeWait&) = delete;
    FreeWait& operator=(const FreeWait&) = delete;

    bool await_ready() const noexcept { return !line_.idle_; }
    void await_suspend(std::coroutine_handle<> awaiting) noexcept {
        handle_ = awaiting;
        line_.free_waiter_ = awaiting;
    }
    void await_resume() const noexcept {}

  private:
    ModemLine& line_;
    std::coroutine_handle<> handle_;
};

}  // namespace faxemu
