// A virtual Class 1 fax modem: spandsp's T.31 soft modem (AT command set, V.21
// HDLC, V.27ter/V.29/V.17 data) on a line of the virtual exchange.
//
//   ATD<number>  -> exchange.dial;  the far end answers -> CONNECT (T.31 call event)
//   ATA          -> exchange.answer
//   ATH / DTR    -> exchange.hangup
//   ringing      -> RING (and NMBR=<caller> after the first ring if caller_id)
//   line ended   -> BUSY / NO ANSWER / NO CARRIER
//
// Flow control (host -> modem): T.31 drops CTS when its transmit buffer passes
// 3072 bytes. Host bytes are fed to T.31 only while CTS is on; the rest queue here.
// A pty has no RTS/CTS lines, so by default (Class1Options::xon_xoff) CTS changes are
// also sent to the host as XOFF (DC3) / XON (DC1). They go only while the host is
// sending data (+FTM/+FTH), when nothing else flows to the host, so they never mix
// with received data; hosts that set IXON on the tty (efax, HylaFAX) stop there.
//
// Faults and quirks (below) emulate broken lines and real firmware bugs so that
// drivers' workarounds can be tested. Quirks act on verbose (ATV1) responses.
//
// Not thread-safe: everything comes on the thread that steps the exchange.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/modem_engine.hpp"

struct t31_state_s;
struct at_state_s;

namespace faxemu {

// What the modem says about itself. (Not devices/serial ModemIdentity, which is
// what a driver learns by probing.)
struct VirtualModemIdentity {
    std::string manufacturer = "faxemu";                 // +FMI? / +GMI?
    std::string model = "faxemu virtual Class 1 modem";  // +FMM? / +GMM?
    std::string revision = "1.0 (spandsp 0.0.6 T.31)";   // +FMR? / +GMR?
    std::string ati = "faxemu";                          // ATI / ATI0
};

// Injected faults: a bad line or a broken modem.
struct Class1Faults {
    bool busy = false;       // every ATD ends with BUSY (after the exchange's dial delay)
    bool no_answer = false;  // every ATD ends with NO ANSWER (after its no-answer timeout)
    // The line drops during page N+1, once N pages have been confirmed (MCF) in a call; -1 = never.
    int drop_after_pages = -1;
    std::optional<LineImpairment> noise;  // a poor line on every call
    // The modem goes silent (reads and discards, answers nothing) after this many
    // AT command lines; -1 = never.
    int silent_after_commands = -1;
    bool silent_after_connect = false;  // ... or once a call connects
    // From this many AT command lines on, every response is garbage; -1 = never.
    int garbage_after_commands = -1;
};

// Firmware bugs seen in real Class 1 modems, each with a host-side workaround.
struct Class1Quirks {
    // CONNECT to +FTM comes at once, but data the host sends before the training
    // has gone out is lost (host fix: wait after CONNECT, e.g. tm_connect_delay).
    bool early_ftm_connect = false;
    // +FRM issued within 200 ms of the end of a received V.21 frame, without an
    // intervening +FRS, answers +FCERROR (host fix: AT+FRS=n before +FRM).
    bool frm_fcerror_after_v21 = false;
    // The first +FRH=3 after each transmission answers CONNECT and then NO CARRIER
    // at once, receiving nothing (host fix: reissue +FRH, e.g. rh_connect_bug).
    bool frh_bogus_connect = false;
    // Needs XON/XOFF honoured: host bytes arriving while CTS is off beyond this many
    // are lost (0 = unlimited queue, the default).
    std::size_t flow_overflow_slack = 0;
    // Phase C data (+FTM/+FRM) goes with the bits of each byte reversed both ways
    // (host fix: reverse bit order for data).
    bool reversed_bit_order = false;
    // DLE (0x10) inside V.21 frames sent to the host (+FRH) is not doubled (host fix:
    // accept a lone DLE not followed by ETX as data).
    bool no_dle_doubling_in_frames = false;
};

struct Class1Options {
    VirtualModemIdentity identity;
    bool caller_id = false;  // NMBR=<caller> after the first RING
    bool xon_xoff = true;    // tell the host CTS changes as XOFF/XON
    Class1Faults faults;
    Class1Quirks quirks;
    // When set, each block of data the host sends after +FTM's CONNECT (unstuffed,
    // up to DLE ETX, as the host sent it) is written to "<capture_tx_data>-N.bin",
    // N = 1, 2, ... per modem: how fixtures of a peer's exact phase C data are made.
    std::string capture_tx_data;
    // One line per call event (dial, ring, connect, end) for logs; may be empty.
    std::function<void(const std::string&)> on_event;
};

class Class1Engine : public ModemEngine {
  public:
    // Does not attach to the exchange: the owner does (LineAttachment), or a
    // composite engine forwards its line callbacks here.
    Class1Engine(VirtualExchange& exchange, std::string number, Class1Options options = {});
    ~Class1Engine() override;
    Class1Engine(const Class1Engine&) = delete;
    Class1Engine& operator=(const Class1Engine&) = delete;

    // ModemEngine
    void set_host_writer(HostWriter writer) override { writer_ = std::move(writer); }
    void host_bytes(const std::uint8_t* data, std::size_t n) override;
    const std::string& number() const override { return number_; }
    void tick() override;

    // LineEndpoint
    void line_ringing(int ring_count, const std::string& caller_id) override;
    void line_connected() override;
    void line_ended(LineEnd why) override;
    void line_transmit(std::int16_t* out, int n) override;
    void line_receive(const std::int16_t* in, int n) override;

    // Observers (tests, logs).
    bool cts() const { return cts_; }
    bool in_call() const { return call_ != CallState::Idle; }
    std::size_t queued_from_host() const { return in_queue_.size(); }
    std::uint64_t bytes_lost_to_overflow() const { return overflow_lost_; }
    int pages_confirmed() const { return pages_confirmed_; }
    const Class1Options& options() const { return options_; }

  private:
    struct Impl;
    enum class CallState { Idle, Dialling, Ringing, Answering, Connected };

    static int on_at_tx(at_state_s* at, void* user, const std::uint8_t* buf, std::size_t len);
    static int on_modem_control(t31_state_s* t31, void* user, int op, const char* num);
    void feed_t31();
    bool host_command(const std::string& line);
    void go_silent(const std::string& why);
    void save_capture();
    void from_t31(const std::uint8_t* buf, std::size_t len);
    void response_line(const std::string& line);
    void on_frame(const std::vector<std::uint8_t>& frame, bool from_host);
    void high_speed_carrier();
    void dial(const std::string& dialled);
    void answer();
    void hang_up();
    void start_call();
    void to_host(const std::uint8_t* data, std::size_t n);
    void event(const std::string& text);

    VirtualExchange& exchange_;
    std::string number_;
    Class1Options options_;
    HostWriter writer_;
    t31_state_s* t31_ = nullptr;
    std::unique_ptr<Impl> impl_;
    CallState call_ = CallState::Idle;
    bool cts_ = true;
    std::deque<std::uint8_t> in_queue_;
    std::uint64_t overflow_lost_ = 0;
    int pages_confirmed_ = 0;
    bool clocked_ = false;  // the line clocked T.31 in this step
};

}  // namespace faxemu
