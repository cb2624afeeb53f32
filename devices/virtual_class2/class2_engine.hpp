// A virtual Class 2 (SP-2388) / Class 2.0 (EIA-592, ITU T.32) fax modem: our own
// +F command layer around spandsp's T.30 and audio fax modems (spandsp 0.0.6 has
// no Class 2 of its own), on a line of the virtual exchange.
//
// Sending (the host calls):
//   ATD<n>        -> +FCON, +FCSI:, +FDIS:<remote DIS>, OK   (DIS snooped off the line)
//   AT+FDT        -> +FDCS:<session>, CONNECT [, XON in Class 2]
//   <page data> DLE ETX -> OK;  AT+FET=0|1|2 -> +FPTS:1 OK   (Class 2)
//   <page data> DLE , ; .  -> +FPS:1 OK                      (Class 2.0)
//   after the last page: +FHNG:0 (+FHS:00) before the final OK.
// Receiving (the host answers):
//   RING; ATA     -> +FCON, +FTSI:, +FDCS:, OK
//   AT+FDR        -> +FDCS:, CONNECT; host DC2 (or DC1) -> page data, DLE ETX,
//                    +FPTS:1, +FET:n, OK;  after the last page AT+FDR -> +FHNG:0 OK.
//
// How T.30 gets each page: spandsp 0.0.6's T.30 sends only from TIFF files, but a
// Class 2 host gives page N only after CONNECT and says MPS/EOP only after the data.
// So the modem holds its T.30 (no received audio reaches it, so its timers stand
// still; what arrives is kept) from the call's start until the host has given the
// first page. The page is decoded into a one-page TIFF, T.30's capabilities are
// narrowed to the +FDCS reported to the host, and T.30 is released at DLE ETX
// (Class 2) or DLE , ; . (2.0): it hears the remote's DIS (the kept audio if it is
// recent, else the next DIS repeat) and sends DCS, TCF and the page. The post-page
// message is needed only at the page's end: if +FET has not come by then (a slow
// host), the image carrier ends and T.30 is kept from that end (it would pick the
// message at once) until +FET is in, as a real modem waits for +FET before it sends
// the message; the far end waits up to its T2 for it.
//
// MPS (T.30 5.3.2.4: the next page follows the response with no new phase B):
// spandsp 0.0.6 starts the next page the moment it hears MCF, but the host gives
// that page only after +FPTS reports the MCF. So when the host said MPS, T.30's
// encoder reads later pages from a row reader (spandsp's own T.4 hook, reached
// through its exposed structures) and its last page is moved to allow one more;
// after T.30 sends MPS it is held again, a V.21 receiver of our own hears the
// response, +FPTS reports it, and T.30 is released with the kept response once the
// host's next page is in. EOM and EOP as the host says; a document handler makes
// T.30 send EOM when the host does (a new TIFF, phase B again).
// The post-page response T.30 really received is what +FPTS reports.
//
// Faults (Class1Faults) and quirks (Class2Quirks) emulate broken lines and real
// firmware; every failure ends with the +FHNG/+FHS code of the phase it hit.
//
// Not thread-safe: everything comes on the thread that steps the exchange.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "devices/class2_protocol/hangup_codes.hpp"
#include "devices/virtual_class2/page_rows.hpp"
#include "devices/virtual_class2/t30_session_params.hpp"
#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/class1_engine.hpp"
#include "devices/virtual_modem/modem_engine.hpp"

struct fax_state_s;
struct t30_state_s;

