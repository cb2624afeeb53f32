// A real Class 2 (SP-2388) or Class 2.0 (EIA-592 / ITU T.32) fax modem behind
// the Device seam. The modem runs T.30 itself; the host sets the session up
// with +F commands and moves page data (raw T.4/T.6, DLE-stuffed).
//
// Life of the device: a ModemLine (devices/serial/modem_line.hpp) opens the line
// with a UUCP lock, probes and initialises the modem and retries when it is
// unavailable; this driver picks Class 2.0 or 2 from what the modem offers (or
// refuses it) and adds its init: +FCLASS=2 or 2.0, +FCR=1, +FBOR/+FBO,
// +FDCC/+FCC, and in 2.0 +FLO, +FNR, +FIE. Nothing throws out of poll().
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
// A call is one coroutine (devices/serial/task.hpp) owned by the device: the
// dialogue of a send or a receive reads top to bottom, and anything that ends it
// early (a hang-up report, a timeout, hangup(), the line lost) is an Ending thrown
// from where it waits, after which the ending (abort, ATH) runs in the same
// coroutine. The device reports the call's end once the coroutine has stopped.
//
// Single-threaded: everything runs on the io_context's thread and in poll(), which
// the owner calls at least every 20 ms (in virtual-time tests once per exchange step).
#pragma once

#include <coroutine>
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
#include "devices/serial/modem_line.hpp"
#include "devices/serial/task.hpp"

namespace faxemu {

class FaxError;
class T4PageEncoder;
class T4PageWriter;

struct Class2DeviceConfig : ModemLineConfig {
    // Which command set to use; unset: Class 2.0 when the modem offers it, else 2.
    std::optional<Class2Variant> variant;
    Class2DriverQuirks quirks;  // flow control is quirks.flow_control
    // dial_timeout runs until +FDIS: OK, answer_timeout until +FDCS: OK.
    Duration phase_b_timeout = std::chrono::seconds(60);  // +FDT until CONNECT
    // Page data and the post-page exchange: this plus three times the page's time
    // on the line at the negotiated rate.
    Duration page_timeout = std::chrono::seconds(60);
    Duration xon_timeout = std::chrono::seconds(30);  // CONNECT until XON (Class 2)
    // +FDR until CONNECT, and the longest gap in received page data.
    Duration receive_timeout = std::chrono::seconds(120);
    // A received page with more bad rows than this share is answered RTN (+FPTS=2).
    double max_bad_row_share = 0.1;
};

using Class2State = ModemState;

class Class2Device final : public Device, private ModemLineUser {
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
    bool idle() const override { return status() == Class2State::Ready; }
    // The modem runs T.30: what moves is page data and responses on the serial line.
    std::uint64_t call_progress() const override {
        return modem_.bytes_read() + modem_.bytes_written();
    }
    // Opens, probes and retries; checks timeouts; feeds page data. Never throws.
    void poll() override;
    DeviceHealth health() const override { return modem_.health(); }

    Class2State status() const { return modem_.ready() ? state_ : modem_.state(); }
    bool available() const { return modem_.available(); }
    // Why the device is unavailable (names the device), empty when it is not.
    const std::string& unavailable_reason() const { return modem_.unavailable_reason(); }
    // The probed modem, e.g. "Class 2.0 modem faxemu virtual Class 2 modem on /tmp/ttyFAX0".
    const std::string& modem_description() const { return modem_.description(); }
    // The command set in use (valid once Ready).
    Class2Variant variant() const { return variant_; }
    const Class2DeviceConfig& config() const { return config_; }
    // The modem's life: health, counters (bytes, rings).
    const ModemLine& modem() const { return modem_; }

  private:
    struct Call;
    struct Ending;
    struct CallEnd;
    class Wait;

    // ModemLineUser
    ModemSetup setup(const ModemIdentity& identity) override;
    void on_ready() override;
    void on_unavailable(const std::string& why) override;
    bool call_idle() const override { return state_ == Class2State::Ready && !call_; }
    bool takes_ring() const override {
        return state_ == Class2State::Ready || state_ == Class2State::Ringing;
    }
    bool ringing() const override { return state_ == Class2State::Ringing; }
    void on_ring(int count, const std::string& caller_id) override;
    void on_ring_stopped() override;
    void on_unsolicited(const std::string& line) override;
    AtChannel* at() { return modem_.at(); }
    SerialLine* serial() { return modem_.serial(); }

    // Waiting, inside the call's coroutine.
    Wait command(std::string cmd, Duration timeout);
    Wait expect(Duration timeout);
    Wait event();  // until wake()
    // The call's first words: when the channel is free, our id (+FLID/+FLI).
    Task<> introduce(const std::string& local_ident);
    void wake();
    // Ends the call from outside its coroutine (or marks it to end at the next wait).
    void stop(Ending ending);
    void check_stop();
    // Every answer within a call: its lines, then what ends the call.
    void checked(const AtResponse& r, const char* what);
    void absorb_lines(const AtResponse& r);
    [[noreturn]] void line_error(const std::string& message);
    Ending abort(Fps fps, FailureClass failure, const std::string& why) const;
    Ending hangup_report(const std::string& code_text);
    static Ending file_error(const FaxError& e);

    // The call: one coroutine from the first command to ATH.
    void start_call();
    Task<> run_call();
    Task<> send_call();
    void dial_answered(const AtResponse& r);
    Task<> send_page();
    void prepare_page(const T4SourcePage& info);
    Task<> wait_for_xon();
    void xon_bytes(const std::uint8_t* data, std::size_t n);
    void feed_page_data();
    Task<> page_confirmed(const AtResponse& data_end);
    Task<> receive_call();
    void answer_answered(const AtResponse& r);
    Task<bool> receive_page();
    void start_receiving(const Class2Params& session);
    Task<> wait_final_hangup();

    // Ending.
    Task<> end_call(Ending ending);
    Task<> hang_up_modem(CallOutcome outcome);
    void lost_end();
    void call_ended();
    void connected();
    void report(const SessionEvent& event);
    void report_negotiated();
    SessionEvent event(SessionEvent::Kind kind) const;
    Class2Params caps(const SessionConfig& session) const;
    Class2BitOrder tx_order() const;
    Class2BitOrder rx_order() const;
    std::string name() const;
    void trace(const std::string& text) const;

    const Clock& clock_;
    Class2DeviceConfig config_;
    DeviceListener* listener_ = nullptr;
    Class2State state_ = Class2State::Ready;  // the call's, while the modem is ready
    Class2Variant variant_ = Class2Variant::Class20;
    ModemLine modem_;

    std::unique_ptr<Call> call_;
    std::unique_ptr<Ending> stop_;     // what ends the call at its next wait
    std::unique_ptr<CallEnd> end_;     // how the call ended, reported by call_ended()
    std::coroutine_handle<> waiting_;  // the call's coroutine, while it waits
    bool waiting_for_event_ = false;
    Task<> task_;  // the call's coroutine; last, so it goes first
};

}  // namespace faxemu
