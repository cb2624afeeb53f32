// A real Class 2 (SP-2388) or Class 2.0 (EIA-592 / ITU T.32) fax modem behind
// the Device seam. The modem runs T.30 itself; the host sets the session up
// with +F commands and moves page data (raw T.4/T.6, DLE-stuffed).
//
// Life of the device (as Class1Device): open the serial line (with a UUCP lock),
// probe the modem (ModemProbe: reset, identity, +FCLASS=?), initialise it
// (+FCLASS=2 or 2.0, +FCR=1, +FBOR/+FBO, +FDCC/+FCC, and in 2.0 +FLO, +FNR,
// +FIE), then wait for RING or a dial(). A device that cannot be opened, does
// not answer, answers garbage, offers no Class 2/2.0 or vanishes is reported
// unavailable with a reason and tried again later on the Clock; nothing throws
// out of poll().
//
// Sending: +FLID/+FLI, +FDIS/+FIS, ATD -> +FCON, +FCSI:, +FDIS: OK; per page
// [+FDIS when the page's resolution changes], +FDT -> +FDCS: CONNECT [XON],
// page data, then <DLE><ETX> OK and +FET=n -> +FPTS: OK (Class 2), or
// <DLE>','/';'/'.' -> +FPS: OK (Class 2.0); the call ends with +FHNG/+FHS.
// Receiving: RING (and NMBR=) -> DeviceListener::on_ring; answer -> +FLID,
// +FDIS, ATA -> +FCON, +FTSI:, +FDCS: OK; per page +FDR -> CONNECT, DC1/DC2,
// data to <DLE><ETX>, +FPTS: +FET: OK, +FPTS=<quality>; until +FHNG/+FHS.
// Every hang-up code maps through hangup_codes.hpp to the call's outcome.
//
// Single-threaded: everything runs on the io_context's thread and in poll(), which
// the owner calls at least every 20 ms (in virtual-time tests once per exchange step).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "core/clock.hpp"
#include "core/device.hpp"
#include "devices/class2/class2_quirks.hpp"
#include "devices/class2_protocol/class2_commands.hpp"
#include "devices/class2_protocol/class2_params.hpp"
#include "devices/class2_protocol/t4_stream.hpp"

namespace faxemu {

class SerialLine;
class AtChannel;
class ModemProbe;
class UucpLock;
class T4PageEncoder;
class T4PageWriter;
struct AtResponse;

struct Class2DeviceConfig {
    std::filesystem::path device;  // /dev/ttyS0, /dev/ttyUSB0, a pty or a symlink to one
    unsigned baud = 115200;
    // Where UUCP lock files go; empty: take no lock (tests on private ptys).
    std::filesystem::path lock_dir = "/var/lock";
    // Which command set to use; unset: Class 2.0 when the modem offers it, else 2.
    std::optional<Class2Variant> variant;
    Class2DriverQuirks quirks;  // flow control is quirks.flow_control
    // Sent after the probe, before AT+FCLASS=2 (e.g. "AT&F", "ATS0=0"); an ERROR is
    // logged but not fatal.
    std::vector<std::string> init_commands = {"ATE0V1Q0", "ATS0=0"};
    std::string dial_command = "ATDT";                    // followed by the number
    Duration dial_timeout = std::chrono::seconds(100);    // ATD until +FDIS: OK (> T0)
    Duration answer_timeout = std::chrono::seconds(60);   // ATA until +FDCS: OK
    Duration phase_b_timeout = std::chrono::seconds(60);  // +FDT until CONNECT
    // Page data and the post-page exchange: this plus three times the page's time
    // on the line at the negotiated rate.
    Duration page_timeout = std::chrono::seconds(60);
    Duration xon_timeout = std::chrono::seconds(30);  // CONNECT until XON (Class 2)
    // +FDR until CONNECT, and the longest gap in received page data.
    Duration receive_timeout = std::chrono::seconds(120);
    Duration retry_delay = std::chrono::seconds(30);  // after being found unavailable
    // RINGs further apart than this belong to different calls.
    Duration ring_gap = std::chrono::seconds(10);
    // When idle, check the modem with "AT" this often (0: never).
    Duration idle_check = std::chrono::seconds(60);
    // A received page with more bad rows than this share is answered RTN (+FPTS=2).
    double max_bad_row_share = 0.1;
    std::string name;  // for messages; defaults to the device path
    // Protocol trace (commands, responses, decisions); may be empty.
    std::function<void(const std::string&)> trace;
};

enum class Class2State {
    Closed,       // not opened yet
    Probing,      // opened; probing and initialising the modem
    Ready,        // idle, waiting for RING or a dial
    Dialing,      // ATD sent
    Ringing,      // RING seen, not answered (yet)
    Answering,    // ATA sent
    InCall,       // pages moving
    HangingUp,    // the call is over: abort + ATH
    Unavailable,  // no usable modem: see unavailable_reason(); retried later
};

const char* to_string(Class2State state);

class Class2Device final : public Device {
  public:
    Class2Device(asio::io_context& io, const Clock& clock, Class2DeviceConfig config);
    ~Class2Device() override;
    Class2Device(const Class2Device&) = delete;
    Class2Device& operator=(const Class2Device&) = delete;

