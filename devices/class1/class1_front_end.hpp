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
// T.30 is never re-entered from its own callbacks: requests are recorded and
// carried out when control returns here (pump()). The owner calls poll() often
// (every <= 20 ms; once per exchange step on virtual time): it feeds T.30's timers
// from the Clock and checks the modem's deadlines.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/t30_session.hpp"
#include "devices/class1/class1_quirks.hpp"

struct t30_state_s;
struct hdlc_rx_state_s;

namespace faxemu {

class AtChannel;
struct AtResponse;

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
    bool modem_idle() const { return op_ == Op::Idle; }
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
    enum class Op {
        Idle,
        Command,     // a simple command (+FTS, +FRS) waits for OK
        FthConnect,  // AT+FTH=3 sent, waiting for CONNECT
        FthFrame,    // a frame sent, waiting for CONNECT (more) or OK (final)
        FrhConnect,  // AT+FRH=3 sent, waiting for CONNECT
        FrhData,     // receiving a frame (data mode)
        FrhResult,   // frame received, waiting for OK / ERROR
        FtmConnect,  // AT+FTM=n sent, waiting for CONNECT
        FtmDelay,    // CONNECT came; tm_connect_delay before data
        FtmData,     // sending ECM frames (connected, more may come)
        FtmSending,  // all data prepared; handing it to the line at the modem's pace
        FtmResult,   // data and DLE ETX sent, waiting for OK
        FrmConnect,  // AT+FRM=n sent, waiting for CONNECT
        FrmData,     // receiving fast data (data mode)
        FrmResult,   // DLE ETX seen, waiting for NO CARRIER / OK
        Aborting,    // abort character sent, waiting for the final result
    };
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

    void pump();
    bool advance();
    bool tx_wanted() const;
    bool rx_op() const;
    bool rx_op_matches() const;

    void command(const std::string& cmd, Duration timeout,
                 std::function<void(const AtResponse&)> done);
    void expect(Duration timeout, std::function<void(const AtResponse&)> done);
    void send_bytes(const std::vector<std::uint8_t>& bytes);
    void trace(TraceEvent::Kind kind, const std::string& text);

    void start_fth();
    void send_next_frame();
    void start_frh();
    void frh_connected();
    void frh_frame_ended();
    void frh_result(const AtResponse& r);
    void start_ftm();
    void ftm_connected();
    void ftm_send_non_ecm();
    void ftm_finish(std::size_t data_bytes);
    void queue_tx(const std::vector<std::uint8_t>& stuffed);
    void flush_tx();
    void start_frm();
    void frm_connected();
    void frm_data(const std::uint8_t* data, std::size_t n);
    void frm_ended(const AtResponse* r);
    void start_pause(int ms);
    void start_abort();
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

    // The modem.
    Op op_ = Op::Idle;
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
    std::size_t tx_data_bytes_ = 0;
    TimePoint delay_until_{};
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
    bool in_pump_ = false;
    bool lost_ = false;
    std::string modem_error_;
    TimePoint last_tick_{};
    std::int64_t tick_remainder_us_ = 0;

    int frames_received_ = 0;
    int frames_with_dle_ = 0;
    int fcerrors_ = 0;
    int bogus_connects_ = 0;
    std::shared_ptr<bool> alive_;
};

}  // namespace faxemu
