// The T.30 front end over a Class 1 (EIA-578 / ITU T.31) modem: spandsp's
// t30_state_t runs on the host and the modem only modulates. T.30's requests are
// turned into Class 1 commands on an AtChannel:
//
//   set_tx_type(V.21, HDLC) + send_hdlc  -> AT+FTH=3, CONNECT, frame, DLE ETX;
//                                           CONNECT (more frames) or OK (final frame)
//   set_rx_type(V.21, HDLC)              -> AT+FRH=3, CONNECT, frame + FCS, DLE ETX,
//                                           OK (good FCS) / ERROR -> t30_hdlc_accept
//   set_tx_type(fast, non-ECM)           -> AT+FTM=<code>, TCF or page data, DLE ETX, OK
//   set_rx_type(fast, non-ECM)           -> AT+FRM=<code>, data ... DLE ETX, NO CARRIER
//   fast with HDLC (ECM)                 -> the same, with HDLC framing done here
//   T30_MODEM_PAUSE                      -> AT+FTS=n
//
// A Class 1 modem hears one thing at a time where spandsp's audio front end runs
// V.21 beside the fast receiver, so after fast data ends (a page, TCF) this front
// end listens for V.21 (+FRH=3) itself while T.30 still waits for the post-page
// command.
//
// The call is one coroutine (task.hpp) that reads top to bottom: it hands T.30
// what the modem did, then carries out what T.30 asked for next, each exchange a
// `co_await` on the AtChannel. T.30's callbacks only record requests, so T.30 is
// never re-entered from its own callbacks. The coroutine continues the moment a
// modem result arrives (no tick between a result and the next command: T.30's
// answer must reach the line within 75 +- 20 ms). The owner calls poll() often
// (every <= 20 ms; once per exchange step on virtual time): it feeds T.30's timers
// from the Clock, wakes the call when it waits for time to pass, and cuts a wait
// short when the call is lost, aborted, or T.30 no longer wants what the modem
// listens for. Lifetime: the call's Task owns every wait (task.hpp's one rule);
// destroying the front end destroys it and so withdraws what the modem was asked.
// The front end must not be destroyed from inside its own session events.
#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/t30_session.hpp"
#include "devices/class1/class1_quirks.hpp"
#include "devices/serial/at_channel.hpp"
#include "devices/serial/task.hpp"

struct t30_state_s;
struct hdlc_rx_state_s;

namespace faxemu {

// Class 1 modulation code for a T.30 modem type and rate (+FTM/+FRM), 0 if none.
int class1_modulation(int t30_modem, int bit_rate, bool short_train);

// HDLC framing on the host for ECM over +FTM: flags, the frame, its CRC-16 FCS,
// zero-bit insertion; bits packed into octets LSB first (the order Class 1 sends).
class HdlcBitEncoder {
  public:
    void flags(int count);
    void frame(const std::uint8_t* data, std::size_t n);
    // Pads with flag bits to an octet boundary.
    void align();
    std::vector<std::uint8_t> take();

  private:
    void bit(int b);
    void raw_octet(std::uint8_t octet);  // no bit stuffing (flags)
    std::vector<std::uint8_t> out_;
    std::uint8_t current_ = 0;
    int bits_ = 0;
    int ones_ = 0;
};

struct Class1CallConfig {
    bool calling_party = false;  // we dialled (T.30 caller: CNG, waits for DIS)
    SessionDirection direction = SessionDirection::Send;
    SessionConfig session;
    std::filesystem::path file;  // TIFF-F to send or to write
    int first_page = 0;
    int last_page = -1;
    Class1DriverQuirks quirks;
};

class Class1FrontEnd {
  public:
    // Timing trace for benchmarks and logs: a final result arrived / a command went out.
    struct TraceEvent {
        enum class Kind { Result, Command } kind;
        std::string text;
    };
    using TraceSink = std::function<void(const TraceEvent&)>;

    Class1FrontEnd(AtChannel& at, const Clock& clock, Class1CallConfig config,
                   T30Session::EventSink sink);
    ~Class1FrontEnd();
    Class1FrontEnd(const Class1FrontEnd&) = delete;
    Class1FrontEnd& operator=(const Class1FrontEnd&) = delete;

    // Call from inside the CONNECT handler of ATD (caller: the modem is receiving
    // V.21 HDLC and a frame follows at once) or ATA (answerer: the modem is ready
    // for HDLC frames to send).
    void start();
    void poll();
    // The call is gone (the modem hung up, vanished or stopped answering): T.30 ends
    // with T30_ERR_CALLDROPPED unless it had already finished. `why` is kept.
    void line_lost(const std::string& why);
    // Stops what the modem is doing (abort character) without ending T.30.
    void abort_modem();

    // T.30 reached phase E and nothing is outstanding on the modem.
    bool finished() const;
    bool modem_idle() const { return !parked_ || parked_->activity == Activity::Idle; }
    T30Session& session() { return *session_; }
    const T30Session& session() const { return *session_; }
    // Why the modem side failed (timeouts, garbage, vanished), empty if it did not.
    const std::string& modem_error() const { return modem_error_; }
    // Frames received with a DLE in them (for the DLE-bug test) and other counters.
    int frames_received() const { return frames_received_; }
    int frames_with_dle() const { return frames_with_dle_; }
    int fcerrors() const { return fcerrors_; }
    int bogus_connects() const { return bogus_connects_; }
    // When the modem last heard the far end (a CONNECT to +FRH/+FRM, or data).
    TimePoint last_heard() const { return last_heard_; }

    void set_trace(TraceSink sink) { trace_ = std::move(sink); }