namespace faxemu {

namespace vclass2 {
class V21Snooper;
}

// Which of the Class 2 command sets the modem offers (+FCLASS=?).
enum class Class2Set { Class2, Class20, Both };

// Firmware bugs of real Class 2/2.0 modems, each with a known host workaround.
struct Class2Quirks {
    // +FDIS=/+FIS= issued after ATD answers OK but is ignored: the session keeps the
    // parameters from before the call (HylaFAX Class2DDISCmd; pages come out
    // "squished" when the host sends fine data into a normal session).
    bool ignore_fdis_after_dial = false;
    // XON after +FDT's CONNECT comes only once training is done (this much line
    // time later); page data the host sends before the XON is lost
    // (HylaFAX Class2XmitWaitForXON).
    Duration late_xon{0};
    // Received page data starts only on this trigger after +FDR's CONNECT:
    // 0 = DC1 or DC2, 0x11 = DC1 only, 0x12 = DC2 only (HylaFAX Class2RecvDataTrigger).
    std::uint8_t rx_trigger = 0;
    // Class 2 (not 2.0) received data reaches the host bit-reversed at +FBOR=0, as
    // on Rockwell-based Class 2 modems (efax reverses Class 2 data by default).
    bool reversed_rx_bit_order = false;
};

struct Class2Options {
    Class2Set classes = Class2Set::Both;
    VirtualModemIdentity identity{"faxemu", "faxemu virtual Class 2 modem",
                                  "1.0 (spandsp 0.0.6 T.30)", "faxemu"};
    bool caller_id = false;
    Class1Faults faults;  // the same faults as the Class 1 modem
    Class2Quirks quirks;
    // The answer to +FCLASS=? when not empty (a modem that also has Class 1 says so).
    std::string class_list;
    // Where page TIFFs are kept during a call; empty = the system temp folder.
    std::filesystem::path work_dir;
    std::function<void(const std::string&)> on_event;
};

class Class2Engine : public ModemEngine {
  public:
    // Does not attach to the exchange (see LineAttachment / MultiClassEngine).
    Class2Engine(VirtualExchange& exchange, std::string number, Class2Options options = {});
    ~Class2Engine() override;
    Class2Engine(const Class2Engine&) = delete;
    Class2Engine& operator=(const Class2Engine&) = delete;

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

    // Observers (tests, logs, MultiClassEngine).
    bool in_call() const { return call_ != CallState::Idle; }
    bool in_command_mode() const { return mode_ == HostMode::Command; }
    // The +FCLASS value in force: "0", "2" or "2.0".
    const std::string& fax_class() const { return fclass_; }
    int pages_done() const { return pages_done_; }
    int last_hangup_code() const { return last_hangup_; }
    std::uint64_t bytes_lost_before_xon() const { return lost_before_xon_; }
    const Class2Options& options() const { return options_; }
    // "+FCLASS=?" answer, e.g. "0,2,2.0".
    std::string class_list() const;

  private:
    enum class CallState { Idle, Dialling, Ringing, Answering, Connected };
    enum class HostMode { Command, SendData, RecvWaitTrigger, Silent };
    enum class Pending { None, Dial, Answer, Fet, PageEnd20, Fdr };
    struct RxPage {
        std::vector<std::uint8_t> data;  // coded in the session's df, LSB first
        Class2Params session;
        int ppm = 2;     // +FET value: 0 MPS, 1 EOM, 2 EOP
        int status = 1;  // +FPTS value: what T.30 answered
    };

