// A real Class 1 fax modem (EIA-578 / ITU T.31) behind the Device seam: T.30 runs
// here on spandsp (Class1FrontEnd) and the modem only modulates.
//
// Life of the device: open the serial line (with a UUCP lock), probe the modem
// (ModemProbe: reset, identity, +FCLASS=?, Class 1 modulations), initialise it
// (+FCLASS=1), then wait for RING or a dial(). A device that cannot be opened, does
// not answer, answers garbage or vanishes is reported unavailable with a reason and
// tried again later on the Clock; nothing throws out of poll().
//
// Calls: dial -> ATD<number> (CONNECT: T.30 as caller; BUSY / NO ANSWER / NO
// CARRIER / NO DIALTONE end the call as the simulated port reports them); RING
// (and NMBR= caller id) -> DeviceListener::on_ring; answer -> ATA, T.30 as answerer;
// hangup -> abort + ATH. Session events go to the listener as they come; the end of
// T.30 ends the call with the outcome of T.30's cause.
//
// Single-threaded: everything runs on the io_context's thread and in poll(), which
// the owner calls at least every 20 ms (in virtual-time tests once per exchange step).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "core/clock.hpp"
#include "core/device.hpp"
#include "devices/class1/class1_front_end.hpp"
#include "devices/class1/class1_quirks.hpp"

namespace faxemu {

class SerialLine;
class AtChannel;
class ModemProbe;
class UucpLock;

struct Class1DeviceConfig {
    std::filesystem::path device;  // /dev/ttyS0, /dev/ttyUSB0, a pty or a symlink to one
    unsigned baud = 115200;
    // Largest single write to the line: bounds what is already on its way when the
    // modem says XOFF (a modem has only so much room after it).
    std::size_t write_chunk = 128;
    // Where UUCP lock files go; empty: take no lock (tests on private ptys).
    std::filesystem::path lock_dir = "/var/lock";
    Class1DriverQuirks quirks;  // flow control is quirks.flow_control
    // Sent after the probe, before AT+FCLASS=1 (e.g. "AT&F", "ATS0=0"); an ERROR is
    // reported in the log but not fatal.
    std::vector<std::string> init_commands = {"ATE0V1Q0", "ATS0=0"};
    std::string dial_command = "ATDT";                   // followed by the number
    Duration dial_timeout = std::chrono::seconds(100);   // ATD until a result (> T0)
    Duration answer_timeout = std::chrono::seconds(60);  // ATA until CONNECT
    Duration retry_delay = std::chrono::seconds(30);     // after being found unavailable
    // RINGs further apart than this belong to different calls.
    Duration ring_gap = std::chrono::seconds(10);
    // When idle, check the modem with "AT" this often (0: never).
    Duration idle_check = std::chrono::seconds(60);
    std::string name;  // for messages; defaults to the device path
};

enum class Class1State {
    Closed,       // not opened yet
    Probing,      // opened; probing and initialising the modem
    Ready,        // idle, waiting for RING or a dial
    Dialing,      // ATD sent
    Ringing,      // RING seen, not answered (yet)
    Answering,    // ATA sent
    InCall,       // T.30 running
    HangingUp,    // the call is over: abort + ATH
    Unavailable,  // no usable modem: see unavailable_reason(); retried later
};

const char* to_string(Class1State state);

class Class1Device final : public Device {
  public:
    Class1Device(asio::io_context& io, const Clock& clock, Class1DeviceConfig config);
    ~Class1Device() override;
    Class1Device(const Class1Device&) = delete;
    Class1Device& operator=(const Class1Device&) = delete;

    // Device
    std::string kind() const override { return "class1"; }
    void set_listener(DeviceListener* listener) override { listener_ = listener; }
    void dial(const OutboundCall& call) override;
    void answer(const InboundCall& call) override;
    void hangup() override;
    bool idle() const override { return state_ == Class1State::Ready; }

    // Opens, probes and retries; checks timeouts; feeds T.30's timers. Never throws.
    void poll() override;

    Class1State status() const { return state_; }
    bool available() const {
        return state_ != Class1State::Unavailable && state_ != Class1State::Closed;
    }
    // Why the device is unavailable (names the device), empty when it is not.
    const std::string& unavailable_reason() const { return unavailable_reason_; }
    // The probed modem, e.g. "faxemu virtual Class 1 modem 1.0 on /tmp/ttyFAX0: ...".
    const std::string& modem_description() const { return description_; }
    // T30_SUPPORT_V27TER/V29/V17 bits the modem offers (+FTM=?/+FRM=?).
    int modem_modulations() const { return modems_; }
    const Class1DeviceConfig& config() const { return config_; }
    // The call's front end while one runs (tests, logs, benchmarks).
    Class1FrontEnd* front_end() { return front_end_.get(); }
    // Called with every front end when a call starts (e.g. to set a trace).
    void on_call_start(std::function<void(Class1FrontEnd&)> hook) { call_hook_ = std::move(hook); }
    // Counters: RINGs seen, and calls ended.
    int rings_seen() const { return rings_total_; }
    // Serial counters over every open of the line (completed reads and writes), for
    // the virtual-time settle loop; and whether bytes wait to be written that no
    // XOFF holds back.
    std::uint64_t bytes_read() const;
    std::uint64_t bytes_written() const;
    bool output_in_flight() const;
    bool line_open() const;

  private:
    void open();
    void probe_done(bool ok, const std::string& reason);
    void init_next(std::size_t index);
    void set_unavailable(const std::string& reason);
    void close_line();
    void on_unsolicited(const std::string& line);
    void on_line_error(const std::string& message);
    void start_call(bool calling);
    void finish_call();
    void end_call(CallOutcome outcome);
    void send_hangup(std::function<void()> then);
    std::string name() const;

    asio::io_context& io_;
    const Clock& clock_;
    Class1DeviceConfig config_;
    DeviceListener* listener_ = nullptr;
    Class1State state_ = Class1State::Closed;
    std::string unavailable_reason_;
    std::string description_;
    int modems_ = 0;
    TimePoint retry_at_{};
    TimePoint next_check_{};

    std::unique_ptr<UucpLock> lock_;
    std::unique_ptr<SerialLine> line_;
    std::unique_ptr<AtChannel> at_;
    std::unique_ptr<ModemProbe> probe_;
    std::unique_ptr<Class1FrontEnd> front_end_;
    std::function<void(Class1FrontEnd&)> call_hook_;

    std::optional<OutboundCall> outbound_;
    std::optional<InboundCall> inbound_;
    int ring_count_ = 0;
    int rings_total_ = 0;
    TimePoint last_ring_{};
    std::string caller_id_;
    bool hanging_up_ = false;
    bool local_hangup_ = false;
    bool modem_failed_ = false;
    std::optional<CallOutcome> pending_outcome_;
    std::uint64_t read_before_ = 0;  // counters of lines closed before
    std::uint64_t written_before_ = 0;
    std::shared_ptr<bool> alive_;
};

}  // namespace faxemu
