// A real Class 1 fax modem (EIA-578 / ITU T.31) behind the Device seam: T.30 runs
// here on spandsp (Class1FrontEnd) and the modem only modulates.
//
// Life of the device: a ModemLine (devices/serial/modem_line.hpp) opens the line
// with a UUCP lock, probes and initialises the modem and retries when it is
// unavailable; this driver accepts a modem that offers Class 1 and a fax
// modulation (+FTM=?/+FRM=?) and adds AT+FCLASS=1 to its init. Nothing throws out
// of poll().
//
// Calls: dial -> ATD<number> (CONNECT: T.30 as caller; BUSY / NO ANSWER / NO
// CARRIER / NO DIALTONE end the call as the simulated port reports them); RING
// (and NMBR= caller id) -> DeviceListener::on_ring; answer -> ATA, T.30 as answerer;
// hangup -> abort + ATH. Session events go to the listener as they come; the end of
// T.30 ends the call with the outcome of T.30's cause. Each call is one coroutine
// (task.hpp) from ATD/ATA to ATH; a hangup while dialling or answering drops it
// (withdrawing its ATD/ATA) for the abort's. The device owns the coroutine, so
// nothing of a call outlives the device.
//
// Single-threaded: everything runs on the io_context's thread and in poll(), which
// the owner calls at least every 20 ms (in virtual-time tests once per exchange step).
#pragma once

#include <coroutine>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>

#include "core/clock.hpp"
#include "core/device.hpp"
#include "devices/class1/class1_front_end.hpp"
#include "devices/class1/class1_quirks.hpp"
#include "devices/serial/modem_line.hpp"
#include "devices/serial/task.hpp"

namespace faxemu {

struct Class1DeviceConfig : ModemLineConfig {
    // Largest single write to the line: bounds what is already on its way when the
    // modem says XOFF (a modem has only so much room after it).
    std::size_t write_chunk = 128;
    Class1DriverQuirks quirks;  // flow control is quirks.flow_control
};

using Class1State = ModemState;

class Class1Device final : public Device, private ModemLineUser {
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
    bool idle() const override { return status() == Class1State::Ready; }
    // T.30 runs here, so it knows: frames and image data (T30Session::progress).
    std::uint64_t call_progress() const override {
        return front_end_ ? front_end_->session().progress() : 0;
    }

    // Opens, probes and retries; checks timeouts; feeds T.30's timers. Never throws.
    void poll() override;
    DeviceHealth health() const override { return modem_.health(); }

    Class1State status() const { return modem_.ready() ? state_ : modem_.state(); }
    bool available() const { return modem_.available(); }
    // Why the device is unavailable (names the device), empty when it is not.
    const std::string& unavailable_reason() const { return modem_.unavailable_reason(); }
    // The probed modem, e.g. "faxemu virtual Class 1 modem 1.0 on /tmp/ttyFAX0: ...".
    const std::string& modem_description() const { return modem_.description(); }
    // T30_SUPPORT_V27TER/V29/V17 bits the modem offers (+FTM=?/+FRM=?).
    int modem_modulations() const { return modulations_; }
    const Class1DeviceConfig& config() const { return config_; }
    // The modem's life: health, counters (bytes, rings).
    const ModemLine& modem() const { return modem_; }
    // The call's front end while one runs (tests, logs, benchmarks).
    Class1FrontEnd* front_end() { return front_end_.get(); }
    // Called with every front end when a call starts (e.g. to set a trace).
    void on_call_start(std::function<void(Class1FrontEnd&)> hook) { call_hook_ = std::move(hook); }

  private:
    // ModemLineUser
    ModemSetup setup(const ModemIdentity& identity) override;
    void on_ready() override { state_ = Class1State::Ready; }
    void on_unavailable(const std::string& why) override;
    bool call_idle() const override { return state_ == Class1State::Ready; }
    bool takes_ring() const override {
        return state_ == Class1State::Ready || state_ == Class1State::Ringing;
    }
    bool ringing() const override { return state_ == Class1State::Ringing; }
    void on_ring(int count, const std::string& caller_id) override;
    void on_ring_stopped() override;
    void on_unsolicited(const std::string& line) override;

    // How a call's coroutine ended.
    struct CallEnd {
        std::optional<CallOutcome> outcome;  // none: the line failed before a call was up
        std::string modem_failure;           // not empty: the modem is unusable now
    };
    // Suspends the call's coroutine until resume_call() (from poll()).
    struct Resumed {
        Class1Device* device;
        std::coroutine_handle<> handle;
        ~Resumed();
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> h);
        void await_resume() const noexcept {}
    };

    // The call: one coroutine from ATD/ATA to ATH.
    void start(Task<CallEnd> call);
    Task<CallEnd> run_call(bool calling);
    Task<CallEnd> abort_call();
    Task<CallEnd> hang_up(CallOutcome outcome);
    Resumed next_poll() { return Resumed{this, {}}; }
    void resume_call();
    void call_ended();
    void end_lost_call();
    CallOutcome dial_outcome(const AtResponse& r) const;
    std::optional<CallOutcome> open_front_end(bool calling);
    CallOutcome finish_call();
    void end_call(CallOutcome outcome);
    std::string name() const { return modem_.name(); }

    const Clock& clock_;
    Class1DeviceConfig config_;
    DeviceListener* listener_ = nullptr;
    Class1State state_ = Class1State::Ready;  // the call's, while the modem is ready
    int modulations_ = 0;
    ModemLine modem_;

    std::unique_ptr<Class1FrontEnd> front_end_;
    std::function<void(Class1FrontEnd&)> call_hook_;

    std::optional<OutboundCall> outbound_;
    std::optional<InboundCall> inbound_;
    bool local_hangup_ = false;
    std::optional<CallOutcome> pending_outcome_;  // of a call the line failed under
    std::coroutine_handle<> waiting_;             // the call's coroutine at next_poll()
    Task<CallEnd> call_;                          // the call's coroutine; last, so it goes first
};

}  // namespace faxemu