    bool class20() const { return fclass_ == "2.0"; }
    Class2Variant variant() const {
        return class20() ? Class2Variant::Class20 : Class2Variant::Class2;
    }
    // Output.
    void raw(const std::uint8_t* data, std::size_t n);
    void raw(const std::string& s) {
        raw(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    }
    void line(const std::string& text);
    void result(const std::string& verbose, int numeric);
    void ok() { result("OK", 0); }
    void error() { result("ERROR", 4); }
    void event(const std::string& text);
    // Name of a Class 2 result/command for the class in force ("+FDCS" / "+FCS").
    std::string name(const char* c2, const char* c20) const;

    // Commands.
    void command_byte(std::uint8_t b);
    void execute_line(const std::string& line);
    bool execute_basic(const std::string& cmd, std::size_t& i, bool& defer);
    bool execute_extended(const std::string& cmd, bool& defer);
    bool int_command(const std::string& op, const std::string& arg, int& target, int max);
    bool local_id_command(const std::string& op, const std::string& arg);
    bool fclass_command(const std::string& op, const std::string& arg);
    bool params_command(bool capabilities, const std::string& op, const std::string& arg);
    void dial(const std::string& digits);
    void answer();
    void hangup_by_host(bool abort);
    void fdt();
    void fdr();
    void fet(int ppm);

    // Data from the host after +FDT.
    void send_data_byte(std::uint8_t b);
    void page_data_done(std::optional<int> ppm);
    void release_t30();
    void replay_backlog();
    // MPS (see the header comment).
    void allow_next_page();
    void hold_for_post_page_response();
    void post_page_response_heard(int fcf);
    void resume_with_next_page(const std::filesystem::path& page);
    static int read_next_row(void* user, std::uint8_t buf[], std::size_t len);
    // The page's end held until +FET (see the header comment).
    void guard_page_end();
    static int image_tx(void* user, std::int16_t amp[], int len);
    void page_answered(int status);  // +FPTS for the page T.30 just finished
    void stream_rx_page();

    // Call and T.30.
    void start_t30(bool calling);
    void stop_t30();
    void apply_session_to_t30(const Class2Params& session);
    Class2Params host_params() const;
    void snooped_frame(const std::vector<std::uint8_t>& frame);
    void call_over(int code);
    void complete_pending_with_hangup(int code);
    void schedule_drop_if_due();
    std::filesystem::path new_file(const std::string& stem);

    static int on_phase_b(t30_state_s*, void* user, int result);
    static int on_phase_d(t30_state_s*, void* user, int result);
    static void on_phase_e(t30_state_s*, void* user, int result);
    static void on_frame(t30_state_s*, void* user, int incoming, const std::uint8_t* msg, int len);
    static int on_document(t30_state_s*, void* user, int status);

    VirtualExchange& exchange_;
    std::string number_;
    Class2Options options_;
    HostWriter writer_;
    std::filesystem::path work_dir_;
    int file_serial_ = 0;

    // AT state.
    std::string fclass_ = "0";
    bool echo_ = true;
    bool verbose_ = true;
    bool quiet_ = false;
    int s0_ = 0;  // rings before auto-answer
    std::string cmd_line_;
    int commands_seen_ = 0;
    HostMode mode_ = HostMode::Command;
    Pending pending_ = Pending::None;
    std::string local_id_;
    Class2Params dcc_;  // +FDCC / +FCC: what the host can do
    Class2Params dis_;  // +FDIS / +FIS: the current session parameters
    Class2Params dis_at_dial_;
    int bor_ = 0;               // +FBOR / +FBO
    int flo_ = 1;               // +FLO
    int cr_ = 1;                // +FCR
    int minsp_ = 0;             // +FMINSP / +FMS
    int pts_ = 1;               // +FPTS= / +FPS=
    int cq_ = 0;                // +FCQ
    int aa_ = 0;                // +FAA
    int nr_[4] = {1, 1, 1, 0};  // +FNR (2.0)
    int ie_ = 0;                // +FIE
    int last_hangup_ = -1;

    // Call state.
    CallState call_ = CallState::Idle;
    bool sending_ = false;  // this call sends (host dialled)
    FaxPhase phase_ = FaxPhase::A;
    std::optional<TimePoint> dial_fault_due_;
    bool dial_fault_busy_ = false;
    std::optional<TimePoint> t1_due_;
    std::optional<TimePoint> xon_due_;
    TimePoint data_connect_{};              // when +FDT's CONNECT went out
    std::optional<TimePoint> page_ok_due_;  // OK to DLE ETX once the data "went out"
    bool host_hung_up_ = false;
    bool drop_scheduled_ = false;

    // T.30.
    fax_state_s* fax_ = nullptr;
    t30_state_s* t30_ = nullptr;
    std::unique_ptr<vclass2::V21Snooper> snooper_;
    bool t30_finished_ = false;
    int t30_cause_ = 0;
    bool hold_ = false;
    std::vector<std::int16_t> backlog_;
    bool reported_fcon_ = false;
    std::optional<Class2Params> remote_dis_;
    std::string remote_id_;
    std::optional<Class2Params> session_;  // sending: promised in +FDCS; receiving: from DCS
    bool more_documents_ = false;          // the document handler's answer
    bool ppm_known_ = false;               // the host has said MPS/EOM/EOP for this page
    bool ppm_guessed_ = false;             // T.30 asked before the host said
    std::optional<int> early_fps_;         // the post-page response, before +FET came
    bool end_after_guess_ = false;         // EOM was guessed but the host said EOP
    int pages_done_ = 0;
    int last_ppm_ = -1;
    // MPS: T.30 held after sending MPS until the response is heard (or a wait).
    bool mps_hold_ = false;
    std::optional<TimePoint> mps_hold_due_;
    bool next_page_wanted_ = false;   // the response went to the host; its next page continues
    bool response_reported_ = false;  // T.30's phase D for it is already told
    int doc_page_ = 0;                // 0-based page of T.30's document the host gave last
    vclass2::PageRows next_rows_;     // that page, for the row reader
    int next_row_ = 0;
    // The image modem's transmitter, wrapped by image_tx while a page goes out.
    int (*image_tx_)(void*, std::int16_t*, int) = nullptr;
    void* image_tx_user_ = nullptr;
    bool page_end_held_ = false;  // the image is out; T.30 waits for +FET

    // Sending: the page the host is giving.
    std::vector<std::uint8_t> page_data_;
    bool dle_ = false;
    bool xon_sent_ = false;
    std::uint64_t lost_before_xon_ = 0;
    std::optional<std::filesystem::path> page_file_;

    // Receiving.
    std::filesystem::path rx_file_;
    int rx_pages_written_ = 0;
    std::deque<RxPage> rx_pages_;
    std::optional<RxPage> streaming_;
};

}  // namespace faxemu