  private:
    // What the call waits for; it says what may cut the wait short (cut_by()).
    enum class Activity {
        Idle,      // nothing asked of the modem; waiting for T.30 or the clock
        Command,   // +FTS / +FRS
        Aborting,  // an abort (CAN, DLE ETX) sent, waiting for the final result
        Transmit,  // +FTH / +FTM, a frame or data on its way, their results
        Listen,    // +FRH / +FRM sent, waiting for CONNECT
        FastData,  // receiving fast data (data mode)
        Frame,     // receiving a V.21 frame, or the result after received data
    };
    // Why a wait was cut short.
    enum class Cut { None, Lost, Abort, Unwanted, Silent };
    struct Parked {
        std::coroutine_handle<> handle;
        Activity activity = Activity::Idle;
        bool on_tick = false;     // poll() wakes it
        bool on_command = false;  // an AT exchange: the channel resumes it
    };
    class Pause;
    class Exchange;
    struct ModemType {
        int type = 0;  // T30_MODEM_*
        int bit_rate = 0;
        int short_train = 0;  // or the pause length in ms for T30_MODEM_PAUSE
        bool hdlc = false;
    };

    static void on_set_rx_type(void* user, int type, int bit_rate, int short_train, int hdlc);
    static void on_set_tx_type(void* user, int type, int bit_rate, int short_train, int hdlc);
    static void on_send_hdlc(void* user, const std::uint8_t* msg, int len);
    static void on_ecm_frame(void* user, const std::uint8_t* msg, int len, int ok);

    // The call, top to bottom.
    Task<> call();
    Task<> transmit_v21();
    Task<> transmit_fast();
    Task<std::size_t> send_ecm_frames();
    Task<> pause_line(int ms);
    Task<bool> silence(std::string command, const char* what);
    Task<> listen_v21();
    Task<> receive_frame();
    Task<> listen_fast();
    Task<> receive_fast_data();
    Task<> recover(Activity was);
    Task<> abort_receive(bool silent);

    // Waiting.
    Pause pause(Activity activity, bool on_tick);
    Exchange exchange(Activity activity, std::string command, Duration timeout);
    Exchange expect(Activity activity, Duration timeout);
    static bool cut_by(Activity activity, Cut why);
    bool cut_at_once(Activity activity);
    void park(std::coroutine_handle<> handle, Activity activity, bool on_tick, bool on_command);
    void unpark(std::coroutine_handle<> handle);
    void cut(Cut why);
    void wake();

    bool deliver_step_completes();
    bool tx_wanted() const;
    bool rx_wanted() const;
    bool still_wanted() const;
    void frame_received(bool ok);
    void carrier_down();
    void queue_ecm_bits(bool final);
    void send_bytes(const std::vector<std::uint8_t>& bytes);
    void trace(TraceEvent::Kind kind, const std::string& text);
    void frm_data(const std::uint8_t* data, std::size_t n);
    void queue_tx(const std::vector<std::uint8_t>& stuffed);
    void flush_tx();
    bool tx_drained() const { return tx_out_pos_ == tx_out_.size(); }
    void modem_failed(const AtResponse& r, const std::string& during);
    void end_call(const std::string& why, bool modem_alive);

    AtChannel& at_;
    const Clock& clock_;
    Class1CallConfig config_;
    t30_state_s* t30_ = nullptr;
    std::unique_ptr<T30Session> session_;
    hdlc_rx_state_s* ecm_rx_ = nullptr;
    TraceSink trace_;

    // What T.30 asked for.
    ModemType rx_;
    ModemType tx_;
    bool tx_done_ = true;                           // the current tx request has been carried out
    std::deque<std::vector<std::uint8_t>> frames_;  // V.21 or ECM frames; empty = end
    int step_completes_ = 0;

    // The call.
    Task<> call_;
    std::optional<Parked> parked_;
    Cut cut_ = Cut::None;
    std::exception_ptr failure_;  // what ended the call's coroutine, for poll() to throw
    bool rx_bogus_ = false;       // a CONNECT with no frame (rh_connect_bug)

    // The modem.
    bool hdlc_tx_connected_ = false;  // in +FTH=3 with CONNECT (more frames may follow)
    bool last_tx_v21_ = false;        // the last thing we transmitted was V.21
    ModemType op_type_;               // the modulation of the current rx/tx op
    std::vector<std::uint8_t> rx_frame_;
    HdlcBitEncoder ecm_tx_;
    std::size_t ecm_tx_bytes_ = 0;
    // Fast data waiting for the line: handed over a window at a time, so that no
    // more than that is on its way when the modem says XOFF.
    std::vector<std::uint8_t> tx_out_;
    std::size_t tx_out_pos_ = 0;
    TimePoint last_data_{};
    TimePoint last_heard_{};
    TimePoint retry_at_{};
    int fcerror_count_ = 0;
    int rx_failures_ = 0;
    bool v21_instead_ = false;  // +FCERROR retries used up: listen for V.21 once
    bool frs_done_ = false;     // +FRS issued for the next +FRM (frs_before_data)
    bool pre_tx_silence_done_ = false;
    bool heard_since_tx_ = false;  // +FRM (TCF, a page) since our last +FTH: pause first

    bool started_ = false;
    bool lost_ = false;
    std::string modem_error_;
    TimePoint last_tick_{};
    std::int64_t tick_remainder_us_ = 0;

    int frames_received_ = 0;
    int frames_with_dle_ = 0;
    int fcerrors_ = 0;
    int bogus_connects_ = 0;
};

}  // namespace faxemu