    // Device
    std::string kind() const override { return "class2"; }
    void set_listener(DeviceListener* listener) override { listener_ = listener; }
    void dial(const OutboundCall& call) override;
    void answer(const InboundCall& call) override;
    void hangup() override;
    bool idle() const override { return state_ == Class2State::Ready; }
    // Opens, probes and retries; checks timeouts; feeds page data. Never throws.
    void poll() override;
    DeviceHealth health() const override;

    Class2State status() const { return state_; }
    bool available() const {
        return state_ != Class2State::Unavailable && state_ != Class2State::Closed;
    }
    // Why the device is unavailable (names the device), empty when it is not.
    const std::string& unavailable_reason() const { return unavailable_reason_; }
    // The probed modem, e.g. "Class 2.0 modem faxemu virtual Class 2 modem on /tmp/ttyFAX0".
    const std::string& modem_description() const { return description_; }
    // The command set in use (valid once Ready).
    Class2Variant variant() const { return variant_; }
    const Class2DeviceConfig& config() const { return config_; }
    int rings_seen() const { return rings_total_; }
    // Bytes read from / written to the modem so far, over every line opened
    // (virtual-time tests settle on these), and whether queued bytes wait to be
    // written while the modem lets us.
    std::uint64_t bytes_read() const;
    std::uint64_t bytes_written() const;
    bool write_pending() const;
    bool line_open() const;

  private:
    struct Call;
    using Handler = std::function<void(const AtResponse&)>;

    // Modem life.
    void open();
    void probe_done();
    void init_next(std::size_t index);
    void set_unavailable(const std::string& reason);
    void close_line();
    void on_unsolicited(const std::string& line);
    void on_line_error(const std::string& message);
    void idle_check();
    void run_when_free(std::function<void()> fn);

    // AT helpers: every response of a call goes through call_response() first.
    void command(const std::string& cmd, Duration timeout, Handler done);
    void expect(Duration timeout, Handler done);
    bool call_response(const AtResponse& r, const char* what);
    void absorb_lines(const AtResponse& r);

    // Sending.
    void dial_next(std::size_t step);
    void send_page();
    void page_connect(const AtResponse& r);
    void start_page_data();
    void feed_page_data();
    void page_data_sent(const AtResponse& r);
    void page_status(const AtResponse& r);
    void wait_final_hangup();

    // Receiving.
    void answer_next(std::size_t step);
    void receive_page();
    void receive_connect(const AtResponse& r);
    void receive_page_end();
    void receive_page_status(const AtResponse& r);

    // Ending.
    void hung_up(const std::string& code);
    void abort_call(CallOutcome outcome);
    void finish_call(CallOutcome outcome);
    void report(const SessionEvent& event);
    void report_negotiated();
    SessionEvent event(SessionEvent::Kind kind) const;
    Class2Params caps(const SessionConfig& session) const;
    Class2BitOrder tx_order() const;
    Class2BitOrder rx_order() const;
    std::string name() const;
    void trace(const std::string& text) const;

    asio::io_context& io_;
    const Clock& clock_;
    Class2DeviceConfig config_;
    DeviceListener* listener_ = nullptr;
    Class2State state_ = Class2State::Closed;
    Class2Variant variant_ = Class2Variant::Class20;
    std::string unavailable_reason_;
    std::string description_;
    TimePoint retry_at_{};
    TimePoint next_check_{};

    std::unique_ptr<UucpLock> lock_;
    std::unique_ptr<SerialLine> line_;
    std::unique_ptr<AtChannel> at_;
    std::unique_ptr<ModemProbe> probe_;
    std::function<void()> deferred_;                  // runs when the idle check's AT is answered
    std::vector<std::pair<std::string, bool>> init_;  // command, essential
    // Line objects closed from inside their own handlers die at the next poll().
    std::vector<std::shared_ptr<void>> graveyard_;
    std::uint64_t read_before_ = 0;  // by lines closed before the current one
    std::uint64_t written_before_ = 0;

    std::unique_ptr<Call> call_;
    int ring_count_ = 0;
    int rings_total_ = 0;
    TimePoint last_ring_{};
    std::string caller_id_;
    std::shared_ptr<bool> alive_;
};

}  // namespace faxemu
